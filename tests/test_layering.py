"""Imports point one way: cli -> pipeline -> stages -> registries -> base types. Read from the source (ast),
lazy imports inside functions included, so a cycle can't hide behind one."""
from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "briefing"

# Layer of each module, lowest first; a module may import its own layer and those below it.
BASE = {"briefing", "briefing.types", "briefing.errors", "briefing.config", "briefing.safe_text", "briefing.tuning"}
REGISTRIES = "briefing.models"  # and everything under it
PIPELINE = {"briefing.pipeline", "briefing.daily", "briefing.scale"}  # scale: where the daily job's per-article work runs
CLI = {"briefing.cli", "briefing.__main__"}
LAYERS = ["base", "registries", "stages", "pipeline", "cli"]


def layer(module: str) -> str:
    if module in BASE:
        return "base"
    if module == REGISTRIES or module.startswith(REGISTRIES + "."):
        return "registries"
    if module in PIPELINE:
        return "pipeline"
    if module in CLI:
        return "cli"
    return "stages"


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path) -> list[tuple[str, str]]:
    """(module imported, name imported) for every import of the package in the file."""
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "briefing":
            for alias in node.names:
                sub = f"{node.module}.{alias.name}"
                is_module = (PACKAGE.parent / (sub.replace(".", "/") + ".py")).exists() or \
                    (PACKAGE.parent / sub.replace(".", "/")).is_dir()
                out.append((sub, "") if is_module else (node.module, alias.name))
        elif isinstance(node, ast.Import):
            out += [(a.name, "") for a in node.names if a.name.split(".")[0] == "briefing"]
    return out


def graph() -> dict[str, list[tuple[str, str]]]:
    return {module_name(p): imports(p) for p in sorted(PACKAGE.rglob("*.py"))}


def test_every_module_imports_only_its_own_layer_or_below():
    wrong = [f"{m} ({layer(m)}) imports {dep} ({layer(dep)})"
             for m, deps in graph().items() for dep, _ in deps
             if LAYERS.index(layer(dep)) > LAYERS.index(layer(m))]
    assert wrong == []


def test_the_registries_import_no_stage():
    wrong = [f"{m} imports {dep}" for m, deps in graph().items() if layer(m) == "registries"
             for dep, _ in deps if layer(dep) not in ("registries", "base")]
    assert wrong == []


def test_no_module_imports_another_modules_private_name():
    wrong = [f"{m} imports {dep}.{name}" for m, deps in graph().items() for dep, name in deps
             if name.startswith("_") and name != "__version__"
             or dep.rsplit(".", 1)[-1].startswith("_") and dep.rsplit(".", 1)[-1] not in ("__init__", "__main__")]
    assert wrong == []


def test_the_layers_are_what_the_test_thinks_they_are():
    """A test that checked nothing would pass too: each layer holds modules, and a wrong import is caught."""
    mods = graph()
    assert {layer(m) for m in mods} == set(LAYERS)
    assert layer("briefing.merge") == "stages" and layer("briefing.models.minilm") == "registries"
    assert ("briefing.pipeline", "") in mods["briefing.cli"]


def test_pipeline_reaches_for_no_undeclared_backend_member():
    tree = ast.parse((PACKAGE / "pipeline.py").read_text(encoding="utf-8"))
    calls = [n.func.id for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)]
    assert "getattr" not in calls and "hasattr" not in calls

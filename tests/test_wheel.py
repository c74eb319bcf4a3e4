"""An installed wheel, not only the source tree, finds its templates and prompts."""
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    pytest.importorskip("hatchling")
    out = tmp_path_factory.mktemp("wheel")
    p = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(out),
                        str(ROOT)], capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    [whl] = out.glob("brief-*.whl")
    return whl


def test_wheel_holds_templates_and_prompts(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    for t in (ROOT / "templates").glob("*.j2"):
        assert f"briefing/templates/{t.name}" in names
    for t in (ROOT / "prompts").glob("*.j2"):
        assert f"briefing/prompts/{t.name}" in names


def test_unpacked_wheel_renders_without_the_source_tree(wheel, tmp_path, seeds):
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    code = ("import sys, json; sys.path.insert(0, sys.argv[1]); "
            "import briefing.render as r; from briefing.cli import app; from typer.testing import CliRunner; "
            "assert r.resource_dir('templates').is_relative_to(sys.argv[1]); "
            "res = CliRunner().invoke(app, ['make', sys.argv[2], '-f', 'json', '-q']); "
            "assert res.exit_code == 0, res.output; print(len(json.loads(res.stdout)['stories'][0]['claims']))")
    # run from a folder with no checkout in sight, with the source tree off sys.path
    p = subprocess.run([sys.executable, "-I", "-c", code, str(site), str(seeds)], capture_output=True, text=True,
                       cwd=tmp_path)
    assert p.returncode == 0, p.stderr[-2000:]
    assert int(p.stdout.strip()) >= 5

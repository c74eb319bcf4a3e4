"""The static embedding distilled from the packaged MiniLM (--embedder minilm-static): built once, cached, chosen
by name, no torch at run time, and close enough to MiniLM to brief with (how close: models.md)."""
from __future__ import annotations

import json

import numpy as np
import pytest

from test_minilm import _make_in_a_subprocess, seed_sentences


@pytest.fixture(scope="session")
def static_embedder(_model_cache):
    """The table, distilled once a run (MiniLM over every token of its vocabulary: the slowest fixture here)."""
    from briefing.models import minilm

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("BRIEF_MODEL_CACHE", str(_model_cache))
        return minilm.shared("static")


def test_static_vectors_are_unit_vectors_that_keep_meaning(static_embedder):
    v = static_embedder.embed(["Putin arrived in Pyongyang for talks with Kim Jong Un.",
                               "The Russian president landed in North Korea to meet Kim.",
                               "The recipe needs two cups of flour and an egg."])
    assert v.dtype == np.float32 and v.shape == (3, static_embedder.dim)
    assert np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5)
    assert v[0] @ v[1] > v[0] @ v[2] + 0.2


def test_static_cosines_follow_minilm_on_the_seed_sentences(static_embedder, embedder):
    # Not the transformer's vectors (another space, 256 dimensions), but the same ordering of pairs, broadly: over
    # the seeds' 117 sentences the two models' pair cosines correlate well above chance (a table of random rows
    # would give about 0; one that lost the model's meaning, far less than this).
    texts = seed_sentences()
    s, m = static_embedder.embed(texts), embedder.embed(texts)
    upper = np.triu_indices(len(texts), 1)
    r = np.corrcoef((s @ s.T)[upper], (m @ m.T)[upper])[0, 1]
    assert r > 0.6, r


def test_the_table_is_built_once_and_kept_under_a_name_of_its_own(static_embedder, embedder):
    from briefing.models.static_minilm import StaticMiniLM, static_path

    assert static_embedder.table == static_path(static_embedder.path)
    assert (static_embedder.table / "model.safetensors").is_file()
    assert static_embedder.name != embedder.name
    assert not list(static_embedder.table.parent.glob(".build-*"))
    again = StaticMiniLM(table=static_path(static_embedder.path))  # a new process would find the table
    assert again.table == static_embedder.table
    before = (static_embedder.table / "model.safetensors").stat().st_mtime_ns
    assert np.array_equal(again.embed(["a sentence"]), static_embedder.embed(["a sentence"]))
    assert (static_embedder.table / "model.safetensors").stat().st_mtime_ns == before
    assert len(list(static_embedder.table.parent.glob("minilm-static-*"))) == 1


def test_the_name_that_keys_remembered_vectors_changes_with_the_table(static_embedder, tmp_path):
    # The daily job remembers vectors by the embedder's name: a rebuilt table (another model2vec, other DISTILL
    # settings: another folder) must not read the old table's vectors.
    from briefing.models.static_minilm import StaticMiniLM

    other = StaticMiniLM(table=tmp_path / "minilm-static-0123456789abcdef")
    assert static_embedder.name != other.name
    assert other.name.endswith("0123456789abcdef")
    assert static_embedder.name.endswith(static_embedder.table.name.rsplit("-", 1)[-1])


def test_make_with_the_static_embedder_loads_no_torch(static_embedder, tmp_path):
    out = _make_in_a_subprocess(tmp_path, args=("--embedder", "minilm-static"))
    lines = out.stdout.strip().splitlines()
    assert lines[0] == "0" and lines[-1] == "[]", out.stdout + out.stderr
    data = json.loads((tmp_path / "out.json").read_text())
    assert sum(len(s["claims"]) for s in data["stories"]) >= 5


def test_building_the_table_without_model2vec_is_a_one_line_error(tmp_path):
    out = _make_in_a_subprocess(tmp_path, "import sys; sys.modules['model2vec.distill'] = None; ",
                                env={"BRIEF_MODEL_CACHE": str(tmp_path / "empty"), "BRIEF_EMBEDDER": "static"})
    lines = out.stdout.strip().splitlines()
    assert lines[0] == "2", out.stdout + out.stderr
    assert "needs model2vec" in lines[1] and "Traceback" not in out.stdout
    assert ".[static]" in out.stdout  # the hint names the extra to install
    assert not (tmp_path / "out.json").exists()
    assert not list((tmp_path / "empty").rglob("*.safetensors"))  # no half-built table left behind


@pytest.mark.parametrize("name", ["static", "hybrid"])  # the hybrid embedder's table is the static one
def test_without_model2vec_the_static_embedder_is_a_one_line_error_naming_the_extra(tmp_path, name):
    out = _make_in_a_subprocess(tmp_path, "import sys; sys.modules['model2vec'] = None; ",
                                env={"BRIEF_EMBEDDER": name})
    lines = out.stdout.strip().splitlines()
    assert lines[0] == "2", out.stdout + out.stderr
    assert "model2vec is not installed" in lines[1] and "Traceback" not in out.stdout + out.stderr
    assert ".[static]" in out.stdout
    assert not (tmp_path / "out.json").exists()


def test_an_unwritable_model_folder_is_a_one_line_error(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    out = _make_in_a_subprocess(tmp_path, env={"BRIEF_MODEL_CACHE": str(blocker / "cache"),
                                               "BRIEF_EMBEDDER": "static"})
    lines = out.stdout.strip().splitlines()
    assert lines[0] == "2", out.stdout + out.stderr
    assert "could not build the static embedding" in lines[1]
    assert "Traceback" not in out.stdout + out.stderr
    assert not (tmp_path / "out.json").exists()


def test_a_damaged_table_is_built_again(tmp_path, static_embedder, monkeypatch):
    from briefing.models import static_minilm

    table = tmp_path / "table"
    table.mkdir()
    (table / "model.safetensors").write_bytes(b"\x00" * 100)
    (table / "config.json").write_text("{}")
    built = []

    def build(weights, dest):  # the real build is the fixture's (30 s): a copy of its table stands in for it
        built.append(dest)
        import shutil

        shutil.copytree(static_embedder.table, dest)
        return dest

    monkeypatch.setattr(static_minilm, "build", build)
    fresh = static_minilm.StaticMiniLM(table=table)
    v = fresh.embed(["Putin landed in Pyongyang."])
    assert built == [table]
    assert np.array_equal(v, static_embedder.embed(["Putin landed in Pyongyang."]))


def test_the_first_pass_with_static_leads_finds_the_stories_the_minilm_leads_find(static_embedder, embedder):
    # The daily job's default first pass (triage.lead_groups with the table, its vectors averaged with the leads'
    # words) on the five seed articles (one state visit, five outlets) and two local articles (a footbridge): the
    # two stories that MiniLM's own lead vectors find. How the two passes compare on giveme5w1h and MultiLing:
    # bench/cluster_eval.py --lead 6 --lead-embedders onnx,static (tuning.py, TRIAGE_MIXED_LINK).
    from briefing import extract, triage
    from briefing.ingest import read_inputs
    from briefing.types import RawDocument
    from conftest import SEEDS
    from test_daily import BRIDGE

    docs, _ = read_inputs([str(SEEDS)])
    docs += [RawDocument(input=f"bridge{i}", text="\n".join(p), title=t) for i, (t, p) in enumerate(BRIDGE)]
    articles = [extract.build_article(d, i + 1) for i, d in enumerate(docs)]
    mixed = sorted(map(sorted, triage.lead_groups(articles, embedder, leads=static_embedder)))
    assert mixed == sorted(map(sorted, triage.lead_groups(articles, embedder))) == [[0, 1, 2, 3, 4], [5, 6]]

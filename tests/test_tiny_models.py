"""The real transformers path with tiny random-weight models built here: a BART (seq2seq), a Llama-style
causal model with a chat template, and the same Llama written as a GGUF file. Their output is nonsense,
so every generated sentence must be dropped and the briefing must still come out, extractive, and pass
../shared/tools/check_briefing.py."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import check_tool
from typer.testing import CliRunner

import tiny_models
from briefing import models, pipeline  # noqa: F401 (importing pipeline registers the condensers)
from briefing.cli import app
from briefing.errors import ModelError
from briefing.models import generate, locate

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "examples" / "state-visit"

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    root = tmp_path_factory.mktemp("tiny")
    texts = [p.read_text() for p in sorted(SEEDS.iterdir())]
    bart = tiny_models.bart(root / "bart", texts, max_positions=512)
    llama = tiny_models.llama(root / "llama", texts, max_positions=4096)
    gguf = tiny_models.gguf_from_llama(llama, root / "tiny-llama.gguf")
    # A Hugging Face cache as `hf download` leaves it: refs/main names the snapshot.
    hub = root / "hub"
    snap = hub / "models--tiny--bart" / "snapshots" / "0123abcd"
    shutil.copytree(bart, snap)
    (hub / "models--tiny--bart" / "refs").mkdir()
    (hub / "models--tiny--bart" / "refs" / "main").write_text("0123abcd")
    enc = hub / "models--tiny--encoder" / "snapshots" / "ffff"
    enc.mkdir(parents=True)
    (enc / "config.json").write_text(json.dumps({"model_type": "bert", "architectures": ["BertModel"]}))
    return {"bart": bart, "llama": llama, "gguf": gguf, "hub": hub}


@pytest.fixture
def short_generation(monkeypatch):
    monkeypatch.setattr(generate, "MAX_NEW_TOKENS", 12)  # nonsense is nonsense at any length; keep it quick


def brief_json(args, out: Path):
    r = CliRunner().invoke(app, ["make", *args, "-f", "json", "-o", str(out), "-q"])
    assert r.exit_code == 0, (r.output, r.exception)
    return json.loads(out.read_text())


def passes_check(path: Path):
    done = subprocess.run([sys.executable, str(check_tool()), str(path)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout


def test_seq2seq_from_the_hf_cache_nonsense_dropped_briefing_still_passes_and_rerun_is_cached(
        tiny, seeds, embedder, short_generation, monkeypatch, tmp_path):
    monkeypatch.setenv("HF_HUB_CACHE", str(tiny["hub"]))
    assert models.canonical("tiny/bart") == "tiny/bart"
    out = tmp_path / "b.json"
    data = brief_json([str(seeds), "--model", "tiny/bart", "--device", "cpu", "--rewrite", "articles"], out)
    g = data["stats"]["generation"]
    assert g["style"] == "seq2seq" and g["model_calls"] > 0
    assert g["generated"] > 0 and g["kept"] == 0 and g["dropped"] == g["generated"]
    assert sorted(f["source"] for f in g["fallback"]) == [1, 2, 3, 4, 5]
    # 512 positions: the longest article needs more than 8 pieces, so it was shortened, and says so.
    assert any(s["source"] == 3 for s in g["shortened"])
    assert data["model"] == "tiny/bart"
    assert sum(len(s["claims"]) for s in data["stories"]) >= 3
    passes_check(out)

    # The same briefing again: everything comes from the cache; the model is never even loaded.
    def no_load(self):
        raise AssertionError("the model was loaded on a cached run")

    monkeypatch.setattr(generate.HFGenerator, "_load", no_load)
    monkeypatch.setattr(generate.HFGenerator, "_load_tokenizer", no_load)
    again = brief_json([str(seeds), "--model", "tiny/bart", "--device", "cpu", "--rewrite", "articles"],
                       tmp_path / "b2.json")
    g2 = again["stats"]["generation"]
    assert g2["model_calls"] == 0 and g2["articles_cached"] == 5
    assert again["stories"] == data["stories"]


def test_causal_chat_model_from_a_folder_uses_its_chat_template(tiny, seeds, embedder, short_generation, tmp_path):
    backend = models.get(str(tiny["llama"]), device="cpu")
    assert backend.generator.style == "chat"
    wrapped = backend.generator.wrap("Summarize this.")
    assert wrapped.startswith("<|im_start|>user\nSummarize this.") and wrapped.endswith("<|im_start|>assistant\n")
    outs = backend.generator.generate([wrapped, backend.generator.wrap("Another, longer prompt to pad against.")])
    assert len(outs) == 2 and backend.generator.calls == 1  # one batch
    # Deterministic: the same prompts give the same text.
    assert backend.generator.generate([wrapped]) == outs[:1]
    out = tmp_path / "c.json"
    data = brief_json([str(seeds), "--model", str(tiny["llama"]), "--rewrite", "articles"], out)
    g = data["stats"]["generation"]
    assert g["style"] == "chat" and g["kept"] == 0 and len(g["fallback"]) == 5
    assert g["shortened"] == []  # 4096 positions, capped at 2048: each article fits in pieces
    passes_check(out)
    # With no --rewrite, a generative model shortens the chosen claims (the default, "auto"): the articles are
    # condensed extractively, and nonsense rewrites are refused, so the claims are the extractive ones.
    plain = brief_json([str(seeds)], tmp_path / "plain.json")
    default = brief_json([str(seeds), "--model", str(tiny["llama"])], tmp_path / "d.json")
    assert default["stats"]["generation"]["unit"] == "claims"
    assert [c["text"] for s in default["stories"] for c in s["claims"]] == [
        c["text"] for s in plain["stories"] for c in s["claims"]]
    passes_check(tmp_path / "d.json")


def test_gguf_file_loads_through_transformers_and_is_converted_once(tiny, seeds, embedder, short_generation,
                                                                    monkeypatch, tmp_path):
    spec = locate.resolve(str(tiny["gguf"]))
    assert (spec.kind, spec.family, spec.model_type, spec.chat) == ("gguf", "causal", "llama", True)
    assert spec.params == sum(p.numel() for p in __import__("safetensors.torch", fromlist=["load_file"])
                              .load_file(str(tiny["llama"] / "model.safetensors")).values())
    two = tmp_path / "two"
    two.mkdir()
    for p in sorted(seeds.iterdir())[:2]:
        shutil.copy(p, two)
    out = tmp_path / "g.json"
    data = brief_json([str(two), "--model", str(tiny["gguf"])], out)
    assert data["stats"]["generation"]["model_calls"] > 0 and data["stats"]["generation"]["kept"] == 0
    passes_check(out)
    converted = generate.converted_dir(spec)
    assert (converted / "config.json").is_file() and (converted / "model.safetensors").is_file()

    # A later run loads the converted folder: transformers is never asked to read the GGUF again.
    import transformers

    seen = []
    real = transformers.AutoModelForCausalLM.from_pretrained.__func__

    def spy(cls, *args, **kwargs):
        seen.append(kwargs.get("gguf_file"))
        return real(cls, *args, **kwargs)

    monkeypatch.setattr(transformers.AutoModelForCausalLM, "from_pretrained", classmethod(spy))
    gen = generate.HFGenerator(locate.resolve(str(tiny["gguf"])), device="cpu")
    assert len(gen.generate([gen.wrap("Putin visited Pyongyang.")])) == 1
    assert seen == [None]


def test_brief_models_lists_the_embedded_model_the_cache_and_configured_paths(tiny, monkeypatch):
    monkeypatch.setenv("HF_HUB_CACHE", str(tiny["hub"]))
    monkeypatch.setenv("BRIEF_MODEL_PATHS", f"{tiny['gguf']}:{tiny['hub']}/nowhere")
    r = CliRunner().invoke(app, ["models", "--json"])
    assert r.exit_code == 0, r.output
    rows = {m["name"]: m for m in json.loads(r.output)["models"]}
    assert rows["minilm"]["family"].startswith("extractive")
    assert rows["tiny/bart"]["family"].startswith("seq2seq") and rows["tiny/bart"]["fits"] is True
    assert rows["tiny/bart"]["params"] > 0
    assert "tiny/encoder" not in rows  # an encoder writes no text
    assert rows[str(tiny["gguf"])]["family"].startswith("causal (chat, llama)")
    assert "no such file" in rows[f"{tiny['hub']}/nowhere"]["problem"]
    text = CliRunner().invoke(app, ["models"])
    assert text.exit_code == 0 and "tiny/bart" in text.output and "seq2seq" in text.output


def test_a_model_too_big_for_memory_fails_before_loading(tiny, monkeypatch):
    monkeypatch.setattr(locate, "available_bytes", lambda device="cpu": 1000)
    import transformers

    def never(*a, **k):
        raise AssertionError("weights were loaded")

    monkeypatch.setattr(transformers.AutoModelForSeq2SeqLM, "from_pretrained", never)
    backend = models.get(str(tiny["bart"]), device="cpu")
    with pytest.raises(ModelError, match=r"needs about .* GiB on cpu, but only 0.0 GiB is free"):
        backend.generator.generate(["x"])


def test_cuda_asked_for_where_there_is_none_is_a_clear_error(tiny):
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA")
    with pytest.raises(ModelError, match="no CUDA GPU"):
        models.get(str(tiny["bart"]), device="cuda").generator.generate(["x"])

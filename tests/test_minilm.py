"""The embedded model's own encoder must give the vectors transformers gives for the same weights."""
import numpy as np
import pytest


def test_matches_transformers_bert(embedder):
    torch = pytest.importorskip("torch")
    from transformers import AutoModel, AutoTokenizer

    from briefing.models.minilm import model_dir

    texts = ["Putin arrived in North Korea on Tuesday night.", "Schools closed in Valencia after floods.",
             "A much longer sentence, with commas, numbers like 6,700 and quotes “here”, to test padding."]
    ours = embedder.embed(texts)
    tok = AutoTokenizer.from_pretrained(model_dir())
    model = AutoModel.from_pretrained(model_dir()).eval()
    with torch.inference_mode():
        enc = tok(texts, padding=True, truncation=True, max_length=128, return_tensors="pt")
        hidden = model(**enc).last_hidden_state
        mask = enc["attention_mask"].unsqueeze(-1).float()
        ref = torch.nn.functional.normalize((hidden * mask).sum(1) / mask.sum(1), dim=-1).numpy()
    assert np.abs(ours - ref).max() < 1e-4


def test_meaning_is_captured(embedder):
    v = embedder.embed(["Putin landed in Pyongyang.", "The Russian president arrived in North Korea.",
                        "The recipe needs two eggs and flour."])
    assert v.shape == (3, 384)
    assert np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5)
    assert v[0] @ v[1] > v[0] @ v[2] + 0.3


def test_empty_input(embedder):
    assert embedder.embed([]).shape == (0, 384)


def test_torch_threads_wait_passively_unless_the_user_says_otherwise():
    import os
    import subprocess
    import sys

    code = "import os, briefing.pipeline; print(os.environ['OMP_WAIT_POLICY'])"
    env = {k: v for k, v in os.environ.items() if k != "OMP_WAIT_POLICY"}
    assert subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True).stdout.strip() == "PASSIVE"
    env["OMP_WAIT_POLICY"] = "ACTIVE"
    assert subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True).stdout.strip() == "ACTIVE"


def test_batching_by_tokens_gives_the_same_vectors_in_the_same_order(embedder):
    texts = [("word " * n).strip() + f" number {n}." for n in (40, 1, 7, 90, 3, 25, 2, 60, 12, 5)]
    embedder._memo.clear()
    together = embedder.embed(texts)
    one_by_one = np.stack([embedder._encode([t])[0] for t in texts])
    assert np.abs(together - one_by_one).max() < 1e-5
    batches = list(embedder._batches(list(range(10)), [5] * 10, None))
    assert [len(b) for b in batches] and all(len(b) * 5 <= embedder.BATCH_TOKENS for b in batches)
    assert list(embedder._batches([0, 1, 2], [9, 9, 9], 2)) == [[0, 1], [2]]

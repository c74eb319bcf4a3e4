"""A static embedding distilled from the packaged all-MiniLM-L6-v2: a vector a token, a sentence their mean.

model2vec's `distill` runs the packaged MiniLM once over every token of its vocabulary (no download) and keeps
the outputs, reduced by PCA and weighted by token frequency (model2vec's defaults). It is built once, on first
use, and kept in the user folder beside the ONNX graph, under a name that changes when the weights or
model2vec do. A sentence then costs a table look-up and a mean: about a hundred times less CPU than the
transformer. The daily job's first pass reads every article's lead with it (triage.lead_groups: its vectors
averaged with the leads' words pick the day's likely stories; the transformer then reads only those). It is not
the briefing's embedder by default: its vectors are not MiniLM's, and the briefings it makes differ (models.md, "A
static embedding"); `--embedder minilm-static` (BRIEF_EMBEDDER=static) picks it.
"""
from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import numpy as np

from briefing.errors import ModelError
from briefing.models.minilm import NAME, MiniLM, built_folder, model_dir

# How the table is made (part of its folder's name: a change here builds it again): model2vec's defaults (PCA to
# 256 dimensions, frequency weights), the table kept in float32 (its float16 default gives vectors of length 1 only
# to 3e-5, and the stages compare cosines made from float32 unit vectors).
DISTILL = {"pca_dims": 256, "sif_coefficient": 1e-4, "quantize_to": "float32"}
INSTALL = ("in brief's source folder: .venv/bin/pip install -e '.[static]'; or choose another embedder (the daily "
           "job's first pass: [briefing] lead_embedder = \"\")")
WRITABLE = "set BRIEF_MODEL_CACHE to a writable folder, or choose another embedder"


def static_path(weights: Path) -> Path:
    """Where the table of these weights lives: the user folder (or BRIEF_MODEL_CACHE), keyed by the weights'
    place, size and time, model2vec's version and DISTILL."""
    return built_folder(weights, "minilm-static-", "model2vec", after=(sorted(DISTILL.items()),))


def build(weights: Path, dest: Path) -> Path:
    """Distill the table from the packaged weights into `dest` (a folder), through a folder of its own."""
    try:
        from model2vec.distill import distill
    except ImportError:
        raise ModelError("the static embedding is not built yet and building it needs model2vec",
                         hint=INSTALL) from None
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=".build-", dir=dest.parent))
    except OSError as e:
        raise ModelError(f"could not build the static embedding in {dest.parent}: {e}", hint=WRITABLE) from None
    try:
        import contextlib
        import io

        try:
            with contextlib.redirect_stderr(io.StringIO()):  # its progress bars: nothing a user acts on
                model = distill(str(weights), **DISTILL)
            model.save_pretrained(str(tmp / "model"))
        except (OSError, RuntimeError, ValueError) as e:
            raise ModelError(f"could not build the static embedding in {dest.parent}: {e}", hint=WRITABLE) from None
        if dest.exists() and not (dest / "model.safetensors").is_file():
            shutil.rmtree(dest, ignore_errors=True)  # what a build cut short left
        try:
            os.replace(tmp / "model", dest)  # a folder with its table is a finished build
        except OSError:
            if not (dest / "model.safetensors").is_file():
                raise  # else another run finished the same build first: its table is kept
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return dest


class StaticMiniLM(MiniLM):
    """The distilled table through model2vec's StaticModel; the same memo as MiniLM (its name keeps any cache of
    its vectors apart from the transformer's)."""

    name = NAME + "-static"

    def __init__(self, path: Path | None = None, threads: int | None = None, table: Path | None = None):
        super().__init__(path or model_dir(), threads)
        self.table = Path(table) if table else static_path(self.path)
        # The table's own key in the name: vectors remembered by name (the daily job's state keeps them 14 days)
        # never mix two tables' PCA bases after a rebuild with another model2vec or DISTILL.
        self.name = f"{NAME}-static-{self.table.name.rsplit('-', 1)[-1]}"
        self._model = None

    @property
    def dim(self) -> int:
        self._load()
        return int(self._model.dim)

    def _load(self):
        if self._model is not None:
            return
        try:
            from model2vec import StaticModel
        except ImportError:
            raise ModelError("model2vec is not installed",
                             hint=INSTALL) from None
        if not (self.table / "model.safetensors").is_file():
            build(self.path, self.table)
        try:
            self._model = StaticModel.from_pretrained(str(self.table))
        except Exception:  # a damaged table (a disk filled mid-write by another tool): build it once more
            shutil.rmtree(self.table, ignore_errors=True)
            build(self.path, self.table)
            self._model = StaticModel.from_pretrained(str(self.table))

    def _encode(self, texts: list[str], batch_size: int | None = None) -> np.ndarray:
        self._load()
        v = self._model.encode(list(texts), show_progress_bar=False, use_multiprocessing=False)
        return np.asarray(v, dtype=np.float32)

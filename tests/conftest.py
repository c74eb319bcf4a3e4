"""Shared fixtures. No test downloads anything: the embedded model comes from its package."""
from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "examples" / "state-visit"


@pytest.fixture(scope="session")
def _model_cache(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("model-cache")


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path, monkeypatch, _model_cache):
    """Each test gets its own user folder, and no test may reach a model hub. The ONNX graph built from
    the packaged model is shared by the whole run: exporting it again for every test would cost minutes. No proxy
    of the machine's environment is used."""
    monkeypatch.setenv("BRIEF_HOME", str(tmp_path / "brief-home"))
    monkeypatch.setenv("BRIEF_MODEL_CACHE", str(_model_cache))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("TRANSFORMERS_OFFLINE", "1")
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(name, raising=False)  # the loopback servers are reached directly (a test sets its own)


@pytest.fixture
def seeds(tmp_path) -> Path:
    """A copy of the five real seed articles (one event, five outlets, page furniture included)."""
    dest = tmp_path / "seeds"
    shutil.copytree(SEEDS, dest)
    return dest


def keep_seeds(folder: Path, *prefixes: str) -> None:
    """Leave in a copy of the seeds (the `seeds` fixture) only the articles whose file names start with `prefixes`."""
    for f in folder.iterdir():
        if not f.name.startswith(prefixes):
            f.unlink()


@pytest.fixture(scope="session")
def embedder(_model_cache):
    """The real embedded model (the default embedder), loaded once for the whole run."""
    from briefing.models import minilm

    with pytest.MonkeyPatch.context() as mp:  # session fixtures start before the per-test environment
        mp.setenv("BRIEF_MODEL_CACHE", str(_model_cache))
        return minilm.shared()


@pytest.fixture(scope="session")
def torch_embedder():
    """The embedded model through torch, the path the ONNX graph is exported from."""
    from briefing.models import minilm

    return minilm.shared("torch")


class HashEmbedder:
    """A fast stand-in for tests of the stages above the model: bag-of-words vectors, unit length.
    Sentences that share words are close, as with the real model, so merging behaves sensibly."""

    name = "hash"
    dim = 512

    def embed(self, texts):
        import re
        import zlib

        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, t in enumerate(texts):
            for w in re.findall(r"[a-z0-9]+", t.lower()):
                if len(w) > 2:
                    out[i, zlib.crc32(w.encode()) % self.dim] += 1.0  # hash() differs between runs
            n = np.linalg.norm(out[i])
            if n:
                out[i] /= n
        return out


@pytest.fixture
def hash_embedder():
    return HashEmbedder()


CHECK_TOOL = ROOT.parent / "shared" / "tools" / "check_briefing.py"


def check_tool() -> Path:
    """../shared/tools/check_briefing.py, which CI has beside the checkout. Elsewhere a test that needs it
    is skipped with the reason; under CI its absence is a failure, never a silent pass."""
    import os

    if not CHECK_TOOL.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHECK_TOOL} is missing; CI must have ../shared beside the checkout")
        pytest.skip(f"{CHECK_TOOL} is not beside this checkout")
    return CHECK_TOOL

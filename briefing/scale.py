"""Where the daily job's per-article work runs: in this process ("local") or on a Ray cluster ("ray").

The seam is two functions mapped over documents, each a pure function of its input:
  - `extract_page`: a fetched HTML page -> its clean text (trafilatura), or the reason it has none;
  - `prepare`: a clean document -> its Article (sentences split) and the vectors of its title and
    first sentences (what the cheap first pass groups on), or the reason it was skipped.
The local engine runs them here; the Ray engine runs them on long-lived actors, each holding one
embedding model (one load per worker). A third call embeds the rest of the chosen stories' sentences
on the workers. Everything else stays with the driver: fetching feeds and pages, the SQLite state
(workers never see it), the first-pass grouping, briefing, writing and publishing.

Ray is an optional extra (`pip install 'brief[ray]'`) and is imported only when the Ray engine starts.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from typing import Callable

import numpy as np

from briefing import extract, tuning
from briefing.errors import EXIT_ERROR, BriefError, unexpected
from briefing.types import Article, RawDocument, Skipped

ENGINES = ("local", "ray")
CHUNK, RETRIES = tuning.SCALE_CHUNK, tuning.SCALE_RETRIES  # documents per Ray call, restarts: see tuning.py


@dataclass
class Prepared:
    article: Article | None
    reason: str | None  # why the document gave no article (as the local path words it)
    texts: list[str] = field(default_factory=list)  # title and lead sentences, in the order of `vectors`
    vectors: np.ndarray | None = None


def extract_page(doc: RawDocument) -> tuple[RawDocument | None, str | None]:
    """An HTML page -> (its clean-text document, None), or (None, why nothing was left)."""
    try:
        return replace(extract.html_to_raw(doc), fallback=doc.fallback), None
    except Exception as e:  # EmptyArticle, or a surprise in one page: that page's skip, never the run's end
        return None, str(e) if isinstance(e, extract.EmptyArticle) else unexpected(e)


def lead_texts(a: Article, n: int) -> list[str]:
    """What the first pass embeds of an article: its title and first n sentences (daily.lead_vectors)."""
    return [a.title] + [s.text for s in a.sentences[:n]]


def prepare(doc: RawDocument, embedder, lead: int) -> Prepared:
    """A clean document -> its Article and the vectors of its lead (embedder None: the caller embeds them)."""
    from briefing import pipeline

    skipped: list[Skipped] = []
    built = pipeline.articles_from([doc], skipped)
    if not built:
        return Prepared(None, skipped[0].reason)
    texts = lead_texts(built[0], lead)
    return Prepared(built[0], None, texts, embedder.embed(texts) if embedder is not None else None)


class Precomputed:
    """An embedder that answers from vectors the workers made, and asks `fallback` for anything else."""

    def __init__(self, fallback: Callable[[list[str]], np.ndarray], name: str):
        self.table: dict[str, np.ndarray] = {}
        self.fallback = fallback
        self.name = name
        self.asked = 0  # texts the workers had not embedded (sent to `fallback`)

    def add(self, texts: list[str], vectors: np.ndarray) -> None:
        self.table.update(zip(texts, vectors))

    def embed(self, texts: list[str]) -> np.ndarray:
        missing = list(dict.fromkeys(t for t in texts if t not in self.table))
        if missing:
            self.asked += len(missing)
            self.add(missing, self.fallback(missing))
        if not texts:
            return np.zeros((0, next(iter(self.table.values())).shape[0] if self.table else 1), dtype=np.float32)
        return np.stack([self.table[t] for t in texts])


class LocalEngine:
    """Everything in this process, as the daily job always ran."""

    name = "local"
    workers = 1

    def __init__(self):
        self.seconds: dict[str, float] = {}

    def start(self) -> None:
        pass

    def extract(self, docs: list[RawDocument], progress=None) -> list[tuple[RawDocument | None, str | None]]:
        t = time.perf_counter()
        out = [extract_page(d) for d in docs]
        self.seconds["extract"] = self.seconds.get("extract", 0.0) + time.perf_counter() - t
        return out

    def stats(self) -> dict:
        return {"name": self.name, "workers": self.workers, "seconds": {k: round(v, 3) for k, v in self.seconds.items()}}

    def stop(self) -> None:
        pass


class _Worker:
    """A Ray actor's state: one embedding model, loaded once, used for every call sent to this worker."""

    def __init__(self, embedder=None, embedder_name: str | None = None):
        if embedder is None:
            from briefing import models

            embedder = models.embedders.get(models.embedders.canonical(embedder_name))
        self.embedder = embedder
        embedder.embed(["ready"])  # the model loads now, once per worker, not inside the first article's call

    def extract(self, docs):
        return [extract_page(d) for d in docs]

    def prepare(self, docs, lead):
        """prepare() for each document, the call's leads embedded in one batch (the model is faster so)."""
        out = [prepare(d, None, lead) for d in docs]
        texts = [t for p in out for t in p.texts]
        flat, at = self.embedder.embed(texts) if texts else None, 0
        for p in out:
            if p.article is not None:
                p.vectors, at = flat[at:at + len(p.texts)], at + len(p.texts)
        return out

    def embed(self, batches):
        return [self.embedder.embed(texts) for texts in batches]

    def name(self):
        """The embedder's name: the driver keys its vector cache by it, as the local engine does."""
        return getattr(self.embedder, "name", type(self.embedder).__name__)


class RayEngine:
    """The per-article work on Ray actors; `address` "" starts a local Ray for the run."""

    name = "ray"

    def __init__(self, address: str = "", workers: int = 2, embedder=None, num_cpus: int | None = None,
                 embedder_name: str | None = None):
        self.address = address
        self.workers = workers
        self.embedder = embedder  # None: each worker loads the embedder `embedder_name` names (the registry's)
        self.embedder_name = embedder_name
        self.num_cpus = num_cpus
        self.seconds: dict[str, float] = {}
        self._actors = []
        self._started_ray = False

    def start(self) -> None:
        """Connect (or start a local Ray) and start the workers; BriefError when Ray is missing or unreachable."""
        try:
            import ray
        except ImportError:
            raise BriefError("engine \"ray\" needs Ray, which is not installed",
                             hint="pip install 'brief[ray]'") from None
        self.ray = ray
        if not ray.is_initialized():
            try:
                if self.address:
                    ray.init(address=self.address, log_to_driver=False, logging_level="ERROR")
                else:
                    ray.init(num_cpus=self.num_cpus, include_dashboard=False, log_to_driver=False,
                             logging_level="ERROR")
            except Exception as e:  # ConnectionError, and whatever a bad address raises inside Ray
                first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
                raise BriefError(f"the Ray cluster at {self.address or 'a local Ray'} could not be reached: {first}",
                                 hint="check [scale] address (\"auto\", \"ray://host:10001\", or empty)") from None
            self._started_ray = True
        actor = ray.remote(num_cpus=1, max_restarts=RETRIES, max_task_retries=RETRIES)(_Worker)
        t = time.perf_counter()
        self._actors = [actor.remote(self.embedder, self.embedder_name) for _ in range(self.workers)]
        names = ray.get([a.name.remote() for a in self._actors])  # every worker up, its model loaded
        self.embedder_name = names[0]
        self.seconds["start"] = time.perf_counter() - t

    def _map(self, method: str, items: list, args: tuple, stage: str, progress, chunk: int = CHUNK) -> list:
        """items in chunks over the workers, in order; the progress bar moves as each chunk comes back."""
        ray = self.ray
        t = time.perf_counter()
        chunks = [items[i:i + chunk] for i in range(0, len(items), chunk)]
        if progress is not None:
            progress.stage(stage, len(items))
        refs = [getattr(self._actors[k % len(self._actors)], method).remote(c, *args) for k, c in enumerate(chunks)]
        index = {r: k for k, r in enumerate(refs)}
        results: list = [None] * len(refs)
        pending = list(refs)
        while pending:
            done, pending = ray.wait(pending, num_returns=1)
            for r in done:
                try:
                    results[index[r]] = ray.get(r)
                except ray.exceptions.RayError as e:  # retries spent, or an error raised inside the work
                    for a in self._actors:
                        ray.kill(a)
                    self._actors = []
                    first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
                    raise BriefError(f"a Ray worker failed ({method}, after {RETRIES} retries if it died): {first}",
                                     hint="nothing was published; the next run starts again",
                                     exit_code=EXIT_ERROR) from None
                if progress is not None:
                    progress.advance(len(chunks[index[r]]))
        self.seconds[method] = self.seconds.get(method, 0.0) + time.perf_counter() - t
        return [x for part in results for x in part]

    def extract(self, docs: list[RawDocument], progress=None):
        return self._map("extract", docs, (), "extracting pages", progress)

    def prepare(self, docs: list[RawDocument], lead: int, progress=None) -> list[Prepared]:
        return self._map("prepare", docs, (lead,), "reading articles", progress)

    def embed(self, texts: list[str], progress=None) -> np.ndarray:
        """Texts embedded on the workers (the chosen stories' sentences), in order."""
        if not texts:
            return np.zeros((0, 1), dtype=np.float32)
        size = 64  # texts a call: a batch for the model, and many calls so that every worker gets some
        parts = self._map("embed", [texts[i:i + size] for i in range(0, len(texts), size)], (),
                          "embedding sentences", None, chunk=1)
        return np.concatenate(parts)

    def stats(self) -> dict:
        return {"name": self.name, "workers": self.workers, "seconds": {k: round(v, 3) for k, v in self.seconds.items()}}

    def stop(self) -> None:
        for a in self._actors:
            self.ray.kill(a)
        self._actors = []
        if self._started_ray:
            self.ray.shutdown()


def get(name: str, address: str = "", workers: int = 2, embedder=None, embedder_name: str | None = None):
    if name == "local":
        return LocalEngine()
    if name == "ray":
        return RayEngine(address, workers, embedder, embedder_name=embedder_name)
    raise BriefError(f"unknown engine {name!r}; valid engines: {', '.join(ENGINES)}")

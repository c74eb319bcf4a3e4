"""Where the daily job's per-article and per-story work runs: in this process ("local") or on a Ray cluster ("ray").

The seam is a few functions mapped over documents and stories, each a pure function of its input:
  - `web.read_source`: a configured feed or page URL -> the feed's entries, or the page;
  - `fetch_pages`: feed entries -> their pages fetched (web.follow) and extracted (`extract_page`), each with
    its lines' digests (extract.site_keys: what the driver finds a site's recurring lines by);
  - `extract_page`: a fetched HTML page -> its clean text (trafilatura), or the reason it has none;
  - `prepare`: a clean document -> its Article (sentences split), the vectors of its title and
    first sentences (what the cheap first pass groups on), its shingle keys (what copies are found by) and its
    words counted (what stories are grouped by, beside the vectors), or the reason it was skipped;
  - `map(fn, items)` (models.Engine): each chosen story's own work (merge.story_work: support checks,
    citations, conflicts, headline), one story an item;
  - `condenser(backend)`: a generative model's writing (abstractive.py), batch by batch (RemoteGenerator).
The local engine runs them here; the Ray engine runs them on long-lived actors, each holding one
embedding model (one load per worker) and, with a generative condenser, its own copy of that model (loaded on
the worker's first batch, on the GPU Ray gave it where `num_gpus` asks for one). A further call embeds the rest of the chosen stories' sentences
on the workers. Everything else stays with the driver: which feed entries to follow, the SQLite state (workers
never see it), the first-pass grouping, clustering the chosen articles into stories, choosing claims within the
word budget, writing and publishing.

Both engines register themselves in models.engines. Ray is an optional extra (`pip install 'brief[ray]'`)
and is imported only when the Ray engine starts.
"""
from __future__ import annotations

import copy
import gc
import json
import math
import time
from collections import Counter
from dataclasses import dataclass, field, replace
from typing import Callable, Iterator

import numpy as np

from briefing import extract, models, tuning
from briefing.errors import EXIT_ERROR, BriefError, unexpected
from briefing.types import Article, RawDocument, Skipped

_NOT_BACK = object()  # a call's result not back yet
CHUNK, RETRIES = tuning.SCALE_CHUNK, tuning.SCALE_RETRIES  # documents per Ray call (the least), restarts
CHUNK_MOST, CALLS_PER_WORKER = tuning.SCALE_CHUNK_MOST, tuning.SCALE_CALLS_PER_WORKER  # see tuning.py


@dataclass
class Prepared:
    article: Article | None
    reason: str | None  # why the document gave no article (as the local path words it)
    texts: list[str] = field(default_factory=list)  # title and lead sentences, in the order of `vectors`
    vectors: np.ndarray | None = None
    shingles: np.ndarray | None = None  # merge.shingle_keys of the article's text: the driver marks copies by them
    terms: dict | None = None  # merge._terms of the article (its words counted): the driver groups stories by them


def extract_page(doc: RawDocument) -> tuple[RawDocument | None, str | None]:
    """An HTML page -> (its clean-text document, None), or (None, why nothing was left)."""
    try:
        return replace(extract.html_to_raw(doc), fallback=doc.fallback), None
    except Exception as e:  # EmptyArticle, or a surprise in one page: that page's skip, never the run's end
        return None, str(e) if isinstance(e, extract.EmptyArticle) else unexpected(e)


def fetch_pages(entries: list, fetcher) -> list[tuple[RawDocument | Exception, tuple | None]]:
    """Feed entries -> (each page as web.follow gives it, or the FetchError it raised; and for an HTML page its
    extraction, as extract_page gives it), in order. The pages are fetched in `fetcher`'s threads."""
    from concurrent.futures import ThreadPoolExecutor

    from briefing.ingest import web

    def one(entry):
        try:
            return web.follow(entry, fetcher)
        except web.FetchError as e:
            return e
        except Exception as e:  # one entry's surprise is that entry's skip, with the reason the driver would give
            return web.FetchError(unexpected(e))

    with ThreadPoolExecutor(max_workers=fetcher.limits.overall) as pool:
        docs = list(pool.map(one, entries))
    return [(d, extract_page(d) if isinstance(d, RawDocument) and d.kind == "html" else None) for d in docs]


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
    from briefing import merge

    texts = lead_texts(built[0], lead)
    return Prepared(built[0], None, texts, embedder.embed(texts) if embedder is not None else None,
                    merge.shingle_keys(built[0].text), merge._terms(built[0]))


class Precomputed:
    """An embedder that answers from vectors the workers made, and asks `fallback` for anything else (`parts`,
    when given: the same vectors, an iterator of arrays in order, each as the workers make it)."""

    def __init__(self, fallback: Callable[[list[str]], np.ndarray], name: str,
                 parts: Callable[[list[str]], Iterator[np.ndarray]] | None = None):
        self.table: dict[str, np.ndarray] = {}
        self.fallback = fallback
        self.parts = parts
        self.name = name
        self.asked = 0  # texts the workers had not embedded (sent to `fallback`)

    def add(self, texts: list[str], vectors: np.ndarray) -> None:
        self.table.update(zip(texts, vectors))

    def embed_parts(self, texts: list[str]) -> Iterator[tuple[list[str], np.ndarray]]:
        """(texts, their vectors) pairs that cover `texts` (each text once), each as soon as it is made: what
        the workers had made first, then the rest a call at a time (CachedEmbedder writes them meanwhile)."""
        texts = list(dict.fromkeys(texts))
        known = [t for t in texts if t in self.table]
        if known:
            yield known, np.stack([self.table[t] for t in known])
        missing = [t for t in texts if t not in self.table]
        if not missing:
            return
        self.asked += len(missing)
        at = 0
        for vectors in (self.parts or (lambda x: [self.fallback(x)]))(missing):
            part, at = missing[at:at + len(vectors)], at + len(vectors)
            self.add(part, vectors)
            yield part, vectors

    def embed(self, texts: list[str]) -> np.ndarray:
        missing = list(dict.fromkeys(t for t in texts if t not in self.table))
        if missing:
            self.asked += len(missing)
            self.add(missing, self.fallback(missing))
        if not texts:
            return np.zeros((0, next(iter(self.table.values())).shape[0] if self.table else 1), dtype=np.float32)
        return np.stack([self.table[t] for t in texts])


class LocalEngine(models.LocalEngine):
    """Everything in this process, as the daily job always ran."""

    name = "local"
    workers = 1

    def __init__(self, **_options):  # the Ray engine's options (address, workers, ...) mean nothing here
        self.seconds: dict[str, float] = {}

    def start(self) -> None:
        pass

    def extract(self, docs: list[RawDocument], progress=None) -> list[tuple[RawDocument | None, str | None]]:
        t = time.perf_counter()
        out = [extract_page(d) for d in docs]
        self.seconds["extract"] = self.seconds.get("extract", 0.0) + time.perf_counter() - t
        return out

    def site_keys(self, texts: list[str]) -> list[tuple[bytes, list[bytes]]]:
        """extract.site_keys of each text (what the daily job finds a site's recurring lines by)."""
        return [extract.site_keys(t) for t in texts]

    def stats(self) -> dict:
        return {"name": self.name, "workers": self.workers, "seconds": {k: round(v, 3) for k, v in self.seconds.items()}}

    def stop(self) -> None:
        pass


class _Worker:
    """A Ray actor's state: one embedding model, loaded once, used for every call sent to this worker."""

    def __init__(self, embedder=None, embedder_name: str | None = None):
        import os

        import ray

        if not ray.get_gpu_ids():
            # A worker Ray gave no GPU must not take one (a generative model's "auto" device would: Ray leaves
            # CUDA_VISIBLE_DEVICES alone for a worker of num_gpus = 0, seen with Ray 2.60 on a GPU machine). Set
            # before torch is first imported here; "--device cuda" then says no GPU is usable.
            os.environ["CUDA_VISIBLE_DEVICES"] = ""
        # The CPUs Ray gave this worker (OMP_NUM_THREADS, which Ray sets to them), not a thread per core of the
        # machine, which onnxruntime's session takes by default: on a 16-CPU machine, one worker's embedding
        # already used them all and more workers fought over them (bench/scale_bench.py --workers 1,2,4,8,14).
        os.environ.setdefault("BRIEF_THREADS", os.environ.get("OMP_NUM_THREADS") or "1")
        if embedder is None:
            from briefing import models

            embedder = models.embedders.get(models.embedders.canonical(embedder_name))
        self.embedder = embedder
        embedder.embed(["ready"])  # the model loads now, once per worker, not inside the first article's call

    def extract(self, docs):
        return [extract_page(d) for d in docs]

    def _fetcher(self, limits):
        """One Fetcher a worker (its own per-host limits), made on first use."""
        if getattr(self, "fetcher", None) is None or self.fetcher.limits != limits:
            from briefing.ingest import web

            self.fetcher = web.Fetcher(limits)
        return self.fetcher

    def sources(self, urls, limits, must_be_feed):
        """The URLs read here (web.read_source: a feed's entries, or the page), in the fetcher's threads."""
        from concurrent.futures import ThreadPoolExecutor

        from briefing.ingest import web

        fetcher = self._fetcher(limits)
        with ThreadPoolExecutor(max_workers=fetcher.limits.overall) as pool:
            return list(pool.map(lambda url: web.read_source(url, fetcher, url in must_be_feed), urls))

    def fetch(self, entries, limits):
        """Pages fetched and extracted here, each with its clean text's site_keys. A page that was extracted goes
        back without its HTML: the driver keeps only the extraction."""
        out = []
        for doc, extracted in fetch_pages(entries, self._fetcher(limits)):
            keys = None
            if extracted is not None:
                doc = replace(doc, text="")
                if extracted[0] is not None:
                    keys = extract.site_keys(extracted[0].text)
            out.append((doc, extracted, keys))
        return out

    def site_keys(self, texts):
        return [extract.site_keys(t) for t in texts]

    def run(self, fn, item):
        """fn(item) and the seconds it took here (the bench reports the longest story). `fn`: [a reference to
        it], fetched once on this worker and kept while the calls name it (it carries what the calls share)."""
        t = time.perf_counter()
        ref = fn[0]
        if getattr(self, "_fn", (None,))[0] != ref:
            import ray

            self._fn = (ref, ray.get(ref))
        out = self._fn[1](item)
        return out, time.perf_counter() - t

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

    def _generator(self, ref):
        """The generative model `ref` ([a reference to it]) names: fetched once on this worker and kept, so its
        weights load once, on this worker's first batch (on its GPU, if Ray gave it one)."""
        if getattr(self, "_gen", (None,))[0] != ref[0]:
            import ray

            self._gen = (ref[0], ray.get(ref[0]))
        return self._gen[1]

    def gen_settings(self, ref):
        """The model's settings as this worker runs it (its device's dtype): part of the driver's cache key."""
        return self._generator(ref).settings()

    def generate(self, ref, prompts, options=None):
        """One batch written here: (the outputs in order, the model's calls it took, the device it ran on).
        `options`: generate()'s own (`--rewrite claims`: a cap on new tokens, stop at the first line)."""
        gen = self._generator(ref)
        before = getattr(gen, "calls", 0)
        out = gen.generate(prompts, **(options or {}))
        return out, getattr(gen, "calls", 0) - before, str(getattr(gen, "device", "") or "")

    def name(self):
        """The embedder's name: the driver keys its vector cache by it, as the local engine does."""
        return getattr(self.embedder, "name", type(self.embedder).__name__)


class RemoteGenerator:
    """A generative model that writes on the Ray engine's workers, batch by batch.

    Everything else a generator does stays here with the local one, `gen`, which never loads its weights: the
    tokenizer's counting and cutting, the prompts, and (in abstractive.py) the cache, grounding and merging. Each
    generate() is cut into the batches the local model would run (its batch_size, in the order given), one call
    a batch on the next free worker; the same batches on the same kind of device write the same text, so the
    digest is the local engine's. `parallel` tells the condenser how many batches to hand over at once."""

    def __init__(self, gen, engine: "RayEngine"):
        self._gen = gen
        self._engine = engine
        self._ref: list | None = None
        self._settings: dict | None = None
        self.calls = 0
        self.parallel = 2 * max(1, engine.workers)  # the engine keeps two calls a worker in flight (_calls)

    def __getattr__(self, name):  # name, style, spec, batch_size, wrap, count_tokens, cut, context_tokens, ...
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self._gen, name)

    def _shared(self) -> list:
        """[a reference to the generator in Ray's object store]: it crosses once; each worker fetches it once."""
        if self._ref is None:
            self._ref = [self._engine.ray.put(self._gen)]
        return self._ref

    def settings(self) -> dict:
        """The settings a worker runs the model with: in the cache key, so that what a GPU worker wrote (in
        bfloat16) is never taken for what this machine's CPU would write (float32), nor the other way."""
        if self._settings is None:
            # Asked of every worker (the first calls go one to each): workers that would write differently (a GPU
            # in bfloat16, another in float16 or a CPU in float32) would key one cache by one of them.
            workers = max(1, len(self._engine._actors))
            seen = self._engine._calls("gen_settings", [(self._shared(),)] * workers, "loading the model")
            if any(x != seen[0] for x in seen):
                kinds = sorted({json.dumps(x, sort_keys=True) for x in seen})
                raise BriefError(f"the Ray workers would run {self._gen.name} differently: {'; '.join(kinds)}",
                                 hint="give every worker the same kind of device ([scale] num_gpus, "
                                      "[briefing] device)")
            self._settings = seen[0]
        return self._settings

    def generate(self, prompts: list[str], **options) -> list[str]:
        if not prompts:
            return []
        size = max(1, getattr(self._gen, "batch_size", 4))
        batches = [(self._shared(), prompts[i:i + size], options) for i in range(0, len(prompts), size)]
        out: list[str] = []
        for texts, calls, device in self._engine._calls("generate", batches, "writing"):
            out += texts
            self.calls += calls
            self._engine.generation[device or "unknown"] += len(texts)
        return out


class RayEngine:
    """The per-article work on Ray actors; `address` "" starts a local Ray for the run."""

    name = "ray"

    def __init__(self, address: str = "", workers: int = 2, embedder=None, num_cpus: int | None = None,
                 embedder_name: str | None = None, num_gpus: float = 0.0):
        self.address = address
        self.workers = workers
        self.embedder = embedder  # None: each worker loads the embedder `embedder_name` names (the registry's)
        self.embedder_name = embedder_name
        self.num_cpus = num_cpus  # for a local Ray started for the run: the CPUs it may use (None: all)
        self.num_gpus = num_gpus  # GPUs (or a share of one) each worker holds: Ray schedules it on a GPU node
        self.seconds: dict[str, float] = {}
        # Of self.seconds (by stage), the driver's own: sending and receiving while a worker had no call (`driver`),
        # and while every worker had one (`beside`: then with the work given to behind()). The first is time the
        # workers wait for the driver; the second is spent while they work.
        self.driver: dict[str, float] = {}
        self.beside: dict[str, float] = {}
        self.tasks: list[float] = []  # seconds of each story's work on its worker, as the workers timed it
        self._behind: list[Callable[[], bool]] = []
        self._actors = []
        # id(page) -> (the page, its extraction, done on the worker that fetched it); holding the page keeps its id
        # from being reused by another object while the entry lives.
        self._extracted: dict[int, tuple] = {}
        self._site_keys: dict[str, tuple] = {}  # a clean text -> its extract.site_keys, made on a worker
        self._started_ray = False
        self._blas = None  # threadpoolctl's limit on the driver's BLAS threads, while the run lasts
        self._frozen = False  # gc.freeze() called by start(), undone by stop()
        self.generation: Counter = Counter()  # prompts a generative model answered on the workers, by device

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
        if self.num_gpus and not self.address:
            # A Ray started here has the GPUs this machine has, and no more will come: workers asking for more
            # would wait for them for ever. (A cluster's autoscaler may add GPU nodes: there Ray waits.)
            have = ray.cluster_resources().get("GPU", 0)
            # A worker's share of a GPU is never split over two: floor(1 / share) workers fit on one GPU.
            need = (math.ceil(self.workers / math.floor(1 / self.num_gpus + 1e-9)) if self.num_gpus < 1
                    else self.num_gpus * self.workers)
            if have < need:
                if self._started_ray:
                    ray.shutdown()
                    self._started_ray = False
                raise BriefError(f"{self.workers} workers with num_gpus = {self.num_gpus:g} need "
                                 f"{need:g} GPUs; this machine has {have:g}",
                                 hint="lower [scale] workers or num_gpus (0.5 shares a GPU between two workers)")
        actor = ray.remote(num_cpus=1, num_gpus=self.num_gpus, max_restarts=RETRIES,
                           max_task_retries=RETRIES)(_Worker)
        t = time.perf_counter()
        self._actors = [actor.remote(self.embedder, self.embedder_name) for _ in range(self.workers)]
        names = ray.get([a.name.remote() for a in self._actors])  # every worker up, its model loaded
        self.embedder_name = names[0]
        self.seconds["start"] = time.perf_counter() - t
        # Once the workers are up (stop() undoes both; a start that failed changed nothing):
        # The objects already here (imports: Ray's, numpy's; some 120,000) are left out of the collector's full
        # passes while the run lasts: each such pass scanned them all, 0.05-0.07 s of the driver's serial time on
        # 200 articles (gc.freeze is CPython's way to do it). What the run itself makes is collected as always.
        self._frozen = gc.get_freeze_count() == 0
        if self._frozen:
            gc.freeze()
        # The driver's numpy work is small products (hundreds of rows) done between the workers' calls: with
        # OpenBLAS's two threads on a node the workers keep busy, one 100 x 6,000 product took 0.23 s, not 0.01 s
        # (a thread waiting for a core). One BLAS thread here while the run lasts, as Ray gives its workers
        # (OMP_NUM_THREADS=1); the digests stayed the local engine's (tests/test_scale.py, and every run of
        # python bench/scale_bench.py, which shows the effect).
        from briefing import merge

        self._blas = merge.one_blas_thread()  # in force from here (threadpoolctl's limit, or nothing without it)

    def behind(self, step: Callable[[], bool]) -> None:
        """Have `step` called while the workers work: whenever every worker has a call and none has come back,
        until the engine stops. A call does a bounded piece of the driver's work (a few milliseconds: as long as a
        result may wait for it) and says whether it found any to do. The driver's work that nothing waits for
        (the state's vector cache) so runs beside the workers' instead of after it; whatever is left at the end
        is the caller's to finish."""
        self._behind.append(step)

    def _calls(self, method: str, args: list[tuple], label: str, sizes: list[int] | None = None,
               progress=None) -> list:
        """One call of `method` per args, each on the next free worker, results in the args' order."""
        return list(self._icalls(method, args, label, sizes, progress))

    def _icalls(self, method: str, args: list[tuple], label: str, sizes: list[int] | None = None,
                progress=None) -> Iterator:
        """_calls' results, each given as soon as it and those before it are back. The progress bar moves as calls
        come back. What the driver spends sending and receiving is kept apart (self.driver, self.beside), and so is
        the work given to behind() that it does while every worker has a call, and the caller's work between two
        results (its seconds in other calls to this engine left out)."""
        ray = self.ray
        stage = "stories" if method == "run" else method  # the key in stats.engine's seconds
        t = time.perf_counter()
        own = beside = 0.0  # the driver's own seconds (serialising, deserialising, behind()), as self.driver/beside
        if progress is not None:
            progress.stage(label, sum(sizes) if sizes else len(args))
        results: list = [_NOT_BACK] * len(args)
        given = 0  # results given so far
        # Two calls a worker at a time: the next is already there when one comes back.
        free, running, nxt = list(self._actors) * 2, {}, 0

        def busy() -> bool:  # every worker has a call to work on
            return len({id(a) for _, a in running.values()}) == len(self._actors)

        while nxt < len(args) or running:
            while free and nxt < len(args):
                a = free.pop(0)
                meanwhile = busy()  # the call waits behind another on its worker, and every worker has one
                t0 = time.perf_counter()
                running[getattr(a, method).remote(*args[nxt])] = (nxt, a)
                if meanwhile:
                    beside += time.perf_counter() - t0
                else:
                    own += time.perf_counter() - t0
                nxt += 1
            done, _ = ray.wait(list(running), num_returns=1, timeout=0 if self._behind else None)
            if not done:
                t0 = time.perf_counter()
                # a step of the work given to behind() (the first that has some), if every worker has a call
                if busy() and any(step() for step in self._behind):
                    beside += time.perf_counter() - t0
                else:  # a worker is idle, or nothing is left to do meanwhile: wait for a result
                    done, _ = ray.wait(list(running), num_returns=1)
            for r in done:
                k, a = running.pop(r)
                free.append(a)
                meanwhile = busy()  # its worker has its next call, and every other worker one
                t0 = time.perf_counter()
                try:
                    results[k] = ray.get(r)
                except ray.exceptions.RayError as e:  # retries spent, or an error raised inside the work
                    for x in self._actors:
                        ray.kill(x)
                    self._actors = []
                    if isinstance(getattr(e, "cause", None), BriefError):
                        raise e.cause from None  # the user's to fix (a model that does not fit), said as locally
                    first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
                    raise BriefError(f"a Ray worker failed ({method}, after {RETRIES} retries if it died): {first}",
                                     hint="nothing was published; the next run starts again",
                                     exit_code=EXIT_ERROR) from None
                if progress is not None:
                    progress.advance(sizes[k] if sizes else 1)
                if meanwhile:
                    beside += time.perf_counter() - t0
                else:
                    own += time.perf_counter() - t0
            while given < len(args) and results[given] is not _NOT_BACK:
                meanwhile, elsewhere = busy(), sum(self.seconds.values())
                t0 = time.perf_counter()
                out, results[given] = results[given], None
                given += 1
                yield out
                spent = time.perf_counter() - t0 - (sum(self.seconds.values()) - elsewhere)
                if meanwhile:
                    beside += spent
                else:
                    own += spent
        self.seconds[stage] = self.seconds.get(stage, 0.0) + time.perf_counter() - t
        self.driver[stage] = self.driver.get(stage, 0.0) + own
        self.beside[stage] = self.beside.get(stage, 0.0) + beside

    def _chunk(self, n: int, least: int = CHUNK, most: int = CHUNK_MOST) -> int:
        """Items a call for n items: about CALLS_PER_WORKER calls a worker, within [least, most]."""
        return max(least, min(most, -(-n // (self.workers * CALLS_PER_WORKER))))

    def _map(self, method: str, items: list, args: tuple, label: str, progress, chunk: int | None = None) -> list:
        """items in chunks over the workers, in order."""
        chunk = chunk or self._chunk(len(items))
        chunks = [items[i:i + chunk] for i in range(0, len(items), chunk)]
        parts = self._calls(method, [(c, *args) for c in chunks], label, [len(c) for c in chunks], progress)
        return [x for part in parts for x in part]

    def map(self, fn, items: list) -> list:
        """[fn(item) for item in items], one item a call on the next free worker (the chosen stories' own work:
        merge.story_work). fn and the items must pickle; fn crosses to the object store once, and each worker
        fetches it once."""
        return list(self.imap(fn, items))

    def imap(self, fn, items: list) -> Iterator:
        """map's results, each given as soon as it and those before it are back: the caller's work on the first
        is done while the workers work on the rest."""
        if not items:
            return
        ref = self.ray.put(fn)
        # In a list, so that Ray does not fetch it for every call: each worker fetches it once (_Worker.run).
        for x, secs in self._icalls("run", [([ref], x) for x in items], "briefing stories"):
            self.tasks.append(secs)
            yield x

    def read_sources(self, urls: list[str], must_be_feed: set[str], limits) -> list:
        """The configured URLs read on the workers (web.fetch_all's `sources`): each feed's entries, or the page."""
        limits = replace(limits, per_host=max(1, limits.per_host // self.workers))  # as fetch_pages says
        return self._map("sources", urls, (limits, must_be_feed), "reading feeds", None)

    def fetch_pages(self, entries: list, limits) -> list:
        """The entries' pages fetched and extracted on the workers (web.fetch_all's `pages`); the extractions
        are kept for `extract`, so the driver neither fetches nor extracts a page."""
        # Each worker fetches with its own Fetcher: the per-host bound is shared out, so that one host gets at most
        # max(per_host, workers) requests at a time from the whole cluster, as polite as one machine.
        limits = replace(limits, per_host=max(1, limits.per_host // self.workers))
        out = []
        for doc, extracted, keys in self._map("fetch", entries, (limits,), "fetching pages", None):
            if extracted is not None:
                self._extracted[id(doc)] = (doc, extracted)
            if keys is not None:
                self._site_keys[extracted[0].text] = keys
            out.append(doc)
        return out

    def site_keys(self, texts: list[str]) -> list[tuple[bytes, list[bytes]]]:
        """extract.site_keys of each text: made on the worker that extracted it, else on a worker now."""
        todo = [t for t in dict.fromkeys(texts) if t not in self._site_keys]
        if todo:
            self._site_keys.update(zip(todo, self._map("site_keys", todo, (), "reading site lines", None)))
        return [self._site_keys[t] for t in texts]

    def extract(self, docs: list[RawDocument], progress=None):
        """Each page's extraction: the one its worker made when it fetched it, else made on a worker now."""
        def kept(d):
            hit = self._extracted.get(id(d))
            return hit[1] if hit is not None and hit[0] is d else None

        todo = [d for d in docs if kept(d) is None]
        done = dict(zip(map(id, todo), self._map("extract", todo, (), "extracting pages", progress))) if todo else {}
        out = [done[id(d)] if id(d) in done else kept(d) for d in docs]
        self._extracted.clear()
        return out

    def prepare(self, docs: list[RawDocument], lead: int, progress=None) -> list[Prepared]:
        return self._map("prepare", docs, (lead,), "reading articles", progress)

    def embed(self, texts: list[str], progress=None) -> np.ndarray:
        """Texts embedded on the workers (the chosen stories' sentences), in order."""
        if not texts:
            return np.zeros((0, 1), dtype=np.float32)
        return np.concatenate(list(self.embed_parts(texts)))

    def embed_parts(self, texts: list[str]) -> Iterator[np.ndarray]:
        """embed's vectors, a call's at a time in order, each as soon as it and those before it are back."""
        size = self._chunk(len(texts), 64, 8 * 64)  # texts a call: whole batches for the model (64 at least)
        for (vectors,) in self._icalls("embed", [([texts[i:i + size]],) for i in range(0, len(texts), size)],
                                       "embedding sentences"):
            yield vectors

    def condenser(self, backend):
        """`backend` with its generative model, if it has one, writing on the workers (RemoteGenerator); the
        extractive condenser as it is (it runs where the briefing is made)."""
        gen = getattr(backend, "generator", None)
        if gen is None or not self._actors:
            return backend
        moved = copy.copy(backend)
        moved.generator = RemoteGenerator(gen, self)
        return moved

    def stats(self) -> dict:
        out = {"name": self.name, "workers": self.workers,
               "seconds": {k: round(v, 3) for k, v in self.seconds.items()}}
        if self.generation:
            out["generation"] = {"prompts": dict(self.generation)}  # by the device the workers wrote on
        return out

    def stop(self) -> None:
        self._behind.clear()
        self._extracted.clear()
        self._site_keys.clear()
        for a in self._actors:
            self.ray.kill(a)
        self._actors = []
        if self._blas is not None:
            self._blas.__exit__(None, None, None)  # the limits of before (threadpoolctl), or nothing
            self._blas = None
        if self._frozen:
            gc.unfreeze()
            self._frozen = False
        if self._started_ray:
            self.ray.shutdown()


def get(name: str, address: str = "", workers: int = 2, embedder=None, embedder_name: str | None = None,
        num_gpus: float = 0.0):
    """The daily job's engine by name (models.engines: a wrong name lists the valid ones)."""
    return models.engines.get(name, address=address, workers=workers, embedder=embedder,
                              embedder_name=embedder_name, num_gpus=num_gpus)


models.engines.register("local", LocalEngine)
models.engines.register("ray", RayEngine)

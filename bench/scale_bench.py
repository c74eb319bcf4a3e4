"""The daily job on the local engine and on 1 and 2 Ray workers (or --workers), in one run, and what 8 to 128 workers
would do.

    .venv/bin/python bench/scale_bench.py ../shared/eval/giveme5w1h_events.jsonl [--articles 200 --feeds 10]
    .venv/bin/python bench/scale_bench.py ../shared/eval/giveme5w1h_events.jsonl --workers 1,2,4,8,15 --cpus 16
        (measured speed-ups beside the projection's, on a machine of 16 cores)

The feed set is bench/feeds_bench.py's: articles from the data file, served from memory on 127.0.0.1 as
RSS/Atom/RDF feeds whose entries are full HTML pages. Each run is one `daily.run` in this process with a fresh
state (so every page is fetched, extracted and embedded), the clock fixed, the engine the only difference.
One local Ray serves every Ray run (num_cpus=2, the machine being shared; --cpus on a bigger one); its start-up
is reported apart. A warm-up run on 20 of the articles comes first, and the local engine's lead table is built (in
a child process), so that imports and the models' one-time export and build are not in the figures.

Printed per run: wall seconds and articles/second; the share of the wall time of each stage, split into what the
driver did itself and what it waited for the workers to do; the driver's peak memory (RSS, sampled every 50 ms)
and whether the embedding model was loaded in the driver. Then, from the 1-worker run, the cost per article:
  - on the workers, per article (reading the feeds, fetching and extracting its page and making the digests of its
    lines, splitting it, making its shingle keys, embedding its lead and the chosen stories' sentences): the
    seconds the driver waited for those calls, less its own sending and receiving in them (counted serial, below)
    / articles;
  - on the workers, per story (support checks, citations, conflicts, headline: merge.story_work, one call a story):
    the seconds it waited for them, and the longest one story took (a story is not split across workers);
  - beside the workers, on the driver: its own work while every worker had a call (RayEngine._icalls decides it
    call by call: a worker whose call is done has its next one queued): sending a call that waits behind another,
    receiving one while the next runs, choosing a story's claims as its call comes back (RayEngine.imap), and
    writing the state's vector cache when no result waits (RayEngine.behind), by the stage it was done in. It ran
    while the workers worked, so it is inside that stage's waiting above, not serial; but it does not shrink with
    more workers, so a stage is projected to last as long as the longer of the two;
  - once a run on the driver: rendering the digest, writing its files and the archive (their size is the
    digest's, bounded by the word budget and max_stories, not the number of articles read), opening its one HTTP
    client (its TLS context) and opening the state (its schema checked);
  - serial on the driver: the rest of the wall time (which feed entries to follow, the state, grouping, clustering,
    choosing, and sending and receiving the workers' data while a worker had no call) / articles.
and the projection of 50,000 articles on 8, 32 and 128 workers, the day's stories in the same proportion (N/n
times as many story calls, each as long as today's), the story calls bounded as a greedy list schedule is
(Graham's bound: the total over W, plus the longest call once, times 1 - 1/W):
    T(W) = start + per run + N * serial + sum over the article stages s of N * max(article_s / W, beside_s)
           + max((N / n) * stories / W, N * beside_stories) + (1 - 1 / W) * longest story
    speed-up(W) = T(1) / T(W)
With --workers naming more counts (a machine with a core a worker), each is run and its measured speed-up over
the 1-worker run is printed beside the projection's for the same W and the same n articles.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from feeds_bench import load_pool, serve  # noqa: E402  (the same feed set)
from loopback import Server  # noqa: E402


class Peak:
    """The process's peak resident memory while the block runs, sampled by a thread."""

    def __enter__(self):
        import psutil

        self.proc, self.peak, self.stop = psutil.Process(), 0, threading.Event()

        def sample():
            while not self.stop.is_set():
                self.peak = max(self.peak, self.proc.memory_info().rss)
                time.sleep(0.05)

        self.thread = threading.Thread(target=sample, daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join()


class Stages:
    """Seconds the driver itself spent in the daily job's stages (time waiting for the workers taken out), by
    wrapping the functions that make them."""

    WRAP = [("daily", "fetch", "follow entries, store pages"), ("triage", "preselect", "first-pass grouping"),
            ("pipeline", "brief", "cluster, choose, cache"), ("render", "render", "render digest (per run)"),
            ("daily", "write_outputs", "write digest files (per run)"), ("archive", "rebuild", "write archive (per run)"),
            ("ingest.web", "Fetcher.__init__", "open the HTTP client (per run)"),
            ("store", "Store.__init__", "open the state (per run)")]
    # The digest's size, not the articles read; the driver's one HTTP client a run (its TLS context: the
    # certificates read), whatever the number of feeds and pages; and opening the state (its schema checked).
    PER_RUN = ("render digest (per run)", "write digest files (per run)", "write archive (per run)",
               "open the HTTP client (per run)", "open the state (per run)")
    INSIDE = {"first-pass grouping": "cluster, choose, cache",  # a stage called inside another: shown apart
              "open the HTTP client (per run)": "follow entries, store pages"}

    def __init__(self):
        import importlib

        self.seconds: dict[str, float] = {}
        self.engine = None
        for mod, fn, label in self.WRAP:
            owner = importlib.import_module(f"briefing.{mod}")
            *path, fn = fn.split(".")
            for name in path:  # a class's method
                owner = getattr(owner, name)
            setattr(owner, fn, self._timed(getattr(owner, fn), label))

    def waited(self) -> float:
        """Seconds so far in the Ray engine's calls (waiting for the workers, and sending and receiving their data,
        which is shown apart); 0 for the local engine, whose work is the driver's own."""
        if self.engine is None or not hasattr(self.engine, "driver"):
            return 0.0
        return sum(v for k, v in self.engine.seconds.items() if k != "start")

    def _timed(self, fn, label):
        def wrapper(*a, **k):
            t, w = time.perf_counter(), self.waited()
            try:
                return fn(*a, **k)
            finally:
                self.seconds[label] = self.seconds.get(label, 0.0) + time.perf_counter() - t - (self.waited() - w)
        return wrapper

    def reset(self, engine):
        self.seconds, self.engine = {}, engine


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("data")
    ap.add_argument("--articles", type=int, default=200)
    ap.add_argument("--feeds", type=int, default=10)
    ap.add_argument("--target", type=int, default=50_000, help="articles in the projection")
    ap.add_argument("--workers", default="1,2", help="the Ray runs' worker counts, comma-separated; 1 is always run "
                    "(the projection is made from it); on a machine of more cores, e.g. 1,2,4,8,15 with --cpus 16")
    ap.add_argument("--cpus", type=int, default=2, help="CPUs of the local Ray (default 2: this machine is shared)")
    args = ap.parse_args()
    try:
        counts = sorted({1, *(int(w) for w in args.workers.split(",") if w.strip())})
    except ValueError:
        ap.error(f"--workers: a comma-separated list of worker counts, not {args.workers!r}")
    if counts[0] < 1:
        ap.error("--workers: each count is 1 or more")
    if counts[-1] > args.cpus:
        raise SystemExit(f"--workers {counts[-1]} needs --cpus {counts[-1]} at least (each worker holds one CPU)")

    pool = load_pool(args.data, args.articles)
    work = Path(tempfile.mkdtemp(prefix="brief-scale-"))
    os.environ["BRIEF_HOME"] = str(work / "home")

    import ray

    from briefing import config as configlib, daily, scale
    from briefing.models import minilm

    stages = Stages()
    now = dt.datetime.now().astimezone()
    t = time.perf_counter()
    ray.init(num_cpus=args.cpus, include_dashboard=False, log_to_driver=False, logging_level="ERROR")
    print(f"local Ray start (num_cpus={args.cpus}; {os.cpu_count()} cores here): {time.perf_counter() - t:.1f} s; "
          f"{len(pool)} articles, "
          f"{args.feeds} feeds; load average {os.getloadavg()[0]:.1f}\n")
    # A warm-up run on 20 of the articles, not reported: this process imports what the daily job needs, the
    # templates compile and the model is exported once (BRIEF_HOME), so the measured runs hold only their own work.
    with Server() as s:
        feeds = serve(s, pool[:20], 2, now.timestamp())
        cfg = configlib.load(None, env={}, feeds=tuple(feeds), since_hours=72.0, words=600, max_stories=10,
                             dir=str(work / "warm-up" / "out"), formats=("md", "json"), per_host=8, parallel=8,
                             state=str(work / "warm-up" / "state.sqlite"))
        t = time.perf_counter()
        daily.run(cfg, now=now, engine=scale.RayEngine(workers=1))
        print(f"warm-up run (20 articles, 1 Ray worker; imports, ONNX export): {time.perf_counter() - t:.1f} s")
    # The local engine's first pass reads the leads with the static table distilled from the model ([briefing]
    # lead_embedder "auto"), built once a BRIEF_HOME (some 20 s): built now, in a child process, so that the local
    # run holds only its own work and this process still has no model loaded when the Ray runs start.
    t = time.perf_counter()
    subprocess.run([sys.executable, "-c", "from briefing import models; "
                    "models.embedders.get('minilm-static').embed(['warm-up'])"], check=True, cwd=ROOT)
    print(f"warm-up of the local engine's lead table (built once, in a child process): {time.perf_counter() - t:.1f} s\n")
    rows = {}
    with Server() as s:
        feeds = serve(s, pool, args.feeds, now.timestamp())
        # Ray first: the driver must not load the model for them, which the local run then does.
        for label, engine in [*((f"ray, {w} worker" + "s" * (w > 1), scale.RayEngine(workers=w)) for w in counts),
                              ("local", scale.LocalEngine())]:
            cfg = configlib.load(None, env={}, feeds=tuple(feeds), since_hours=72.0, words=600, max_stories=10,
                                 dir=str(work / label / "out"), formats=("md", "json"), per_host=8, parallel=8,
                                 state=str(work / label / "state.sqlite"))
            stages.reset(engine)
            t = time.perf_counter()
            with Peak() as peak:
                out = daily.run(cfg, now=now, engine=engine)
            wall = time.perf_counter() - t
            data = json.loads(next((work / label / "out").glob("*.json")).read_text(encoding="utf-8"))
            # The embedded model, loaded in this process: minilm keeps one per kind (a dict), onnxruntime imported.
            loaded = bool(minilm._shared) or "onnxruntime" in sys.modules
            es, own = engine.stats()["seconds"], getattr(engine, "driver", {})
            beside = dict(getattr(engine, "beside", {}))
            rows[label] = dict(wall=wall, engine=es, driver=dict(own), beside=beside,
                               tasks=list(getattr(engine, "tasks", [])),
                               stages=dict(stages.seconds),
                               peak=peak.peak, read=data["stats"]["read"], claims=data["stats"]["claims"],
                               stories=len(data["stories"]), model_in_driver=loaded,
                               digest=json.dumps([data["stories"], data["sources"]], sort_keys=True))
            print(f"{label}: {wall:.1f} s wall, {data['stats']['read'] / wall:.1f} articles/s; exit "
                  f"{out.exit_code}; {rows[label]['stories']} stories, {rows[label]['claims']} claims; driver peak "
                  f"RSS {peak.peak / 2**20:.0f} MiB; embedding model loaded in the driver: {loaded}")
            shares = {f"driver: {k}": v for k, v in stages.seconds.items()}
            # pipeline.brief runs the first-pass grouping inside it, daily.fetch opens the HTTP client: shown once
            for inner, outer in Stages.INSIDE.items():
                if f"driver: {outer}" in shares:
                    shares[f"driver: {outer}"] -= shares.get(f"driver: {inner}", 0.0)
            # the local engine's work is inside the driver's stages
            for k, v in es.items() if isinstance(engine, scale.RayEngine) else ():
                if k == "start":
                    shares["start workers (models load)"] = v
                else:
                    shares[f"workers: {k}"] = v - own.get(k, 0.0)
                    shares[f"driver: send/receive {k}"] = own.get(k, 0.0)
            shares["driver: other (state, select)"] = wall - sum(shares.values())
            for name, secs in sorted(shares.items(), key=lambda kv: -kv[1]):
                print(f"    {name:<40} {secs:6.2f} s  {100 * secs / wall:5.1f} %")
            mine = sum(v for k, v in shares.items() if k.startswith("driver: "))
            sent = sum(v for k, v in shares.items() if k.startswith("driver: send/receive"))
            print(f"    driver's own seconds in all: {mine:.2f} s ({100 * mine / wall:.1f} %), of which sending and "
                  f"receiving the workers' data {sent:.2f} s ({100 * sent / wall:.1f} %)")
            if beside:
                print("    and beside the workers (while every worker had a call: sending, receiving, choosing the "
                      "stories' claims, writing the vector cache; inside the workers' seconds above): " +
                      ", ".join(f"{k} {v:.2f} s" for k, v in sorted(beside.items()) if v >= 0.005))
    ray.shutdown()
    same = len({r["digest"] for r in rows.values()}) == 1
    print(f"\nsame digest (stories, claims, citations, sources) from all {len(rows)} runs: {same}")

    one = rows["ray, 1 worker"]
    n = one["read"]
    start = one["engine"].get("start", 0.0)  # workers started and models loaded: once a run, in parallel
    waited = {k: v - one["driver"].get(k, 0.0) for k, v in one["engine"].items() if k != "start"}
    stories = waited.pop("stories", 0.0)
    article = sum(waited.values()) / n
    beside = {k: v / n for k, v in one["beside"].items()}  # the driver's work beside a stage, per article
    longest = max(one["tasks"], default=0.0)
    per_run = sum(one["stages"].get(k, 0.0) for k in Stages.PER_RUN)
    serial = (one["wall"] - start - per_run - stories) / n - article
    print(f"\nper article, from the 1-worker run: {1000 * article:.1f} ms on a worker, {1000 * serial:.1f} ms serial "
          f"on the driver; per story: {stories:.2f} s on the workers for {len(one['tasks'])} story calls, the "
          f"longest {longest:.2f} s (as its worker timed it)")
    print(f"    serial share {100 * serial / (serial + article + stories / n):.1f} % of the work per article; "
          f"plus, once a run, {start:.1f} s to start the workers and load their models and {per_run:.2f} s on the "
          "driver to open its HTTP client and the state, render the digest and write it and the archive")
    print(f"    beside the workers, per article: {1000 * sum(beside.values()):.2f} ms of the driver's own work ("
          + ", ".join(f"{k} {1000 * v:.2f}" for k, v in sorted(beside.items())) + "), a stage lasting at least "
          f"its part at any number of workers; the story calls took {sum(one['tasks']):.2f} s as the worker timed "
          f"them, of the {stories:.2f} s counted as the workers'")

    def wall_on(w: int, target: int = args.target) -> float:
        # A stage lasts as long as its workers' share of it, or as the driver's work beside it, whichever is longer.
        stages = sum(target * max(v / n / w, beside.get(k, 0.0)) for k, v in waited.items())
        story_calls = max(target / n * stories / w, target * beside.get("stories", 0.0))
        return start + per_run + target * serial + stages + story_calls + (1 - 1 / w) * longest

    base = wall_on(1)
    for w in (1, 8, 32, 128):
        print(f"    {args.target} articles on {w:>3} workers: {wall_on(w) / 60:7.1f} min, "
              f"speed-up {base / wall_on(w):5.1f}x")
    s32 = base / wall_on(32)
    limit = base / (start + per_run + args.target * (serial + sum(beside.values())) + longest)
    # The serial seconds an article at which 32 workers would give 20x, the rest as measured:
    # (A(1) + N s) = 20 (A(32) + N s), A(W) being T(W) without the serial term.
    fixed = {w: wall_on(w) - args.target * serial for w in (1, 32)}
    needed = (fixed[1] - 20 * fixed[32]) / (19 * args.target)
    print(f"32 workers give >= 20x: {s32 >= 20} ({s32:.1f}x); no number of workers passes {limit:.0f}x, set by the "
          "driver's own work (serial, and beside the workers)")
    print(f"    20x on 32 workers needs the driver's serial work under {1000 * needed:.1f} ms an article at this "
          f"worker cost (now {1000 * serial:.1f} ms)" if needed > 0 else
          "    20x on 32 workers cannot be had at this worker cost, even with no serial work on the driver")
    if len(counts) > 1:
        # The projection, made for this run's own articles, against the runs on more workers: what it predicts
        # of a real run (a machine with a core a worker; on fewer cores the workers share them).
        print(f"\nmeasured against the projection for the same {n} articles (from the 1-worker run's costs; "
              f"{os.cpu_count()} cores here):")
        print(f"    {'workers':>7} {'wall':>8} {'measured':>9} {'projected':>10}")
        for w in counts:
            r = rows[f"ray, {w} worker{'s' if w > 1 else ''}"]
            print(f"    {w:>7} {r['wall']:7.1f}s {one['wall'] / r['wall']:8.2f}x {wall_on(1, n) / wall_on(w, n):9.2f}x")
    # What the linear projection leaves out: the first pass (triage.preselect) groups every article read with
    # merge.cluster, blocked (no n x n matrix: bench/cluster_memory.py), but its similarity products still grow
    # with the square of the articles read.
    print("not in the projection: the first-pass grouping's time grows with the square of the articles read "
          "(its memory does not: 100,000 articles in 182 s, 1.5 GB, python bench/cluster_memory.py)")
    print(f"work folder {work}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

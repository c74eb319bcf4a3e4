"""The daily job on the local engine and on 1 and 2 Ray workers, in one run, and what 8 to 128 workers would do.

    .venv/bin/python bench/scale_bench.py ../shared/eval/giveme5w1h_events.jsonl [--articles 200 --feeds 10]

The feed set is bench/feeds_bench.py's: articles from the data file, served from memory on 127.0.0.1 as
RSS/Atom/RDF feeds whose entries are full HTML pages. Each run is one `daily.run` in this process with a fresh
state (so every page is fetched, extracted and embedded), the clock fixed, the engine the only difference.
One local Ray (num_cpus=2: the machine is shared) serves both Ray runs; its start-up is reported apart.

Printed per run: wall seconds and articles/second; seconds and share of each stage; the driver's peak memory
(RSS, sampled every 50 ms). Then, from the 1-worker run: the per-article cost on a worker (time the driver
waited for the workers / articles) and the driver's serial cost per article (the rest of the wall time /
articles), and Amdahl's projection of 50,000 articles on 8, 32 and 128 workers:
    T(W) = N * (serial + worker / W)        speed-up(W) = T(1) / T(W)
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
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
    """Seconds spent in the daily job's stages on the driver, by wrapping the functions that make them."""

    WRAP = [("daily", "fetch", "fetch + extract"), ("pipeline", "articles_from", "split sentences"),
            ("triage", "preselect", "first-pass grouping"), ("pipeline", "brief", "brief chosen stories"),
            ("archive", "rebuild", "write archive")]

    def __init__(self):
        import importlib

        self.seconds: dict[str, float] = {}
        self.saved = []
        for mod, fn, label in self.WRAP:
            m = importlib.import_module(f"briefing.{mod}")
            orig = getattr(m, fn)
            self.saved.append((m, fn, orig))
            setattr(m, fn, self._timed(orig, label))

    def _timed(self, fn, label):
        def wrapper(*a, **k):
            t = time.perf_counter()
            try:
                return fn(*a, **k)
            finally:
                self.seconds[label] = self.seconds.get(label, 0.0) + time.perf_counter() - t
        return wrapper

    def reset(self):
        self.seconds = {}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("data")
    ap.add_argument("--articles", type=int, default=200)
    ap.add_argument("--feeds", type=int, default=10)
    ap.add_argument("--target", type=int, default=50_000, help="articles in the projection")
    args = ap.parse_args()

    pool = load_pool(args.data, args.articles)
    work = Path(tempfile.mkdtemp(prefix="brief-scale-"))
    os.environ["BRIEF_HOME"] = str(work / "home")

    import ray

    from briefing import config as configlib, daily, scale
    from briefing.models import minilm

    stages = Stages()
    now = dt.datetime.now().astimezone()
    t = time.perf_counter()
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, logging_level="ERROR")
    print(f"local Ray start (num_cpus=2): {time.perf_counter() - t:.1f} s; {len(pool)} articles, "
          f"{args.feeds} feeds; load average {os.getloadavg()[0]:.1f}\n")
    rows = {}
    with Server() as s:
        feeds = serve(s, pool, args.feeds, now.timestamp())
        # Ray first: the driver must not load the model for them, which the local run then does.
        for label, engine in [("ray, 1 worker", scale.RayEngine(workers=1)),
                              ("ray, 2 workers", scale.RayEngine(workers=2)),
                              ("local", scale.LocalEngine())]:
            cfg = configlib.load(None, env={}, feeds=tuple(feeds), since_hours=72.0, words=600, max_stories=10,
                                 dir=str(work / label / "out"), formats=("md", "json"), per_host=8, parallel=8,
                                 state=str(work / label / "state.sqlite"))
            stages.reset()
            t = time.perf_counter()
            with Peak() as peak:
                out = daily.run(cfg, now=now, engine=engine)
            wall = time.perf_counter() - t
            data = json.loads(next((work / label / "out").glob("*.json")).read_text(encoding="utf-8"))
            rows[label] = dict(wall=wall, stages=dict(stages.seconds), engine=engine.stats()["seconds"],
                               peak=peak.peak, read=data["stats"]["read"], claims=data["stats"]["claims"],
                               stories=len(data["stories"]), model_in_driver=minilm._shared is not None,
                               digest=json.dumps([data["stories"], data["sources"]], sort_keys=True))
            print(f"{label}: {wall:.1f} s wall, {data['stats']['read'] / wall:.1f} articles/s; exit "
                  f"{out.exit_code}; {rows[label]['stories']} stories, {rows[label]['claims']} claims; driver peak "
                  f"RSS {peak.peak / 2**20:.0f} MiB; model loaded in the driver: {rows[label]['model_in_driver']}")
            done = dict(stages.seconds)
            # pipeline.brief runs the first-pass grouping inside it: its share is shown once, apart
            done["brief chosen stories"] -= done.get("first-pass grouping", 0.0)
            es = engine.stats()["seconds"]
            if "prepare" in es:  # the Ray engine reads and embeds each article's lead outside the wrapped functions
                done["read + embed leads"] = es["prepare"]
            if "start" in es:
                done["start workers"] = es["start"]
            done["other (state, select)"] = wall - sum(done.values())
            for name, secs in sorted(done.items(), key=lambda kv: -kv[1]):
                print(f"    {name:<22} {secs:6.2f} s  {100 * secs / wall:5.1f} %")
            for name, secs in engine.stats()["seconds"].items():
                print(f"    (on workers) {name:<9} {secs:6.2f} s  {100 * secs / wall:5.1f} %  (inside the stages above)")
    ray.shutdown()
    same = len({r["digest"] for r in rows.values()}) == 1
    print(f"\nsame digest (stories, claims, citations, sources) from all three runs: {same}")

    one = rows["ray, 1 worker"]
    n = one["read"]
    start = one["engine"].get("start", 0.0)  # workers started and models loaded: once a run, in parallel
    on_workers = sum(v for k, v in one["engine"].items() if k != "start")
    worker = on_workers / n
    serial = (one["wall"] - on_workers - start) / n
    print(f"\nper article, from the 1-worker run: {1000 * worker:.1f} ms on a worker, {1000 * serial:.1f} ms serial "
          f"on the driver (serial share {100 * serial / (serial + worker):.1f} %)")
    print(f"    plus {start:.1f} s a run to start the workers and load their models (not per article)")
    base = start + args.target * (serial + worker)
    for w in (1, 8, 32, 128):
        tw = start + args.target * (serial + worker / w)
        print(f"    {args.target} articles on {w:>3} workers: {tw / 60:7.1f} min, speed-up {base / tw:5.1f}x")
    limit = (serial + worker) / serial if serial else float("inf")
    s32 = base / (start + args.target * (serial + worker / 32))
    print(f"32 workers give >= 20x: {s32 >= 20} ({s32:.1f}x); the speed-up can never pass {limit:.0f}x, "
          "set by the driver's serial share")
    print(f"work folder {work}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

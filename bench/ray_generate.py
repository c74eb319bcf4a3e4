"""A generative model condensing the daily job's articles: on the local engine, and on Ray workers (on GPUs where
the machine has them), in one run. Printed per run: wall seconds, prompts the model answered and prompts a
second, where they were answered (the driver's device, or the workers' by device), what grounding kept, and
whether the digest is the first run's.

    python bench/ray_generate.py ../shared/eval/giveme5w1h_events.jsonl --model SmolLM2-135M-Instruct.Q4_1.gguf \\
        [--articles 40] [--runs local ray:1:1 ray:4:0] [--cpus N]

A run is `local` (the model in this process, --device auto) or `ray:W:G` (W workers, each holding G GPUs, 0 for
CPU only). The feed set is bench/feeds_bench.py's, served on 127.0.0.1. Every run starts from a fresh state and
an empty generation cache; the model's one-time conversion (a GGUF file) is done before the first run and not
timed. One local Ray (--cpus, default all of this machine's) serves every Ray run.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from feeds_bench import load_pool, serve  # noqa: E402  (the same feed set)
from loopback import Server  # noqa: E402


def parse_run(text: str) -> tuple[str, int, float]:
    if text == "local":
        return "local", 1, 0.0
    kind, workers, gpus = text.split(":")
    if kind != "ray":
        raise SystemExit(f"a run is 'local' or 'ray:WORKERS:GPUS', not {text!r}")
    return "ray", int(workers), float(gpus)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("data")
    ap.add_argument("--model", required=True, help="a model brief make --model takes (a .gguf file name, a folder)")
    ap.add_argument("--articles", type=int, default=40)
    ap.add_argument("--feeds", type=int, default=4)
    ap.add_argument("--runs", nargs="+", default=["local", "ray:1:1"])
    ap.add_argument("--cpus", type=int, default=None, help="CPUs of the local Ray (default: all)")
    args = ap.parse_args()
    runs = [parse_run(r) for r in args.runs]

    pool = load_pool(args.data, args.articles)
    work = Path(tempfile.mkdtemp(prefix="brief-raygen-"))
    home = Path(os.environ.get("BRIEF_HOME") or work / "home")  # a given BRIEF_HOME keeps its converted models
    os.environ["BRIEF_HOME"] = str(home)

    import ray
    import torch

    from briefing import config as configlib, daily, scale
    from briefing.models import generate, locate

    spec = locate.resolve(args.model)
    t = time.perf_counter()
    generate.HFGenerator(spec)._folder()  # a GGUF file is converted once, here (the workers find it converted)
    print(f"model {spec.name}: ready in {time.perf_counter() - t:.1f} s; torch {torch.__version__}, CUDA "
          f"{'yes: ' + torch.cuda.get_device_name(0) if torch.cuda.is_available() else 'no'}; "
          f"{len(pool)} articles, {args.feeds} feeds; {os.cpu_count()} CPUs\n")
    if any(kind == "ray" for kind, _, _ in runs):
        ray.init(num_cpus=args.cpus, include_dashboard=False, log_to_driver=False, logging_level="ERROR")
    now = dt.datetime.now().astimezone()
    first = None
    with Server() as s:
        feeds = serve(s, pool, args.feeds, now.timestamp())
        for (kind, workers, gpus), label in zip(runs, args.runs):
            (home / "cache.sqlite").unlink(missing_ok=True)  # every run writes every prompt
            engine = scale.RayEngine(workers=workers, num_gpus=gpus) if kind == "ray" else scale.LocalEngine()
            cfg = configlib.load(None, env={}, feeds=tuple(feeds), since_hours=72.0, words=600, max_stories=10,
                                 model=args.model, dir=str(work / label / "out"), formats=("json",), per_host=8,
                                 parallel=8, state=str(work / label / "state.sqlite"))
            t = time.perf_counter()
            out = daily.run(cfg, now=now, engine=engine)
            wall = time.perf_counter() - t
            data = json.loads(next((work / label / "out").glob("*.json")).read_text(encoding="utf-8"))
            g = data["stats"].get("generation", {})
            fused = g.get("fused", {})
            # what the model was asked: each article's pieces, and each claim of several sources to fuse
            prompts = sum(a["pieces"] for a in g.get("articles", [])) + fused.get("claims", 0) - fused.get("cached", 0)
            where = data["stats"]["engine"].get("generation", {}).get("prompts") or {
                "driver " + ("cuda" if torch.cuda.is_available() else "cpu"): prompts}
            digest = json.dumps([data["stories"], data["sources"]], sort_keys=True)
            first = first or digest
            print(f"{label}: {wall:.1f} s wall, exit {out.exit_code}; {prompts} prompts "
                  f"({prompts / wall:.2f} a second), answered "
                  f"{', '.join(f'{n} on {d}' for d, n in where.items())}; generated {g.get('generated', 0)} "
                  f"sentences, kept {g.get('kept', 0)}; {data['stats']['claims']} claims, "
                  f"{sum(bool(c.get('generated')) for st in data['stories'] for c in st['claims'])} of them written "
                  f"by the model; digest {'the same as' if digest == first else 'DIFFERENT from'} the first run's")
    if ray.is_initialized():
        ray.shutdown()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

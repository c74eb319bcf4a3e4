"""Conversion time, peak memory and tokens per second of generative models, each step in a fresh process.

    python bench/model_memory.py MODEL [MODEL ...] [--tokens 64] [--home /tmp/bench-home]

MODEL is anything `--model` takes (a .gguf path, a name `brief models` lists, a folder, a cached id).
For each model, three fresh processes, one after another:
  convert   resolve and load it the way `brief make --model` does, with an empty BRIEF_HOME (a GGUF
            file is dequantized and saved under converted/): seconds and peak RSS;
  load      the same again, now from the converted folder: seconds and peak RSS;
  generate  load, then write --tokens new tokens (greedy, no early stop) for the condense prompt of
            the first seed article: tokens per second of the generate() call, and peak RSS.
Peak RSS is the process's own high-water mark (getrusage ru_maxrss), imports included. The load
average is printed beside the figures: the machine is shared, so seconds are only comparable in one run.
The last lines fit the fit estimate of models/locate.py (peak = BASE + params x dtype bytes x FACTOR).
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def peak_bytes() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # kB on Linux


def child(step: str, model: str, tokens: int) -> dict:
    t0 = time.perf_counter()
    from briefing.models import generate, locate

    spec = locate.resolve(model)
    gen = generate.HFGenerator(spec, device="cpu", max_new_tokens=tokens)
    gen._load()
    out = {"step": step, "seconds": time.perf_counter() - t0, "params": spec.params}
    if step == "generate":
        from briefing import pipeline
        from briefing.abstractive import AbstractiveBackend
        from briefing.ingest import read_inputs
        from briefing.prompting import CONDENSE, Prompts

        docs, skipped = read_inputs([str(ROOT / "examples" / "state-visit")])
        article = pipeline.articles_from(docs, skipped)[0]
        backend = AbstractiveBackend(gen, prompts=Prompts())
        plan = backend.plan(article)
        prompt = gen.wrap(backend.prompts.render(CONDENSE, **backend._variables(
            article, plan.pieces[0], 1, len(plan.pieces), plan.sizes[0])))
        gen._model.generation_config.eos_token_id = None  # write exactly `tokens` tokens: a fair rate
        t1 = time.perf_counter()
        gen.generate([prompt])
        out["generate_seconds"] = time.perf_counter() - t1
        out["prompt_tokens"] = gen.count_tokens([prompt])[0]
        out["tokens_per_second"] = tokens / out["generate_seconds"]
    out["peak_bytes"] = peak_bytes()
    return out


def run_step(step: str, model: str, tokens: int, home: Path) -> dict:
    env = {**os.environ, "BRIEF_HOME": str(home), "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, __file__, "--child", step, model, "--tokens", str(tokens)],
                          capture_output=True, text=True, env=env, timeout=1800)
    if done.returncode != 0:
        raise SystemExit(f"{step} {model} failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("models", nargs="+")
    ap.add_argument("--tokens", type=int, default=64)
    ap.add_argument("--home", default="/tmp/bench-model-memory")
    ap.add_argument("--child", default=None, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.child:
        print(json.dumps(child(a.child, a.models[0], a.tokens)))
        return
    rows = []
    for model in a.models:
        home = Path(a.home)
        shutil.rmtree(home, ignore_errors=True)
        load_before = os.getloadavg()[0]
        conv = run_step("convert", model, a.tokens, home)
        load = run_step("load", model, a.tokens, home)
        gen = run_step("generate", model, a.tokens, home)
        rows.append((model, conv, load, gen, load_before, os.getloadavg()[0]))
    print(f"{'model':<40} {'params':>8} {'convert s':>9} {'convert peak':>12} {'load s':>7} {'load peak':>10} "
          f"{'gen peak':>9} {'tok/s':>6}  load avg")
    for model, conv, load, gen, l0, l1 in rows:
        print(f"{Path(model).name[:40]:<40} {conv['params'] / 1e6:>7.0f}M {conv['seconds']:>9.1f} "
              f"{conv['peak_bytes'] / 2**30:>10.2f}Gi {load['seconds']:>7.1f} {load['peak_bytes'] / 2**30:>8.2f}Gi "
              f"{gen['peak_bytes'] / 2**30:>7.2f}Gi {gen['tokens_per_second']:>6.1f}  {l0:.1f} -> {l1:.1f}")
    print(f"(CPU, float32, greedy, {a.tokens} new tokens after a prompt of "
          f"{', '.join(str(r[3]['prompt_tokens']) for r in rows)} tokens)")
    # The fit estimate: the larger of the conversion's and the run's peak, per byte of float32 weights,
    # over a base that is the process without a model (Python, torch, transformers imported).
    for model, conv, _load, gen, _l0, _l1 in rows:
        peak = max(conv["peak_bytes"], gen["peak_bytes"])
        print(f"{Path(model).name}: peak {peak / 2**30:.2f} GiB = base + params x 4 x "
              f"{(peak - BASE_GUESS) / (conv['params'] * 4):.2f} with base {BASE_GUESS / 2**30:.2f} GiB")


BASE_GUESS = 0  # replaced below by a measurement of the bare process


def bare_process_peak() -> int:
    code = ("import resource, torch, transformers, briefing.models.generate; "
            "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=600)
    return int(done.stdout.strip().splitlines()[-1])


if __name__ == "__main__":
    if "--child" not in sys.argv:
        BASE_GUESS = bare_process_peak()
        print(f"bare process (python, torch, transformers imported): {BASE_GUESS / 2**30:.2f} GiB peak")
    main()

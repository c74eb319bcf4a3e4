#!/usr/bin/env python3
"""Tokens per second of a generative model's `generate()` with 1 and with 2 torch threads, as `brief make` calls it.

    OMP_NUM_THREADS is set per run: python bench/gen_threads.py MODEL [MODEL ...] [--tokens 48] [--threads 1 2]

For each model and each thread count, one fresh process (BRIEF_HOME as set: run it where the model was converted
once, so no run converts) loads the model on the CPU and writes --tokens new tokens (greedy, no early stop) for the
condense prompts of the first four seed articles in one batch, as `brief make --model` batches them (4), then for
the first prompt alone. It prints the prompt tokens, the seconds of each generate() call, new tokens per second,
and the load average before and after: on a machine shared with other work the figures move with the load, so
compare the thread counts within one run only. Why it matters: torch's threads meet at a barrier after every
operation, and in decoding (one token at a time, small matrix products) a thread that waits for a core holds up
the others; on a busy 2-core machine one thread can be several times faster than two.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def child(model: str, tokens: int) -> dict:
    import torch

    from briefing import pipeline
    from briefing.abstractive import AbstractiveBackend
    from briefing.ingest import read_inputs
    from briefing.models import generate, locate
    from briefing.prompting import CONDENSE, Prompts

    gen = generate.HFGenerator(locate.resolve(model), device="cpu", max_new_tokens=tokens, batch_size=4)
    gen._load()
    gen._model.generation_config.eos_token_id = None  # write exactly `tokens` tokens: a fair rate
    docs, skipped = read_inputs([str(ROOT / "examples" / "state-visit")])
    articles = pipeline.articles_from(docs, skipped)[:4]
    backend = AbstractiveBackend(gen, prompts=Prompts())
    prompts = []
    for a in articles:
        plan = backend.plan(a)
        prompts.append(gen.wrap(backend.prompts.render(CONDENSE, **backend._variables(
            a, plan.pieces[0], 1, len(plan.pieces), plan.sizes[0]))))
    out = {"threads": torch.get_num_threads(), "prompt_tokens": gen.count_tokens(prompts)}
    t0 = time.perf_counter()
    gen.generate(prompts)
    out["batch_seconds"] = time.perf_counter() - t0
    out["batch_tokens_per_second"] = tokens * len(prompts) / out["batch_seconds"]
    t0 = time.perf_counter()
    gen.generate(prompts[:1])
    out["one_seconds"] = time.perf_counter() - t0
    out["one_tokens_per_second"] = tokens / out["one_seconds"]
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("models", nargs="+")
    ap.add_argument("--tokens", type=int, default=48)
    ap.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.child:
        print(json.dumps(child(a.models[0], a.tokens)))
        return
    print("model | threads | prompt tokens | batch of 4: s, new tokens/s | one prompt: s, new tokens/s | load before -> after")
    for model in a.models:
        for n in a.threads:
            before = os.getloadavg()[0]
            r = subprocess.run([sys.executable, __file__, model, "--tokens", str(a.tokens), "--child"],
                               env=dict(os.environ, OMP_NUM_THREADS=str(n)), capture_output=True, text=True)
            if r.returncode:
                raise SystemExit(f"{model} with {n} threads: exit {r.returncode}: {r.stderr.strip()[-300:]}")
            x = json.loads(r.stdout.strip().splitlines()[-1])
            print(f"{model} | {x['threads']} | {', '.join(map(str, x['prompt_tokens']))} | "
                  f"{x['batch_seconds']:.1f}, {x['batch_tokens_per_second']:.1f} | "
                  f"{x['one_seconds']:.1f}, {x['one_tokens_per_second']:.1f} | {before:.1f} -> {os.getloadavg()[0]:.1f}",
                  flush=True)
    print(f"(CPU, float32, greedy, {a.tokens} new tokens a prompt, no early stop; BRIEF_HOME={os.environ.get('BRIEF_HOME', '~/.brief')})")


if __name__ == "__main__":
    main()

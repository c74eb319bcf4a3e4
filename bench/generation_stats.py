#!/usr/bin/env python3
"""What grounding did with a generative model's output: generated, kept, dropped (and why), fused.

    python bench/generation_stats.py MODEL [--data ../shared/eval/multiling2011_en.jsonl] [--limit N]

Runs the pipeline in-process on each cluster (written as a folder of .txt files, as
../shared/tools/brief_on_dataset.py writes them) with MODEL, and sums `stats.generation`. Run it after
brief_on_dataset.py with the same BRIEF_HOME: the model's outputs then come from the cache, so this
costs no generation and measures exactly the outputs that were scored.
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def write_cluster(cluster: dict, folder: Path) -> None:
    """As ../shared/tools/brief_on_dataset.py writes it, so the cached outputs match."""
    for i, a in enumerate(cluster["articles"]):
        title = (a.get("title") or "").strip()
        body = a.get("text") or ""
        (folder / f"article_{i:03d}.txt").write_text(f"{title}\n\n{body}" if title else body, encoding="utf-8")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("model")
    ap.add_argument("--data", default=str(ROOT.parent / "shared" / "eval" / "multiling2011_en.jsonl"))
    ap.add_argument("--limit", type=int, default=0)
    ap.add_argument("--words", type=int, default=250)
    a = ap.parse_args()
    from briefing import models, pipeline

    clusters = [json.loads(line) for line in open(a.data, encoding="utf-8")]
    if a.limit:
        clusters = clusters[:a.limit]
    total: Counter = Counter()
    reasons: Counter = Counter()
    fused: Counter = Counter()
    t = time.perf_counter()
    for cluster in clusters:
        with tempfile.TemporaryDirectory() as tmp:
            write_cluster(cluster, Path(tmp))
            settings = pipeline.Settings(inputs=(tmp,), words=a.words, model=models.canonical(a.model))
            g = pipeline.run(settings).stats["generation"]
        for k in ("generated", "kept", "dropped", "replaced", "model_calls", "articles_cached"):
            total[k] += g[k]
        total["articles"] += len(g["articles"])
        total["fallback"] += len(g["fallback"])
        total["shortened"] += len(g["shortened"])
        reasons.update(g["dropped_reasons"])
        fused.update({k: v for k, v in g.get("fused", {}).items()})
    n = total["generated"] or 1
    print(json.dumps({"model": a.model, "clusters": len(clusters), **total,
                      "dropped_rate": round(total["dropped"] / n, 3), "dropped_reasons": dict(reasons),
                      "fused": dict(fused), "seconds": round(time.perf_counter() - t, 1)}, indent=1))


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""The ranking and selection weights swept one at a time on MultiLing 2011: ROUGE of brief at each value.

    .venv/bin/python bench/weight_sweep.py [--data ../shared/eval/multiling2011_en.jsonl] [--words 100,250]
                                           [--knob NAME=v1,v2,...] ... [--tools ../shared/tools] [--limit N] [--quick]

Each knob is a name in briefing/tuning.py (MERGE_W_STATEMENT, MERGE_REDUNDANT, CONDENSE_KEEP_SHARE,
CONDENSE_POSITION_SLOPE, SELECT_COVERAGE_WEIGHT by default, each at its value and around it); the others keep
their values while one moves. Every cluster is written and briefed as bench/rouge_budgets.py does it (the claims'
text, scored by ../shared/tools/rouge_eval.py, cut to N words); the sentences are embedded once and reused, so
a setting costs only condensing, merging and selecting. --quick: the first 3 clusters, 100 words, two values a knob.

This is the sweep tuning.py cites for those weights. The clusters are the dev set the weights were tuned on, so
the best value here flatters them; held-out data should confirm any change.
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

# tuning name -> (module, alias) that the stage reads at run time
KNOBS = {
    "MERGE_W_STATEMENT": ("merge", "W_STATEMENT"),
    "MERGE_W_CENTRAL": ("merge", "W_CENTRAL"),
    "MERGE_W_PRONOUN": ("merge", "W_PRONOUN"),
    "MERGE_REDUNDANT": ("merge", "REDUNDANT"),
    "CONDENSE_KEEP_SHARE": ("condense", "KEEP_SHARE"),
    "CONDENSE_POSITION_SLOPE": ("condense", "POSITION_SLOPE"),
    "SELECT_COVERAGE_WEIGHT": ("select", "COVERAGE_WEIGHT"),
}
DEFAULT = {"MERGE_W_STATEMENT": [2.0, 3.0, 4.0], "MERGE_REDUNDANT": [0.45, 0.55, 0.65],
           "CONDENSE_KEEP_SHARE": [0.6, 0.8, 1.0], "CONDENSE_POSITION_SLOPE": [0.1, 0.25, 0.5],
           "SELECT_COVERAGE_WEIGHT": [0.0, 0.5, 2.0]}


class Cached:
    """The shared embedder, each distinct text embedded once for the whole sweep."""

    def __init__(self, inner):
        self.inner, self.name, self.dim = inner, inner.name, inner.dim
        self.vectors: dict[str, np.ndarray] = {}

    def embed(self, texts):
        todo = list(dict.fromkeys(t for t in texts if t not in self.vectors))
        if todo:
            self.vectors.update(zip(todo, self.inner.embed(todo)))
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack([self.vectors[t] for t in texts])


def parse_knob(text: str) -> tuple[str, list[float]]:
    name, _, values = text.partition("=")
    if name not in KNOBS or not values:
        raise SystemExit(f"--knob NAME=v1,v2: NAME one of {', '.join(KNOBS)}")
    return name, [float(v) for v in values.split(",")]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default=str(ROOT.parent / "shared" / "eval" / "multiling2011_en.jsonl"))
    ap.add_argument("--tools", default=str(ROOT.parent / "shared" / "tools"))
    ap.add_argument("--words", default="100,250")
    ap.add_argument("--knob", action="append", default=[], help="NAME=v1,v2,... (repeat); default: the five above")
    ap.add_argument("--limit", type=int, default=0)
    ap.add_argument("--quick", action="store_true")
    a = ap.parse_args()
    sys.path.insert(0, a.tools)
    import rouge_eval  # noqa: E402  (../shared/tools)
    from brief_on_dataset import write_cluster  # noqa: E402
    from rouge_budgets import cluster_folders  # noqa: E402  (bench/)

    from briefing import condense, merge, pipeline, select, tuning
    from briefing.models import minilm

    modules = {"merge": merge, "condense": condense, "select": select}
    knobs = dict(parse_knob(k) for k in a.knob) or dict(DEFAULT)
    words_list = [int(w) for w in a.words.split(",")]
    clusters = [json.loads(line) for line in open(a.data, encoding="utf-8")]
    if a.quick:
        clusters, words_list = clusters[:3], words_list[:1]
        knobs = {k: sorted({getattr(tuning, k), v[-1]}) for k, v in knobs.items()}
    if a.limit:
        clusters = clusters[:a.limit]
    refs = {cid: r for cid, r in rouge_eval.references(a.data).items() if cid in {c["id"] for c in clusters}}
    embedder = Cached(minilm.shared())
    t0 = time.perf_counter()
    print(f"{Path(a.data).name}, {len(clusters)} clusters; R2-R / R1-R of brief's claims at each value "
          f"(* the value in tuning.py)")
    print(f"{'knob':26s} {'value':>6s} " + " ".join(f"{'R2-R@' + str(w):>9s} {'R1-R@' + str(w):>9s}"
                                                   for w in words_list))
    with tempfile.TemporaryDirectory(prefix="weight-sweep-") as tmp:
        folders = cluster_folders(clusters, Path(tmp), write_cluster)
        for name, values in knobs.items():
            module, alias = KNOBS[name]
            mod = modules[module]
            kept = getattr(mod, alias)
            try:
                for value in values:
                    setattr(mod, alias, value)
                    cells = []
                    for words in words_list:
                        summ = {}
                        for c in clusters:
                            b = pipeline.run(pipeline.Settings(inputs=(str(folders[c["id"]]),), words=words),
                                             embedder=embedder)
                            summ[c["id"]] = " ".join(cl.text for s in b.stories for cl in s.claims)
                        r = rouge_eval.score(refs, summ, words)[0]
                        cells.append(f"{r['R2-R']:9.2f} {r['R1-R']:9.2f}")
                    mark = "*" if value == getattr(tuning, name) else " "
                    print(f"{name:26s} {value:6g}{mark}" + " ".join(cells), flush=True)
            finally:
                setattr(mod, alias, kept)
    print(f"({time.perf_counter() - t0:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""The ranking and selection weights swept one at a time on MultiLing 2011: ROUGE of brief at each value.

    .venv/bin/python bench/weight_sweep.py [--data ../shared/eval/multiling2011_en.jsonl] [--words 100,250]
                                           [--knob NAME=v1,v2,...] ... [--grid] [--halves]
                                           [--tools ../shared/tools] [--limit N] [--quick]

Each knob is a name in briefing/tuning.py (MERGE_W_POSITION, MERGE_W_AGREE, MERGE_REDUNDANT,
CONDENSE_POSITION_SLOPE, SELECT_COVERAGE_WEIGHT by default, each at its value and around it; also
MERGE_W_SOURCES, CONDENSE_KEEP_SHARE, SELECT_MIN_SOURCES); the others keep
their values while one moves. Every cluster is written and briefed as bench/rouge_budgets.py does it (the claims'
text, scored by ../shared/tools/rouge_eval.py, cut to N words); the sentences are embedded once and reused, so
a setting costs only condensing, merging and selecting. --quick: the first 3 clusters, 100 words, two values a knob.
--grid: every combination of the knobs' values instead of one knob at a time. --halves: R2-R on the even and the
odd clusters alone beside the whole, so a value that wins on one half only shows as such.

This is the sweep tuning.py cites for those weights. The clusters are the dev set the weights were tuned on, so
the best value here flatters them; held-out data should confirm any change.
"""
from __future__ import annotations

import argparse
import itertools
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
    "MERGE_W_POSITION": ("merge", "W_POSITION"),
    "MERGE_W_AGREE": ("merge", "W_AGREE"),
    "MERGE_W_SOURCES": ("merge", "W_SOURCES"),
    "MERGE_REDUNDANT": ("merge", "REDUNDANT"),
    "CONDENSE_KEEP_SHARE": ("condense", "KEEP_SHARE"),
    "CONDENSE_POSITION_SLOPE": ("condense", "POSITION_SLOPE"),
    "SELECT_COVERAGE_WEIGHT": ("select", "COVERAGE_WEIGHT"),
    "SELECT_MIN_SOURCES": ("select", "MIN_SOURCES"),
}
DEFAULT = {"MERGE_W_POSITION": [0.25, 0.5, 1.0], "MERGE_W_AGREE": [0.0, 0.25, 0.5],
           "MERGE_REDUNDANT": [0.55, 0.65, 0.75], "CONDENSE_POSITION_SLOPE": [0.25, 0.5, 0.75],
           "SELECT_COVERAGE_WEIGHT": [0.5, 1.0, 2.0]}


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
    ap.add_argument("--grid", action="store_true", help="every combination of the knobs' values, not one at a time")
    ap.add_argument("--halves", action="store_true", help="also R2-R on the even and the odd clusters alone")
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
    if a.grid:  # every combination of the knobs' values
        names = list(knobs)
        settings = [dict(zip(names, combo)) for combo in itertools.product(*(knobs[n] for n in names))]
    else:  # one knob at a time, the others at their values in tuning.py
        settings = [{name: value} for name, values in knobs.items() for value in values]
    halves = [clusters[0::2], clusters[1::2]] if a.halves else []
    print(f"{Path(a.data).name}, {len(clusters)} clusters; R2-R / R1-R of brief's claims at each value "
          f"(* the value in tuning.py)" + ("; then R2-R on the even and the odd clusters alone" if halves else ""))
    label = max(len(", ".join(f"{n}={v:g}" for n, v in st.items())) for st in settings) + 1
    print(f"{'setting':{label}s} " + " ".join(
        f"{'R2-R@' + str(w):>9s} {'R1-R@' + str(w):>9s}" + ("".join(f" {'R2-R@' + str(w) + h:>10s}"
                                                                  for h in ('e', 'o')) if halves else "")
        for w in words_list))
    with tempfile.TemporaryDirectory(prefix="weight-sweep-") as tmp:
        folders = cluster_folders(clusters, Path(tmp), write_cluster)
        for setting in settings:
            kept = {name: getattr(modules[KNOBS[name][0]], KNOBS[name][1]) for name in setting}
            try:
                for name, value in setting.items():
                    setattr(modules[KNOBS[name][0]], KNOBS[name][1], value)
                cells = []
                for words in words_list:
                    summ = {}
                    for c in clusters:
                        b = pipeline.run(pipeline.Settings(inputs=(str(folders[c["id"]]),), words=words),
                                         embedder=embedder)
                        summ[c["id"]] = " ".join(cl.text for s in b.stories for cl in s.claims)
                    r = rouge_eval.score(refs, summ, words)[0]
                    cell = f"{r['R2-R']:9.2f} {r['R1-R']:9.2f}"
                    for half in halves:
                        ids = {c["id"] for c in half}
                        part = rouge_eval.score({k: v for k, v in refs.items() if k in ids}, summ, words)[0]
                        cell += f" {part['R2-R']:10.2f}"
                    cells.append(cell)
                mark = "*" if all(v == getattr(tuning, n) for n, v in setting.items()) else " "
                text = ", ".join(f"{n}={v:g}" for n, v in setting.items()) + mark
                print(f"{text:{label}s} " + " ".join(cells), flush=True)
            finally:
                for name, value in kept.items():
                    setattr(modules[KNOBS[name][0]], KNOBS[name][1], value)
    print(f"({time.perf_counter() - t0:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

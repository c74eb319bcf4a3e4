#!/usr/bin/env python3
"""What the stand-alone filter costs in coverage: MultiLing ROUGE with the filter as built, without it, and as a
plain filter (refusing a claim that does not read alone instead of taking another source's sentence), in one run.

    .venv/bin/python bench/standalone_rouge.py [--data ../shared/eval/multiling2011_en.jsonl] [--words 100,250]
                                               [--tools ../shared/tools] [--show]

Modes (each run through pipeline.run, as bench/rouge_budgets.py runs `brief`):
  built   merge.readable_form as it is: a claim whose sentence does not read alone takes the sentence of another
          source that states it and does, else it is left out;
  drop    a claim whose sentence does not read alone is left out (the filter of session 2);
  off     no stand-alone filter: every candidate competes for the budget.
It also counts what readable_form did with every candidate under "built" (kept its own sentence, took another
source's, left it out). Scores from ../shared/tools/rouge_eval.py (rouge-score, Porter stemming, cut to N words). `--show` prints, for
each cluster, the claims of "off" that "built" refuses, each with standalone.reason and the reference bigrams
only it brings (bigrams of the references, stemmed, that no claim of "built" has): where a refusal costs ROUGE.
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default=str(ROOT.parent / "shared" / "eval" / "multiling2011_en.jsonl"))
    ap.add_argument("--tools", default=str(ROOT.parent / "shared" / "tools"))
    ap.add_argument("--words", default="100,250")
    ap.add_argument("--show", action="store_true")
    ap.add_argument("--labelled", action="store_true",
                    help="only the clusters of ../shared/eval/support_pairs.jsonl (the 22 of the judged read-through)")
    a = ap.parse_args()
    sys.path.insert(0, a.tools)
    import rouge_eval  # noqa: E402  (../shared/tools)
    from brief_on_dataset import write_cluster  # noqa: E402
    from rouge_budgets import cluster_folders  # noqa: E402
    from rouge_score import rouge_scorer  # noqa: E402

    from briefing import merge, pipeline, standalone
    from briefing.models import minilm

    built = merge.readable_form
    outcome = {"own sentence": 0, "another source's sentence": 0, "left out": 0}

    def counted(c, *args, **kwargs):
        r = built(c, *args, **kwargs)
        outcome["left out" if r is None else "own sentence" if r is c else "another source's sentence"] += 1
        return r

    def drop(c, headline, *args, **kwargs):
        return c if standalone.standalone(merge.claim_text(c.statement.text), headline) else None

    modes = {"built": counted, "drop": drop, "off": lambda c, *args, **kwargs: c}
    clusters = [json.loads(line) for line in open(a.data, encoding="utf-8")]
    if a.labelled:
        pairs = Path(a.data).resolve().parent / "support_pairs.jsonl"
        ids = {json.loads(line)["cluster"] for line in open(pairs, encoding="utf-8")}
        clusters = [c for c in clusters if c["id"] in ids]
    refs = rouge_eval.references(a.data)
    embedder = minilm.shared()
    tokenizer = rouge_scorer.RougeScorer(["rouge2"], use_stemmer=True)._tokenizer  # the one rouge_eval scores with

    def bigrams(text: str) -> set[tuple[str, str]]:
        toks = tokenizer.tokenize(text)
        return set(zip(toks, toks[1:]))

    with tempfile.TemporaryDirectory(prefix="standalone-rouge-") as tmp:
        folders = cluster_folders(clusters, Path(tmp), write_cluster)
        for words in [int(w) for w in a.words.split(",")]:
            out: dict[str, dict[str, list[tuple[str, str]]]] = {}
            outcome.update(dict.fromkeys(outcome, 0))
            for mode, fn in modes.items():
                merge.readable_form = fn
                try:
                    out[mode] = {}
                    for c in clusters:
                        b = pipeline.run(pipeline.Settings(inputs=(str(folders[c["id"]]),), words=words),
                                         embedder=embedder)
                        out[mode][c["id"]] = [(s.headline, cl.text) for s in b.stories for cl in s.claims]
                finally:
                    merge.readable_form = built
            keys = ["R1-R", "R2-R", "RL-R"]
            print(f"\n{Path(a.data).name}, {len(clusters)} clusters, {words} words")
            print(f"{'mode':8s} " + " ".join(f"{k:>6s}" for k in keys) + "  claims  refused-if-built")
            for mode, per in out.items():
                summ = {cid: " ".join(t for _, t in claims) for cid, claims in per.items()}
                # a set without references (Giveme5W1H) gets no ROUGE, only the counts
                r = rouge_eval.score(refs, summ, words)[0] if refs else dict.fromkeys(keys, float("nan"))
                n = sum(len(v) for v in per.values())
                refused = sum(not standalone.standalone(t, h) for v in per.values() for h, t in v)
                print(f"{mode:8s} " + " ".join(f"{r[k]:6.2f}" for k in keys) + f"  {n:6d}  {refused:6d}")
            print("candidates under 'built': " + ", ".join(f"{k} {v}" for k, v in outcome.items()))
            taken = sum(t not in {x for _, x in out["drop"][cid]} for cid, v in out["built"].items() for _, t in v)
            print(f"claims of 'built' that 'drop' lacks: {taken}")
            if a.show:
                for cid, claims in out["off"].items():
                    have = set().union(*(bigrams(t) for _, t in out["built"][cid])) if out["built"][cid] else set()
                    ref = set().union(*(bigrams(r) for r in refs.get(cid, [])))
                    for h, t in claims:
                        why = standalone.reason(t, h)
                        if why:
                            only = sorted(" ".join(g) for g in (bigrams(t) & ref) - have)
                            print(f"  {cid}\t{why}\t{len(only)} ref bigrams only here\t{t}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

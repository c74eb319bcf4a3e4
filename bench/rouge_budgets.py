#!/usr/bin/env python3
"""ROUGE across budgets: brief beside Lead, sumy LexRank and sumy TextRank, in one run.

    .venv/bin/python bench/rouge_budgets.py [--data ../shared/eval/multiling2011_en.jsonl] [--words 100,250]
                                            [--tools ../shared/tools] [--limit N]

Each cluster is written as a folder of .txt files exactly as ../shared/tools/brief_on_dataset.py writes it and
briefed through pipeline.run (what `brief make FOLDER --words N` runs; the model is loaded once here instead of
once a process). The summary is the claims' text, story by story. Peers come from ../shared/tools/peers.py and
scores from ../shared/tools/rouge_eval.py (rouge-score, Porter stemming, everything cut to N words).
Needs the bench extra (rouge-score, sumy).
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def cluster_folders(clusters: list[dict], tmp: Path, write_cluster) -> dict[str, Path]:
    """Each cluster as a folder of .txt files under tmp, written by brief_on_dataset.write_cluster; by cluster id."""
    folders = {}
    for c in clusters:
        folder = tmp / str(c["id"]).replace("/", "_")
        folder.mkdir()
        write_cluster(c, folder)
        folders[c["id"]] = folder
    return folders


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default=str(ROOT.parent / "shared" / "eval" / "multiling2011_en.jsonl"))
    ap.add_argument("--tools", default=str(ROOT.parent / "shared" / "tools"))
    ap.add_argument("--words", default="100,250")
    ap.add_argument("--limit", type=int, default=0)
    a = ap.parse_args()
    sys.path.insert(0, a.tools)
    import peers  # noqa: E402  (../shared/tools)
    import rouge_eval  # noqa: E402
    from brief_on_dataset import write_cluster  # noqa: E402
    from sumy.summarizers.lex_rank import LexRankSummarizer
    from sumy.summarizers.text_rank import TextRankSummarizer

    from briefing import pipeline
    from briefing.models import minilm

    clusters = [json.loads(line) for line in open(a.data, encoding="utf-8")]
    if a.limit:
        clusters = clusters[:a.limit]
    refs = {cid: r for cid, r in rouge_eval.references(a.data).items() if cid in {c["id"] for c in clusters}}
    embedder = minilm.shared()
    systems = {"Lead": peers.lead, "sumy LexRank": peers.sumy_peer(LexRankSummarizer),
               "sumy TextRank": peers.sumy_peer(TextRankSummarizer)}
    with tempfile.TemporaryDirectory(prefix="rouge-budgets-") as tmp:
        folders = cluster_folders(clusters, Path(tmp), write_cluster)
        for words in [int(w) for w in a.words.split(",")]:
            rows, over = [], 0
            t0 = time.perf_counter()
            summ = {}
            for c in clusters:
                b = pipeline.run(pipeline.Settings(inputs=(str(folders[c["id"]]),), words=words), embedder=embedder)
                texts = [cl.text for s in b.stories for cl in s.claims]
                over += sum(len(t.split()) for t in texts) > words
                summ[c["id"]] = " ".join(texts)
            brief_s = (time.perf_counter() - t0) / len(clusters)
            rows.append(("brief", rouge_eval.score(refs, summ, words)[0], brief_s))
            for name, run in systems.items():
                t0 = time.perf_counter()
                out = {c["id"]: run(c, words) for c in clusters}
                rows.append((name, rouge_eval.score(refs, out, words)[0], (time.perf_counter() - t0) / len(clusters)))
            keys = ["R1-R", "R2-R", "RL-R", "R1-F", "R2-F", "RL-F"]
            print(f"\n{Path(a.data).name}, {len(clusters)} clusters, {words} words "
                  f"(brief over the budget in {over} of {len(clusters)})")
            print(f"{'system':16s} " + " ".join(f"{k:>6s}" for k in keys) + "  s/cluster")
            for name, r, secs in rows:
                print(f"{name:16s} " + " ".join(f"{r[k]:6.2f}" for k in keys) + f"  {secs:9.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""The stand-alone predicate (briefing/standalone.py) on the hand-labelled claims: accuracy per label.

    python bench/standalone_bench.py [../shared/eval/claim_standalone.jsonl] [--show] [--titles]

OK should be kept; DANGLING, FRAGMENT and FURNITURE should be refused (OTHER is left out). Prints, per
label and per set, the share the predicate gets right; --show prints each mistake with its reason.
--titles also counts the article titles of the eval sets (../shared/eval/*.jsonl) that the extract stage takes for a
page's section label (extract.section_title) and replaces, and prints each (titles only: no article text).
"""
import argparse
import collections
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from briefing import standalone  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("labels", nargs="?",
                    default=str(Path(__file__).resolve().parents[2] / "shared/eval/claim_standalone.jsonl"))
    ap.add_argument("--show", action="store_true")
    ap.add_argument("--titles", action="store_true")
    a = ap.parse_args()
    right = collections.Counter()
    total = collections.Counter()
    for line in open(a.labels, encoding="utf-8"):
        r = json.loads(line)
        if r["label"] == "OTHER":
            continue
        why = standalone.reason(r["claim"], r["headline"])
        ok = (why is None) == (r["label"] == "OK")
        for key in (r["label"], f"{r['set']}:{r['label']}", "all"):
            total[key] += 1
            right[key] += ok
        if a.show and not ok:
            print(f"[{r['label']}] {r['why']} | ours: {why}\n  {r['claim'][:200]}\n  headline: {r['headline']}\n")
    for key in sorted(total):
        print(f"{key:34} {right[key]:4d}/{total[key]:<4d} {right[key] / total[key]:6.1%}")
    if a.titles:
        titles(Path(a.labels).resolve().parent)


def titles(eval_dir: Path) -> None:
    """Article titles of the eval sets that the extract stage takes for a section label."""
    from briefing import extract
    from briefing.types import RawDocument

    seen, replaced = 0, []
    for path in sorted(eval_dir.glob("*.jsonl")):
        for line in open(path, encoding="utf-8"):
            articles = json.loads(line).get("articles")
            for art in articles if isinstance(articles, list) else []:
                title = (art.get("title") or "").strip()
                if not title or not art.get("text"):
                    continue
                seen += 1
                try:
                    built = extract.build_article(RawDocument(input="a.txt", text=f"{title}\n\n{art['text']}",
                                                              kind="text"), 1)
                except extract.EmptyArticle:
                    continue
                if extract.section_title(title, built.sentences):
                    replaced.append((path.name, title))
    print(f"titles taken for a section label: {len(replaced)} of {seen}")
    for name, title in replaced:
        print(f"  {name}\t{title}")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Where a briefing's words go, cluster by cluster: stories, claim and disagreement words, and the candidates
each filter leaves (stand-alone, uncontested, cited by two or more sources).

    .venv/bin/python bench/where_words_go.py [--data ../shared/eval/multiling2011_en.jsonl] [--words 250]
                                             [--tools ../shared/tools] [--limit N] [--claims]

Each cluster is written as a folder exactly as ../shared/tools/brief_on_dataset.py writes it and briefed through
pipeline.run (what `brief make FOLDER --words N` runs). For each story the candidates are rebuilt with
merge.build_story and the same filters make_stories applies (standalone.standalone under the story's headline,
then the uncontested ones), so the counts say which rule took how many. R2-R is the cluster's own ROUGE-2 recall
(../shared/tools/rouge_eval.py). The texts are read from the data file at run time and never written anywhere
but a temporary folder.
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default=str(ROOT.parent / "shared" / "eval" / "multiling2011_en.jsonl"))
    ap.add_argument("--tools", default=str(ROOT.parent / "shared" / "tools"))
    ap.add_argument("--words", type=int, default=250)
    ap.add_argument("--limit", type=int, default=0)
    ap.add_argument("--claims", action="store_true", help="print each claim's first words too")
    a = ap.parse_args()
    sys.path.insert(0, a.tools)
    import rouge_eval  # noqa: E402  (../shared/tools)
    from brief_on_dataset import write_cluster  # noqa: E402

    from briefing import merge, models, pipeline, standalone
    from briefing.models import minilm

    clusters = [json.loads(line) for line in open(a.data, encoding="utf-8")]
    if a.limit:
        clusters = clusters[:a.limit]
    refs = rouge_eval.references(a.data)
    embedder = minilm.shared()
    totals = {"claim words": 0, "conflict words": 0, "unspent": 0, "stories": 0, "candidates": 0,
              "not stand-alone": 0, "contested": 0, "multi-source chosen": 0, "claims": 0}
    print(f"{Path(a.data).name}, {len(clusters)} clusters, {a.words} words")
    for c in clusters:
        with tempfile.TemporaryDirectory(prefix="where-words-") as tmp:
            write_cluster(c, Path(tmp))
            settings = pipeline.Settings(inputs=(tmp,), words=a.words)
            b = pipeline.run(settings, embedder=embedder)
        vecs = {art.id: embedder.embed([s.text for s in art.sentences]) for art in b.articles}
        backend = models.condensers.get(settings.model)
        statements = dict(zip([art.id for art in b.articles],
                              backend.condense(b.articles, vecs, embedder).statements))
        claim_w = sum(len(cl.text.split()) for s in b.stories for cl in s.claims)
        conflict_w = merge.conflict_words([k for s in b.stories for k in s.conflicts])
        r2 = rouge_eval.score({c["id"]: refs[c["id"]]}, {c["id"]: " ".join(cl.text for s in b.stories
                                                                            for cl in s.claims)}, a.words)[0]
        print(f"\n{c['id']}: R2-R {r2['R2-R']:.2f}, {len(b.articles)} articles "
              f"({sum(x.duplicate_of is not None for x in b.articles)} copies), {len(b.stories)} stories, "
              f"claim words {claim_w}, disagreement words {conflict_w}, unspent {a.words - claim_w - conflict_w}")
        totals["claim words"] += claim_w
        totals["conflict words"] += conflict_w
        totals["unspent"] += a.words - claim_w - conflict_w
        totals["stories"] += len(b.stories)
        for s in b.stories:
            group = [art for art in b.articles if art.id in s.articles]
            stmt_vecs = [vecs[art.id][[st.support[0] for st in statements[art.id]]] for art in group]
            cands, _ = merge.build_story(group, [statements[art.id] for art in group], vecs, stmt_vecs)
            alone = [x for x in cands if standalone.standalone(merge.claim_text(x.statement.text), s.headline)]
            uncontested = [x for x in alone if not x.disagreements]
            multi = sum(len({x.source for x in cl.citations}) > 1 for cl in s.claims)
            totals["candidates"] += len(cands)
            totals["not stand-alone"] += len(cands) - len(alone)
            totals["contested"] += len(alone) - len(uncontested)
            totals["multi-source chosen"] += multi
            totals["claims"] += len(s.claims)
            print(f"  {len(group):2d} articles | {len(s.claims):2d} claims, "
                  f"{sum(len(cl.text.split()) for cl in s.claims):3d} words ({multi} from 2+ sources) | "
                  f"{len(s.conflicts)} disagreements, {merge.conflict_words(s.conflicts):3d} words | candidates "
                  f"{len(cands)}, not stand-alone {len(cands) - len(alone)}, contested "
                  f"{len(alone) - len(uncontested)} | {s.headline[:50]}")
            if a.claims:
                for cl in s.claims:
                    print(f"      [{len({x.source for x in cl.citations})}] {cl.text[:100]}")
    print("\ntotals: " + ", ".join(f"{k} {v}" for k, v in totals.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())

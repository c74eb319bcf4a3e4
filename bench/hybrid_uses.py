#!/usr/bin/env python3
"""Which uses of sentence vectors lose quality when the static table serves them: ROUGE per use.

    .venv/bin/python bench/hybrid_uses.py [--data ../shared/eval/multiling2011_en.jsonl] [--words 100,250]
                                         [--variants all-onnx,all-static,cluster,condense,...]

Every sentence is embedded twice, by the fp32 MiniLM (onnx) and by the static table; each variant then briefs
every cluster with the transformer's vectors everywhere except in the uses it names, which read the static
table's (a use never compares a vector of one space with one of the other):
  condense   the extractive condenser's centrality (which sentences become statements)
  cluster    merge.story_groups (which articles make one story)
  conflicts  merge.story_conflicts (which sentence pairs are compared for disagreement)
  retrieve   build_story's retrieval: each statement's closest sentence in every other article (the support
             check's evidence, and the agreement score), and the story's centroid
  select     the candidates' vectors in choose() (redundancy), lede_first and readable_form
A variant may join uses with '+' (cluster+condense). A variant hybrid:C:K briefs with the hybrid embedder
(--embedder minilm-hybrid) with focus.py's COMPETE = C and NEIGHBOURS = K, and prints the share of the sentences the
transformer read. Exploration: measures, changes nothing.
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

USES = ("condense", "cluster", "conflicts", "retrieve", "select")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default=str(ROOT.parent / "shared" / "eval" / "multiling2011_en.jsonl"))
    ap.add_argument("--tools", default=str(ROOT.parent / "shared" / "tools"))
    ap.add_argument("--words", default="100,250")
    ap.add_argument("--variants", default="all-onnx,all-static," + ",".join(USES))
    a = ap.parse_args()
    sys.path.insert(0, a.tools)
    import rouge_eval  # noqa: E402
    from brief_on_dataset import write_cluster  # noqa: E402

    from briefing import condense, focus, merge, pipeline
    from briefing.ingest import gather
    from briefing.models import minilm
    from briefing.models.hybrid_minilm import HybridMiniLM

    class Counting:
        """The transformer, counting the sentences it is asked for."""

        def __init__(self, inner):
            self.inner, self.name, self.dim, self.read = inner, inner.name, inner.dim, set()

        def embed(self, texts):
            self.read.update(texts)
            return self.inner.embed(texts)

    onnx, static = minilm.shared("onnx"), minilm.shared("static")
    clusters = [json.loads(line) for line in open(a.data, encoding="utf-8")]
    refs = rouge_eval.references(a.data)
    space: dict[str, dict[int, np.ndarray]] = {}  # "onnx"/"static" -> article id -> its sentences' vectors
    active: set[str] = set()

    def vecs(use: str, given: dict) -> dict:
        return space["static"] if use in active else given

    orig = {name: getattr(merge, name) for name in ("story_groups", "story_conflicts", "build_story", "story_work")}
    merge.story_groups = lambda arts, sv, *rest: orig["story_groups"](arts, vecs("cluster", sv), *rest)
    merge.story_conflicts = lambda arts, sv: orig["story_conflicts"](arts, vecs("conflicts", sv))

    def build_story(articles, statements, sent_vecs, stmt_vecs, support=None, pairs=None):
        if "retrieve" not in active:
            return orig["build_story"](articles, statements, sent_vecs, stmt_vecs, support, pairs)
        st = space["static"]
        svecs = [st[a.id][[s.support[0] for s in ss]] if ss else v for a, ss, v in zip(articles, statements, stmt_vecs)]
        cands, _ = orig["build_story"](articles, statements, st, svecs, support, pairs)
        for c in cands:  # the candidates keep the transformer's vectors: only retrieval read the table's
            c.vector = sent_vecs[c.statement.article][c.statement.support[0]]
        centroid = np.mean([merge.article_vector(sent_vecs[x.id]) for x in articles], axis=0)
        return cands, centroid / (np.linalg.norm(centroid) or 1.0)
    merge.build_story = build_story

    def story_work(item, support=None, only=False):
        group, statements, sent_vecs, stmt_vecs, block = item
        if "select" in active:  # unpack the block, then give every later step the table's vectors
            sent_vecs = {i: block[v[0]:v[1]] if isinstance(v, tuple) else v for i, v in sent_vecs.items()}
            sent_vecs = {i: space["static"][i] for i in sent_vecs}
            stmt_vecs = {a.id: space["static"][a.id][[s.support[0] for s in statements[a.id]]]
                         if statements[a.id] else stmt_vecs[a.id] for a in group}
            item = (group, statements, sent_vecs, stmt_vecs, None)
        return orig["story_work"](item, support, only)
    merge.story_work = story_work

    orig_condense = condense.ExtractiveBackend.condense

    def condense_with(self, articles, vectors, embedder=None, advance=None):
        return orig_condense(self, articles, vecs("condense", vectors), embedder, advance)
    condense.ExtractiveBackend.condense = condense_with

    budgets = [int(w) for w in a.words.split(",")]
    results: dict[str, dict[int, float]] = {}
    with tempfile.TemporaryDirectory(prefix="hybrid-uses-") as tmp:
        arts_of = {}
        for c in clusters:
            folder = Path(tmp) / str(c["id"]).replace("/", "_")
            folder.mkdir()
            write_cluster(c, folder)
            docs, skipped = gather([str(folder)])
            arts_of[c["id"]] = (pipeline.articles_from(docs, skipped), skipped)
        for variant in a.variants.split(","):
            hybrid = variant.startswith("hybrid:")
            uses = set(USES) if variant == "all-static" else set() if variant == "all-onnx" or hybrid \
                else set(variant.split("+"))
            if hybrid:
                focus.COMPETE, focus.NEIGHBOURS = float(variant.split(":")[1]), int(variant.split(":")[2])
            active.clear()
            active.update(uses)
            results[variant] = {}
            share = []
            for words in budgets:
                summ = {}
                for c in clusters:
                    arts, skipped = arts_of[c["id"]]
                    for name, m in (("onnx", onnx), ("static", static)):
                        space[name] = {x.id: m.embed([s.text for s in x.sentences]) for x in arts}
                    counting = Counting(onnx)
                    embedder = HybridMiniLM(counting, static) if hybrid else onnx
                    b = pipeline.brief(arts, list(skipped), pipeline.Settings(inputs=(), words=words), embedder=embedder)
                    summ[c["id"]] = " ".join(cl.text for s in b.stories for cl in s.claims)
                    share.append(len(counting.read) / len({s.text for x in arts for s in x.sentences}))
                results[variant][words] = rouge_eval.score(refs, summ, words)[0]["R2-R"]
            print(f"{variant:28s} " + "  ".join(f"R2-R@{w} {results[variant][w]:6.2f}" for w in budgets)
                  + (f"  transformer read {np.mean(share):.0%} of the sentences" if hybrid else ""), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

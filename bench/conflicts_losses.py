#!/usr/bin/env python3
"""Where "where sources differ" loses its recall: for every labelled contradiction, update and hedge, the first
stage at which it is lost, counted per stage and per slot.

    python bench/conflicts_losses.py LABELS DATA [DATA ...] WORKDIR [--cache FILE] [--show STAGE]

WORKDIR holds the briefings' JSON of a run of bench/conflicts_eval.py (or ../shared/tools/conflicts_score.py) at
--words 250; the detector is run here alone, as `bench/conflicts_eval.py --quick` runs it (same sentence cache).
Stages, in the order a disagreement goes through them:

  a  split     a labelled side's sentence is none of the sentences brief splits from its article (or both labelled
               sides are in one article)
  b  gate      no pair of the labelled sentences reaches the rule of its slot: the gate that stops the closest pair
               (cosine, a shared name, the same years; for the slot-first tallies their own closeness and gate);
               printed with how many of them the slot's rule would find were the closeness gates open
  c  rule      a pair reaches its slot's rule, but no value is read in that slot on one side (c-unread), or both
               are read and the rule is silent (c-silent); who-did-what and other (not hedges) have no rule (c-none)
  d  briefing  the detector finds it (--quick), the briefing at --words 250 does not: a side's article is marked a
               copy (d-copy), the sides fall in two stories (d-stories), or the story's conflicts leave it out
               (d-dropped: the share of the words, five a story, or the story not shown)
  e  matching  the briefing shows a conflict of that slot with one labelled side, not both (the scorer misses it)
  found        the briefing shows it (as the scorer counts)
"""
from __future__ import annotations

import argparse
import collections
import pickle
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from conflicts_eval import (REAL, article_text, cache_key, contains, half, load, matches,  # noqa: E402
                            reported_by_brief, reported_quick)

STAGES = ("a-split", "a-same-article", "b-cosine", "b-names", "b-years", "b-tally-gate", "c-none", "c-unread",
          "c-silent", "d-copy", "d-stories", "d-dropped", "e-matching", "found")


def reads(slot: str, text: str) -> bool:
    """Whether the detector reads a value of this slot in the sentence at all."""
    from briefing import conflicts as cf
    from briefing import facts as fl
    if slot == "number":
        return bool(fl.quantities(text) or cf._measures(text) or cf._moves(text))
    if slot == "day":
        return bool(fl.day_mentions(text))
    if slot == "date":
        f = fl.facts(text)
        return bool(f.dates or f.years)
    if slot == "time":
        return bool(fl.clock_times(text))
    if slot == "place":
        return bool(fl.places(text) or cf.WATER.search(fl.fold(text)))
    if slot == "name":
        return bool(fl.facts(text).names)
    return True


def gate(slot: str, kind: str, a: str, b: str, cos: float) -> str | None:
    """The gate of conflicts.compare (or of the slot-first tallies) that stops this pair before its slot's rule;
    None when the pair reaches the rule."""
    from briefing import conflicts as cf
    if slot == "number":
        ta, tb = cf._tallies(a), cf._tallies(b)
        if ta.keys() & tb.keys():
            if cos >= cf.SAME_TALLY and cf._same_happening(a, b):
                return None
            if cos >= cf.SAME_TALLY:
                return "b-tally-gate"
    need = {"number": cf.SAME_COUNT, "other": cf.SAME_HEDGED if kind == "hedge" else cf.SAME_ACTION}.get(
        slot, cf.SAME_ACTION)
    if cos < max(cf.SAME_THING, need):
        return "b-cosine"
    if not cf._names_compatible(a, b, first_word=False):
        return "b-names"
    if not cf._years_compatible(a, b) and slot != "date":
        return "b-years"
    if slot != "number" and not cf._names_compatible(a, b):
        return "b-names"
    return None


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("labels")
    ap.add_argument("rest", nargs="+")
    ap.add_argument("--cache", default=None, help="a file of your own to keep the sentences' vectors between runs")
    ap.add_argument("--show", action="append", default=[], help="print each label lost at this stage")
    a = ap.parse_args()
    *datas, work = a.rest
    by, clusters = load(a.labels, datas)
    cache = pickle.loads(Path(a.cache).read_bytes()) if a.cache and Path(a.cache).exists() else {}
    from briefing import merge

    count = {g: collections.Counter() for g in ("all", "tune-even", "check-odd")}
    per_slot = collections.defaultdict(collections.Counter)
    cosines = collections.defaultdict(list)  # the closest pair's cosine, per gate that stopped it
    for cid, labs in sorted(by.items()):
        quick = reported_quick(cid, clusters[cid], cache)
        shown = reported_by_brief(cid, clusters[cid], Path(work), "brief", 250, True)
        sents, vecs = cache[cache_key(cid)]
        clean = {k: [merge.claim_text(s) for s in v] for k, v in sents.items()}
        # The briefing's own view of the articles: copies, and which story each article falls in.
        from briefing import extract
        from briefing.types import RawDocument
        arts = []
        for i, art in enumerate(clusters[cid]["articles"]):
            try:
                arts.append(extract.build_article(RawDocument(input=f"a{i}", text=article_text(art)), i))
            except extract.EmptyArticle:
                pass
        marked = merge.mark_duplicates(arts)
        copy = {x.id for x in marked if x.duplicate_of is not None}
        originals = [x for x in marked if x.duplicate_of is None]
        story = {}
        for n, g in enumerate(merge.story_groups(originals, vecs)):
            for i in g:
                story[originals[i].id] = n
        for lab in labs:
            if lab["type"] != "disagreement" or lab["kind"] not in REAL:
                continue
            slot, kind = lab["slot"], lab["kind"]
            at = []  # per labelled side: (article, [sentence rows holding it])
            for side in lab["sides"]:
                art = side["article"]
                rows = [r for r, t in enumerate(sents.get(art, [])) if contains(t, side["sentence"])]
                at.append((art, rows))
            if any(matches(s[0], lab) for s in shown):
                stage = "found"
            elif any(matches(s[0], lab) for s in quick):
                hit_one = any(s[2] == slot and sum(any(contains(t, side["sentence"]) for sd in s[0] for t in sd)
                                                   for side in lab["sides"]) >= 1 for s in shown)
                arts_l = [x for x, rows in at if rows]
                if any(x in copy for x in arts_l):
                    stage = "d-copy"
                elif len({story.get(x) for x in arts_l}) > 1:
                    stage = "d-stories"
                elif hit_one:
                    stage = "e-matching"
                else:
                    stage = "d-dropped"
            elif sum(bool(rows) for _, rows in at) < 2:
                stage = "a-split"
            else:
                pairs = [(x, r, y, c) for n, (x, rx) in enumerate(at) for (y, ry) in at[n + 1:] if x != y
                         for r in rx for c in ry]
                if not pairs:
                    stage = "a-same-article"
                else:
                    reached, gates = [], []
                    for x, r, y, c in pairs:
                        ta, tb = clean[x][r], clean[y][c]
                        cos = float(vecs[x][r] @ vecs[y][c])
                        g = gate(slot, kind, ta, tb, cos)
                        (gates if g else reached).append((cos, g, ta, tb))
                    if reached:
                        if slot in ("who-did-what", "other") and kind != "hedge":
                            stage = "c-none"
                        elif all(not (reads(slot, ta) and reads(slot, tb)) for _, _, ta, tb in reached):
                            stage = "c-unread"
                        else:
                            stage = "c-silent"
                    else:
                        best = max(gates, key=lambda g: g[0])
                        stage = best[1]
                        cosines[stage].append(round(best[0], 2))
                        # Would the slot's rule speak if the closeness gates were open? Every loop of the detector
                        # (sentence pairs and slot first) on the two sentences alone, as if their cosine were 1.
                        import numpy as np
                        from briefing import conflicts as cf
                        one = np.ones((1, 1))
                        opened = [p.finding for _, _, ta, tb in gates
                                  for p in cf.find({0: [ta], 1: [tb]}, {0: one, 1: one})]
                        if any(f is not None and (f.slot == slot or (slot == "other" and f.kind == kind))
                               for f in opened):
                            count["all"][f"{stage}:opened"] += 1
            for g in ("all", half(cid)):
                count[g][stage] += 1
                count[g][f"{kind}:{stage}"] += 1
            per_slot[slot][stage] += 1
            if stage in a.show:
                print(f"{stage} {cid} {kind}/{slot} {lab['about']}")
                for side in lab["sides"]:
                    print(f"    [{side['article']}] {side['sentence'][:220]}")
    if a.cache:
        Path(a.cache).write_bytes(pickle.dumps(cache))
    cols = [s for s in STAGES if any(per_slot[x][s] for x in per_slot)]
    print("stage".ljust(16) + "".join(f"{g:>11}" for g in ("all", "contra", "update", "hedge", "tune-even",
                                                          "check-odd")))
    for s in cols:
        print(s.ljust(16) + "".join(f"{v:>11}" for v in (
            count["all"][s], count["all"][f"contradiction:{s}"], count["all"][f"update:{s}"],
            count["all"][f"hedge:{s}"], count["tune-even"][s], count["check-odd"][s])))
    for g in sorted(cosines):
        print(f"  {g}: the slot's rule would speak with the closeness gates open (cosine 1): "
              f"{count['all'][g + ':opened']} of {count['all'][g]}")
        c = sorted(cosines[g])
        bins = collections.Counter("<0.30" if x < 0.3 else "0.30-0.40" if x < 0.4 else "0.40-0.50" if x < 0.5
                                   else "0.50-0.62" if x < 0.62 else "0.62-0.85" if x < 0.85 else ">=0.85" for x in c)
        print(f"  {g}: closest pair's cosine " + ", ".join(f"{k} {bins[k]}" for k in sorted(bins)))
    print()
    print("slot".ljust(14) + "".join(f"{s:>15}" for s in cols) + f"{'total':>8}")
    for slot in sorted(per_slot):
        print(slot.ljust(14) + "".join(f"{per_slot[slot][s]:>15}" for s in cols) + f"{sum(per_slot[slot].values()):>8}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

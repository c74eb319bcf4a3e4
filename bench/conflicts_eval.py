#!/usr/bin/env python3
"""Where sources differ, scored on hand-labelled disagreements: recall per kind and per slot, precision, look-alikes.

    python bench/conflicts_eval.py LABELS DATA [DATA ...] WORKDIR [--brief brief] [--words 250] [--reuse]
    python bench/conflicts_eval.py LABELS DATA [DATA ...] --quick [--cache FILE]

The first form runs `brief make FOLDER --format json` per labelled cluster (as ../shared/tools/conflicts_score.py
does, with the same matching) and scores the conflicts the briefing shows; --reuse scores the JSON already in
WORKDIR. --quick skips the briefing: it compares every pair of sentences of different articles with
briefing.conflicts.find, joins the pairs into disagreements as the briefing does (conflicts.group) and scores
every one (no budget), the tuning loop for the detector's thresholds.

A labelled disagreement is found when one reported conflict has two sides whose evidence holds two different
labelled sides' sentences. A reported conflict is real when it matches a labelled contradiction, update or hedge;
a look-alike when it matches a labelled look-alike; otherwise it matched nothing real. Figures are printed for
all clusters, for each labelled set (giveme5w1h_events, multiling2011_en), and for two halves by cluster
number (tune-even: thresholds were tuned there; check-odd: held out for checking).
"""
from __future__ import annotations

import argparse
import collections
import json
import os
import pickle
import re
import subprocess
import sys
from pathlib import Path

REAL = ("contradiction", "update", "hedge")


def norm(s: str) -> str:
    return re.sub(r"\W+", " ", s).strip().lower()


def contains(evidence: str, sentence: str) -> bool:
    e, s = norm(evidence), norm(sentence)
    return bool(s) and (s in e or (len(e) > 20 and e in s))


def matches(sides: list[list[str]], label: dict) -> bool:
    """sides: each reported side's texts (its text and its citations' evidence)."""
    hit = set()
    for k, side in enumerate(label["sides"]):
        for texts in sides:
            if any(contains(t, side["sentence"]) for t in texts):
                hit.add(k)
    return len(hit) >= 2


def half(cid: str) -> str:
    """The half a cluster falls in: by the parity of its number, so either set has some of both."""
    return "tune-even" if int(re.findall(r"\d+", cid)[-1]) % 2 == 0 else "check-odd"


def load(labels_path: str, datas: list[str]):
    labels = [json.loads(line) for line in open(labels_path, encoding="utf-8")]
    clusters = {}
    for d in datas:
        for line in open(d, encoding="utf-8"):
            c = json.loads(line)
            clusters[c["id"]] = c
    by = collections.defaultdict(list)
    for lab in labels:
        by[lab["cluster"]].append(lab)
    return by, clusters


def article_text(art: dict) -> str:
    return (art.get("title") or "").strip() + "\n\n" + art["text"]


def reported_by_brief(cid: str, cluster: dict, work: Path, brief: str, words: int, reuse: bool):
    folder = work / re.sub(r"[^\w.-]", "_", cid)
    out = folder.with_suffix(".json")
    if not (reuse and out.exists()):
        folder.mkdir(parents=True, exist_ok=True)
        for i, art in enumerate(cluster["articles"]):
            (folder / f"article_{i:03d}.txt").write_text(article_text(art), encoding="utf-8")
        subprocess.run([brief, "make", str(folder), "--format", "json", "-o", str(out), "--words", str(words), "-q"],
                       capture_output=True, timeout=900)
    if not out.exists():
        return []
    b = json.loads(out.read_text(encoding="utf-8"))
    return [([[sd.get("text", "")] + [c.get("evidence", "") for c in sd.get("citations", [])]
              for sd in cf.get("sides", [])], cf.get("kind", "?"), cf.get("slot", "?"), cf.get("about", ""))
            for s in b.get("stories", []) for cf in s.get("conflicts", [])]


def cache_key(cid: str) -> str:
    """A cluster's sentences and vectors are kept per embedder: another BRIEF_EMBEDDER reads none of them."""
    return f"{os.environ.get('BRIEF_EMBEDDER', 'default')}:{cid}"


def reported_quick(cid: str, cluster: dict, cache: dict):
    from briefing import conflicts, extract
    from briefing.merge import claim_text
    from briefing.types import RawDocument

    key = cache_key(cid)
    if key not in cache:
        from briefing.models import minilm
        arts = []
        for i, art in enumerate(cluster["articles"]):
            try:
                arts.append(extract.build_article(RawDocument(input=f"a{i}", text=article_text(art)), i))
            except extract.EmptyArticle:
                pass
        sents = {a.id: [s.text for s in a.sentences] for a in arts}
        vecs = {k: minilm.shared().embed(v) for k, v in sents.items()}
        cache[key] = (sents, vecs)
    sents, vecs = cache[key]
    out = []
    clean = {k: [claim_text(s) for s in v] for k, v in sents.items()}
    from briefing.merge import MAX_SIDES

    for g in conflicts.group(conflicts.find(clean, vecs), MAX_SIDES):
        sides = [[sents[a][r] for a, r in at] for at in g.sentences]
        out.append((sides, g.finding.kind, g.finding.slot, f"{g.finding.about}: {' / '.join(g.values)}"))
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("labels")
    ap.add_argument("rest", nargs="+")
    ap.add_argument("--brief", default="brief")
    ap.add_argument("--words", type=int, default=250)
    ap.add_argument("--reuse", action="store_true")
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--cache", default=None, help="a file of your own to keep the sentences' vectors between runs")
    ap.add_argument("--show", choices=("false", "found", "missed"), action="append", default=[])
    a = ap.parse_args()
    if a.quick:
        datas, work = a.rest, None
    else:
        *datas, work = a.rest
    by, clusters = load(a.labels, datas)
    cache = {}
    if a.quick and a.cache and Path(a.cache).exists():
        cache = pickle.loads(Path(a.cache).read_bytes())
    # Two halves by cluster number, to tune on one and check on the other: tune = even, check = odd.
    groups = ["all", "giveme5w1h_events", "multiling2011_en", "tune-even", "check-odd"]
    found = {g: collections.Counter() for g in groups}
    total = {g: collections.Counter() for g in groups}
    rep = {g: collections.Counter() for g in groups}
    for cid, labs in sorted(by.items()):
        sets = ("all", labs[0]["set"], half(cid))
        if a.quick:
            reported = reported_quick(cid, clusters[cid], cache)
        else:
            reported = reported_by_brief(cid, clusters[cid], Path(work), a.brief, a.words, a.reuse)
        for lab in labs:
            if lab["type"] != "disagreement":
                continue
            hit = any(matches(r[0], lab) for r in reported)
            for g in sets:
                for key in (("kind", lab["kind"]), ("slot", lab["slot"]), ("kindslot", f"{lab['kind']}/{lab['slot']}")):
                    total[g][key] += 1
                    found[g][key] += hit
            if "missed" in a.show and not hit and lab["kind"] in REAL:
                print(f"MISSED {cid} {lab['kind']}/{lab['slot']} {lab['about']}")
            if "found" in a.show and hit:
                print(f"FOUND {cid} {lab['kind']}/{lab['slot']} {lab['about']}")
        for sides, kind, slot, about in reported:
            real = [lab for lab in labs if lab["type"] == "disagreement" and lab["kind"] in REAL and matches(sides, lab)]
            look = [lab for lab in labs if lab["type"] == "lookalike" and matches(sides, lab)]
            prec = [lab for lab in labs if lab.get("kind") == "precision" and matches(sides, lab)]
            verdict = "real" if real else "lookalike" if look else "precision" if prec else "nothing"
            same_kind = bool(real) and any(lab["kind"] == kind for lab in real)
            for g in sets:
                rep[g]["reported"] += 1
                rep[g][verdict] += 1
                rep[g]["kind_right"] += same_kind
            if "false" in a.show and verdict != "real":
                print(f"FALSE[{verdict}] {cid} {kind}/{slot} {about}")
                for side in sides:
                    print(f"    - {side[-1][:200]}")
    if a.quick and a.cache:
        Path(a.cache).write_bytes(pickle.dumps(cache))
    for g in groups:
        t, f, r = total[g], found[g], rep[g]
        if not t:
            continue
        print(f"== {g}")
        for k in ("contradiction", "update", "hedge", "precision"):
            key = ("kind", k)
            print(f"  recall kind {k:14} {f[key]:4d}/{t[key]:<4d} {f[key] / max(1, t[key]):.3f}")
        for s in sorted(x for _, x in (k for k in t if k[0] == "slot")):
            real_t = sum(t[("kindslot", f"{k}/{s}")] for k in REAL)
            real_f = sum(f[("kindslot", f"{k}/{s}")] for k in REAL)
            print(f"  recall slot {s:14} {real_f:4d}/{real_t:<4d} {real_f / max(1, real_t):.3f}  (contradiction, update, hedge)")
        print(f"  reported={r['reported']} real={r['real']} precision={r['real'] / max(1, r['reported']):.3f} "
              f"lookalikes={r['lookalike']} precision-only={r['precision']} matching-nothing={r['nothing']} "
              f"kind-right={r['kind_right']}/{r['real']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

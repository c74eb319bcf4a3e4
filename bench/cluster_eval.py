"""How well the stories put articles back into their events, beside simple baselines, in one run.

    .venv/bin/python bench/cluster_eval.py ../shared/eval/giveme5w1h_events.jsonl [--thresholds 0.4,0.45,0.5]
                                           [--story-thresholds 0.35,0.4] [--story-meaning 0.3,0.5]
                                           [--lead 6 [--lead-embedders onnx,static]] [--cache FILE.npy]

Every article is cleaned as `brief` cleans it (extract.build_article); then
  - brief:  merge.cluster() over merge.article_vector() of the MiniLM sentence vectors (what the pipeline does),
  - tfidf:  the same average-linkage clustering over TF-IDF vectors of the clean text,
  - titles: the same clustering over TF-IDF vectors of the titles only (word overlap of headlines).
Also run on ../shared/eval/multiling2011_en.jsonl (its 10 clusters' 100 articles mixed: a set the thresholds were
never tuned on). Printed: adjusted Rand index (1 = the events exactly, 0 = chance), purity (share of articles in a story
whose majority event is theirs; singletons score 1, so read it beside the story count), and the count.
The texts are read from the data file at run time and never written anywhere.
"""
from __future__ import annotations

import argparse
import json
import math
import re
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from briefing import extract, merge  # noqa: E402
from briefing.types import RawDocument  # noqa: E402


def comb2(n: int) -> float:
    return n * (n - 1) / 2


def adjusted_rand(truth: list, pred: list) -> float:
    pairs = Counter(zip(truth, pred))
    a, b = Counter(truth), Counter(pred)
    index = sum(comb2(n) for n in pairs.values())
    sa, sb = sum(comb2(n) for n in a.values()), sum(comb2(n) for n in b.values())
    expected = sa * sb / comb2(len(truth))
    top = (sa + sb) / 2
    return (index - expected) / (top - expected) if top != expected else 1.0


def purity(truth: list, pred: list) -> float:
    by = {}
    for t, p in zip(truth, pred):
        by.setdefault(p, []).append(t)
    return sum(Counter(v).most_common(1)[0][1] for v in by.values()) / len(truth)


def labels_of(groups: list[list[int]], n: int) -> list[int]:
    out = [0] * n
    for k, g in enumerate(groups):
        for i in g:
            out[i] = k
    return out


WORD = re.compile(r"[a-z0-9]+")


def tfidf(texts: list[str]) -> np.ndarray:
    """Sublinear TF-IDF over words of three letters or more, stopwords out, rows L2-normalised."""
    docs = [[w for w in WORD.findall(t.lower()) if len(w) > 2 and w not in merge.STOPWORDS] for t in texts]
    vocab: dict[str, int] = {}
    df = Counter()
    for d in docs:
        df.update(set(d))
    for w in df:
        vocab[w] = len(vocab)
    m = np.zeros((len(docs), len(vocab)), dtype=np.float32)
    n = len(docs)
    for i, d in enumerate(docs):
        for w, c in Counter(d).items():
            m[i, vocab[w]] = (1 + math.log(c)) * (math.log((1 + n) / (1 + df[w])) + 1)
    norms = np.linalg.norm(m, axis=1, keepdims=True)
    return m / np.where(norms == 0, 1, norms)


def lead_vectors(articles, embedder, n: int) -> np.ndarray:
    from briefing import triage

    return triage.lead_vectors(articles, embedder, n)


def triage_link() -> float:
    from briefing import triage

    return triage.LEAD_LINK


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("data")
    ap.add_argument("--thresholds", default="0.35,0.40,0.45,0.50,0.55,0.60",
                    help="average-linkage cosine thresholds to report for brief (its default is marked)")
    ap.add_argument("--baseline-thresholds", default="0.05,0.10,0.15,0.20,0.25,0.30")
    ap.add_argument("--story-thresholds", default="0.30,0.35,0.40,0.45",
                    help="make_stories' thresholds (merge.STORY_SIMILAR is always among them)")
    ap.add_argument("--story-meaning", default="0.5",
                    help="the embedder's shares of make_stories' similarity (merge.STORY_MEANING: 0.5), comma-separated")
    ap.add_argument("--lead", type=int, default=0, metavar="N",
                    help="also report vectors of the title and the first N sentences only (the daily job's "
                         "first, cheap pass)")
    ap.add_argument("--lead-embedders", default="", metavar="NAMES",
                    help="with --lead: the embedders (BRIEF_EMBEDDER names: onnx, int8, torch, static) whose lead "
                         "vectors are reported; the default embedder's when empty")
    ap.add_argument("--cache", metavar="FILE.npy", help="keep the article vectors here (numbers only, no text) "
                                                        "so a second run skips the embedding")
    args = ap.parse_args()

    articles, truth = [], []
    for line in Path(args.data).read_text(encoding="utf-8").splitlines():
        event = json.loads(line)
        for a in event["articles"]:
            doc = RawDocument(input=a.get("doc_id") or a["title"], text=a["text"], title=a.get("title"),
                              publisher=a.get("source"))
            try:
                articles.append(extract.build_article(doc, len(articles) + 1))
                truth.append(event["event"] if "event" in event else event["id"])  # MultiLing: its clusters
            except extract.EmptyArticle:
                print(f"skipped an article with no text: {doc.input}", file=sys.stderr)
    n = len(articles)
    print(f"{n} articles, {len(set(truth))} events")

    if args.cache and Path(args.cache).is_file():
        brief_vecs = np.load(args.cache)
        assert len(brief_vecs) == n, "the cache is of other data"
        print(f"article vectors from {args.cache}")
    else:
        from briefing.models import minilm

        embedder = minilm.shared()
        t0 = time.perf_counter()
        texts = [s.text for a in articles for s in a.sentences]
        flat = embedder.embed(texts)
        embed_s = time.perf_counter() - t0
        vecs, at = [], 0
        for a in articles:
            vecs.append(merge.article_vector(flat[at:at + len(a.sentences)]))
            at += len(a.sentences)
        brief_vecs = np.stack(vecs)
        print(f"embedded {len(texts)} sentences in {embed_s:.1f} s")
        if args.cache:
            np.save(args.cache, brief_vecs)

    rows = []

    def report(name: str, vectors, threshold: float, mark: str = ""):
        """`vectors`: rows to cluster, or merge.InnerProducts (a mix of several kinds of rows)."""
        t = time.perf_counter()
        groups = merge.cluster_blocked(vectors, threshold) if isinstance(vectors, merge.InnerProducts) \
            else merge.cluster(vectors, threshold)
        pred = labels_of(groups, n)
        rows.append((name, threshold, adjusted_rand(truth, pred), purity(truth, pred), len(set(pred)),
                     time.perf_counter() - t, mark))

    for th in [float(x) for x in args.thresholds.split(",")]:
        report("brief (MiniLM)", brief_vecs, th, "  <- merge.STORY_LINK" if abs(th - merge.STORY_LINK) < 1e-9 else "")
    if merge.STORY_LINK not in [float(x) for x in args.thresholds.split(",")]:
        report("brief (MiniLM)", brief_vecs, merge.STORY_LINK, "  <- merge.STORY_LINK")
    if args.lead:
        from briefing.models import minilm

        for kind in [k.strip() for k in args.lead_embedders.split(",") if k.strip()] or [None]:
            embedder = minilm.shared(kind)
            embedder.embed(["warm up"])  # a first use builds the model: not the leads' time
            if hasattr(embedder, "_memo"):
                embedder._memo.clear()  # the leads are sentences the article vectors above embedded already
            t0 = time.process_time()
            lead_vecs = lead_vectors(articles, embedder, args.lead)
            label = f"lead {args.lead}" + (f" {kind}" if kind else "")
            print(f"lead vectors (title + {args.lead} sentences, {embedder.name}) in "
                  f"{time.process_time() - t0:.2f} CPU s")
            for th in [float(x) for x in args.thresholds.split(",")]:
                mark = "  <- triage.LEAD_LINK" if kind in (None, minilm.EMBEDDERS[0]) and \
                    abs(th - triage_link()) < 1e-9 else ""
                report(f"brief, {label}", lead_vecs, th, mark)
            if kind == "static":  # the daily job's default first pass (triage.lead_groups): with the leads' words
                from briefing import triage

                mixed = merge.InnerProducts((triage.MIXED_MEANING, lead_vecs),
                                            (1 - triage.MIXED_MEANING, triage.lead_words(articles, args.lead)))
                for th in sorted({0.35, 0.40, 0.45, 0.50, 0.55, triage.MIXED_LINK}):
                    report(f"brief, {label}+words", mixed, th,
                           "  <- triage.MIXED_LINK" if abs(th - triage.MIXED_LINK) < 1e-9 else "")
    tf = tfidf([f"{a.title}\n{a.text}" for a in articles])
    titles = tfidf([a.title for a in articles])
    for th in [float(x) for x in args.baseline_thresholds.split(",")]:
        report("tfidf (text)", tf, th)
    for th in [float(x) for x in args.baseline_thresholds.split(",")]:
        report("titles (word overlap)", titles, th)
    # An experiment, not what brief does: half MiniLM, half TF-IDF cosine (concatenated, each scaled by
    # sqrt(1/2), so the dot product is the mean of the two cosines).
    hybrid = np.hstack([brief_vecs * math.sqrt(0.5), tf * math.sqrt(0.5)])
    for th in (0.30, 0.35, 0.40, 0.45):
        report("hybrid MiniLM+TF-IDF", hybrid, th)

    # What make_stories does: merge.story_similarity (MiniLM and the product's TF-IDF cosines averaged), or with
    # --story-meaning another share of the embedder's cosine (the hybrid's grouping: focus.py).
    words = merge.word_vectors(articles)
    for share in [float(x) for x in args.story_meaning.split(",")]:
        hsim = share * (brief_vecs @ brief_vecs.T) + (1 - share) * (words @ words.T)
        name = "brief (MiniLM+TF-IDF)" if share == merge.STORY_MEANING else f"brief ({share:g} emb+TF-IDF)"
        for th in sorted({*[float(x) for x in args.story_thresholds.split(",")], merge.STORY_SIMILAR}):
            t = time.perf_counter()
            pred = labels_of(merge.cluster_similar(hsim, th), n)
            rows.append((name, th, adjusted_rand(truth, pred), purity(truth, pred), len(set(pred)),
                         time.perf_counter() - t, "  <- merge.STORY_SIMILAR" if th == merge.STORY_SIMILAR and
                         share == merge.STORY_MEANING else ""))

    print(f"\n{'method':28} {'threshold':>9} {'ARI':>6} {'purity':>7} {'stories':>8} {'secs':>6}")
    best = {}
    for name, th, ari, pur, k, secs, mark in rows:
        print(f"{name:28} {th:9.2f} {ari:6.3f} {pur:7.3f} {k:8d} {secs:6.2f}{mark}")
        if name not in best or ari > best[name][1]:
            best[name] = (th, ari, pur, k)
    print("\nbest ARI per method (the baselines' thresholds chosen on this same data, which flatters them):")
    for name, (th, ari, pur, k) in best.items():
        print(f"  {name:28} threshold {th:.2f}: ARI {ari:.3f}, purity {pur:.3f}, {k} stories (truth: "
              f"{len(set(truth))} events)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

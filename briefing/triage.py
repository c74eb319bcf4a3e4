"""Triage for the daily job: which of the day's articles and stories are news. Two stages the pipeline runs:
`preselect` (cheap, on leads, before anything is embedded in full) and `select` (after merging: repeats of an
earlier digest are dropped, follow-ups keep and mark their new claims).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import replace

import numpy as np

from briefing import extract, merge, tuning
from briefing.config import Config
from briefing.store import Published
from briefing.types import Article, RawDocument, Story

# What they do, what they were tuned on and the bench that shows them: tuning.py.
REPEAT = tuning.TRIAGE_REPEAT


def doc_key(d: RawDocument | Article) -> str:
    return d.url or d.input


def article_keys(a: Article, hashes: dict[str, str]) -> set[str]:
    """An article's URL (or input name) and its text's hash: either recognises it another day."""
    key = doc_key(a)
    return {key, hashes[key]} if key in hashes else {key}


def fold(text: str) -> str:
    return " ".join(extract.fold(text).split())


def recency(articles: list[Article]) -> float:
    best = 0.0
    for a in articles:
        try:
            t = dt.datetime.fromisoformat((a.published or "").replace("Z", "+00:00"))
        except ValueError:
            continue
        if t.tzinfo is None:
            t = t.replace(tzinfo=dt.timezone.utc)
        best = max(best, t.timestamp())
    return best


def select(stories: list[Story], articles: list[Article], published: list[Published], config: Config, embedder,
           hashes: dict[str, str]) -> list[Story]:
    """The day's stories less what earlier digests said: a repeat is dropped, a follow-up marks its new claims."""
    by_id = {a.id: a for a in articles}
    keep = []
    for story in stories:
        arts = [by_id[i] for i in story.articles]
        publishers = {a.publisher or a.url or a.id for a in arts}
        if not config.single_source and len(publishers) < 2:
            continue
        keys = set().union(*(article_keys(a, hashes) for a in arts))
        evidence = {fold(c.evidence) for cl in story.claims for c in cl.citations}
        earlier = [p for p in published if p.keys & keys]
        if not earlier:
            earlier = [p for p in published if any(fold(e) in evidence for _, ev in p.claims for e in ev)]
        if not earlier:
            story = replace(story, claims=[replace(c, new=True) for c in story.claims], follow_up=False)
            keep.append((story, len(publishers), recency(arts)))
            continue
        old_texts = {fold(t) for p in earlier for t, _ in p.claims}
        old_evidence = {fold(e) for p in earlier for _, ev in p.claims for e in ev}
        old_list = [t for p in earlier for t, _ in p.claims]
        old_vecs = embedder.embed(old_list) if old_list else np.zeros((0, 1))
        new_vecs = embedder.embed([c.text for c in story.claims]) if story.claims else np.zeros((0, 1))
        claims = []
        for c, v in zip(story.claims, new_vecs):
            said = fold(c.text) in old_texts or any(fold(x.evidence) in old_evidence for x in c.citations)
            if not said and len(old_list):
                said = float(np.max(old_vecs @ v)) >= REPEAT
            claims.append(replace(c, new=not said))
        if not any(c.new for c in claims):
            continue
        keep.append((replace(story, claims=claims, follow_up=True), len(publishers), recency(arts)))
    # Most publishers first, then the most recent; the sort is stable, so ties keep merge's order.
    keep.sort(key=lambda k: (-k[1], -k[2]))
    return [s for s, _, _ in keep[:config.max_stories]]


LEAD, LEAD_LINK, MARGIN = tuning.TRIAGE_LEAD, tuning.TRIAGE_LEAD_LINK, tuning.TRIAGE_MARGIN
MIXED_LINK, MIXED_MEANING = tuning.TRIAGE_MIXED_LINK, tuning.TRIAGE_MIXED_MEANING
LEAD_CHUNK = tuning.TRIAGE_LEAD_CHUNK  # articles whose leads are embedded at once (a memory bound: tuning.py)


def lead_vectors(articles: list[Article], embedder, n: int = LEAD) -> np.ndarray:
    """Each article's meaning from its title and first sentences: the cheap pass that picks the day's stories."""
    out = None
    # Embedded LEAD_CHUNK articles at a time, so the leads' vectors are never all held at once (100,000
    # articles' leads are 350,000 vectors: 0.5 GB); each chunk's rows are averaged and kept in float32.
    for c in range(0, len(articles), LEAD_CHUNK):
        texts, spans = [], []
        for a in articles[c:c + LEAD_CHUNK]:
            part = [a.title] + [s.text for s in a.sentences[:n]]
            spans.append((len(texts), len(texts) + len(part)))
            texts.extend(part)
        flat = embedder.embed(texts)
        if out is None:
            out = np.empty((len(articles), flat.shape[1]), dtype=np.float32)
        out[c:c + len(spans)] = np.stack([flat[i:j].mean(0) for i, j in spans])
    if out is None:
        return np.zeros((0, 1), dtype=np.float32)
    return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-9)


def lead_words(articles: list[Article], n: int = LEAD) -> np.ndarray:
    """The term frequencies (merge.word_vectors) of each article's title and first n sentences."""
    return merge.word_vectors([replace(a, text=" ".join(s.text for s in a.sentences[:n])) for a in articles])


def lead_groups(articles: list[Article], embedder, leads=None) -> list[list[int]]:
    """The articles (indices) whose leads tell one story. `leads` (the daily job's lead_embedder, by default the
    static table: next to no CPU) reads the leads, its vectors averaged with the leads' words at MIXED_LINK;
    without it the briefing's `embedder` reads them alone, at LEAD_LINK (tuning.py has both)."""
    if leads is None:
        return merge.cluster(lead_vectors(articles, embedder), LEAD_LINK)
    features = merge.InnerProducts((MIXED_MEANING, lead_vectors(articles, leads)),
                                   (1 - MIXED_MEANING, lead_words(articles)))
    return merge.cluster_blocked(features, MIXED_LINK)


def preselect(articles: list[Article], embedder, seen: set[str], hashes: dict[str, str],
              config: Config, leads=None) -> list[Article]:
    """The articles of the day's likely stories, found cheaply from leads (lead_groups): the full pass embeds only
    these.

    Groups whose every article an earlier day already read are left out (nothing in them is news),
    as are one-publisher groups when the config says so; the rest are ranked as stories are and
    max_stories + MARGIN of them kept.
    """
    if not articles:
        return []
    articles = merge.mark_duplicates(articles)
    originals = [a for a in articles if a.duplicate_of is None]
    groups = [[originals[i] for i in g] for g in lead_groups(originals, embedder, leads)]
    ranked = []
    for g in groups:
        if seen and all(hashes.get(doc_key(a)) in seen for a in g):
            continue
        publishers = {a.publisher or a.url or a.id for a in g}
        if not config.single_source and len(publishers) < 2:
            continue
        ranked.append((-len(publishers), -recency(g), min(a.id for a in g), g))
    ranked.sort(key=lambda r: r[:3])
    keep = [a.id for *_, g in ranked[:config.max_stories + MARGIN] for a in g]
    return subset(articles, [Story(headline="", articles=keep)]) if keep else []


def renumbered(articles: list[Article], stories: list[Story]) -> list[tuple[Article, Article]]:
    """(article, its copy renumbered from 1) for the stories' articles (and their copies), in their first order.

    The copies' marks (merge.mark_duplicates) come along, renumbered: they are the marks mark_duplicates would
    give the chosen articles afresh, because the stories' articles are originals and every copy comes with its
    original (each article's first earlier original sharing enough shingles is still there and still first;
    tests/test_fast_paths.py checks it), so the pipeline does not mark them again (the driver's serial work)."""
    ids = {i for s in stories for i in s.articles}
    chosen = [a for a in articles if a.id in ids or a.duplicate_of in ids]
    new = {a.id: n for n, a in enumerate(chosen, 1)}
    return [(a, replace(a, id=new[a.id], duplicate_of=new.get(a.duplicate_of))) for a in chosen]


def subset(articles: list[Article], stories: list[Story]) -> list[Article]:
    """The stories' articles (and their copies, marked), in their first order, renumbered from 1."""
    return [new for _, new in renumbered(articles, stories)]

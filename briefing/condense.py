"""Article -> its key statements. The embedded backend is extractive: it keeps an article's most
central sentences, word for word, so each statement rests on exactly the sentence it is."""
from __future__ import annotations

import re

import numpy as np

from briefing import models, tuning
from briefing.models import minilm
from briefing.types import Article, Statement

# What they do, what they were tuned on and the bench that shows them: tuning.py.
MIN_WORDS, MAX_WORDS = tuning.CONDENSE_MIN_WORDS, tuning.CONDENSE_MAX_WORDS
KEEP_SHARE = tuning.CONDENSE_KEEP_SHARE
MIN_KEEP, MAX_KEEP = tuning.CONDENSE_MIN_KEEP, tuning.CONDENSE_MAX_KEEP


def usable(text: str) -> bool:
    n = len(text.split())
    if not MIN_WORDS <= n <= MAX_WORDS:
        return False
    if text.rstrip("\"'”’)").endswith("?"):
        return False  # a question states nothing
    return bool(re.search(r"[a-z]", text))


def position_prior(index: int) -> float:
    """News puts what matters first: the lead outweighs the tail."""
    return 1.0 / (1.0 + 0.25 * index)


def statement_score(centrality: float, index: int) -> float:
    """The one score of a statement: closeness to its article's centre, and how early it comes."""
    return 0.6 * centrality + 0.4 * position_prior(index)


def rank_sentences(article: Article, vectors: np.ndarray) -> list[tuple[int, float]]:
    """(sentence index, score) for an article's usable sentences, best first."""
    idx = [s.index for s in article.sentences if usable(s.text)]
    if not idx:
        # A very short article (a brief, a feed summary) still says something: keep what it has.
        idx = [s.index for s in article.sentences]
    v = vectors[idx]
    centroid = v.mean(0)
    centroid /= np.linalg.norm(centroid) or 1.0
    central = v @ centroid
    scores = [(i, statement_score(float(c), i)) for i, c in zip(idx, central)]
    return sorted(scores, key=lambda t: -t[1])


class ExtractiveBackend:
    """The embedded default: all-MiniLM-L6-v2 ranks sentences by centrality and position."""

    name = minilm.NAME
    fuser = None

    def condense(self, articles: list[Article], vectors: dict[int, np.ndarray], embedder=None,
                 advance=None) -> models.Condensed:
        out = []
        for article in articles:
            ranked = rank_sentences(article, vectors[article.id])
            keep = min(MAX_KEEP, max(MIN_KEEP, round(KEEP_SHARE * len(ranked))))
            seen: set[str] = set()
            statements = []
            for i, score in ranked[:keep]:
                text = article.sentences[i].text
                if text in seen:
                    continue  # some pages print a paragraph twice
                seen.add(text)
                statements.append(Statement(article=article.id, text=text, support=[i], score=score))
            out.append(statements)
        if advance:
            advance(len(articles))
        return models.Condensed(out)


models.condensers.register("minilm", lambda **_options: ExtractiveBackend(),
                           aliases=("default", "embedded", "all-minilm-l6-v2", "sentence-transformers/all-minilm-l6-v2",
                                    "extractive"))

"""Article -> its key statements. The embedded backend is extractive: it keeps an article's most
central sentences, word for word, so each statement rests on exactly the sentence it is."""
from __future__ import annotations

import re

import numpy as np

from briefing import models, tuning
from briefing import sentences as sentlib
from briefing.models import minilm
from briefing.types import Article, Statement, Vectors

# What they do, what they were tuned on and the bench that shows them: tuning.py.
MIN_WORDS, MAX_WORDS = tuning.CONDENSE_MIN_WORDS, tuning.CONDENSE_MAX_WORDS
KEEP_SHARE = tuning.CONDENSE_KEEP_SHARE
MIN_KEEP, MAX_KEEP = tuning.CONDENSE_MIN_KEEP, tuning.CONDENSE_MAX_KEEP
POSITION_SLOPE, CENTRALITY = tuning.CONDENSE_POSITION_SLOPE, tuning.CONDENSE_CENTRALITY


def usable(text: str) -> bool:
    """A statement of its article's (sentences.is_statement), in running text (a lower-case letter: not a heading)."""
    return sentlib.is_statement(text, MIN_WORDS, MAX_WORDS) and bool(re.search(r"[a-z]", text))


def position_prior(index: int) -> float:
    """News puts what matters first: the lead outweighs the tail."""
    return 1.0 / (1.0 + POSITION_SLOPE * index)


def statement_score(centrality: float, index: int) -> float:
    """The one score of a statement: closeness to its article's centre, and how early it comes."""
    return CENTRALITY * centrality + (1 - CENTRALITY) * position_prior(index)


def keep_count(ranked: int) -> int:
    """How many of an article's `ranked` usable sentences it keeps as statements."""
    return min(MAX_KEEP, max(MIN_KEEP, round(KEEP_SHARE * ranked)))


def centroid(vectors: np.ndarray) -> np.ndarray:
    """The unit mean of an article's sentence vectors: what it is mostly about."""
    c = vectors.mean(0)
    return c / (np.linalg.norm(c) or 1.0)


def rank_sentences(article: Article, vectors: np.ndarray) -> list[tuple[int, float]]:
    """(sentence index, score) for an article's usable sentences, best first."""
    idx = [s.index for s in article.sentences if usable(s.text)]
    if not idx:
        # A very short article (a brief, a feed summary) still says something: keep what it has.
        idx = [s.index for s in article.sentences]
    v = vectors[idx]
    central = v @ centroid(v)
    scores = [(i, statement_score(float(c), i)) for i, c in zip(idx, central)]
    return sorted(scores, key=lambda t: -t[1])


class ExtractiveBackend:
    """The embedded default: all-MiniLM-L6-v2 ranks sentences by centrality and position."""

    name = minilm.NAME
    fuser = None

    def condense(self, articles: list[Article], vectors: Vectors, embedder=None,
                 advance=None) -> models.Condensed:
        out = []
        for article in articles:
            ranked = rank_sentences(article, vectors[article.id])
            keep = keep_count(len(ranked))
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

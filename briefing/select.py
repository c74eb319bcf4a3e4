"""Which claims a story spends its words on: the set that covers most of what several sources say.

The recipe is the bigram-concept coverage of Gillick & Favre (ICSISumm): a concept is a pair of adjacent
content words; its weight is the number of distinct sources that carry it; a set of claims is worth the
summed weight of the concepts it covers, each counted once (so saying a thing twice earns nothing). The
set is built greedily, by prior plus gain per word (scaled to [0, 1]), and never goes over the budget. Two
claims whose meanings are this close (MiniLM cosine) are never both chosen, whatever their wording.

The module knows nothing of stories or citations: the caller hands it Options (words, concepts, vector,
a prior in [0, 1] from the caller's ranking) and filters candidates first (contested, not stand-alone).
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable

import numpy as np

from briefing import facts as factlib
from briefing import tuning

# What they do, what they were tuned on and the bench that shows them: tuning.py.
MIN_SOURCES, LENGTH_POWER = tuning.SELECT_MIN_SOURCES, tuning.SELECT_LENGTH_POWER
COVERAGE_WEIGHT = tuning.SELECT_COVERAGE_WEIGHT

WORD = re.compile(r"[a-z0-9]+")


def _stem(w: str) -> str:
    # Cut to five letters as facts.content_words does: "concern"/"concerns"/"concerned" meet.
    return w[:5]


@lru_cache(maxsize=65536)  # concept_weights reads every sentence of a story, and the story again when it is merged again
def concepts(text: str) -> frozenset[str]:
    """Adjacent-word pairs of a text, stemmed, leaving out pairs of two stopwords (ICSISumm's concepts)."""
    words = WORD.findall(factlib.fold(text).lower())
    out = set()
    for a, b in zip(words, words[1:]):
        if a in factlib.STOPWORDS and b in factlib.STOPWORDS:
            continue
        out.add(f"{_stem(a)} {_stem(b)}")
    return frozenset(out)


def concept_weights(sources: Iterable[Iterable[str]]) -> dict[str, float]:
    """Each concept weighted by how many distinct sources carry it (each source given as its texts)."""
    df: Counter[str] = Counter()
    n = 0
    for texts in sources:
        n += 1
        seen: set[str] = set()
        for t in texts:
            seen |= concepts(t)
        df.update(seen)
    # One source alone shares nothing with another: its story is ranked by the prior only.
    floor = max(2, min(MIN_SOURCES, n))
    return {c: float(k) for c, k in df.items() if k >= floor}


@dataclass
class Option:
    words: int
    concepts: frozenset[str]
    vector: np.ndarray
    prior: float = 0.0  # the caller's ranking, >= 0 (merge.rank: position, agreement, sources, recency)


def density(option: Option, weights: dict[str, float], covered: set[str]) -> float:
    """The weight of the concepts an option adds to those covered, per word (Gillick & Favre's greedy gain)."""
    # Summed in the option's own order of concepts whatever is covered, so an option none of whose concepts a
    # choice covers keeps the very same value (choose() computes it again only for the options a choice touches).
    return sum(weights.get(c, 0.0) for c in option.concepts if c not in covered) / option.words ** LENGTH_POWER


def choose(options: list[Option], budget: int, weights: dict[str, float], redundant: float) -> list[int]:
    """Indices of the options chosen, in the order chosen; their words sum to at most `budget`."""
    if budget <= 0:
        return []
    covered: set[str] = set()
    chosen: list[int] = []
    left = budget
    open_ = [i for i, o in enumerate(options) if 0 < o.words <= budget]
    # Each option's density, kept while none of its concepts is newly covered (an option left out as redundant
    # changes nothing): the same values, computed again only for the options a choice touches (the driver's
    # serial work; tests/test_fast_paths.py checks the choices against the plain loop).
    gain = {i: density(options[i], weights, covered) for i in open_}
    # Which options hold each concept: a choice changes the density of those alone (the others' uncovered
    # concepts are the same set, so the same sum), and only theirs are computed again.
    holders: dict[str, list[int]] = {}
    for i in open_:
        for c in options[i].concepts:
            holders.setdefault(c, []).append(i)
    # Gain per word is scaled by the densest option's before anything is chosen, so it lies in [0, 1] like
    # the prior, whatever the story's size or the number of its sources.
    top = max(gain.values(), default=0.0) or 1.0
    while open_:
        best, best_gain = None, -1.0
        for i in open_:
            o = options[i]
            if o.words > left:
                continue
            d = gain.get(i)
            if d is None:
                d = gain[i] = density(o, weights, covered)
            # What the claim adds that the chosen ones do not cover yet: saying a thing twice earns nothing.
            # The prior breaks ties where no concept is shared (a one-source story).
            value = o.prior + COVERAGE_WEIGHT * d / top
            if value > best_gain:
                best, best_gain = i, value
        if best is None:
            break
        o = options[best]
        open_.remove(best)
        if any(float(o.vector @ options[k].vector) >= redundant for k in chosen):
            continue
        chosen.append(best)
        for c in o.concepts - covered:
            for i in holders.get(c, ()):
                gain.pop(i, None)
        covered |= o.concepts
        left -= o.words
    return chosen

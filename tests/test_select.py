"""Claim selection under the word budget (briefing/select.py, merge.choose)."""
from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from briefing import merge
from briefing import select as selectlib
from briefing.types import Statement

WORDS = ["storm", "coast", "Florida", "killed", "people", "rain", "power", "homes", "officials", "said",
         "the", "of", "in", "231", "flooding", "roads", "closed", "Tuesday"]


def _unit(seed: int, dim: int = 8) -> np.ndarray:
    v = np.random.default_rng(seed).normal(size=dim)
    return v / np.linalg.norm(v)


@st.composite
def stories(draw):
    n = draw(st.integers(1, 12))
    texts = [" ".join(draw(st.lists(st.sampled_from(WORDS), min_size=1, max_size=60))) for _ in range(n)]
    # Some candidates repeat another's meaning exactly (same vector): at most one of them may be chosen.
    seeds = [draw(st.integers(0, 4)) for _ in range(n)]
    scores = [draw(st.floats(0, 1)) for _ in range(n)]
    return texts, seeds, scores


@settings(max_examples=60, deadline=None)
@given(stories(), st.integers(0, 120))
def test_choose_never_goes_over_the_budget_nor_repeats_a_claim(story, budget):
    texts, seeds, scores = story
    cands = [merge.Candidate(Statement(article=i % 3 + 1, text=t, support=[0], score=s), _unit(seed), [], [],
                             score=s) for i, (t, seed, s) in enumerate(zip(texts, seeds, scores))]
    weights = selectlib.concept_weights([[t] for t in texts])
    chosen = merge.choose(cands, budget, weights)
    assert sum(merge.claim_words(c) for c in chosen) <= budget
    for i, a in enumerate(chosen):
        for b in chosen[i + 1:]:
            assert float(a.vector @ b.vector) < merge.REDUNDANT


def test_one_over_long_sentence_is_left_out_not_cut_past_the_budget():
    long = Statement(article=1, text=" ".join(["word"] * 919), support=[0], score=1.0)
    short = Statement(article=1, text="The storm closed roads along the coast on Tuesday.", support=[1], score=0.1)
    cands = [merge.Candidate(long, _unit(1), [], [], 5.0), merge.Candidate(short, _unit(2), [], [], 1.0)]
    chosen = merge.choose(cands, 250, {})
    assert [c.statement for c in chosen] == [short]


def test_a_filter_applies_before_selection():
    a = Statement(article=1, text="Officials said the storm killed 231 people in Florida.", support=[0], score=1.0)
    b = Statement(article=2, text="Power was cut to homes across the coast on Tuesday.", support=[0], score=0.5)
    cands = [merge.Candidate(a, _unit(1), [], [], 2.0), merge.Candidate(b, _unit(2), [], [], 1.0)]
    chosen = merge.choose(cands, 100, {}, keep=lambda c: c.statement.article != 1)
    assert [c.statement for c in chosen] == [b]


def test_concepts_shared_by_more_sources_weigh_more():
    w = selectlib.concept_weights([["the storm killed 231 people"], ["storm killed 231 in Florida"],
                                   ["a storm killed 231 people"], ["rain fell"]])
    assert "231 peopl" not in w  # two sources only: under the floor of three
    assert w["storm kille"] == 3


def _brief(folder, embedder, words=250):
    from briefing import pipeline

    return pipeline.run(pipeline.Settings(inputs=(str(folder),), words=words), embedder=embedder)


def test_three_articles_of_one_event_are_one_story(seeds, embedder):
    for name in sorted(p.name for p in seeds.iterdir())[3:]:
        (seeds / name).unlink()
    b = _brief(seeds, embedder)
    assert len(b.articles) == 3
    assert len(b.stories) == 1
    assert sorted(b.stories[0].articles) == [1, 2, 3]


def test_a_briefing_never_spends_more_than_its_words(seeds, embedder):
    for words in (20, 60, 100):
        b = _brief(seeds, embedder, words)
        assert 0 < sum(len(c.text.split()) for s in b.stories for c in s.claims) <= words

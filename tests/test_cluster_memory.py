"""Story clustering in bounded memory (issue 10): cluster_blocked gives cluster_similar's clusters without the
n x n matrix, a block of rows at a time, and the sparse term frequencies are word_vectors' own values."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from briefing import merge
from briefing.types import Article, Sentence

from tests.briefings import SEED_FILES as SEEDS
from tests.briefings import seed_articles as _seed_articles


def _vectors(seed: int, n: int, d: int, topics: int, spread: float) -> np.ndarray:
    """Unit rows around a few topic centres: clusters of many sizes, no two rows alike."""
    rng = np.random.default_rng(seed)
    v = rng.normal(size=(topics, d))[rng.integers(0, topics, n)] + rng.normal(scale=spread, size=(n, d))
    return (v / np.linalg.norm(v, axis=1, keepdims=True)).astype(np.float32)


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("threshold", [0.3, 0.5, 0.7])
def test_blocked_clusters_are_the_dense_ones(seed, threshold):
    v = _vectors(seed, n=40 + 7 * seed, d=12, topics=2 + seed, spread=0.6)
    dense = merge.cluster_similar(v @ v.T, threshold)
    assert 1 < len(dense) < len(v)  # the case is not trivial: some merges, more than one cluster
    for cells in (1, 13, 200, 10**9):  # one row a block, a few rows, many, all at once
        assert merge.cluster_blocked(merge.InnerProducts((1.0, v)), threshold, cells=cells) == dense
    assert merge.cluster(v, threshold) == dense


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(0, 30), d=st.integers(2, 8), topics=st.integers(1, 5),
       spread=st.floats(0.1, 2.0), threshold=st.floats(0.05, 0.95), cells=st.integers(1, 400))
def test_blocked_clusters_are_the_dense_ones_on_generated_vectors(seed, n, d, topics, spread, threshold, cells):
    v = _vectors(seed, n, d, topics, spread)
    got = merge.cluster_blocked(merge.InnerProducts((1.0, v)), threshold, cells=cells)
    assert sorted(i for g in got for i in g) == list(range(n))  # every row once
    if n:
        assert got == merge.cluster_similar(v @ v.T, threshold)


class _Watched(merge.InnerProducts):
    """InnerProducts that records the size of every block asked of it."""

    def __init__(self, *parts):
        super().__init__(*parts)
        self.largest = 0

    def block(self, rows, start):
        out = super().block(rows, start)
        self.largest = max(self.largest, out.size)
        return out


def test_no_block_holds_more_than_its_cells():
    v = _vectors(7, n=300, d=8, topics=6, spread=0.5)
    watched = _Watched((1.0, v))
    got = merge.cluster_blocked(watched, 0.5, cells=3000)
    assert watched.largest <= 3000  # 10 rows x 300 at most, never 300 x 300
    assert got == merge.cluster_similar(v @ v.T, 0.5)


def _mixed_articles() -> list[Article]:
    """The seeds, each also cut in halves, beside short unrelated texts: articles on one story and on others."""
    out = []
    for a in _seed_articles():
        for part in (a.text, a.text[:len(a.text) // 2], a.text[len(a.text) // 2:]):
            out.append(Article(id=len(out) + 1, title=a.title if part is a.text else "", text=part, sentences=[]))
    for k, text in enumerate(["The city council approved a new budget for road repairs and school buses.",
                              "Heavy rain flooded the river valley; farmers lost their wheat harvest.",
                              "The football club signed a young striker from a rival league team.",
                              "Council members debated the budget for school buses and bridges again."]):
        out.append(Article(id=len(out) + 1, title="", text=text, sentences=[]))
    return out


def test_sparse_word_vectors_are_the_dense_ones(monkeypatch):
    articles = _mixed_articles()
    dense = merge.word_vectors(articles)
    monkeypatch.setattr(merge, "WORD_DENSE_CELLS", 0)
    sparse = merge.word_vectors(articles)
    assert hasattr(sparse, "toarray") and sparse.dtype == np.float32 and sparse.shape == dense.shape
    np.testing.assert_allclose(sparse.toarray(), dense, rtol=0, atol=1e-7)


def test_story_groups_in_blocks_are_the_dense_stories(monkeypatch):
    articles = _mixed_articles()
    rng = np.random.default_rng(3)
    # Sentence vectors: one direction per seed (its halves near it), one each for the others.
    base = rng.normal(size=(len(SEEDS) + 4, 16))
    sent_vecs = {}
    for a in articles:
        k = (a.id - 1) // 3 if a.id <= 3 * len(SEEDS) else len(SEEDS) + a.id - 3 * len(SEEDS) - 1
        v = base[k] + rng.normal(scale=0.4, size=(3, 16))
        sent_vecs[a.id] = (v / np.linalg.norm(v, axis=1, keepdims=True)).astype(np.float32)
    dense = merge.cluster_similar(merge.story_similarity(articles, sent_vecs), merge.STORY_SIMILAR)
    assert 1 < len(dense) < len(articles)
    assert merge.story_groups(articles, sent_vecs) == dense
    # The same with the words as a sparse matrix and one row of similarities a block.
    monkeypatch.setattr(merge, "WORD_DENSE_CELLS", 0)
    features = merge.story_features(articles, sent_vecs)
    assert hasattr(features.parts[1][1], "toarray")
    assert merge.cluster_blocked(features, merge.STORY_SIMILAR, cells=1) == dense
    # ... and the block's rows of words multiplied sparse by sparse (rows too wide to hold dense).
    monkeypatch.setattr(merge, "CLUSTER_BLOCK_CELLS", 0)
    assert merge.cluster_blocked(features, merge.STORY_SIMILAR, cells=7) == dense
    assert merge.story_groups([], {}) == []


class _Counting:
    """A made-up embedder: a fixed vector per text; records how many texts each call asked for."""

    def __init__(self):
        self.calls = []

    def embed(self, texts):
        self.calls.append(len(texts))
        rows = [np.random.default_rng(sum(map(ord, t))).normal(size=8) for t in texts]
        return np.array([r / np.linalg.norm(r) for r in rows], dtype=np.float32)


def test_triage_embeds_the_leads_a_chunk_at_a_time_with_the_same_vectors(monkeypatch):
    from briefing import triage

    articles = _seed_articles() * 3
    whole = _Counting()
    expected = triage.lead_vectors(articles, whole)
    assert whole.calls == [sum(1 + min(len(a.sentences), triage.LEAD) for a in articles)]  # one call
    monkeypatch.setattr(triage, "LEAD_CHUNK", 4)
    chunked = _Counting()
    got = triage.lead_vectors(articles, chunked)
    assert len(chunked.calls) == -(-len(articles) // 4) and max(chunked.calls) <= 4 * (1 + triage.LEAD)
    assert got.dtype == np.float32 and got.shape == expected.shape
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-6)
    assert triage.lead_vectors([], chunked).shape[0] == 0

"""All articles' statements -> stories of claims, each citing every article that says it; conflicts.

Support is decided per source: a source supports a claim when one of its sentences says the same
thing (close in meaning under the embedded model, no disagreeing value, a shared name where the
claim names someone) — that sentence, word for word, is the citation's evidence. A source whose
closest sentence gives a different day, date, count or name is listed under "where sources differ"
instead. Copies of one article (syndication) are recognised first and never count as confirmation.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import email.utils
import hashlib
import re
from collections import Counter
from dataclasses import dataclass, replace
from functools import lru_cache, partial
from typing import Callable, Iterator

import numpy as np

from briefing import condense
from briefing import conflicts as conflictlib
from briefing import facts as factlib
from briefing import models, standalone, tuning
from briefing import select as selectlib
from briefing import sentences as sentlib
from briefing import support as support_rules
from briefing.types import Article, Citation, Claim, Conflict, Side, Statement, Story

# What they do, what they were tuned on and the bench that shows them: tuning.py.
SUPPORT, SUPPORT_MIN_COSINE = tuning.MERGE_SUPPORT, tuning.MERGE_SUPPORT_MIN_COSINE
SUPPORT_F1, STORY_MEANING = tuning.MERGE_SUPPORT_F1, tuning.MERGE_STORY_MEANING
REDUNDANT = tuning.MERGE_REDUNDANT
STORY_LINK, STORY_SIMILAR = tuning.MERGE_STORY_LINK, tuning.MERGE_STORY_SIMILAR
DUPLICATE = tuning.MERGE_DUPLICATE
KEY_POINTS = tuning.MERGE_KEY_POINTS
W_POSITION, W_AGREE, W_SOURCES = tuning.MERGE_W_POSITION, tuning.MERGE_W_AGREE, tuning.MERGE_W_SOURCES
W_RECENT = tuning.MERGE_W_RECENT
MIN_SHARE = 40  # the fewest words a story's share may be, in a briefing of several (a judgment: a lede's worth)
PRONOUN_START = re.compile(r"^(?:" + "|".join(sentlib.PRONOUN_OPENERS) + r")\b")
DATELINE = re.compile(r"^[A-Z][A-Za-z .'’]{1,40}(?:\[[^\]]{1,20}\]|\([^)]{1,20}\))?,?\s+"
                      r"(?:[A-Z][a-z]{2,8}\.?\s+\d{1,2}\s*)?(?::|—|–|-{1,2})\s+(?=[A-Z“\"])")


_WORD = re.compile(r"\w+")
_MIX = np.uint64(0x9E3779B97F4A7C15)  # odd: folding the words' keys by it keeps their order apart


def shingle_keys(text: str, n: int = 5) -> np.ndarray:
    """The text's shingles (every n words in a row; a text of n words or fewer is one) as 64-bit keys (uint64,
    sorted, unique): each word's blake2b, folded over the n words in a row.

    Made where an article is read (a Ray worker sends them with the article), so the driver only counts them.
    Two different shingles share a key only by a 64-bit collision: some 1 in 10,000 over a day of 100,000
    articles (6 x 10^7 shingles), and then one shingle miscounted, never a copy made of a stranger."""
    words = _WORD.findall(text.lower())
    if not words:
        return np.zeros(0, dtype=np.uint64)
    own = {w: int.from_bytes(hashlib.blake2b(w.encode("utf-8"), digest_size=8).digest(), "little") for w in set(words)}
    h = np.fromiter((own[w] for w in words), dtype=np.uint64, count=len(words))
    width = min(n, len(words))  # a text of n words or fewer is one shingle
    keys = np.full(len(words) - width + 1, width, dtype=np.uint64)
    for i in range(width):
        keys = keys * _MIX + h[i:len(h) - width + 1 + i]  # wraps around 2^64, as a hash may
    return np.unique(keys)


# text -> its shingle keys (sorted, unique uint64), made here or by a worker (remember_shingles). The oldest go
# first past _KEYS_MAX texts: a bound on memory, not tuned, set above a day's articles at the size the README's
# projection reads (50,000; about 5 KB of keys an article), so a day's marking never makes them again.
_KEYS: dict[str, np.ndarray] = {}
_KEYS_MAX = 100_000


def remember_shingles(text: str, keys: np.ndarray) -> None:
    """A text's shingle_keys, made elsewhere (on a Ray worker), for mark_duplicates to use."""
    if len(_KEYS) >= _KEYS_MAX:
        del _KEYS[next(iter(_KEYS))]
    _KEYS[text] = keys


def _shingles_of(text: str) -> np.ndarray:
    """The text's shingle keys: kept, since a run marks duplicates over the same texts more than once."""
    got = _KEYS.get(text)
    if got is None:
        got = shingle_keys(text)
        remember_shingles(text, got)
    return got


# Pairs of holders made at once by shared_shingles: a bound on its memory (about 50 bytes a pair), not tuned. A key
# that thousands of texts hold (a wire service's tagline) pairs them all; made a block of texts at a time, those
# pairs never need more than this many at once. Effect: none on the answers (tests/test_fast_paths.py).
SHARED_PAIRS_BLOCK = 1 << 22


def shared_shingles(keys: list[np.ndarray], block: int = SHARED_PAIRS_BLOCK) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For every pair of texts that share a shingle key, (j, i, how many keys they share), i < j, sorted by j then
    i. `keys`: each text's keys, unique. Counted in numpy from the keys sorted once: each key's holders pair
    up (the pairs a loop over an index of holders meets, without a Python step a key), for a block of texts j at
    a time, so that at most about `block` pairs are held before they are counted."""
    n = len(keys)
    empty = np.zeros(0, dtype=np.int64)
    flat = np.concatenate(keys) if n else np.zeros(0, dtype=np.uint64)
    rows = np.repeat(np.arange(n, dtype=np.int64), [len(k) for k in keys])
    order = np.argsort(flat, kind="stable")  # stable: a key's holders stay in their order
    flat, rows = flat[order], rows[order]
    first = np.flatnonzero(np.r_[True, flat[1:] != flat[:-1]]) if len(flat) else empty
    group = np.repeat(first, np.diff(np.r_[first, len(flat)]))  # each key's first place, for every holder
    before = np.arange(len(flat)) - group  # holders of the same key before this one
    # Texts cut into blocks of rows whose pairs fit in `block` (a text's own pairs are never cut).
    per_text = np.bincount(rows, weights=before, minlength=n).astype(np.int64)
    ends = np.cumsum(per_text)
    out_j, out_i, out_n = [], [], []
    lo = 0
    while lo < n:
        hi = max(lo + 1, int(np.searchsorted(ends, (ends[lo - 1] if lo else 0) + block, side="right")))
        sel = (rows >= lo) & (rows < hi) & (before > 0)
        b, total = before[sel], int(before[sel].sum())
        if total:
            j = np.repeat(rows[sel], b)
            i = rows[np.repeat(group[sel], b) + np.arange(total) - np.repeat(np.cumsum(b) - b, b)]
            code, count = np.unique(j * n + i, return_counts=True)
            out_j.append(code // n)
            out_i.append(code % n)
            out_n.append(count)
        lo = hi
    if not out_j:
        return empty, empty, empty
    return np.concatenate(out_j), np.concatenate(out_i), np.concatenate(out_n)


def mark_duplicates(articles: list[Article]) -> list[Article]:
    """The articles, each near-identical copy with duplicate_of set to its original (the first seen)."""
    sh = [_shingles_of(a.text) for a in articles]
    sizes = np.array([len(k) for k in sh], dtype=np.int64)
    j, i, common = shared_shingles(sh)
    # The pairs that share enough of the smaller one's shingles (the share as Python divides: the same float),
    # met in the order the all-pairs loop meets them: each copy goes to its first earlier original.
    near = common / np.minimum(sizes[i], sizes[j]) >= DUPLICATE
    marks: dict[int, int] = {}  # index of a copy -> its original's id
    for b, a in zip(j[near].tolist(), i[near].tolist()):
        if b in marks or a in marks or articles[a].duplicate_of is not None:
            continue
        marks[b] = articles[a].id
    return [replace(a, duplicate_of=marks[j]) if j in marks else a for j, a in enumerate(articles)]


def cluster(vectors: np.ndarray, threshold: float = STORY_LINK) -> list[list[int]]:
    """Average-linkage agglomerative clustering on cosine similarity; returns lists of row indices."""
    return cluster_blocked(InnerProducts((1.0, vectors)), threshold)


def cluster_similar(similarity: np.ndarray, threshold: float) -> list[list[int]]:
    """Average-linkage agglomerative clustering of a similarity matrix; returns lists of row indices.

    The plain O(n^2)-memory, O(n^3)-time form: cluster_blocked gives its answers without the matrix (the
    tests compare the two); kept for a matrix that is already at hand (bench/cluster_eval.py)."""
    n = len(similarity)
    groups = [[i] for i in range(n)]
    if n <= 1:
        return groups
    sim = np.array(similarity, dtype=np.float64)
    np.fill_diagonal(sim, -np.inf)
    sizes = np.ones(n)
    alive = np.ones(n, dtype=bool)
    while True:
        masked = np.where(alive[:, None] & alive[None, :], sim, -np.inf)
        flat = int(np.argmax(masked))
        i, j = divmod(flat, n)
        if masked[i, j] < threshold:
            break
        # Lance-Williams update for average linkage
        merged = (sim[i] * sizes[i] + sim[j] * sizes[j]) / (sizes[i] + sizes[j])
        sim[i, :] = merged
        sim[:, i] = merged
        sim[i, i] = -np.inf
        sizes[i] += sizes[j]
        alive[j] = False
        sim[j, :] = -np.inf
        sim[:, j] = -np.inf
        groups[i].extend(groups[j])
        groups[j] = []
    return [sorted(g) for g in groups if g]


# Memory bounds of the blocked clustering (what they do: tuning.py; effect: bench/cluster_memory.py).
CLUSTER_BLOCK_CELLS, LINK_SLACK = tuning.MERGE_CLUSTER_BLOCK_CELLS, tuning.MERGE_LINK_SLACK


class InnerProducts:
    """Similarity of rows as sum(w * X @ X.T) over weighted parts (numpy arrays or scipy sparse matrices),
    never materialised: the mean similarity between two groups is then the inner product of their sums."""

    def __init__(self, *parts):
        self.parts = [(float(w), x) for w, x in parts]
        self.n = self.parts[0][1].shape[0]
        # Blocks are multiplied in float32 (LINK_SLACK covers the rounding); a float32 part is not copied.
        self._fast = [(np.float32(w), x.astype(np.float32, copy=False).tocsr() if hasattr(x, "tocsr")
                       else np.asarray(x, dtype=np.float32)) for w, x in self.parts]

    def block(self, rows: slice, start: int) -> np.ndarray:
        """Similarities (float32) of `rows` to every row from `start` on."""
        out = np.zeros((len(range(*rows.indices(self.n))), self.n - start), dtype=np.float32)
        for w, x in self._fast:
            if hasattr(x, "tocsr"):
                # The later rows times the block's few, never the columns before `start`: as a dense matrix
                # (3 times faster) when the block's rows fit in the cells dense, else sparse by sparse.
                few = x[rows]
                if few.shape[0] * few.shape[1] <= CLUSTER_BLOCK_CELLS:
                    p = (x[start:] @ np.ascontiguousarray(few.toarray().T)).T
                else:
                    p = (x[start:] @ few.T.tocsr()).toarray().T
            else:
                p = x[rows] @ x[start:].T
            p *= w
            out += p
        return out

    def take(self, index: np.ndarray) -> list[tuple[float, object]]:
        """The parts' rows at `index`, in float64 (sums of many rows must not lose the small ones)."""
        return [(w, x[index].astype(np.float64)) for w, x in self.parts]


def linked_components(sim: InnerProducts, threshold: float, cells: int = CLUSTER_BLOCK_CELLS) -> np.ndarray:
    """A label per row: rows joined by any chain of pairs at `threshold` or more share one.

    Average linkage never joins groups with no such pair between them (a mean is at most the largest
    term), so each component can be clustered alone. Computed a block of rows at a time."""
    n = sim.n
    label = np.arange(n)
    rows = max(1, cells // max(n, 1))
    for i0 in range(0, n, rows):
        i1 = min(n, i0 + rows)
        near = sim.block(slice(i0, i1), i0) >= threshold - LINK_SLACK
        r, c = np.nonzero(near)
        del near
        keep = c > r  # (i, j) with j > i: the block's upper triangle
        a, b = label[r[keep] + i0], label[c[keep] + i0]
        apart = a != b
        if not apart.any():
            continue
        pairs = np.unique(np.stack([a[apart], b[apart]], axis=1), axis=0)
        parent: dict[int, int] = {}

        def find(x: int) -> int:
            while parent.get(x, x) != x:
                parent[x] = x = parent.get(parent[x], parent[x])  # path halving
            return x

        for x, y in pairs.tolist():
            x, y = find(x), find(y)
            if x != y:
                parent[max(x, y)] = min(x, y)
        remap = np.arange(n)
        for x in parent:
            remap[x] = find(x)
        label = remap[label]
    return label


def cluster_blocked(sim: InnerProducts, threshold: float, cells: int = CLUSTER_BLOCK_CELLS) -> list[list[int]]:
    """cluster_similar's clusters (average linkage, merging while the best mean similarity is at `threshold`
    or more) in O(n) memory beyond the vectors: components of linkable pairs, found a block at a time, each
    clustered by the nearest-neighbour chain on group sums (average linkage is reducible, so the chain makes
    the merges the greedy global-best order makes, ties aside)."""
    if sim.n == 0:
        return []
    label = linked_components(sim, threshold, cells)
    order = np.argsort(label, kind="stable")
    cuts = np.flatnonzero(np.diff(label[order])) + 1
    groups: list[list[int]] = []
    for comp in np.split(order, cuts):
        if len(comp) == 1:
            groups.append([int(comp[0])])
        else:
            groups.extend([[int(comp[k]) for k in g] for g in _chain(sim.take(comp), threshold, cells)])
    return sorted((sorted(g) for g in groups), key=lambda g: g[0])


def _chain(parts: list[tuple[float, object]], threshold: float, cells: int) -> list[list[int]]:
    """Average-linkage clusters of one component's rows by the nearest-neighbour chain; a group is kept in the
    slot of its first row. A component whose m x m similarities fit in `cells` keeps them, summed per group as
    groups merge; a larger one sums its groups' vectors instead (m times slower, memory O(m))."""
    m = parts[0][1].shape[0]
    slot = np.arange(m)  # the group (slot) each row is in
    size = np.ones(m)
    members = {k: [k] for k in range(m)}
    final = np.zeros(m, dtype=bool)  # a group whose best mean is under the threshold: it stays as it is
    table = None
    if m * m <= cells:
        table = np.zeros((m, m))  # similarity summed over the pairs between two groups
        for w, x in parts:
            p = x @ x.T
            table += w * (p.toarray() if hasattr(p, "toarray") else p)

    def means(a: int) -> np.ndarray:
        if table is not None:
            per = table[a]
        else:
            dots = 0.0
            for w, x in parts:
                total = np.asarray(x[members[a]].sum(axis=0)).ravel()
                dots = dots + w * np.asarray(x @ total).ravel()
            per = np.bincount(slot, weights=dots, minlength=m)
        out = np.full(m, -np.inf)
        alive = size > 0
        out[alive] = per[alive] / (size[alive] * size[a])
        out[a] = -np.inf
        return out

    chain: list[int] = []
    links: list[float] = []  # links[k]: the mean between chain[k] and chain[k + 1], as first computed
    start = 0
    while True:
        if not chain:  # a new chain from the first group that may still merge (the last merged one, often)
            while start < m and (size[start] == 0 or final[start]):
                start += 1
            if start == m:
                break
            chain = [start]
        a = chain[-1]
        mean = means(a)
        if len(chain) > 1:
            mean[chain[-2]] = links[-1]  # one value per pair, whichever side computed it
        b = int(np.argmax(mean))  # the first of equals: the lowest slot
        if mean[b] < threshold:
            final[a] = True
            chain.pop()
            if links:
                links.pop()
            continue
        prev = chain[-2] if len(chain) > 1 else -1
        if prev >= 0 and (b == prev or mean[b] <= links[-1] or b in chain):
            b = prev  # reciprocal nearest neighbours (ties go to the chain): merge them
        if b == prev:
            keep, gone = min(a, b), max(a, b)
            members[keep].extend(members.pop(gone))
            slot[members[keep]] = keep
            if table is not None:
                table[keep] += table[gone]
                table[:, keep] += table[:, gone]
            size[keep] += size[gone]
            size[gone] = 0
            chain.pop(), chain.pop()
            links.pop()
            if links:
                links.pop()
            continue
        chain.append(b)
        links.append(mean[b])
    return [members[k] for k in range(m) if size[k] > 0]


def word_vectors(articles: list[Article]) -> np.ndarray:
    """Sublinear term frequencies of each article's title and text, stopwords out, rows L2-normalised: the
    shared names and words that MiniLM's averaged sentences blur. No IDF: fitted on the input itself it would
    discount exactly the words a one-event input shares (on MultiLing it split clusters into more stories), and
    on giveme5w1h it does not help (ARI 0.810 with, 0.817 without, at STORY_SIMILAR)."""
    # What sklearn's TfidfVectorizer(sublinear_tf=True, use_idf=False, token_pattern=r"(?u)\b\w\w\w+\b",
    # stop_words=STOPWORDS, dtype=float32) computes, without importing sklearn (a second of every cold run):
    # lowercased words of three letters or more, 1 + log(count), each row L2-normalised, in float32.
    # tests/test_fast_paths.py checks it against sklearn.
    counts = [_terms(a) for a in articles]
    vocabulary = sorted(set().union(*counts)) if counts else []
    if not vocabulary:  # no word of three letters anywhere
        return np.zeros((len(articles), 1), dtype=np.float32)
    column = {w: k for k, w in enumerate(vocabulary)}
    if len(articles) * len(vocabulary) > WORD_DENSE_CELLS:
        return _sparse_word_vectors(counts, column)
    m = np.zeros((len(articles), len(vocabulary)), dtype=np.float32)
    for row, c in enumerate(counts):
        if c:
            m[row, [column[w] for w in c]] = np.log(np.array(list(c.values()), dtype=np.float32)) + np.float32(1)
    norms = np.sqrt(np.einsum("ij,ij->i", m, m))
    norms[norms == 0] = 1
    return m / norms[:, None]


TOKEN = re.compile(r"(?u)\b\w\w\w+\b")
# (title, text) -> its words' counts: a daily run merges the chosen articles twice (pipeline.brief, after
# triage.select), the same texts. A bound on memory (about 30 KB a text), not tuned; past it, counted again.
_TERMS: dict[tuple[str, str], Counter] = {}
_TERMS_MAX = 8192


def _terms(a: Article) -> Counter:
    """The article's title and text's words (TOKEN, lowercased), stopwords out, counted in the order they first
    come (what Counter over the filtered words gives: deleting keys keeps the others' order). Not to be changed."""
    got = _TERMS.get((a.title, a.text))
    if got is None:
        got = Counter(TOKEN.findall(f"{a.title}\n{a.text}".lower()))
        for w in STOPWORDS & got.keys():
            del got[w]
        remember_terms(a, got)
    return got


def remember_terms(a: Article, terms: Counter) -> None:
    """An article's _terms, made elsewhere (on a Ray worker, which read the article), for word_vectors to use."""
    if len(_TERMS) >= _TERMS_MAX:
        del _TERMS[next(iter(_TERMS))]
    _TERMS[(a.title, a.text)] = terms
WORD_DENSE_CELLS = tuning.MERGE_WORD_DENSE_CELLS  # then the term frequencies are sparse (tuning.py)


def _sparse_word_vectors(counts: list[Counter], column: dict[str, int]):
    """word_vectors' rows, the same float32 values, as a scipy CSR matrix."""
    from scipy import sparse  # only for inputs too big for the dense rows: a cold run need not import it

    indptr, indices, data = [0], [], []
    for c in counts:
        values = np.log(np.array(list(c.values()), dtype=np.float32)) + np.float32(1)
        norm = np.sqrt(values @ values) if c else np.float32(1)
        data.append(values / norm)
        indices.extend(column[w] for w in c)
        indptr.append(len(indices))
    return sparse.csr_matrix((np.concatenate(data).astype(np.float32), np.array(indices, dtype=np.int64), indptr),
                             shape=(len(counts), len(column)))


def story_similarity(articles: list[Article], sent_vecs: dict[int, np.ndarray]) -> np.ndarray:
    """Between articles: the mean of their MiniLM cosine and their TF-IDF cosine (the n x n matrix: small
    inputs and tests only; story_features is the same without it)."""
    meaning = np.stack([article_vector(sent_vecs[a.id]) for a in articles])
    words = word_vectors(articles)
    return STORY_MEANING * (meaning @ meaning.T) + (1 - STORY_MEANING) * (words @ words.T)


def story_features(articles: list[Article], sent_vecs: dict[int, np.ndarray]) -> InnerProducts:
    """story_similarity as inner products of each article's vectors, for cluster_blocked. The meaning rows are
    kept in float32, the embedder's own precision (half the memory; cluster_blocked sums them in float64)."""
    meaning = None
    for k, a in enumerate(articles):
        v = article_vector(sent_vecs[a.id])
        if meaning is None:
            meaning = np.empty((len(articles), len(v)), dtype=np.float32)
        meaning[k] = v
    return InnerProducts((STORY_MEANING, meaning), (1 - STORY_MEANING, word_vectors(articles)))


def story_groups(articles: list[Article], sent_vecs: dict[int, np.ndarray],
                 threshold: float = STORY_SIMILAR) -> list[list[int]]:
    """Articles (indices) that tell one story: average linkage on story_similarity at STORY_SIMILAR (`threshold`
    for another embedder's vectors: focus.STORY_SIMILAR for the static table's)."""
    if not articles:
        return []
    return cluster_blocked(story_features(articles, sent_vecs), threshold)


def article_vector(vectors: np.ndarray) -> np.ndarray:
    """An article's meaning: its sentences averaged, the lead counted twice (it says what happened)."""
    weights = np.ones(len(vectors))
    weights[:5] = 2.0
    v = (vectors * weights[:, None]).sum(0)
    return v / (np.linalg.norm(v) or 1.0)


CONNECTIVE = re.compile(r"^(?:Additionally|Moreover|Furthermore|However|Meanwhile|Also|In addition|Conversely|"
                        r"Nevertheless|Nonetheless|Still|Separately|Besides|Indeed),\s+(?=\S)")


# A date glued to the sentence's first word ("Tuesday, January 18, 2005Through a telethon, ..."): the page's date.
GLUED_DATE = re.compile(r"^(?:(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day,\s+)?(?:January|February|March|April|May|June|"
                        r"July|August|September|October|November|December)\s+\d{1,2},\s+\d{4}(?=[A-Z][a-z])")


@lru_cache(maxsize=16384)
def claim_text(sentence: str) -> str:
    """A sentence as a claim: a dateline ("Washington [US], June 19 :") is not part of what it says, and a
    connective ("Additionally, ") ties it to a neighbour that the briefing does not show. Kept (a pure function
    of the sentence): choose() reads each candidate's twice a pass, and passes again with the words left."""
    text = DATELINE.sub("", GLUED_DATE.sub("", sentence, count=1), count=1).strip()
    trimmed = CONNECTIVE.sub("", text, count=1)
    if trimmed != text:
        text = trimmed[0].upper() + trimmed[1:]
    return text


@dataclass
class Candidate:
    statement: Statement
    vector: np.ndarray
    citations: list[Citation]
    disagreements: list[conflictlib.Pair]  # the disagreements its own sentences take part in
    score: float = 0.0


# Support's word overlap ignores "not" and "no" too (as it was tuned); grounding (ground.py) counts
# them, to catch a generated sentence that adds a negation.
STOPWORDS = factlib.STOPWORDS | {"not", "no"}
HEDGE = re.compile(r"\b(?:might|may|could|plans? to|planned to|expected to|set to|likely|scheduled|"
                   r"reportedly|suggest(?:s|ed)?|possibl[ey]|potentially)\b", re.IGNORECASE)


def content_words(text: str) -> set[str]:
    return factlib.content_words(text, STOPWORDS)


def support_score(claim: str, other: str, cosine: float) -> float:
    a, b = content_words(claim), content_words(other)
    common = len(a & b)
    f1 = 2 * common / (len(a) + len(b)) if a and b else 0.0
    return cosine + SUPPORT_F1 * f1


def _years_ok(claim: str, other: str) -> bool:
    """'since 2000' and 'since 2022' are different facts, however alike the sentences read."""
    a, b = factlib.facts(claim).years, factlib.facts(other).years
    return not a or not b or bool(a & b)


def supports(claim: str, other: str, cosine: float) -> bool:
    if cosine < SUPPORT_MIN_COSINE or not _years_ok(claim, other):
        return False
    if bool(HEDGE.search(claim)) != bool(HEDGE.search(other)):
        return False  # "might sign" neither confirms nor is confirmed by "signed"
    return support_score(claim, other, cosine) >= SUPPORT and _names_ok(claim, other)


class DefaultSupport:
    """The support check of briefing/support.py, the one `brief verify` makes: the sentence states all of the
    claim (names, numbers, dates, days, certainty, speaker, most of its words)."""

    name = "default"

    def check(self, claim: str, evidence: str, cosine: float | None = None) -> models.Verdict:
        # Merging asks only whether the sentence states the claim (support.states: check()'s verdict, ending at
        # the first rule that fails); `brief verify` gives the reasons (support.check).
        if support_rules.states(claim_text(claim), evidence):
            return models.Verdict(True, "states the claim")
        return models.Verdict(False, "does not state the claim")


class SimilaritySupport:
    """The earlier rule, kept by name for comparison: close in meaning, the same words, years, hedging, names."""

    name = "similarity"

    def check(self, claim: str, evidence: str, cosine: float) -> models.Verdict:
        if supports(claim, evidence, cosine):
            return models.Verdict(True, "close in meaning, with the same content words, years, hedging and names")
        return models.Verdict(False, "too far in meaning, content words, years, hedging or names")


models.support_checks.register("default", DefaultSupport)
models.support_checks.register("similarity", SimilaritySupport)


def _names_ok(claim: str, other: str) -> bool:
    """A source that names none of the people or places the claim names is talking about something else."""
    a, b = factlib.facts(claim).names, factlib.facts(other).names
    return not a or not b or bool({x.lower() for x in a} & {y.lower() for y in b})


def build_story(articles: list[Article], statements: list[list[Statement]], sent_vecs: dict[int, np.ndarray],
                stmt_vecs: list[np.ndarray], support: models.SupportCheck | None = None,
                pairs: list[conflictlib.Pair] | None = None) -> tuple[list[Candidate], np.ndarray]:
    """Every statement of the story's articles as a candidate claim, with its supporting citations.

    `pairs`: the story's conflicts (story_conflicts), when the caller has them already."""
    support = support or DefaultSupport()
    by_id = {a.id: a for a in articles}
    centroid = np.mean([article_vector(sent_vecs[a.id]) for a in articles], axis=0)
    centroid /= np.linalg.norm(centroid) or 1.0
    # Recall through the claims: every pair of sentences of different articles is compared, not only those
    # closest to a statement, so a statement whose fact another source contradicts is known to be contested.
    if pairs is None:
        pairs = story_conflicts(articles, sent_vecs)
    candidates, agreement = [], []
    contested = [(p, conflictlib.contested(p)) for p in pairs]  # once a pair, not once a pair and statement
    for stmts, vecs in zip(statements, stmt_vecs):
        for st, v in zip(stmts, vecs):
            own = by_id[st.article]
            # One citation a supporting sentence: a generated statement may rest on sentences that are
            # not adjacent in the article, and joined they would not be its words.
            cits = [Citation(source=own.id, evidence=own.sentences[i].text) for i in st.support]
            # Contested: a contradicted sentence, a superseded figure, a hedged report (not the later or certain one).
            disagreements = [p for p, lost in contested if any((own.id, i) in lost for i in st.support)]
            closest = []  # the cosine of each other article's closest sentence
            for other in articles:
                if other.id == own.id:
                    continue
                sims = sent_vecs[other.id] @ v
                j = int(sims.argmax()) if len(sims) else None
                if j is None:
                    continue
                closest.append(float(sims[j]))
                if support.check(st.text, other.sentences[j].text, float(sims[j])).supported:
                    if not any((other.id, j) in (p.a, p.b) for p in disagreements):
                        cits.append(Citation(source=other.id, evidence=other.sentences[j].text))
            agreement.append(float(np.mean(closest)) if closest else 0.0)
            candidates.append(Candidate(st, v, cits, disagreements))
    rank(candidates, agreement, len(articles), recency(articles))
    return candidates, centroid


def published_at(text: str | None) -> float | None:
    """When an article was published, as a POSIX timestamp (UTC where no zone is given); None when its date is
    missing or unreadable. Pages give ISO 8601 dates, feeds RFC 2822 ones. The date is the page's word, so one
    before 1970 or over a day ahead of now counts as unreadable: a typo or a hostile page would otherwise squash
    every other article's place between the earliest and the latest."""
    text = (text or "").strip()
    if not text or len(text) > 64:
        return None
    try:
        t = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        try:
            t = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError, OverflowError):
            return None
    if t.tzinfo is None:
        t = t.replace(tzinfo=dt.timezone.utc)
    try:
        stamp = t.timestamp()
    except (OverflowError, ValueError):
        return None
    return stamp if 0 <= stamp <= dt.datetime.now(dt.timezone.utc).timestamp() + 86400 else None


def recency(articles: list[Article]) -> dict[int, float]:
    """How late each article came within the story, in [0, 1] (1 for the latest); an article of unknown date gets
    the middle, 0.5, and a story with fewer than two distinct dates 0 for all (nothing to tell apart)."""
    times = {a.id: published_at(a.published) for a in articles}
    known = [t for t in times.values() if t is not None]
    lo, hi = min(known, default=0.0), max(known, default=0.0)
    if hi <= lo:
        return {a.id: 0.0 for a in articles}
    return {i: 0.5 if t is None else (t - lo) / (hi - lo) for i, t in times.items()}


def rank(candidates: list[Candidate], agreement: list[float], n_articles: int,
         recent: dict[int, float] | None = None) -> None:
    """Each candidate's prior for selection (select.py adds its concept coverage): how early its sentence comes
    (news says what matters first), how close the other articles come to saying it (each article's closest
    sentence, averaged; scaled within the story, so it ranks and does not depend on how alike a story's
    articles are overall), the sources that state it (citations that pass the support check), and how late its
    article came (`recent`, from recency(): a later report has the revised figures)."""
    recent = recent or {}
    lo, hi = min(agreement, default=0.0), max(agreement, default=0.0)
    for c, agree in zip(candidates, agreement):
        position = condense.position_prior(min(c.statement.support, default=0))
        shared = (agree - lo) / (hi - lo) if hi > lo else 0.0
        others = len({x.source for x in c.citations}) - 1
        c.score = (W_POSITION * position + W_AGREE * shared + W_SOURCES * others / max(1, n_articles - 1)
                   + W_RECENT * recent.get(c.statement.article, 0.0))


def readable_form(c: Candidate, headline: str, articles: list[Article], sent_vecs: dict[int, np.ndarray],
                  pairs: list[conflictlib.Pair],
                  support: models.SupportCheck | None = None,
                  where: dict[tuple[int, str], tuple[int, int]] | None = None) -> Candidate | None:
    """The candidate as a claim a reader can take alone: its own sentence when that reads alone under the
    headline, else the sentence of another source that states it and reads alone (citing every one of the
    candidate's sentences that states that one), else None. `where`: (article, sentence text) -> (article,
    index), built once a story by the caller (sentence_index)."""
    if standalone.standalone(claim_text(c.statement.text), headline):
        return c
    support = support or DefaultSupport()
    where = where if where is not None else sentence_index(articles)
    options = []
    for cit in c.citations:
        text, at = claim_text(cit.evidence), where.get((cit.source, cit.evidence))
        if at is None or at[0] == c.statement.article or not standalone.standalone(text, headline):
            continue
        vector = sent_vecs[at[0]][at[1]]
        cits = [Citation(source=cit.source, evidence=cit.evidence)]
        for other in c.citations:
            there = where.get((other.source, other.evidence))
            if other is cit or there is None or other.source == cit.source:
                continue
            cosine = float(sent_vecs[there[0]][there[1]] @ vector)
            if support.check(text, other.evidence, cosine).supported:
                cits.append(Citation(source=other.source, evidence=other.evidence))
        options.append((len({x.source for x in cits}), float(vector @ c.vector), at, vector, cits))
    if not options:
        return None
    n, _, (article, index), vector, cits = max(options, key=lambda o: (o[0], o[1]))
    st = c.statement
    statement = Statement(article=article, text={a.id: a for a in articles}[article].sentences[index].text,
                          support=[index], score=st.score)
    # The candidate's rank (rank()) for the sentence taken: its sources and its position; how close the other
    # articles come and how late its article came stay the candidate's (it states the same thing).
    score = c.score + W_SOURCES * (n - len({x.source for x in c.citations})) / max(1, len(articles) - 1) \
        + W_POSITION * (condense.position_prior(index) - condense.position_prior(min(st.support, default=0)))
    disagreements = [p for p in pairs if (article, index) in (p.a, p.b)]
    return Candidate(statement, vector, cits, disagreements, score)


def sentence_index(articles: list[Article]) -> dict[tuple[int, str], tuple[int, int]]:
    return {(a.id, s.text): (a.id, s.index) for a in articles for s in a.sentences}


def claim_words(c: Candidate) -> int:
    """The words a candidate spends: the words of its claim text, as the briefing counts them."""
    return len(claim_text(c.statement.text).split())


@lru_cache(maxsize=8192)
def _concepts_of(text: str):
    """selectlib.concepts, kept: choose() meets each candidate several times (each pass, then with words left)."""
    return selectlib.concepts(text)


def choose(candidates: list[Candidate], budget: int, weights: dict[str, float] | None = None,
           keep: Callable[[Candidate], bool] | None = None) -> list[Candidate]:
    """The candidates that together cover most of what several sources say, none repeating another,
    within `budget` words: never over it (select.py).

    `keep` filters candidates first (e.g. a claim must stand alone). A statement that another source
    contradicts is no claim: it goes under "where sources differ"."""
    pool = [c for c in candidates if keep is None or keep(c)]
    uncontested = [c for c in pool if not c.disagreements]
    # When every statement is contested the story still gets its best ones; the conflicts show the other side.
    pool = uncontested or pool
    if weights is None:
        weights = {}
    options = [selectlib.Option(words=claim_words(c), concepts=_concepts_of(claim_text(c.statement.text)),
                                vector=c.vector, prior=max(0.0, c.score))
               for c in pool]
    return [pool[i] for i in selectlib.choose(options, budget, weights, REDUNDANT)]


# See tuning.py.
MAX_CONFLICTS, CONFLICT_SHARE, SIDE_WORDS = tuning.MERGE_MAX_CONFLICTS, tuning.MERGE_CONFLICT_SHARE, tuning.MERGE_SIDE_WORDS
MAX_SIDES = tuning.MERGE_MAX_SIDES


def story_sentences(articles: list[Article]) -> dict[int, list[str]]:
    """Each article's sentences as the conflicts read them (conflicts.find, conflicts.contestable): datelines
    ("Washington, June 19 :") give when the piece was filed, not a fact of the story."""
    return {a.id: [claim_text(s.text) for s in a.sentences] for a in articles}


def story_conflicts(articles: list[Article], sent_vecs: dict[int, np.ndarray]) -> list[conflictlib.Pair]:
    return conflictlib.find(story_sentences(articles), {a.id: sent_vecs[a.id] for a in articles})


def _order(g: conflictlib.Group, by_id: dict[int, Article]) -> tuple[str, list[int]]:
    """What a disagreement is about, as the reader sees it, and the order of its sides (rows of the group)."""
    f, rows = g.finding, list(range(len(g.values)))

    def dated(k: int) -> str:
        return min((by_id[a].published or "") for a, _ in g.sentences[k])

    if f.kind == "update":
        # The earlier report first; a tally that grows, lowest first among reports of one day.
        rows.sort(key=lambda k: (dated(k), k))
        first, last = rows[0], rows[-1]
        da, db = dated(first), dated(last)
        if conflictlib.is_move(f) and not (da and db and da != db):
            # A price moves all day and does not grow: undated, no side is known to be the later one.
            return f"{f.about}: {', '.join(g.values[k] for k in rows[:-1])} or {g.values[rows[-1]]}", rows
        when = f" ({da} → {db})" if da and db and da != db else ""
        return f"{f.about}: from {g.values[first]} to {g.values[last]}{when}", rows
    if f.kind == "hedge":
        rows.sort(key=lambda k: g.values[k] != "certain")  # the certain side wins the claim: first
        hedged = next(v for v in g.values if v != "certain")
        return f"{f.about}: one source says it happened, another that it {hedged}", rows
    return f"{f.about}: {', '.join(g.values[:-1])} or {g.values[-1]}", rows


def _bare(word: str) -> str:
    """A word without its punctuation, lower case: '4.3%' -> '4.3', '"Tuesday,' -> 'tuesday'."""
    return re.sub(r"[^\w.:]", "", word).strip(".:").lower()


def excerpt(sentence: str, value: str, width: int = SIDE_WORDS) -> str:
    """The words of a sentence around a value, word for word, '…' where cut."""
    words = sentence.split()
    if len(words) <= width:
        return sentence
    # The value's telling word: its last figure ("59" of "at least 59", "2014" of "April 14, 2014", "4.3" of
    # "down 4.3%"), else its longest word: its first word ("at", "the") may stand anywhere in the sentence.
    # Where the value starts: its words in a row, else its telling word alone (a whole word before a part of one:
    # "4" is not the "4" of "40"), else the middle of the sentence.
    told = value.split()
    bare, want = [_bare(w) for w in words], [_bare(w) for w in told]
    at = next((i for i in range(len(words) - len(told) + 1) if want and bare[i:i + len(told)] == want), None)
    if at is None:
        word = next((w for w in reversed(told) if any(ch.isdigit() for ch in w)), max(told, key=len, default=""))
        key = _bare(word)
        k = len(told) - 1 - told[::-1].index(word) if word else 0  # the telling word's place in the value
        hit = next((i for i, w in enumerate(bare) if key and w == key), None)
        if hit is None:
            hit = next((i for i, w in enumerate(bare) if key and key in w), None)
        at = len(words) // 2 if hit is None else max(0, hit - k)
    start = max(0, min(at - max(0, (width - len(told)) // 2), len(words) - width))
    text = " ".join(words[start:start + width])
    return ("… " if start else "") + text + (" …" if start + width < len(words) else "")


def conflicts_of(pairs: list[conflictlib.Pair], articles: list[Article], budget: int) -> list[Conflict]:
    """Where sources differ, most important first, within `budget` words: each disagreement once, each side
    citing every source whose sentence gives its value."""
    by_id = {a.id: a for a in articles}
    out, words = [], 0
    # Contradictions first, then updates, then hedges; within a kind, the closest pairs (surest the same happening).
    order = {k: i for i, k in enumerate(conflictlib.KINDS)}
    for g in sorted(conflictlib.group(pairs, MAX_SIDES), key=lambda g: (order.get(g.finding.kind, 9), -g.cosine)):
        if len(out) >= MAX_CONFLICTS:
            break
        about, rows = _order(g, by_id)
        sides = []
        for k in rows:
            cits, cited = [], set()
            for art, idx in g.sentences[k]:
                if art not in cited:
                    cited.add(art)
                    cits.append(Citation(source=art, evidence=by_id[art].sentences[idx].text))
            art, idx = g.sentences[k][0]
            sides.append(Side(text=excerpt(claim_text(by_id[art].sentences[idx].text), g.values[k]), citations=cits))
        n = len(about.split()) + sum(len(s.text.split()) for s in sides)
        if words + n > budget:
            continue
        words += n
        out.append(Conflict(about=about, sides=sides, kind=g.finding.kind, slot=g.finding.slot))
    return out


def conflict_words(conflicts: list[Conflict]) -> int:
    return sum(len(k.about.split()) + sum(len(s.text.split()) for s in k.sides) for k in conflicts)


def headline_of(articles: list[Article], sent_vecs: dict[int, np.ndarray], centroid: np.ndarray) -> str:
    """The title whose words most of the story's sources carry: the most representative title, not the hook of
    one article. A question is a hook, not a headline, when any other title states something."""
    texts = [content_words(f"{a.title} {a.text}") for a in articles]

    def representative(a: Article) -> float:
        words = content_words(a.title)
        if not words:
            return 0.0
        return sum(sum(w in t for t in texts) for w in words) / (len(words) * len(texts))

    stated = [a for a in articles if a.title and not a.title.rstrip().endswith("?")] or articles
    # The closeness to the story's centre breaks ties to 4 decimals, then the earlier article: the same sentence's
    # vector differs in the 7th decimal with the batch it was embedded in (the Ray engine's workers batch otherwise
    # than one process does), and a tie must not fall one way here and the other there (bench/scale_bench.py
    # found one: two titles of one story whose closeness differed by less than that noise).
    return max(stated, key=lambda a: (round(representative(a), 2),
                                      round(float(article_vector(sent_vecs[a.id]) @ centroid), 4))).title


def lede_first(chosen: list[Candidate], centroid: np.ndarray) -> list[Candidate]:
    """The first key point is the lede: the most central statement that most sources make, reading alone, and
    from near the top of its article (news says what happened first; background comes further down)."""
    if len(chosen) < 2:
        return chosen

    def lede(c: Candidate) -> float:
        alone = 0.0 if PRONOUN_START.match(claim_text(c.statement.text)) else 1.0
        early = condense.position_prior(min(c.statement.support, default=0))
        return len({x.source for x in c.citations}) + float(c.vector @ centroid) + alone + early

    best = max(range(len(chosen)), key=lambda i: lede(chosen[i]))
    return [chosen[best]] + chosen[:best] + chosen[best + 1:]


@dataclass
class StoryWork:
    """One story's work that needs no other story (make_stories maps it, maybe on other machines): its
    candidate claims with citations (support checks), its conflicting pairs, centroid, headline and concept weights."""

    candidates: list[Candidate]
    pairs: list[conflictlib.Pair]
    centroid: np.ndarray
    headline: str
    weights: dict
    # With story_work's `vectors` block: each candidate's row of it, its vector then None (the caller holds the
    # block: a story's candidates' vectors were most of what a Ray worker sent back), or None for a vector that
    # is not a row of it.
    rows: list[int | None] | None = None


def _row_of(v: np.ndarray, block: np.ndarray) -> int | None:
    """The row of `block` that `v` is (a view of that very row, not a copy of its values), or None."""
    if v.ndim != 1 or block.ndim != 2 or v.dtype != block.dtype or v.shape[0] != block.shape[1] or \
            v.strides != block.strides[1:] or not len(block):
        return None
    row, rest = divmod(v.__array_interface__["data"][0] - block.__array_interface__["data"][0], block.strides[0])
    return row if not rest and 0 <= row < len(block) else None


def story_work(item: tuple, support: models.SupportCheck | None = None, only: bool = False) -> StoryWork:
    """item: (the story's articles, and their statements, sentence vectors and statement vectors by article id,
    and a block of vectors or None). `only`: the briefing's only story, which keeps its candidates even when none
    reads alone. With a block, a vector given as (start, end) is those rows of it: make_stories sends a story's
    vectors as one array, not hundreds of small ones (a Ray engine's driver paid a transfer for each)."""
    group, statements, sent_vecs, stmt_vecs, vectors = item
    if vectors is not None:
        sent_vecs = {i: vectors[v[0]:v[1]] if isinstance(v, tuple) else v for i, v in sent_vecs.items()}
        stmt_vecs = {i: vectors[v[0]:v[1]] if isinstance(v, tuple) else v for i, v in stmt_vecs.items()}
    pairs = story_conflicts(group, sent_vecs)  # once a story: build_story and the conflicts both need them
    candidates, centroid = build_story(group, [statements[a.id] for a in group], sent_vecs,
                                       [stmt_vecs[a.id] for a in group], support, pairs)
    # Only a sentence that reads on its own can be a claim (no dangling "they", no quote without its
    # speaker, no caption): another article's candidate may say the same thing in a whole sentence.
    # A story where nothing reads alone is left out, unless it is the only one: a briefing is never empty.
    headline = headline_of(group, sent_vecs, centroid)
    where = sentence_index(group)
    said = support or DefaultSupport()
    readable = [r for r in (readable_form(c, headline, group, sent_vecs, pairs, support, where)
                            for c in candidates) if r is not None and cited_as_said(r, said)]
    weights = selectlib.concept_weights([s.text for s in a.sentences] for a in group)
    work = StoryWork(readable or (candidates if only else []), pairs, centroid, headline, weights)
    if vectors is not None:
        work.rows = [_row_of(c.vector, vectors) for c in work.candidates]
        for c, row in zip(work.candidates, work.rows):
            if row is not None:
                c.vector = None
    return work


def cited_as_said(c: Candidate, support: models.SupportCheck) -> bool:
    """An extractive claim passes the support check against its own sentence, as `brief verify` will check its
    citation: a sentence the check refuses even as its own evidence ('X declared: "Vino denies...', a quote
    cut open by the splitter) would be a claim that fails its own citation. A generated claim was grounded
    already (ground.py)."""
    if c.statement.generated or not c.citations:
        return True
    return support.check(c.statement.text, c.citations[0].evidence, 1.0).supported


def _chunk(words: int) -> int:
    """How many stories' work make_stories has done at a time: as many as the words could fund at the least
    share, and one more."""
    return -(-words // MIN_SHARE) + 1


def make_stories(articles: list[Article], statements: dict[int, list[Statement]], sent_vecs: dict[int, np.ndarray],
                 stmt_vecs: dict[int, np.ndarray], words: int,
                 support: models.SupportCheck | None = None, engine_map: Callable | None = None,
                 marked: bool = False, grouping: Callable[[list[Article]], list[list[int]]] | None = None
                 ) -> list[Story]:
    """Cluster articles into stories, then pick each story's claims within its share of the words.

    `engine_map(fn, items)` runs each story's own work (story_work); an engine's map runs them elsewhere
    (models.Engine). It gives the results in the items' order: a list, or an iterator that gives each when it
    is done (RayEngine.imap). `marked`: the articles have been through mark_duplicates already (pipeline.brief marks
    them before it merges), so they are not marked again: marking a marked list changes nothing
    (tests/test_fast_paths.py), and it is a large part of the driver's serial work on the Ray engine.
    `grouping(articles)`: the stories (lists of indices), when not story_groups over `sent_vecs` (the hybrid
    embedder's, by its static table: focus.story_groups); everything after the grouping reads `sent_vecs` and
    `stmt_vecs` alone."""
    with one_blas_thread():
        return _make_stories(articles, statements, sent_vecs, stmt_vecs, words, support, engine_map, marked,
                             grouping)


def one_blas_thread():
    """numpy's BLAS held to one thread while it lasts (threadpoolctl), or nothing where threadpoolctl is missing.

    Merging's products are small (a story's sentences against another article's, a statement against an article),
    with Python work between them: with OpenBLAS's threads each one waited for a thread to wake (on two busy cores
    the 378 article pairs of one 28-article story took 0.39 s of products, 0.008 s in one thread). A product's
    values are the one thread's (OpenBLAS splits the rows and columns among threads, not the sums: 4,166 products
    of the MultiLing and feeds stories, bit for bit), so the same answers; the Ray engine's driver holds the same
    limit for its run (scale.RayEngine.start). CPU of the daily job's merging on 200 articles (bench/feeds_bench.py
    with the static embedder, in-process): 2.59 -> 2.16 s."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return contextlib.nullcontext()
    return threadpool_limits(limits=1, user_api="blas")


def _make_stories(articles: list[Article], statements: dict[int, list[Statement]], sent_vecs: dict[int, np.ndarray],
                  stmt_vecs: dict[int, np.ndarray], words: int, support: models.SupportCheck | None,
                  engine_map: Callable | None, marked: bool,
                  grouping: Callable[[list[Article]], list[list[int]]] | None) -> list[Story]:
    originals = [a for a in (articles if marked else mark_duplicates(articles)) if a.duplicate_of is None]
    found = story_groups(originals, sent_vecs) if grouping is None else grouping(originals)
    groups = [[originals[i] for i in g] for g in found]
    groups.sort(key=lambda g: (-len({a.publisher or a.id for a in g}), -len(g), min(a.id for a in g)))
    total = sum(len(g) for g in groups)
    mapper = engine_map or models.LocalEngine().map

    def mapped(part: list[list[Article]]) -> Iterator[StoryWork]:
        # Each story's vectors in one block, its rows named: hundreds of small arrays a story cost the Ray driver
        # a transfer each (bench/scale_bench.py). The rows are the same numbers, so the same answers. An array of
        # another shape or type (an empty one) goes as it is: the block is one dtype, so that no vector is
        # converted. A story's data goes with its own call, not with all the calls' function: a Ray engine's
        # driver then serialises the next stories' while the workers work on the first ones.
        items, blocks = [], []
        for g in part:
            first = next((v for a in g for v in (sent_vecs[a.id], stmt_vecs[a.id]) if v.ndim == 2 and len(v)), None)
            rows, sent, stmt, at = [], {}, {}, 0
            for a in g:
                for own, vecs in ((sent, sent_vecs[a.id]), (stmt, stmt_vecs[a.id])):
                    if first is None or vecs.ndim != 2 or not len(vecs) or vecs.dtype != first.dtype or \
                            vecs.shape[1] != first.shape[1]:
                        own[a.id] = vecs
                        continue
                    own[a.id] = (at, at + len(vecs))
                    rows.append(vecs)
                    at += len(vecs)
            blocks.append(np.concatenate(rows) if rows else None)
            items.append((g, {a.id: statements[a.id] for a in g}, sent, stmt, blocks[-1]))
        for work, block in zip(mapper(partial(story_work, support=support, only=len(groups) == 1), items), blocks):
            for c, row in zip(work.candidates, work.rows or ()):  # the candidates' vectors, from the rows named
                if row is not None:
                    c.vector = block[row]
            yield work
    # Each story's work is done only for the stories the words can reach: a chunk at a time, as many as the
    # words could fund at the least share, so a folder of hundreds of stories briefs a few (an engine runs a
    # chunk's stories at once).
    # A story's claims are chosen as soon as its work and that of the stories before it are back (an engine's
    # map may give them as they come: the Ray engine's driver chooses while its workers work on the next ones).
    chunk = _chunk(words)
    work: list = []
    pending: Iterator[StoryWork] = iter(())
    picked = []  # (group, candidates, centroid, weights, chosen, conflicts)
    spent = 0
    for k, group in enumerate(groups):
        left = words - spent
        if left <= 0:
            break
        if k == len(work):
            done = next(pending, None)
            if done is None:  # the chunk's work all taken: the next chunk's begins
                pending = mapped(groups[k:k + chunk])
                done = next(pending)
            work.append(done)
        done = work[k]
        share = max(MIN_SHARE, round(words * len(group) / total)) if len(groups) > 1 else words
        candidates, centroid, pairs, weights = done.candidates, done.centroid, done.pairs, done.weights
        budget = min(left, share)
        conflicts = conflicts_of(pairs, group, round(budget * CONFLICT_SHARE))
        chosen = choose(candidates, max(0, budget - conflict_words(conflicts)), weights)
        if not chosen:
            conflicts = []  # a story with no claim is not shown: its disagreements spend no words
        # Within the story's words: claims and disagreements together.
        spent += conflict_words(conflicts) + sum(claim_words(c) for c in chosen)
        picked.append((group, candidates, centroid, weights, chosen, conflicts))
    work.extend(pending)  # the rest of the chunk begun: every call it made finishes here, as it always did
    # Words a story's share left unspent (its claims did not fit exactly) go to the stories in rank order.
    for k, (group, candidates, centroid, weights, chosen, conflicts) in enumerate(picked):
        left = words - spent
        if left <= 0:
            break
        own = sum(claim_words(c) for c in chosen)
        more = choose(candidates, own + left, weights)
        if sum(claim_words(c) for c in more) > own:
            spent += sum(claim_words(c) for c in more) - own
            picked[k] = (group, candidates, centroid, weights, more, conflicts)
    stories = []
    for (group, candidates, centroid, weights, chosen, conflicts), done in zip(picked, work):
        headline = done.headline
        if not chosen:
            continue
        chosen.sort(key=lambda c: (-len({x.source for x in c.citations}), -c.score))
        chosen = lede_first(chosen, centroid)
        claims = [Claim(text=claim_text(c.statement.text), citations=c.citations, score=round(c.score, 4),
                        key=(k < KEY_POINTS), generated=c.statement.generated) for k, c in enumerate(chosen)]
        stories.append(Story(headline=headline, articles=[a.id for a in group],
                             claims=claims, conflicts=conflicts))
    return stories

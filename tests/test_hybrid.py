"""The hybrid embedder (--embedder minilm-hybrid): the static table reads every sentence, the transformer only the
sentences that compete for claims and their likely citations (focus.py); the two spaces are never compared."""
from __future__ import annotations

import hashlib
import json

import numpy as np
import pytest

from test_minilm import _make_in_a_subprocess
from test_static_minilm import static_embedder  # noqa: F401  (the session's table, a fixture)


class Counting:
    """An embedder that remembers what it was asked to embed."""

    def __init__(self, inner):
        self.inner, self.name, self.dim, self.asked = inner, inner.name, inner.dim, []

    def embed(self, texts):
        self.asked.extend(texts)
        return self.inner.embed(texts)


class Hashed:
    """Unit vectors of `dim` dimensions drawn from each text's hash: a stand-in for a model, of a size of its own."""

    def __init__(self, dim: int, name: str):
        self.dim, self.name = dim, name

    def embed(self, texts):
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for k, t in enumerate(texts):
            seed = int.from_bytes(hashlib.blake2b(t.encode(), digest_size=8).digest(), "little")
            v = np.random.default_rng(seed).standard_normal(self.dim)
            out[k] = v / np.linalg.norm(v)
        return out


def _sentences(briefing):
    return {(a.id, s.text) for a in briefing.articles for s in a.sentences}


def test_hybrid_briefs_the_seeds_with_cited_claims_and_the_default_paths_story(seeds, embedder, static_embedder):
    from briefing import merge, pipeline
    from briefing.models.hybrid_minilm import HybridMiniLM

    fine, coarse = Counting(embedder), Counting(static_embedder)
    settings = pipeline.Settings(inputs=(str(seeds),), words=250)
    hybrid = pipeline.run(settings, embedder=HybridMiniLM(fine, coarse))
    default = pipeline.run(settings, embedder=embedder)
    # The same stories, of the same articles, under the same headlines.
    assert [(s.headline, s.articles) for s in hybrid.stories] == [(s.headline, s.articles) for s in default.stories]
    claims = [c for s in hybrid.stories for c in s.claims]
    assert len(claims) >= 5
    said, check = _sentences(hybrid), merge.DefaultSupport()
    for c in claims:  # every citation is a sentence of its source that states the claim, as `brief verify` checks
        assert c.citations
        for cit in c.citations:
            assert (cit.source, cit.evidence) in said
            assert check.check(c.text, cit.evidence).supported, (c.text, cit.evidence)
    # The claims of the default path, all but one at most (models.md, "hybrid", lists the difference).
    assert len({c.text for c in claims} & {c.text for s in default.stories for c in s.claims}) >= \
        sum(len(s.claims) for s in default.stories) - 1
    # The default path's disagreements, all three: the transformer read every sentence the conflicts' text test
    # could pair (conflicts.contestable), the Deputy Prime Minister's name among them (outlets 1 and 2 against 5),
    # which neither competes for a claim nor is a likely citation.
    about = [[g.about for g in s.conflicts] for s in hybrid.stories]
    assert about == [[g.about for g in s.conflicts] for s in default.stories]
    assert "Deputy Prime Minister: Alexander Novak or Denis Manturov" in about[0]
    # The table read every sentence; the transformer fewer (76 of 142 when this was written: 54 %).
    n = len({s.text for a in hybrid.articles for s in a.sentences})
    assert len(set(coarse.asked)) == n
    assert 0 < len(set(fine.asked)) < n * 0.6


def test_the_two_spaces_are_never_compared(seeds):
    # The two stand-ins have vectors of different sizes (as the table's 256 and the transformer's 384): any product
    # of a vector of one with a vector of the other raises. Mixing them does raise (the first check), so a brief
    # that runs to its end compared none.
    from briefing import extract, merge, pipeline
    from briefing.ingest import read_inputs
    from briefing.models.hybrid_minilm import HybridMiniLM

    fine, coarse = Counting(Hashed(7, "fine")), Counting(Hashed(5, "coarse"))
    docs, _ = read_inputs([str(seeds)])
    articles = [extract.build_article(d, k + 1) for k, d in enumerate(docs)]
    a, b = articles[:2]
    mixed = {a.id: coarse.embed([s.text for s in a.sentences]), b.id: fine.embed([s.text for s in b.sentences])}
    st = [merge.Statement(article=a.id, text=a.sentences[0].text, support=[0])]
    with pytest.raises(ValueError):
        merge.build_story([a, b], [st, []], mixed, [mixed[a.id][:1], mixed[b.id][:0]], pairs=[])

    briefing = pipeline.brief(articles, [], pipeline.Settings(inputs=(), words=250), HybridMiniLM(fine, coarse))
    assert briefing.stories
    assert len(set(coarse.asked)) == len({s.text for x in articles for s in x.sentences})
    assert 0 < len(set(fine.asked)) < len(set(coarse.asked))


def test_focus_reads_the_competing_statements_and_zeroes_the_rest(seeds, embedder, static_embedder):
    from briefing import condense, conflicts, extract, focus, merge
    from briefing.ingest import read_inputs

    docs, _ = read_inputs([str(seeds)])
    articles = merge.mark_duplicates([extract.build_article(d, k + 1) for k, d in enumerate(docs)])
    articles_by = {a.id: a for a in articles}
    coarse = {a.id: static_embedder.embed([s.text for s in a.sentences]) for a in articles}
    statements = dict(zip([a.id for a in articles],
                          condense.ExtractiveBackend().condense(articles, coarse).statements))
    fine = Counting(embedder)
    few, few_vecs, few_stmt = focus.focus(articles, statements, coarse, fine, 100)
    more, _, _ = focus.focus(articles, statements, coarse, Counting(embedder), 250)
    n_few, n_more = (sum(map(len, x.values())) for x in (few, more))
    assert 0 < n_few < n_more <= sum(map(len, statements.values()))  # the budget decides how many compete
    read = set(fine.asked)
    for a in articles:
        assert all(st in statements[a.id] for st in few[a.id])
        for s in a.sentences:
            row = few_vecs[a.id][s.index]
            if s.text in read:
                assert np.allclose(row, embedder.embed([s.text])[0])
            else:
                assert not row.any()  # not read: a zero, which matches nothing
        assert np.array_equal(few_stmt[a.id], few_vecs[a.id][[st.support[0] for st in few[a.id]]])
        assert all(a.sentences[st.support[0]].text in read for st in few[a.id])
    # Every sentence the conflicts' text test could pair with another article's of its story was read.
    contestable = conflicts.contestable({a.id: [merge.claim_text(s.text) for s in a.sentences] for a in articles})
    assert sum(map(len, contestable.values())) > 0
    assert all(articles_by[a].sentences[r].text in read for a, rows in contestable.items() for r in rows)


def test_make_with_the_hybrid_embedder_loads_no_torch(embedder, static_embedder, tmp_path):
    embedder.embed(["the graph is built before the run"])
    out = _make_in_a_subprocess(tmp_path, args=("--embedder", "minilm-hybrid"))
    lines = out.stdout.strip().splitlines()
    assert lines[0] == "0" and lines[-1] == "[]", out.stdout + out.stderr
    data = json.loads((tmp_path / "out.json").read_text())
    assert sum(len(s["claims"]) for s in data["stories"]) >= 5


def test_the_daily_job_with_the_hybrid_embedder_reads_with_the_table_first(tmp_path, seeds, embedder, static_embedder):
    # The state's cache (store.CachedEmbedder) keeps the transformer's vectors and hands the table on: the daily
    # job's transformer reads only what competes, as `brief make` does.
    from briefing import config as configlib
    from briefing import daily
    from briefing.models.hybrid_minilm import HybridMiniLM

    fine, coarse = Counting(embedder), Counting(static_embedder)
    cfg = configlib.load(None, env={}, paths=(str(seeds),), embedder="minilm-hybrid", dir=str(tmp_path / "out"),
                         formats=("json",), state=str(tmp_path / "s.sqlite"))
    out = daily.run(cfg, embedder=HybridMiniLM(fine, coarse))
    assert out.exit_code == 0, out.message
    data = json.loads(next((tmp_path / "out").glob("briefing-*.json")).read_text())
    assert sum(len(s["claims"]) for s in data["stories"]) >= 5
    assert 0 < len(set(fine.asked)) < len(set(coarse.asked)) * 0.7  # 89 of 142 at b43c323


def test_contestable_holds_every_pair_conflicts_find_reports(seeds, embedder):
    # contestable reads no vectors: every disagreement find() reports over the transformer's vectors of every
    # sentence is between two sentences it named, and it names fewer than all of them.
    from briefing import conflicts, extract, merge
    from briefing.ingest import read_inputs

    docs, _ = read_inputs([str(seeds)])
    articles = [extract.build_article(d, k + 1) for k, d in enumerate(docs)]
    sentences = {a.id: [merge.claim_text(s.text) for s in a.sentences] for a in articles}
    vectors = {a.id: embedder.embed(sentences[a.id]) for a in articles}
    pairs = conflicts.find(sentences, vectors)
    named = conflicts.contestable(sentences)
    assert len(pairs) >= 3
    assert all(p.a[1] in named[p.a[0]] and p.b[1] in named[p.b[0]] for p in pairs)
    assert 0 < sum(map(len, named.values())) < sum(map(len, sentences.values()))


def test_contestable_needs_a_slot_both_sides_can_fill():
    from briefing import conflicts

    named = conflicts.contestable({
        1: ["The president arrived in Paris on Tuesday.", "It was a pleasant trip.", "Smith met Jones on Monday."],
        2: ["The president arrived in Paris on Wednesday.", "Nobody commented.", "Brown met Green on Friday."]})
    # The days of one arrival: both sides; a sentence with no slot: neither; the days of meetings of other people
    # (no name in common): not against each other (each is still contestable against the arrival's day).
    assert 0 in named[1] and 0 in named[2]
    assert 1 not in named[1] and 1 not in named[2]
    alone = conflicts.contestable({1: ["Smith met Jones on Monday."], 2: ["Brown met Green on Friday."]})
    assert alone == {1: set(), 2: set()}
    assert conflicts.contestable({1: ["Four people died."], 2: ["Five people died."]}) == {1: {0}, 2: {0}}
    assert conflicts.contestable({1: [], 2: ["Five people died."]}) == {1: set(), 2: set()}


def test_a_few_sentences_are_all_read_by_the_transformer_and_the_table_is_never_asked(seeds, embedder):
    # Below FOCUS_MIN_SENTENCES reading every sentence costs less than loading the table: the briefing is the
    # default path's, and the table reads nothing (so a cold run never loads it).
    from briefing import focus, pipeline
    from briefing.models.hybrid_minilm import HybridMiniLM

    one = str(sorted(seeds.glob("*.txt"))[0])
    settings = pipeline.Settings(inputs=(one,), words=250)
    fine, coarse = Counting(embedder), Counting(Hashed(5, "coarse"))
    hybrid = pipeline.run(settings, embedder=HybridMiniLM(fine, coarse))
    default = pipeline.run(settings, embedder=embedder)
    n = len({s.text for a in hybrid.articles for s in a.sentences})
    assert 0 < n < focus.MIN_SENTENCES
    assert coarse.asked == [] and set(fine.asked) >= {s.text for a in hybrid.articles for s in a.sentences}
    assert [[c.text for c in s.claims] for s in hybrid.stories] == [[c.text for c in s.claims] for s in default.stories]
    assert hybrid.stories and hybrid.stories[0].claims


def test_the_hybrid_with_the_int8_transformer_is_offered_by_name():
    from briefing import models
    from briefing.models import minilm

    assert "hybrid-int8" in minilm.EMBEDDERS and "minilm-hybrid-int8" in models.EMBEDDED_MINILM
    hybrid = models.embedders.get("minilm-hybrid-int8")
    assert hybrid is minilm.shared("hybrid-int8")
    assert hybrid.fine is minilm.shared("int8") and hybrid.coarse is minilm.shared("static")


def test_another_condenser_gets_the_transformers_vectors_of_every_sentence(seeds):
    # A condenser other than the extractive one (a generative model grounds its sentences against the sources' in
    # one space) is given the transformer's vectors of every sentence; the table reads nothing.
    from briefing import extract, pipeline
    from briefing.ingest import read_inputs
    from briefing.models.hybrid_minilm import HybridMiniLM
    from test_seams import ScriptedCondenser

    fine, coarse = Counting(Hashed(7, "fine")), Counting(Hashed(5, "coarse"))
    docs, _ = read_inputs([str(seeds)])
    articles = [extract.build_article(d, k + 1) for k, d in enumerate(docs)]
    given = []

    class Seeing(ScriptedCondenser):
        def condense(self, articles, vectors, embedder, advance):
            given.extend(v.shape[1] for v in vectors.values())
            return super().condense(articles, vectors, embedder, advance)

    briefing = pipeline.brief(articles, [], pipeline.Settings(inputs=(), words=250), HybridMiniLM(fine, coarse),
                              backend=Seeing())
    assert briefing.stories and set(given) == {7}
    assert coarse.asked == [] and set(fine.asked) == {s.text for a in articles for s in a.sentences}

import numpy as np

from briefing import merge
from briefing.facts import facts, unsupported
from briefing.types import Article, Sentence


def test_facts_and_unsupported():
    f = facts("The Russian president arrived in Pyongyang at 3 a.m. on June 18, 2024, with 1,200 guards.")
    assert 2024 in f.years and (6, 18) in f.dates and ("guard", 1200.0) in f.quantities
    assert "Pyongyang" in f.names and "The" not in f.names
    assert unsupported("Putin met Biden in Paris in 2019.", ["Putin met Biden in Paris."]) == {"2019"}
    assert unsupported("Putin met Biden in Paris.", ["putin met biden in paris"]) == set()


def _article(i, text, sentences):
    return Article(id=i, title=f"t{i}", text=text, sentences=[Sentence(j, s, 0) for j, s in enumerate(sentences)])


def test_syndicated_copy_is_marked_duplicate():
    body = "Officials said the bridge would close for repairs next month. " * 3 + "Traffic will be diverted."
    a = _article(1, body, [body])
    b = _article(2, body + " Extra line.", [body])
    c = _article(3, "Something else entirely happened at the zoo today, keepers said.", ["x"])
    marked = merge.mark_duplicates([a, b, c])
    assert [x.duplicate_of for x in marked] == [None, 1, None]
    assert (a.duplicate_of, b.duplicate_of) == (None, None)  # a new list: the articles given are not changed


def test_cluster_splits_distant_groups():
    v = np.array([[1, 0, 0], [0.95, 0.05, 0], [0, 1, 0], [0.02, 0.98, 0], [0, 0, 1]], dtype=float)
    v /= np.linalg.norm(v, axis=1, keepdims=True)
    groups = merge.cluster(v, threshold=0.5)
    assert sorted(groups) == [[0, 1], [2, 3], [4]]


def test_dateline_is_not_part_of_a_claim():
    assert merge.claim_text("Washington [US], June 19 : Russian President Vladimir Putin arrived.") == \
        "Russian President Vladimir Putin arrived."
    assert merge.claim_text("Putin arrived: a long day.") == "Putin arrived: a long day."
    assert merge.claim_text("Additionally, the city needs food and fuel.") == "The city needs food and fuel."
    assert merge.claim_text("However many came, it rained.") == "However many came, it rained."


def test_support_needs_more_than_a_shared_topic():
    claim = "Both Pyongyang and Moscow deny these allegations regarding North Korean weapons transfers."
    accusation = ("The US, South Korea and other countries have accused North Korea of providing "
                  "substantial military aid to Russia's war effort in recent months.")
    denial = "Both Moscow and Pyongyang have denied such arms transfers."
    assert merge.supports(claim, denial, 0.80)
    assert not merge.supports(claim, accusation, 0.72)
    # a hedge ("might sign") is no confirmation of the fact ("signed")
    assert not merge.supports("Putin and Kim signed a partnership agreement on Wednesday.",
                              "Putin and Kim might sign a partnership agreement.", 0.80)
    # different years are different facts
    assert not merge.supports("It is his first trip abroad since the invasion in 2022.",
                              "It is his first trip to North Korea since 2000.", 0.85)


def test_a_story_whose_every_statement_is_contested_still_gets_claims(hash_embedder):
    from briefing import pipeline

    a = _article(1, "The ferry sank on Tuesday near the harbour of Piraeus.",
                 ["The ferry sank on Tuesday near the harbour of Piraeus."])
    b = _article(2, "The ferry sank on Wednesday near the harbour of Piraeus.",
                 ["The ferry sank on Wednesday near the harbour of Piraeus."])
    brief = pipeline.brief([a, b], [], pipeline.Settings(inputs=()), embedder=hash_embedder)
    story = brief.stories[0]
    assert story.claims, "a briefing must never come out empty"
    assert story.conflicts and story.conflicts[0].about in ("the day: Tuesday or Wednesday",
                                                            "the day: Wednesday or Tuesday")
    sides = {side.citations[0].source: side.text for side in story.conflicts[0].sides}
    assert "Tuesday" in sides[1] and "Wednesday" in sides[2]


def test_very_short_articles_still_give_claims(hash_embedder):
    from briefing import pipeline

    a = Article(id=1, title="A", text="", sentences=[Sentence(0, "Markets fell sharply.", 0)])
    brief = pipeline.brief([a], [], pipeline.Settings(inputs=()), embedder=hash_embedder)
    assert [c.text for c in brief.stories[0].claims] == ["Markets fell sharply."]


def test_a_claim_takes_the_supporting_sentence_that_reads_alone():
    """A claim's text is the supporting sentence that reads best alone; none reading alone leaves it out.
    Made-up sentences (the footbridge of tests/test_daily.py)."""
    import numpy as np

    from briefing.types import Citation, Statement

    dangling = "He said the crossing would link the old town with the railway station."
    named = "Mayor Dana Ortiz said the crossing would link the old town with the railway station."
    arts = [_article(1, dangling, [dangling]), _article(2, named, [named]), _article(3, named, [named])]
    vec = {i: np.array([[1.0, 0.0]]) for i in (1, 2, 3)}
    cits = [Citation(1, dangling), Citation(2, named), Citation(3, named)]
    c = merge.Candidate(Statement(1, dangling, [0]), np.array([1.0, 0.0]), cits, [], score=1.0)
    headline = "Council approves footbridge"
    got = merge.readable_form(c, headline, arts, vec, [])
    assert got.statement.text == named and got.statement.article in (2, 3)
    # it cites the sentences that state the new text: both copies of the named sentence, not the "He said" one
    assert sorted(x.source for x in got.citations) == [2, 3]
    assert merge.claim_words(got) == len(named.split())
    # a claim that reads alone keeps its own sentence; one with no sentence that reads alone is left out
    assert merge.readable_form(got, headline, arts, vec, []) is got
    alone = merge.Candidate(Statement(1, dangling, [0]), np.array([1.0, 0.0]), [Citation(1, dangling)], [])
    assert merge.readable_form(alone, headline, arts, vec, []) is None


def test_a_headline_tie_does_not_fall_on_the_batch_noise_of_the_vectors():
    """Two titles as representative as each other, their articles as close to the story's centre to within the
    7th decimal (what embedding the same sentences in another batch changes, as the Ray engine's workers do):
    the earlier article's title wins either way the noise falls."""
    a = Article(id=1, title="Rihanna calls for end to gun violence", text="Rihanna calls for end to gun violence.",
                sentences=[])
    b = Article(id=2, title="An end to gun violence, Rihanna calls", text="An end to gun violence, Rihanna calls.",
                sentences=[])
    centroid = np.array([1.0, 0.0, 0.0])
    picked = set()
    for noise in (1e-7, -1e-7):
        near = np.array([[0.6, 0.8, 0.0]])
        other = np.array([[0.6 + noise, 0.8 - noise * 0.75, 0.0]])
        assert (merge.article_vector(other) @ centroid > merge.article_vector(near) @ centroid) == (noise > 0)
        picked.add(merge.headline_of([a, b], {1: near, 2: other}, centroid))
    assert picked == {a.title}

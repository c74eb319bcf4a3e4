"""Where sources differ: real disagreements found with their kind and slot, look-alikes and precision left silent.

Sentence pairs come from the seeds (examples/state-visit) or are written here in the dev set's kinds; no
Giveme5W1H text is copied (its licence allows measuring only)."""
import json
from dataclasses import replace

import numpy as np
import pytest

from briefing import conflicts, facts, merge, render
from briefing.types import Article, Briefing, Citation, Claim, Conflict, Sentence, Side, Story

SURE = 0.9  # a cosine at which two sentences are about the same thing


def finding(a, b, cosine=SURE):
    return conflicts.compare(a, b, cosine)


# --- each slot, from the seeds --------------------------------------------------------------------------------

def test_day_of_one_arrival_told_a_day_apart_is_a_contradiction():
    f = finding("Vladimir Putin received a red carpet welcome as he arrived in North Korea on Tuesday night.",
                "Russian President Vladimir Putin arrived in North Korea on Wednesday morning (local time).", 0.7)
    assert (f.slot, f.kind, {f.a, f.b}) == ("day", "contradiction", {"Tuesday", "Wednesday"})


def test_name_in_the_same_role_is_a_contradiction():
    f = finding("Putin's delegation includes several high-ranking officials, such as his new Defence Minister "
                "Andrei Belousov, Foreign Minister Sergei Lavrov, and Deputy Prime Minister Alexander Novak.",
                "Putin is accompanied by several high-ranking officials, including Deputy Prime Minister Denis "
                "Manturov, Defense Minister Andrei Belousov, and Foreign Minister Sergey Lavrov.")
    assert (f.slot, f.kind, f.about) == ("name", "contradiction", "Deputy Prime Minister")
    assert {f.a, f.b} == {"Alexander Novak", "Denis Manturov"}


def test_place_of_the_last_meeting_is_a_contradiction():
    f = finding("The most recent meeting between the two leaders occurred in September, taking place in the "
                "Russian city of Vladivostok.",
                "The last meeting between the two leaders was in September at Russia's Vostochny cosmodrome.", 0.58)
    assert (f.slot, f.kind, {f.a, f.b}) == ("place", "contradiction", {"Vladivostok", "Vostochny"})


# --- numbers, times, dates, hedges: our own sentences in the dev set's kinds ----------------------------------

def test_a_rising_toll_is_an_update_not_a_contradiction():
    f = finding("Officials said at least 40 people were injured when the tram overturned.",
                "Police said more than 50 people were injured when the tram overturned.", 0.8)
    assert (f.slot, f.kind) == ("number", "update")
    assert "injured" in f.about and {f.a, f.b} == {"at least 40", "more than 50"}


def test_one_weight_given_two_ways_is_a_contradiction():
    f = finding("Keepers shot the 450-pound gorilla after the boy fell into its enclosure at the zoo.",
                "Keepers shot the 400-pound gorilla after the boy fell into its enclosure at the zoo.", 0.95)
    assert (f.slot, f.kind) == ("number", "contradiction")


def test_numbers_are_read_as_a_reader_reads_them():
    assert [q.value for q in facts.quantities("Police deployed 1, 600 officers.")] == [1600.0]
    assert [q.value for q in facts.quantities("The fund raised $8.8 million.")] == [8.8e6]
    assert facts.quantities("Sony sold more of the PS4 console.") == ()
    # "1, 600" and "1,600" are one count: no disagreement
    assert finding("Police deployed 1, 600 officers around the stadium on Saturday.",
                   "Police deployed 1,600 officers around the stadium on Saturday.") is None


def test_clock_times_as_a_reader_reads_them():
    assert facts.clock_times("at 2242 GMT")[0][:2] == facts.clock_times("at 22:42 GMT")[0][:2] == (22 * 60 + 42, "UTC")
    assert finding("The quake struck at 2242 GMT off the coast.", "The quake struck at 22:42 GMT off the coast.") is None
    f = finding("The shooting began at 10:15 p.m. outside the hotel.", "The shooting began at 10:15 a.m. outside the hotel.")
    assert (f.slot, f.kind) == ("time", "contradiction")


def test_date_of_one_signing_is_a_contradiction():
    f = finding("The treaty was signed on June 19 in Pyongyang by both leaders.",
                "The treaty was signed on June 20 in Pyongyang by both leaders.")
    assert (f.slot, f.kind, {f.a, f.b}) == ("date", "contradiction", {"June 19", "June 20"})


def test_may_sign_against_signed_is_a_hedge():
    f = finding("The two leaders may sign a defence pact in Pyongyang.",
                "The two leaders signed a defence pact in Pyongyang.")
    assert (f.slot, f.kind) == ("other", "hedge")
    assert "may" in (f.a, f.b) and "certain" in (f.a, f.b)


# --- look-alikes and differences of precision stay silent -----------------------------------------------------

@pytest.mark.parametrize("a, b", [
    # precision, not disagreement
    ("Putin arrived in Pyongyang on Tuesday.", "Putin arrived in Pyongyang on Tuesday night."),
    ("About 200 passengers were aboard the flight to Tokyo.", "The flight to Tokyo had 213 passengers aboard."),
    ("The flight turned back four hours into an 11-hour journey.",
     "The flight turned back four hours into an 11.5-hour journey."),
    # two different things counted in one unit: a career record and one season's
    ("Smith leaves the club with a 50-32 record over six seasons.",
     "Smith led the club to an 11-5 record in his first season."),
    # two kicks by different players
    ("Carter kicked a 40-yard field goal in the first quarter.",
     "Moreno missed a 30-yard field goal in the fourth quarter."),
    # two people's ages
    ("The 29-year-old singer posted photos of the baby.", "She posted photos with her 21-year-old partner."),
    # a plan is not a happening: a later plan is news, not a disagreement
    ("The rocket will lift off on Tuesday from the same pad.", "The rocket lifted off on Friday from the same pad."),
    # launches days apart: two happenings
    ("North Korea fired a missile over Japan on Tuesday.", "North Korea fired a missile over Japan on Friday."),
    # the day the statement was made is not the day of the happening
    ("Investigators said Monday that the plane crashed in woods.", "The plane crashed in woods on Sunday."),
])
def test_look_alikes_and_precision_stay_silent(a, b):
    assert finding(a, b) is None


def test_unrelated_sentences_are_never_compared():
    assert finding("At least 40 people were injured.", "At least 90 people were injured.", 0.3) is None


# --- through the story: contested claims, the budget, the JSON -------------------------------------------------

def _article(i, sentences):
    return Article(id=i, title=f"A{i}", text=" ".join(sentences),
                   sentences=[Sentence(k, s, 0) for k, s in enumerate(sentences)])


def _pairs_of(articles):
    vecs = {a.id: np.ones((len(a.sentences), 1)) for a in articles}  # every sentence "about the same thing"
    return merge.story_conflicts(articles, vecs)


def test_conflicts_keep_within_their_budget_most_important_first():
    a = _article(1, ["The ferry sank on Tuesday near the harbour of Piraeus after a storm.",
                     "Officials said at least 40 people were injured when the ferry sank."])
    b = _article(2, ["The ferry sank on Wednesday near the harbour of Piraeus after a storm.",
                     "Officials said more than 60 people were injured when the ferry sank."])
    pairs = _pairs_of([a, b])
    assert {p.finding.kind for p in pairs} == {"contradiction", "update"}
    everything = merge.conflicts_of(pairs, [a, b], 1000)
    assert [k.kind for k in everything] == ["contradiction", "update"]  # contradictions first
    one = merge.conflict_words(everything[:1])
    shown = merge.conflicts_of(pairs, [a, b], one)
    assert len(shown) == 1 and merge.conflict_words(shown) <= one
    assert merge.conflicts_of(pairs, [a, b], 5) == []


def test_an_update_reads_as_a_change_with_the_articles_dates():
    a = replace(_article(1, ["Officials said at least 40 people were injured when the ferry sank."]),
                published="2026-11-23")
    b = replace(_article(2, ["Officials said more than 60 people were injured when the ferry sank."]),
                published="2026-11-24")
    [k] = merge.conflicts_of(_pairs_of([b, a]), [a, b], 1000)
    assert k.kind == "update" and k.slot == "number"
    assert k.about == "the number of injured: from at least 40 to more than 60 (2026-11-23 → 2026-11-24)"
    assert [s.citations[0].source for s in k.sides] == [1, 2]  # earlier report first


def test_a_contested_statement_is_no_plain_claim(hash_embedder):
    from briefing import pipeline

    a = _article(1, ["The ferry sank on Tuesday near the harbour of Piraeus.",
                     "Rescue boats searched the bay for survivors through the night."])
    b = _article(2, ["The ferry sank on Wednesday near the harbour of Piraeus.",
                     "Rescue boats searched the bay for survivors through the night."])
    brief = pipeline.brief([a, b], [], pipeline.Settings(inputs=()), embedder=hash_embedder)
    story = brief.stories[0]
    assert story.conflicts and story.conflicts[0].slot == "day"
    assert not any("Tuesday" in c.text or "Wednesday" in c.text for c in story.claims)
    words = sum(len(c.text.split()) for c in story.claims) + merge.conflict_words(story.conflicts)
    assert words <= 250


def test_json_carries_kind_and_slot_and_keeps_every_field():
    k = Conflict(about="the day: Tuesday or Wednesday", kind="contradiction", slot="day",
                 sides=[Side("Putin arrived on Tuesday.", [Citation(1, "Putin arrived on Tuesday.")]),
                        Side("Putin arrived on Wednesday.", [Citation(2, "Putin arrived on Wednesday.")])])
    arts = [_article(1, ["Putin arrived on Tuesday."]), _article(2, ["Putin arrived on Wednesday."])]
    b = Briefing(title="t", generated_at="2026-11-24T00:00:00Z", model="m", articles=arts, skipped=[],
                 stories=[Story(headline="h", articles=[1, 2], claims=[Claim("x", [Citation(1, "x")])],
                                conflicts=[k])])
    [out] = json.loads(render.render(b, "json"))["stories"][0]["conflicts"]
    assert out["kind"] == "contradiction" and out["slot"] == "day" and out["about"].startswith("the day")
    assert [[c["source"] for c in s["citations"]] for s in out["sides"]] == [[1], [2]]
    assert all({"text", "citations"} <= set(s) for s in out["sides"])


# --- a side's words: the value it gives, within merge.SIDE_WORDS ------------------------------------------------

@pytest.mark.parametrize("sentence, value, shown", [
    # The value's first word ("at") stands earlier in the sentence ("attendance"): the figure decides.
    ("The fire brigade, which has 70 officers in attendance, said at least 40 people were injured after the tram "
     "overturned on a sharp bend.", "at least 40", "at least 40 people"),
    # A value told as a reader says it ("down 4.3%") is found by its figure ("fell 4.3 percent").
    ("The shares, which had slipped earlier after a securities report on the company's biggest customer, fell 4.3 "
     "percent by mid-afternoon.", "down 4.3%", "fell 4.3 percent"),
    # A value without figures by its longest word; a date by its last figure, the year that differs.
    ("A suicide bomber rammed a car packed with explosives into a wall around the consulate, killing at least four "
     "civilians and wounding scores.", "at least four", "killing at least four civilians"),
    ("The schoolgirls were abducted from their dormitory by the militants on April 14, 2016 in the north-east of "
     "the country.", "April 14, 2016", "April 14, 2016"),
    # A short figure is found as a whole word, not inside a longer one ("4" of "40").
    ("The 40 officers were there and the police chief said that at least 4 people died in the blast at the "
     "station late on Sunday.", "at least 4", "at least 4 people died"),
    # A value whose telling word repeats is found where its words stand in a row.
    ("The city had 10 mayors in its history and by 2016 it had grown from 10 to 12 districts in the east and "
     "the west of the region.", "10 to 12", "from 10 to 12 districts"),
])
def test_a_side_shows_the_words_around_its_value(sentence, value, shown):
    side = merge.excerpt(sentence, value)
    assert shown in side
    assert len(side.replace("…", "").split()) == merge.SIDE_WORDS


def test_a_value_longer_than_a_side_starts_the_side():
    words = "a b c d e f g h i j k l m n o p".split()
    assert merge.excerpt(" ".join(words), " ".join(words[2:14])).replace("… ", "").startswith("c d e")


def test_a_short_sentence_is_its_own_side():
    assert merge.excerpt("Seven people have died.", "seven") == "Seven people have died."


def test_two_updates_told_three_ways_both_fit_the_conflicts_share_of_a_250_word_story():
    # Three reports of one crash, each giving its own toll and count of injured in a long sentence: two
    # three-sided updates. Each side shows merge.SIDE_WORDS words, so both fit the share of the words that
    # disagreements may take (at 12 words a side, with its '…', one update cost more than half of it).
    told = [("at least five", "at least 40"), ("at least six", "at least 50"), ("at least seven", "at least 60")]
    arts = [_article(i + 1, [
        f"Officials at the regional hospital in the town said late in the evening that {dead} people were killed "
        f"in the crash of the overnight passenger train on the coastal line.",
        f"Officials at the regional hospital in the town said late in the evening that {hurt} people were injured "
        f"in the crash of the overnight passenger train on the coastal line."]) for i, (dead, hurt) in enumerate(told)]
    pairs = _pairs_of(arts)
    share = round(250 * merge.CONFLICT_SHARE)
    shown = merge.conflicts_of(pairs, arts, share)
    assert [(k.kind, len(k.sides)) for k in shown] == [("update", 3), ("update", 3)]
    assert {k.about.split(":")[0] for k in shown} == {"the number of dead", "the number of injured"}
    assert merge.conflict_words(shown) <= share

"""Where sources differ, slot first: the statements that compete for one tally, a year told two ways, figures as a
reader reads them, and the look-alikes each rule must leave silent.

Our own sentences, written in the forms the dev set's news takes (its Giveme5W1H texts may only be measured);
the seeds (examples/state-visit) where they are the case."""
import numpy as np
import pytest

from briefing import conflicts, facts, merge
from briefing.types import Article, Sentence


def _article(i, sentences, published=None):
    return Article(id=i, title=f"A{i}", text=" ".join(sentences), published=published,
                   sentences=[Sentence(k, s, 0) for k, s in enumerate(sentences)])


def _vectors(articles, cosine):
    """Unit vectors whose every cross-article pair has the given cosine: sentences only loosely alike."""
    n = sum(len(a.sentences) for a in articles)
    base = np.zeros(n + 1)
    base[0] = 1.0
    out, k = {}, 1
    for a in articles:
        rows = []
        for _ in a.sentences:
            v = np.zeros(n + 1)
            v[0], v[k] = np.sqrt(cosine), np.sqrt(1 - cosine)
            rows.append(v)
            k += 1
        out[a.id] = np.array(rows)
    return out


def _story(articles, cosine):
    return merge.conflicts_of(merge.story_conflicts(articles, _vectors(articles, cosine)), articles, 1000)


# --- a tally told in sentences that differ in all but the figure ------------------------------------------------

def test_a_rising_toll_from_loosely_alike_sentences_is_one_update_with_every_source():
    a = _article(1, ["At least 60 people were killed when a lorry drove into the crowd on the seafront."],
                 "2026-07-14")
    b = _article(2, ["Officials in the city said 77 people died overnight, and the search went on."], "2026-07-15")
    c = _article(3, ["The death toll from the seafront attack rose to 84 on Friday, the prefect said."], "2026-07-15")
    d = _article(4, ["Hospital staff said 84 people had been killed in the attack."], "2026-07-16")
    [k] = _story([a, b, c, d], 0.45)  # far below the cosine any two sentences need elsewhere
    assert (k.kind, k.slot) == ("update", "number")
    assert k.about.startswith("the number of dead: from at least 60 to 84")
    assert len(k.sides) == 3  # lowest, most told, highest
    assert {c.source for c in k.sides[-1].citations} == {3, 4}  # both sources of 84 on its side


def test_a_toll_of_another_happening_stays_silent():
    a = _article(1, ["At least 60 people were killed when a lorry drove into the crowd on the seafront."])
    b = _article(2, ["Eight months ago gunmen killed 130 people in the capital."])
    c = _article(3, ["In 2015 a similar attack killed 12 people."])
    d = _article(4, ["Two children from a neighbouring country died in the attack, their embassy said."])
    assert _story([a, b, c, d], 0.45) == []
    # a projection or a hedged figure is not yet a report of the toll
    e = _article(5, ["Officials fear the toll could rise to 100 as the search goes on."])
    f = _article(6, ["All 90 people thought to have died in the attack were named by local media."])
    assert _story([a, e, f], 0.45) == []


def test_a_part_of_a_tally_is_not_the_tally():
    assert [q.key for q in facts.quantities("Twenty people were treated, of whom four were seriously injured.")] \
        == []
    [q] = facts.quantities("Eight people had serious injuries, the ambulance service said.")
    assert q.key == "injured (serious)"
    a = _article(1, ["The ambulance service said 51 people were injured in the crash."])
    b = _article(2, ["Eight people were seriously injured in the crash, the hospital said."])
    assert _story([a, b], 0.7) == []


def test_tallies_are_read_where_news_puts_them():
    def read(text):
        return [(q.key, q.value) for q in facts.quantities(text)]

    # the measure named before the figure
    assert read("The death toll from the bombing rose to at least six on Friday.") == [("dead", 6.0)]
    assert read("The toll, which officials revised twice during the night and again in the morning, "
                "climbed to 85.") == [("dead", 85.0)]
    # an aside between the figure and its verb
    assert read("Witnesses said at least 84 people, including children, were killed.") == [("dead", 84.0)]
    # killed and dead are one tally; whom it counts is kept apart
    assert read("The crash killed 12 people.")[0][0] == read("Twelve people are dead.")[0][0] == "dead"
    assert read("The crash killed 10 U.S. citizens and two pilots.")[0] == ("dead citizens", 10.0)


# --- figures as a reader reads them -----------------------------------------------------------------------------

@pytest.mark.parametrize("text, key, value", [
    ("The boy fell down a 40m well.", "metre", 40.0),
    ("The boy fell into a 40-metre-deep well.", "metre", 40.0),
    ("He fell 15ft into the enclosure.", "feet", 15.0),
    ("The truck was doing 40mph.", "mph", 40.0),
    ("It can lift 140,000lb into orbit.", "pound", 140000.0),
    ("Bitcoin fell as low as $5,967.34 on Tuesday.", "$", 5967.34),
    ("The death count is over 120,000.", "dead", 120000.0),
    ("The safety car came out again on lap 13 when he crashed.", "lap", 13.0),
    ("The conflict caused the displacement of 2.3 million people.", "displ", 2.3e6),
    ("The singer posted four photos with her cousin.", "photo", 4.0),
])
def test_units_measures_and_numbers_as_written(text, key, value):
    assert [(q.key, q.value) for q in facts.quantities(text)] == [(key, value)]


def test_words_that_are_no_figures_stay_out():
    assert facts.quantities("The two sides met in Geneva.") == ()  # "sides" of one meeting: no count of them
    assert facts.quantities("Raised $5m last year.")[0].value == 5e6  # a scale, not metres
    assert facts.quantities("Sony sold more of the PS4 console.") == ()


def test_one_depth_given_two_ways_is_a_contradiction_in_its_unit():
    f = conflicts.compare("The boy fell into the 40m-deep well while playing in the field.",
                          "The boy fell into an 80-metre-deep well while playing in the field.", 0.9)
    assert (f.slot, f.kind, f.about) == ("number", "contradiction", "how many metres")


def test_a_measure_named_before_its_figure_disagrees():
    f = conflicts.compare("The conflict has forced the displacement of 2.3 million people since the insurgency "
                          "began in the north.",
                          "The conflict has displaced 2.6 million people since the insurgency began in the north.",
                          0.8)
    assert (f.slot, f.kind) == ("number", "contradiction")


def test_a_bound_beside_an_exact_figure_of_another_quantity_is_silent():
    # "82 of the more than 200": a part beside the whole, not a revision
    assert conflicts.compare("The government secured the release of 82 schoolgirls kidnapped from the school.",
                             "More than 200 schoolgirls were kidnapped from the school.", 0.8) is None


# --- a year told two ways ---------------------------------------------------------------------------------------

def test_one_move_dated_to_two_years_is_a_date_contradiction():
    f = conflicts.compare("The gorilla was born in Texas and was moved to the Cincinnati Zoo in 2014.",
                          "The gorilla came to Cincinnati in 2015 from a zoo in Texas.", 0.85)
    assert (f.slot, f.kind, {f.a, f.b}) == ("date", "contradiction", {"2014", "2015"})


def test_the_same_day_of_another_year_is_a_date_contradiction():
    f = conflicts.compare("A video shows some of the schoolgirls abducted by the militants on April 14, 2016.",
                          "On April 14, 2014, more than 200 schoolgirls were abducted by the militants.", 0.58)
    assert (f.slot, f.about) == ("date", "the year")
    assert {f.a, f.b} == {"April 14, 2016", "April 14, 2014"}


@pytest.mark.parametrize("a, b", [
    # two actions two years apart: launched, then decommissioned
    ("The space lab was launched in 2011 as a political symbol.",
     "The space lab was decommissioned in 2013 but its re-entry was delayed."),
    # the seeds: an invasion and an invitation, in otherwise alike sentences about one visit
    ("Putin's visit to North Korea is his first significant overseas trip since the invasion of Ukraine in 2022.",
     "This visit comes after North Korea's supreme leader Kim Jong Un extended an invitation to Putin in "
     "September 2023."),
    # a deadline is no happening
    ("The roadmap sets a deadline for talks by 2009.", "China called for talks to end by 2010 under the roadmap."),
])
def test_years_of_different_happenings_stay_silent(a, b):
    assert conflicts.compare(a, b, 0.9) is None


# --- days and places: one action, one place --------------------------------------------------------------------

def test_a_day_of_a_report_or_of_another_action_stays_silent():
    assert conflicts.compare("The company raised its offer for the chipmaker on Monday.",
                             "A news agency first reported on the company's new offer on Sunday.", 0.8) is None
    assert conflicts.compare("The gorilla, who turned 17 on Friday, tried to protect the boy at the zoo.",
                             "The boy slipped into the gorilla enclosure at the zoo on a crowded Saturday.",
                             0.8) is None


def test_two_spots_in_one_region_are_precision_not_two_places():
    assert conflicts.compare(
        "The crash happened early on Sunday afternoon in Nandayure, a region in the Guanacaste province.",
        "The site of Sunday's plane crash in Punta Islita, Guanacaste, is seen from the air.", 0.8) is None


def test_the_seeds_place_of_the_last_meeting_still_differs():
    f = conflicts.compare("The most recent meeting between the two leaders occurred in September, taking place "
                          "in the Russian city of Vladivostok.",
                          "The last meeting between the two leaders was in September at Russia's Vostochny "
                          "cosmodrome.", 0.58)
    assert (f.slot, {f.a, f.b}) == ("place", {"Vladivostok", "Vostochny"})


# --- one disagreement, however many pairs show it ---------------------------------------------------------------

def test_pairs_of_one_contradiction_are_joined_and_each_side_cites_all_its_sources():
    a = _article(1, ["The ferry sank on Tuesday near the harbour of Piraeus after a storm."])
    b = _article(2, ["The ferry sank on Wednesday near the harbour of Piraeus after a storm."])
    c = _article(3, ["The ferry sank on Wednesday near the harbour of Piraeus after the storm."])
    [k] = _story([a, b, c], 0.9)
    assert (k.slot, k.kind) == ("day", "contradiction")
    sources = sorted(sorted(x.source for x in s.citations) for s in k.sides)
    assert sources == [[1], [2, 3]]


# --- which side may stand as a claim ----------------------------------------------------------------------------

def test_the_superseded_figure_is_contested_the_later_one_and_the_certain_one_are_not():
    low = conflicts.Pair((1, 0), (2, 0), conflicts.Finding("number", "update", "the number of dead", "at least 60",
                                                            "84"), 0.5)
    assert conflicts.contested(low) == ((1, 0),)
    hedge = conflicts.Pair((1, 0), (2, 0), conflicts.Finding("other", "hedge", "how certain it is", "certain",
                                                              "may"), 0.9)
    assert conflicts.contested(hedge) == ((2, 0),)
    day = conflicts.Pair((1, 0), (2, 0), conflicts.Finding("day", "contradiction", "the day", "Tuesday",
                                                            "Wednesday"), 0.9)
    assert conflicts.contested(day) == ((1, 0), (2, 0))


def test_a_story_keeps_its_latest_toll_as_a_claim_and_shows_the_update(hash_embedder):
    from briefing import pipeline

    a = _article(1, ["At least 60 people were killed when a lorry drove into the crowd on the seafront.",
                     "Rescue teams searched the promenade through the night for survivors."], "2026-07-14")
    b = _article(2, ["At least 84 people were killed when a lorry drove into the crowd on the seafront.",
                     "The president declared three days of national mourning on Friday."], "2026-07-15")
    story = pipeline.brief([a, b], [], pipeline.Settings(inputs=()), embedder=hash_embedder).stories[0]
    [k] = [k for k in story.conflicts if k.slot == "number"]
    assert k.kind == "update" and "from at least 60 to at least 84" in k.about
    texts = " ".join(c.text for c in story.claims)
    assert "At least 60" not in texts  # the superseded figure is no plain claim
    assert "At least 84 people were killed" in texts  # the latest one is


def test_a_figure_written_with_a_spaced_thousands_comma_is_read_not_a_crash():
    # "1, 600" (a common typo of the dev set's news) once stopped `brief make` in the support check
    from briefing import support

    v = support.check("Between 1, 600 and 2,000 people were injured.", "Officials said 1,600 people were injured.")
    assert v.verdict in (support.SUPPORTS, support.PARTIAL, support.NONE)


# --- a thing's measure, a market move, a.m. against p.m. ------------------------------------------------------------

def test_one_things_weight_told_two_ways_is_a_contradiction_across_loosely_alike_sentences():
    a = _article(1, ["Critics spoke out after a boy got into the enclosure of a 450-pound gorilla at the zoo."])
    b = _article(2, ["An online page had thousands of likes a day after the 400-pound (181-kg) gorilla was shot."])
    [k] = _story([a, b], 0.55)  # below the cosine two sentences' counts need elsewhere
    assert (k.kind, k.slot) == ("contradiction", "number")
    assert k.about.startswith("the weight of the gorilla")
    assert {c.source for s in k.sides for c in s.citations} == {1, 2}


@pytest.mark.parametrize("text, key, value", [
    ("The driver drove the 25-ton, unmarked truck along the seafront.", ("weight", "truck"), 25000.0),
    ("The boy fell into the 80m-deep well.", ("size", "well"), 80.0),
    ("The boy fell into a 40-metre-deep well (131 feet) while picking cabbages.", ("size", "well"), 40.0),
    ("The 400-pound (181-kg) gorilla was shot.", ("weight", "goril"), 400 * 0.4536),
])
def test_a_measure_written_onto_a_thing_is_read_in_metric_units(text, key, value):
    assert conflicts._measures(text)[key][0] == pytest.approx(value)


@pytest.mark.parametrize("a, b", [
    # one measure in two units, and rounding
    ("The boy fell into the 12-foot moat.", "The boy fell into the 3.7-metre moat."),
    # two things of a kind: a prologue and a stage, far apart
    ("He won the 7.9 km time trial.", "He won the 54 km time trial."),
    # a measure of another time
    ("The 450-pound gorilla was shot.", "Last year a 300-pound gorilla escaped from its enclosure."),
])
def test_measures_of_one_thing_told_alike_or_of_other_things_stay_silent(a, b):
    assert _story([_article(1, [a]), _article(2, [b])], 0.7) == []


@pytest.mark.parametrize("text", ["The boy fell 15ft into the moat.",  # a fall, no thing
                                  "The plane crashed roughly 130 miles northwest of the capital.",  # a direction
                                  "The company raised $5m for its 40 stores.",  # money
                                  "The 230-foot Falcon rocket stood on the pad."])  # a name follows: not read
def test_a_measure_that_names_no_thing_is_not_a_things_measure(text):
    assert conflicts._measures(text) == {}


def test_one_companys_share_move_told_at_two_times_is_an_update():
    a = _article(1, ["Chipco shares fell 1.5 percent to $65.09 at 9:34 a.m. New York."])
    b = _article(2, ["Chipco (CHP) shares fell 6.6%."])
    [k] = _story([a, b], 0.8)
    assert (k.kind, k.slot) == ("update", "number")
    assert "Chipco shares" in k.about and "1.5%" in k.about and "6.6%" in k.about


def test_a_fall_and_a_rise_of_one_size_are_two_sides_and_neither_stands_as_a_claim():
    a = _article(1, ["Chipco shares fell 2 percent on Monday after the chip maker cut its forecast."])
    b = _article(2, ["Chipco shares rose 2 percent on Monday after the chip maker cut its forecast."])
    [k] = _story([a, b], 0.8)
    assert [[c.source for c in s.citations] for s in k.sides] == [[1], [2]]  # 'down 2%' is not 'up 2%'
    assert "down 2% or up 2%" in k.about  # undated: no side is told as the later one
    [pair] = merge.story_conflicts([a, b], _vectors([a, b], 0.8))
    assert set(conflicts.contested(pair)) == {(1, 0), (2, 0)}  # a move does not grow: both sides are disputed


def test_a_move_told_on_two_dates_is_told_in_date_order():
    a = _article(1, ["Chipco shares fell 1.5 percent to $65.09 at 9:34 a.m. New York."], "2026-03-02")
    b = _article(2, ["Chipco (CHP) shares fell 6.6%."], "2026-03-01")
    [k] = _story([a, b], 0.8)
    assert "from down 6.6% to down 1.5% (2026-03-01 → 2026-03-02)" in k.about


@pytest.mark.parametrize("a, b", [
    ("Chipco shares fell 6.6% on Monday.", "Chipco shares rose 3% on Tuesday."),  # two days' moves
    ("Chipco shares fell 6.6%.", "Chipco shares rose 20 percent last year."),  # another time
    ("Chipco shares fell 6.6%.", "Chipco shares fell 6.5 percent."),  # rounding
    ("Chipco shares fell 6.6%.", "Rivalco shares fell 3%."),  # another company
])
def test_share_moves_of_other_days_or_companies_stay_silent(a, b):
    assert not [k for k in _story([_article(1, [a]), _article(2, [b])], 0.8) if "shares" in k.about]


def test_the_same_clock_time_with_am_and_pm_mixed_is_a_contradiction_when_the_place_is_shared():
    f = conflicts.compare("Hours later, passengers arrive at the gate in Honolulu at 10:15 p.m. on Dec. 31, 2017.",
                          "It landed in Honolulu at 10:15 a.m. on New Year's Eve.", 0.7)
    assert (f.slot, f.kind, {f.a, f.b}) == ("time", "contradiction", {"10:15 p.m.", "10:15 a.m."})
    # half a day apart in sentences naming nothing in common: two actions
    assert conflicts.compare("The ferry left the harbour at 10:15 p.m. with its crew.",
                             "The crew had boarded at 10:15 a.m. for the checks.", 0.7) is None


def test_days_of_two_actions_told_with_irregular_past_tenses_stay_silent():
    assert conflicts.compare("Chipco shares fell sharply in New York on Monday.",
                             "Chipco shares rose sharply in New York on Tuesday.", 0.9) is None
    # one action told a day apart still differs
    f = conflicts.compare("The president flew into Pyongyang on Tuesday for the summit.",
                          "The president flew into Pyongyang on Wednesday for the summit.", 0.9)
    assert (f.slot, {f.a, f.b}) == ("day", {"Tuesday", "Wednesday"})


def test_a_bracketed_conversion_takes_its_figures_qualifier():
    [m, ft] = facts.quantities("The rescuers were less than 10 metres (33 feet) from the bottom of the well.")
    assert (m.bound, ft.bound) == ("max", "max")
    [m, ft] = facts.quantities("They were about four metres (13 feet) from the bottom of the well.")
    assert (m.approx, ft.approx) == (True, True)
    # "less than 33 feet" and "about 13 feet" can both be true: no disagreement
    assert conflicts.compare("The rescuers were less than 10 metres (33 feet) from the bottom of the well.",
                             "The rescuers were about four metres (13 feet) from the bottom of the well.", 0.9) is None


def test_one_thing_placed_in_two_seas_is_a_place_contradiction():
    f = conflicts.compare("The booster will land on the barge 'Steady Hands' waiting in the Pacific Ocean.",
                          "The booster will try to land on the 'Steady Hands' barge, stationed in the Atlantic Ocean.",
                          0.7)
    assert (f.slot, f.kind, {f.a, f.b}) == ("place", "contradiction", {"Pacific Ocean", "Atlantic Ocean"})


@pytest.mark.parametrize("a, b", [
    # nothing named in common beyond the seas: two things
    ("A tanker was seen taking on fuel in the West Sea.", "A tanker was seen taking on fuel in the East China Sea."),
    # a sea beside another time: another happening
    ("North Korean vessels took on oil in the West Sea, the report said.",
     "The month before, North Korean vessels took on oil in the East China Sea the previous month."),
])
def test_two_seas_of_two_happenings_stay_silent(a, b):
    assert conflicts._water_finding(a, b) is None

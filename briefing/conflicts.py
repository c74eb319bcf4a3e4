"""Where sources differ: two statements about the same happening that give incompatible values in one slot.

A slot is what the value answers: the day, date or time of an action, a count of one quantity, the name in one
role, or the place. Two sentences disagree only when they are about the same happening (close in meaning, the
same names where both name someone, the same year) and their values for the same slot cannot both be true.
Differences of precision ("Tuesday" vs "Tuesday night", "about 200" vs "213", 11 vs 11.5 hours) are not
disagreements. Each finding says its kind:

- contradiction: both can't be true;
- update: a later report revises a count that grows as news comes in (a toll, the injured, the arrested);
- hedge: one says it may happen, another that it did; the certain one is the claim, the difference is shown.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from types import MappingProxyType

import numpy as np

from briefing import facts as factlib
from briefing import tuning
from briefing.facts import Quantity

# What they do, what they were tuned on and the bench that shows them: tuning.py.
SAME_THING, SAME_COUNT = tuning.CONFLICTS_SAME_THING, tuning.CONFLICTS_SAME_COUNT
SAME_ACTION, SAME_HEDGED = tuning.CONFLICTS_SAME_ACTION, tuning.CONFLICTS_SAME_HEDGED
ROUNDING, APPROXIMATE = tuning.CONFLICTS_ROUNDING, tuning.CONFLICTS_APPROXIMATE
SAME_TALLY = tuning.CONFLICTS_SAME_TALLY
SAME_YEAR, SAME_YEAR_WORDS = tuning.CONFLICTS_SAME_YEAR, tuning.CONFLICTS_SAME_YEAR_WORDS
YEAR_GAP, YEAR_GAP_SAME_DAY = tuning.CONFLICTS_YEAR_GAP, tuning.CONFLICTS_YEAR_GAP_SAME_DAY
MEASURE_RATIO = tuning.CONFLICTS_MEASURE_RATIO

KINDS = ("contradiction", "update", "hedge")
SLOTS = ("day", "date", "time", "number", "name", "place", "who-did-what", "other")

# A plan or forecast ("will lift off on Friday", "is scheduled for") dates no happening yet: a later plan is news,
# not a disagreement about when something happened.
PLAN = re.compile(r"\b(?:will|would|scheduled|expected|planned|plans|set to|due to|going to)\b", re.IGNORECASE)
HEDGE = re.compile(r"\b(?:might|may|plans? to|planned to|expected to|set to|likely to|possibly)\b", re.IGNORECASE)
SHARED_CONTEXT = tuning.CONFLICTS_SHARED_CONTEXT  # content words two counts' contexts share: see tuning.py


@dataclass(frozen=True)
class Finding:
    slot: str
    kind: str
    about: str  # what the sides disagree on, in a few words: "the number of injured"
    a: str  # the first sentence's value, as a reader would write it
    b: str  # the second's


# The readings of one sentence below are remembered by text (lru_cache): find() compares a story's sentences pair
# by pair, and each sentence comes back in hundreds of pairs (a 200-article day: 870,000 readings of names for
# 4,000 sentences). What they return is frozen (frozenset, a read-only mapping), so a caller cannot change what the
# next pair reads; the answers are those of reading the sentence again.
@lru_cache(maxsize=65536)
def _names(text: str, first_word: bool = True) -> frozenset[str]:
    """The names a sentence gives; without its first word when asked ('Police said ...' names no one)."""
    first = re.match(r"\W*([\w'-]+)", factlib.fold(text))
    return frozenset(factlib.stem(n) for n in factlib.facts(text).names
                     if first_word or not first or n != first.group(1))


@lru_cache(maxsize=65536)
def _name_stems(text: str) -> frozenset[str]:
    """Every name a sentence gives, stemmed (its first word too)."""
    return frozenset(factlib.stem(n) for n in factlib.facts(text).names)


@lru_cache(maxsize=65536)
def _plans(text: str) -> bool:
    """Whether the sentence speaks of a plan or a forecast (PLAN)."""
    return PLAN.search(text) is not None


def _names_compatible(a: str, b: str, first_word: bool = True) -> bool:
    """Sentences that both name someone must name one in common to be about one happening. A toll is told by
    different sources ('Police said', 'Officials said'): for tallies a capitalised first word is no name."""
    na, nb = _names(a, first_word), _names(b, first_word)
    if not na or not nb:
        return True
    return bool(na & nb)


def _years_compatible(a: str, b: str) -> bool:
    ya, yb = factlib.facts(a).years, factlib.facts(b).years
    return not ya or not yb or bool(ya & yb)


def _numbers(a: Quantity, b: Quantity) -> Finding | None:
    x, y = a.value, b.value
    if x == y:
        return None
    big = max(abs(x), abs(y)) or 1.0
    if abs(x - y) / big < ROUNDING:
        return None
    if (a.approx or b.approx) and abs(x - y) / big < APPROXIMATE:
        return None
    if (a.bound or b.bound) and not (a.grows or b.grows):
        # "more than 200" and "more than 300" can both be true, and neither revises the other; beside an exact
        # figure a bound is either compatible ("more than 200", "218") or the whole of a part ("82 of the more
        # than 200"). Only a tally, which grows, is revised by a later figure.
        return None
    kind = "update" if a.grows or b.grows or a.bound or b.bound else "contradiction"
    about = f"how many {a.label}" if a.key in factlib.UNIT_LABELS else f"the number of {a.label}"
    return Finding("number", kind, about, a.text, b.text)


def _quantity_finding(a: str, b: str) -> Finding | None:
    qa = factlib.quantities(a)
    qb = factlib.quantities(b)
    by_key_a: dict[str, list[Quantity]] = {}
    for q in qa:
        by_key_a.setdefault(q.key, []).append(q)
    by_key_b: dict[str, list[Quantity]] = {}
    for q in qb:
        by_key_b.setdefault(q.key, []).append(q)
    for key, xs in by_key_a.items():
        ys = by_key_b.get(key)
        # One value a side: a sentence with two counts of one thing (before/after, two groups) can't be paired.
        if not ys or len(xs) != 1 or len(ys) != 1:
            continue
        x, y = xs[0], ys[0]
        # The words around each count must share something beyond the unit: "killed in Kabul" and "killed in
        # the 2005 attacks" are not the same count.
        need = 1 if x.grows else SHARED_CONTEXT + 1 if key[0] in "$%£€" else SHARED_CONTEXT
        if len(x.context & y.context) < need:
            continue
        found = _numbers(x, y)
        if found:
            return found
    return None


# Past tenses not ending in -ed: "shares fell on Monday", "rose on Tuesday" are two actions. Verbs of saying
# are left out: who said it does not name the action a day dates.
IRREGULAR_PAST = frozenset("""began broke brought built came drove fell flew fought forgot found gave got grew hit
held kept knew led left lost made met paid ran rang rose sank sat saw sent shot slid sold spoke stood stole
struck swam took taught threw went woke won wore wrote""".split())


def _verbs_before(text: str, pattern: re.Pattern) -> set[str]:
    """The past-tense verbs among the six words before a value: 'arrived', 'slipped', 'fell'."""
    text = factlib.fold(text)
    m = pattern.search(text)
    words = re.findall(r"\b[a-z]+\b", text[max(0, m.start() - 60):m.start()])[-6:]
    return {factlib.stem(w) for w in words if (w.endswith("ed") and len(w) > 4) or w in IRREGULAR_PAST}


def _day_finding(a: str, b: str) -> Finding | None:
    da, db = factlib.day_mentions(a), factlib.day_mentions(b)
    if len(da) != 1 or len(db) != 1:
        return None
    (day_a, ctx_a), (day_b, ctx_b) = da[0], db[0]
    if day_a == day_b or not (ctx_a & ctx_b) or _plans(a) or _plans(b):
        return None
    # The past-tense verbs just before each day name the action it dates: none in common ("turned 17 on Friday",
    # "slipped into the enclosure on Saturday"), two actions.
    va, vb = _verbs_before(a, factlib.WEEKDAY), _verbs_before(b, factlib.WEEKDAY)
    if va and vb and not va & vb:
        return None
    # One happening told a day apart ("late Thursday", "early Friday"; a time zone) is a disagreement; days
    # further apart in a running story are mostly two happenings (two launches, two meetings).
    gap = abs(factlib.WEEKDAYS.index(day_a) - factlib.WEEKDAYS.index(day_b))
    if min(gap, 7 - gap) > 1:
        return None
    return Finding("day", "contradiction", "the day", day_a.capitalize(), day_b.capitalize())


def _before(text: str, pattern: re.Pattern) -> set[str]:
    text = factlib.fold(text)
    m = pattern.search(text)
    words = re.findall(r"\b[a-z]+\b", text[max(0, m.start() - 60):m.start()])[-6:]
    return {factlib.stem(w) for w in words if w not in factlib.STOPWORDS and w not in factlib.UNIT_STOP and len(w) > 2}


def _date_finding(a: str, b: str) -> Finding | None:
    fa, fb = factlib.facts(a), factlib.facts(b)
    if len(fa.dates) != 1 or len(fb.dates) != 1 or fa.dates == fb.dates:
        return None
    (ma, da), (mb, db) = next(iter(fa.dates)), next(iter(fb.dates))
    if abs(ma - mb) > 1:
        return None  # months apart: another happening, not a misdated one
    if _plans(a) or _plans(b) or len(_before(a, factlib.DATE) & _before(b, factlib.DATE)) < 2:
        return None  # the words before each date name the action it dates; none shared, two actions
    return Finding("date", "contradiction", "the date", f"{factlib.MONTHS[ma - 1].capitalize()} {da}",
                   f"{factlib.MONTHS[mb - 1].capitalize()} {db}")


DATED_YEAR = re.compile(r"\b(" + factlib._MONTH_RE + r")\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+((?:1[89]|20)\d\d)\b",
                        re.IGNORECASE)
# A year that dates a plan, a deadline or a milestone ("by 2020", "since 1972", "target year") is no happening.
NOT_A_HAPPENING = re.compile(r"\b(?:since|by|until|before|target|founded|born)\s+(?:the\s+year\s+)?(?:1[89]|20)\d\d\b",
                             re.IGNORECASE)


@lru_cache(maxsize=65536)
def _dated_years(text: str) -> MappingProxyType:
    """(month, day) -> year for each full date a sentence gives ('April 14, 2014'), read-only."""
    out = {}
    for m in DATED_YEAR.finditer(factlib.fold(text)):
        day = int(m.group(2))
        if 1 <= day <= 31:
            out[(factlib.month_key(m.group(1)), day)] = int(m.group(3))
    return MappingProxyType(out)


def _words_before(text: str, value: str, n: int = 6) -> set[str]:
    """The content words, names included, among the n words before a value."""
    text = factlib.fold(text)
    at = text.find(value)
    words = re.findall(r"[A-Za-z][A-Za-z'-]*", text[max(0, at - 80):at])[-n:] if at >= 0 else []
    return {factlib.stem(w) for w in words if w.lower() not in factlib.STOPWORDS and len(w) > 2}


def _year_finding(a: str, b: str, cosine: float) -> Finding | None:
    """One happening dated to two years ('moved to Cincinnati in 2014', 'came to Cincinnati in 2015')."""
    # The same day of two years: "abducted on April 14, 2016", "On April 14, 2014, ... were seized".
    da, db = _dated_years(a), _dated_years(b)
    for day in da.keys() & db.keys():
        if da[day] != db[day] and abs(da[day] - db[day]) <= YEAR_GAP_SAME_DAY \
                and not (_plans(a) or _plans(b)):
            month = factlib.MONTHS[day[0] - 1].capitalize()
            return Finding("date", "contradiction", "the year", f"{month} {day[1]}, {da[day]}",
                           f"{month} {day[1]}, {db[day]}")
    ya, yb = factlib.facts(a).years, factlib.facts(b).years
    if len(ya) != 1 or len(yb) != 1 or cosine < SAME_YEAR:
        return None
    (x,), (y,) = ya, yb
    if x == y:
        return None
    # One year off ("drafted in 2002", "in 2003"), or the same day of another year ("April 14, 2014", "April 14,
    # 2016"); years further apart are two happenings of the story's background (launched 2011, decommissioned 2013).
    same_day = bool(factlib.facts(a).dates & factlib.facts(b).dates)
    if abs(x - y) > (YEAR_GAP_SAME_DAY if same_day else YEAR_GAP) or _plans(a) or _plans(b) \
            or NOT_A_HAPPENING.search(a) or NOT_A_HAPPENING.search(b):
        return None
    # Otherwise the same sentence: most of the shorter one's words are in the longer one, and the words just
    # before each year (names too: "to the Cincinnati Zoo in 2014", "came to Cincinnati in 2015") share one.
    wa, wb = factlib.content_words(a) - {str(x)}, factlib.content_words(b) - {str(y)}
    if len(wa & wb) < SAME_YEAR_WORDS * min(len(wa), len(wb)):
        return None
    if not _words_before(a, str(x)) & _words_before(b, str(y)):
        return None
    return Finding("date", "contradiction", "the year", str(x), str(y))


def _time_finding(a: str, b: str) -> Finding | None:
    ta, tb = factlib.clock_times(a), factlib.clock_times(b)
    if len(ta) != 1 or len(tb) != 1:
        return None
    (ma, za, ra), (mb, zb, rb) = ta[0], tb[0]
    if za != zb:
        return None  # "22:42 GMT" and "6:42 p.m. ET" may be one moment
    gap = abs(ma - mb) % (24 * 60)
    gap = min(gap, 24 * 60 - gap)
    if gap < 60:
        return None  # "around 6am" and "6:10": precision
    # The same clock digits half a day apart ("10:15 p.m.", "10:15 a.m.") are one time with a.m. and p.m. mixed
    # up, when the sentences share a name ("landed in Honolulu", "arrive ... in Honolulu"): the verbs may differ.
    ampm = gap == 12 * 60 and bool(_names(a) & _names(b))
    if not ampm and not (_before(a, factlib.CLOCK) & _before(b, factlib.CLOCK)):
        return None  # the words before each time name the action it times
    return Finding("time", "contradiction", "the time", ra, rb)


def _unshared(places: list[str], other_names: set[str]) -> list[str]:
    """The places the other sentence never names ('Temple University' beside 'Temple' is named)."""
    out = []
    for p in places:
        if factlib.stem(p.split()[0]) not in other_names and p not in out:
            out.append(p)
    return out


def _anchors_near(text: str, place: str, reach: int = 50) -> set:
    text = factlib.fold(text)
    at = text.find(place)
    return factlib.time_anchors(text[max(0, at - reach):at + len(place) + reach]) if at >= 0 else set()


def _names_after(text: str, place: str, reach: int = 50) -> set[str]:
    text = factlib.fold(text)
    at = text.find(place)
    if at < 0:
        return set()
    after = text[at + len(place):at + len(place) + reach]
    return {factlib.stem(n) for n in factlib.facts(after).names}


def _place_finding(a: str, b: str) -> Finding | None:
    # A place one sentence names anywhere in the other is a place both agree on, only said differently.
    names_a, names_b = _name_stems(a), _name_stems(b)
    only_a = _unshared(factlib.places(a), names_b)
    only_b = _unshared(factlib.places(b), names_a)
    if len(only_a) != 1 or len(only_b) != 1:
        return None
    # The same action at one time in two places: the time must stand by each place ("met in September at the
    # Vostochny cosmodrome"); a time elsewhere in the sentence dates another action.
    if not (_anchors_near(a, only_a[0]) & _anchors_near(b, only_b[0])):
        return None
    # Two spots placed in one larger place ("Nandayure, a region in Guanacaste", "Punta Islita, Guanacaste"):
    # nearby or nested, a difference of precision rather than two places.
    if _names_after(a, only_a[0]) & _names_after(b, only_b[0]):
        return None
    return Finding("place", "contradiction", "the place", only_a[0], only_b[0])


# A sea or an ocean: "the Pacific Ocean", "the Sea of Japan", "the East China Sea".
WATER = re.compile(r"\b(?:(?:[A-Z][a-z]+\s+){1,2}(?:Ocean|Sea)|(?:Sea|Gulf|Bay) of(?:\s+[A-Z][a-z]+){1,2})\b")


@lru_cache(maxsize=65536)
def _seas(text: str) -> frozenset[str]:
    return frozenset(WATER.findall(factlib.fold(text)))


def _water_finding(a: str, b: str) -> Finding | None:
    """One thing placed in two seas ("the drone ship ... in the Pacific Ocean", "... stationed in the Atlantic
    Ocean"): each sentence names one sea, they differ, and the sentences share a name beyond the seas' own words
    (the ship's, 'Of Course I Still Love You'), so it is one thing and not two ("the West Sea off China", "the East
    China Sea": two transfers)."""
    wa, wb = _seas(a), _seas(b)
    if len(wa) != 1 or len(wb) != 1 or wa == wb or OTHER_TIME.search(factlib.fold(a + " " + b)):
        return None  # one sea a side; a sea beside another time ("the previous month") places another happening
    (x,), (y,) = wa, wb
    own = {factlib.stem(w) for w in re.findall(r"[A-Z][a-z]+", x + " " + y)}
    if not (_names(a, first_word=False) & _names(b, first_word=False)) - own:
        return None
    return Finding("place", "contradiction", "the place", x, y)


def compare(a: str, b: str, cosine: float) -> Finding | None:
    """How two sentences of different sources about one happening disagree, if they do."""
    if cosine < SAME_THING or not _names_compatible(a, b, first_word=False):
        return None
    if not _years_compatible(a, b):
        # Different years mostly mean different happenings; a year told two ways for one happening is the date.
        return _year_finding(a, b, cosine) if _names_compatible(a, b) else None
    found = _quantity_finding(a, b) if cosine >= SAME_COUNT else None
    if found is not None and found.kind != "update" and not _names_compatible(a, b):
        found = None
    if found is None and not _names_compatible(a, b):
        return None
    if found is None and cosine >= SAME_ACTION:
        found = (_day_finding(a, b) or _date_finding(a, b) or _year_finding(a, b, cosine) or _time_finding(a, b)
                 or factlib_name(a, b) or _place_finding(a, b) or _water_finding(a, b))
    if found is None and cosine >= SAME_HEDGED:
        found = _hedge_finding(a, b)
    return found


def factlib_name(a: str, b: str) -> Finding | None:
    d = factlib.name_in_same_role(a, b)
    if d is None:
        return None
    return Finding("name", "contradiction", d.about, d.a, d.b)


def _hedge_finding(a: str, b: str) -> Finding | None:
    ha, hb = HEDGE.search(a), HEDGE.search(b)
    if bool(ha) == bool(hb):
        return None
    hedged = (ha or hb).group(0)
    # Otherwise the same words: the hedge is the only difference worth showing, not a clause the other lacks.
    wa, wb = factlib.content_words(a), factlib.content_words(b)
    if len(wa - wb) > 2 or len(wb - wa) > 2 or len(wa & wb) < 4:
        return None
    return Finding("other", "hedge", "how certain it is", hedged if ha else "certain", "certain" if ha else hedged)


@dataclass(frozen=True)
class Pair:
    """Two sentences of different articles that disagree: (article id, sentence index) each, and how."""

    a: tuple[int, int]
    b: tuple[int, int]
    finding: Finding
    cosine: float


# What each of compare()'s findings needs of both sentences of a pair, read once a sentence (_slots, bits): a
# finding that one of the two sentences cannot give is never looked for. Each bit is necessary for its finding (the
# finding returns None unless both sentences have it; hedges: unless one has it and the other not), so a pair that
# shares none gets None from compare() and is skipped unread. Within SAME_ACTION: one day named (_day_finding), one
# date (_date_finding), one clock time (_time_finding), a title of office (factlib_name), a place (_place_finding),
# one sea (_water_finding). At any closeness (compare() reads the years first): a full date with its year, or one
# year (_year_finding). Within SAME_COUNT: a count (_quantity_finding). Within SAME_HEDGED: a hedge (_hedge_finding).
_ACTION_BITS, _YEAR_BITS, _COUNT_BIT, _HEDGE_BIT = 0b111111, 0b11000000, 1 << 8, 1 << 9
_WATER_WORDS = ("Ocean", "Sea", "Gulf", "Bay")  # every match of WATER has one (it is case-sensitive)


@lru_cache(maxsize=65536)
def _slots(text: str) -> int:
    """Which of compare()'s findings a sentence can take part in, as bits (see _ACTION_BITS...)."""
    f = factlib.facts(text)
    # Readings that cannot find anything are not made: a day named needs a weekday (facts reads them with the
    # same pattern), a clock time and a full date's year need a digit, a sea one of the words WATER names. A count
    # (quantities) is only looked for: a figure QUANTITY finds, read as a count only in the pairs that need one.
    folded = factlib.fold(text)
    digit = _has_digit(text)
    bits = (bool(f.weekdays) and len(factlib.day_mentions(text)) == 1, len(f.dates) == 1,
            digit and len(factlib.clock_times(text)) == 1, bool(factlib._roles(text)), bool(factlib.places(text)),
            any(w in folded for w in _WATER_WORDS) and len(_seas(text)) == 1, digit and bool(_dated_years(text)),
            len(f.years) == 1, factlib.QUANTITY.search(folded) is not None, HEDGE.search(text) is not None)
    return sum(1 << k for k, bit in enumerate(bits) if bit)


def _may_differ(bits_a: np.ndarray, bits_b: np.ndarray, sims: np.ndarray) -> np.ndarray:
    """Which pairs of two articles' sentences (their _slots bits, their closeness `sims`) compare() could find a
    disagreement in: False only where each finding would be None. The closeness is read as compare() reads it
    (float(sims[r, c]): in float64)."""
    both = bits_a[:, None] & bits_b[None, :]
    cosine = sims.astype(np.float64)
    return (((both & _YEAR_BITS) != 0) | ((cosine >= SAME_ACTION) & ((both & _ACTION_BITS) != 0))
            | ((cosine >= SAME_COUNT) & ((both & _COUNT_BIT) != 0))
            | ((cosine >= SAME_HEDGED) & (((bits_a[:, None] ^ bits_b[None, :]) & _HEDGE_BIT) != 0)))


def find(sentences: dict[int, list[str]], vectors: dict[int, np.ndarray]) -> list[Pair]:
    """Every disagreement between the sentences of different articles, closest pairs first.

    `sentences[article] = [text, ...]`, `vectors[article]` their unit vectors, row for row."""
    ids = sorted(sentences)
    out: list[Pair] = []
    seen: set = set()
    # What compare()'s findings need (_slots), worked out once a sentence and then for all pairs of two articles at
    # once, and its first gate (a name in common where both name someone, the first word aside), read once a
    # sentence: only the pairs that pass both reach the rules, which would answer None for the others (the same
    # findings, in the same order, without the pairs' Python cost).
    names = {i: [_names(t, first_word=False) for t in sentences[i]] for i in ids}
    bits = {i: np.array([_slots(t) for t in sentences[i]], dtype=np.int64) for i in ids}
    for n, i in enumerate(ids):
        for j in ids[n + 1:]:
            if not len(sentences[i]) or not len(sentences[j]):
                continue
            sims = vectors[i] @ vectors[j].T
            rows, cols = np.nonzero((sims >= SAME_THING) & _may_differ(bits[i], bits[j], sims))
            for r, c in zip(rows.tolist(), cols.tolist()):
                na, nb = names[i][r], names[j][c]
                if na and nb and not na & nb:
                    continue
                f = compare(sentences[i][r], sentences[j][c], float(sims[r, c]))
                if f is not None:
                    _add_new(out, seen, Pair((i, r), (j, c), f, float(sims[r, c])))
    out += _tally_pairs(sentences, vectors, seen)
    # A thing's measure or a market move that a pair's figures already show ("how many metres": 40m / 80m) is
    # the same disagreement: one of them is shown.
    counted = {frozenset((p.a, p.b)) for p in out if p.finding.slot == "number"}
    out += [p for p in _measure_pairs(sentences, vectors, seen) + _move_pairs(sentences, vectors, seen)
            if frozenset((p.a, p.b)) not in counted]
    out.sort(key=lambda p: -p.cosine)
    return out


def contestable(sentences: dict[int, list[str]], hedges: bool = False) -> dict[int, set[int]]:
    """The sentences find() could pair into a disagreement however close their vectors were: each article's rows
    (`sentences` as find() takes them) that share with some sentence of another article what one of compare()'s
    findings needs (_slots; the hedge finding, where one side is hedged and the other not, only with `hedges`,
    since nearly every sentence has a partner there) and pass the names gate, or that tell a tally, a measure or a
    market move another article tells too. No vectors are read: the hybrid embedder (focus.py) reads these with
    the transformer, so that find() can then compare them there. A sentence outside the answer is in no pair
    find() reports (the closeness only ever narrows what this lets through)."""
    ids = sorted(sentences)
    out: dict[int, set[int]] = {i: set() for i in ids}
    names = {i: [_names(t, first_word=False) for t in sentences[i]] for i in ids}
    bits = {i: np.array([_slots(t) for t in sentences[i]], dtype=np.int64) for i in ids}
    # A count is read by its things, as _quantity_finding pairs them (one value of one thing on each side), not by
    # the count bit alone (any figure: most sentences of a story would have a partner).
    counted = {i: [bool(b & _COUNT_BIT) for b in bits[i]] for i in ids}
    bits = {i: b & ~(_COUNT_BIT | (0 if hedges else _HEDGE_BIT)) for i, b in bits.items()}
    readings = [_tallies, _measure_reading, _move_reading]  # as _tally_pairs, _measure_pairs, _move_pairs read
    keys = {i: [frozenset((n, k) for n, read in enumerate(readings) for k in (read(t) or {}))
                | (_counted_once(t) if count else frozenset()) for t, count in zip(sentences[i], counted[i])]
            for i in ids}
    for n, i in enumerate(ids):
        for j in ids[n + 1:]:
            if not len(sentences[i]) or not len(sentences[j]):
                continue
            close = np.ones((len(sentences[i]), len(sentences[j])))  # as if every pair were the closest
            for r, c in zip(*np.nonzero(_may_differ(bits[i], bits[j], close))):
                na, nb = names[i][r], names[j][c]
                if not (na and nb and not na & nb):
                    out[i].add(int(r))
                    out[j].add(int(c))
            for r, ka in enumerate(keys[i]):
                if ka and any(ka & kb for kb in keys[j]):
                    out[i].add(r)
                    out[j].update(c for c, kb in enumerate(keys[j]) if ka & kb)
    return out


def _counted_once(text: str) -> frozenset:
    """The things a sentence counts once (facts.quantities' keys with one value), as contestable's keys: only two
    sentences that count one thing once each can differ in a count (_quantity_finding)."""
    by: dict[str, int] = {}
    for q in factlib.quantities(text):
        by[q.key] = by.get(q.key, 0) + 1
    return frozenset(("count", k) for k, n in by.items() if n == 1)


def contested(p: Pair) -> tuple[tuple[int, int], ...]:
    """The sentences of a pair that can't stand as a plain claim: both sides of a contradiction; of an update the
    superseded figure (a tally grows: the lower one), of a hedge the hedged side (the certain one wins the claim)."""
    f = p.finding
    if is_move(f):
        return (p.a, p.b)  # a price moves all day: neither figure is known to be the later one
    if f.kind == "update" and f.slot == "number":
        return (p.a,) if _value_number(f.a) < _value_number(f.b) else (p.b,)
    if f.kind == "hedge":
        return (p.b,) if f.a == "certain" else (p.a,)
    return (p.a, p.b)


@dataclass(frozen=True)
class Group:
    """One disagreement of a story, however many pairs of sentences show it: each value once, with every
    sentence (article id, sentence index) that gives it, in the order a reader should see them."""

    finding: Finding  # the closest pair's: slot, kind, what it is about
    values: tuple[str, ...]
    sentences: tuple[tuple[tuple[int, int], ...], ...]  # row for row with values
    cosine: float


def is_move(f: Finding) -> bool:
    """A market move (`_move_pairs`): an update whose sides are signed ("down 1.5%") and do not grow."""
    return f.slot == "number" and f.about.startswith(MOVE_ABOUT.split("{")[0])


def _value_number(value: str) -> float:
    """A side's figure; a market move's fall ("down 1.5%") negative."""
    q = factlib.quantities(value + " people were killed")
    n = q[0].value if q else 0.0
    return -n if value.startswith("down ") else n


def _side_key(value: str) -> str:
    """A figure's side: its number and its bound ('at least 50' and 'more than 50' are one side, '50' another;
    'down 2%' and 'up 2%' two)."""
    q = factlib.quantities(value + " people were killed")
    return f"{_value_number(value):g} {q[0].bound}" if q else value.lower()


def group(pairs: list[Pair], max_sides: int = 3) -> list[Group]:
    """The pairs that show one disagreement, joined: a tally told as 60, 77, 84 and 85 by four sources is one
    update with its lowest and highest figures (and the most told between), not six pairs. Other slots join pairs
    that share a sentence or a value of one slot ("Tuesday" or "Wednesday" for the arrival). Closest first."""
    groups: list[dict] = []
    for p in sorted(pairs, key=lambda p: -p.cosine):
        f = p.finding
        tally = f.slot == "number" and f.kind == "update"
        # One value however written: "40m" and "40" metres, "at least 50" and "50" dead are one side.
        va, vb = (_side_key(f.a), _side_key(f.b)) if f.slot == "number" else (f.a.lower(), f.b.lower())
        home = None
        for g in groups:
            if (g["finding"].slot, g["finding"].about) != (f.slot, f.about):
                continue
            if tally or p.a in g["at"] or p.b in g["at"] or {va, vb} <= set(g["values"]):
                home = g
                break
        if home is None:
            home = {"finding": f, "values": {}, "at": set(), "cosine": p.cosine, "shown": {}}
            groups.append(home)
        for at, key, value in ((p.a, va, f.a), (p.b, vb, f.b)):
            home["values"].setdefault(key, [])
            home["shown"].setdefault(key, value)
            if at not in home["values"][key] and at not in home["at"]:
                home["values"][key].append(at)
            home["at"].add(at)
    out = []
    for g in groups:
        values = [v for v in g["values"] if g["values"][v]]
        if len(values) < 2:
            continue
        f = g["finding"]
        if f.slot == "number":
            values.sort(key=lambda v: _value_number(g["shown"][v]))  # a tally grows: lowest first
        if len(values) > max_sides:
            middle = max(values[1:-1], key=lambda v: len({a for a, _ in g["values"][v]}))
            values = [values[0], middle, values[-1]]
        out.append(Group(f, tuple(g["shown"][v] for v in values), tuple(tuple(g["values"][v]) for v in values),
                         g["cosine"]))
    return out


# A tally of another happening: "eight months ago militants killed 130 in Paris", "in September two were killed",
# "38 people were massacred on a beach last year".
OTHER_TIME = re.compile(r"\b(?:ago|last (?:year|month|week)|a year earlier|previous(?:ly)?|since|earlier this "
                        r"(?:year|month)|that year|in (?:" + "|".join(factlib.MONTHS) + r")\b(?!\s+\d{1,2}\b))",
                        re.IGNORECASE)


# A figure not yet reported as fact: "could rise to 100,000", "thought to have died", "feared dead".
UNSURE = re.compile(r"\b(?:could|might|may|would|expected|feared|thought to|believed to|likely|projected|estimates?)\b",
                    re.IGNORECASE)


@lru_cache(maxsize=65536)
def _has_digit(text: str) -> bool:
    return factlib.DIGIT.search(factlib.fold(text)) is not None


@lru_cache(maxsize=65536)
def _other_time(text: str) -> bool:
    """Whether a sentence tells of another time (OTHER_TIME): its tallies, measures and moves are another happening's."""
    return OTHER_TIME.search(factlib.fold(text)) is not None


# What each of a sentence's tallies needs (facts.quantities): a tally word after or before its figure, an aside's
# verb, a toll. A sentence with none has no tally: its counts are not read for one. Looked for in the folded text
# in lower case, its dotless i as i and combining dots dropped (the case-blind patterns of quantities take 'ı' and
# 'İ' for 'i'): a plain pattern, which re scans for its first letters (a case-blind one tries every position).
TALLY_HINT = re.compile(r"kill|dead|death|died|fatalit|bodies|injur|wound|hurt|missing|arrest|evacuat|rescued|"
                        r"hospitali|detained|casualties|victims|toll|number of")


@lru_cache(maxsize=65536)
def _tallies(text: str) -> MappingProxyType:
    """A sentence's tallies (dead, injured, arrested...), one a key; none when it tells another happening
    (read-only)."""
    if TALLY_HINT.search(factlib.fold(text).lower().replace("\u0131", "i").replace("\u0307", "")) is None:
        return MappingProxyType({})
    return _tally_reading(text)


def _tally_reading(text: str) -> MappingProxyType:
    """_tallies, every sentence read."""
    if _other_time(text) or UNSURE.search(factlib.fold(text)):
        return MappingProxyType({})
    by: dict[str, list[Quantity]] = {}
    for q in factlib.quantities(text):
        # The whole tally only ("killed 12 people"): a part of it ("two children from Algeria", "eight seriously
        # hurt") is told for one group, and two groups' figures differ without disagreeing.
        if q.grows and " " not in q.key:
            by.setdefault(q.key, []).append(q)
    return MappingProxyType({k: v[0] for k, v in by.items() if len(v) == 1})


def _same_time(a: str, b: str) -> bool:
    """Tallies of one happening: the same years where either gives one ("in 2009 ... killing 13" is history)."""
    ya, yb = factlib.facts(a).years, factlib.facts(b).years
    return ya == yb or bool(ya & yb)


def _places_compatible(a: str, b: str) -> bool:
    """Where both say where it happened, one place in common (by name anywhere in the other sentence): who told
    the figure ('Police said', 'the London Fire Brigade said') is no matter, where it happened is."""
    pa, pb = factlib.places(a), factlib.places(b)
    if not pa or not pb:
        return True
    na = _name_stems(a)
    nb = _name_stems(b)
    return any(factlib.stem(p.split()[0]) in nb for p in pa) or any(factlib.stem(p.split()[0]) in na for p in pb)


def _add_new(out: list[Pair], seen: set, p: Pair) -> None:
    """Adds the pair unless a finding of the same slot, subject and values between the same two articles is
    already in `seen` (one disagreement is shown once however many sentence pairs show it)."""
    f = p.finding
    key = (f.slot, f.about, frozenset((f.a.lower(), f.b.lower())), frozenset((p.a[0], p.b[0])))
    if key not in seen:
        seen.add(key)
        out.append(p)


def _slot_pairs(sentences: dict[int, list[str]], vectors: dict[int, np.ndarray], seen: set, read, gate,
                compare) -> list[Pair]:
    """Any two articles' sentences that tell one slot, compared slot first: `read(text)` gives a sentence's
    readings by key (None or {} for none), `gate(a, b)` says whether two sentences may speak of one happening
    (besides closeness SAME_TALLY), and `compare(key, reading_a, reading_b)` gives the Finding or None (kept
    once: _add_new)."""
    found = {i: [(r, got) for r, text in enumerate(sentences[i]) if (got := read(text))] for i in sorted(sentences)}
    ids = [i for i in sorted(found) if found[i]]
    out = []
    for n, i in enumerate(ids):
        for j in ids[n + 1:]:
            for r, ra in found[i]:
                for c, rb in found[j]:
                    keys = ra.keys() & rb.keys()
                    if not keys:
                        continue
                    a, b = sentences[i][r], sentences[j][c]
                    cosine = float(vectors[i][r] @ vectors[j][c])
                    if cosine < SAME_TALLY or not gate(a, b):
                        continue
                    for key in sorted(keys):
                        f = compare(key, ra[key], rb[key])
                        if f is not None:
                            _add_new(out, seen, Pair((i, r), (j, c), f, cosine))
    return out


def _same_happening(a: str, b: str) -> bool:
    """The gate of tallies and measures: the same time and, where both say where, a place in common."""
    return _same_time(a, b) and _places_compatible(a, b)


def _tally_pairs(sentences: dict[int, list[str]], vectors: dict[int, np.ndarray], seen: set) -> list[Pair]:
    """The statements that compete for one tally of the story (the dead, the injured), compared slot first.

    Two articles' figures for one tally are compared at a lower closeness than any two sentences: a toll is told
    in sentences that differ in all else ("77 people died", "the death toll rose to 85"). The same year and a
    name in common where both name someone still hold, and a tally told beside another time is left out."""
    return _slot_pairs(sentences, vectors, seen, _tallies, _same_happening, lambda key, x, y: _numbers(x, y))


# A measure written onto a thing: "the 450-pound gorilla", "a 19-ton delivery truck", "the 80m-deep well". The
# thing is the last word of the words right after the measure (adjectives before their noun); a one-letter unit
# only when glued to its figure ("80m", not "5 m"), and never after a currency sign ("$5m" is money).
_MEASURE_UNITS = {"pound": ("weight", 0.4536), "lb": ("weight", 0.4536), "kg": ("weight", 1.0),
                  "kilogram": ("weight", 1.0), "kilogramme": ("weight", 1.0), "ton": ("weight", 1000.0),
                  "tonne": ("weight", 1000.0), "t": ("weight", 1000.0), "foot": ("size", 0.3048),
                  "feet": ("size", 0.3048), "ft": ("size", 0.3048), "metre": ("size", 1.0), "meter": ("size", 1.0),
                  "m": ("size", 1.0), "km": ("size", 1000.0), "kilometre": ("size", 1000.0),
                  "kilometer": ("size", 1000.0), "mile": ("size", 1609.0), "mph": ("speed", 1.609),
                  "kph": ("speed", 1.0)}
MEASURE = re.compile(r"(?<![\w.,$£€])(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)"
                     r"(?:(t|m)|\s?-?\s?(pounds?|lbs?|kg|kilogram(?:me)?s?|"
                     r"tons?|tonnes?|feet|foot|ft|metres?|meters?|km|kilomet(?:re|er)s?|miles?|mph|kph))"
                     r"(?:-(?:deep|long|tall|high|wide|thick|heavy))?(?![\w])", re.IGNORECASE)
# Words that end the words naming the thing measured: "fell 15ft into", "130 miles northwest of".
_MEASURE_STOP = factlib.STOPWORDS | factlib.UNIT_STOP | {
    "into", "onto", "away", "above", "below", "off", "down", "up", "north", "south", "east", "west", "northwest",
    "northeast", "southwest", "southeast", "high", "long", "deep", "wide", "tall", "per", "an", "hour", "before",
    "after", "when", "while", "which", "who", "that", "than", "named", "called", "along", "across", "through",
    "toward", "towards", "around", "over", "under", "beyond", "past", "behind", "inside", "outside"}


@lru_cache(maxsize=65536)
def _measures(text: str) -> MappingProxyType:
    """The measures a sentence writes onto things: (weight | size | speed, the thing's stem) -> (value in metric
    units, the measure as written, approximate, the thing). A thing measured twice in one sentence is left out
    (read-only)."""
    text = factlib.fold(text)
    found: dict[tuple[str, str], list] = {}
    for m in MEASURE.finditer(text):
        unit = (m.group(2) or m.group(3)).lower()
        unit = unit if unit in _MEASURE_UNITS else unit.rstrip("s") if unit.rstrip("s") in _MEASURE_UNITS \
            else unit[:-2] if unit.endswith("es") and unit[:-2] in _MEASURE_UNITS else unit
        if unit not in _MEASURE_UNITS:
            continue
        rest = text[m.end():m.end() + 80]
        rest = re.sub(r"^\s*\([^)]{0,30}\)", "", rest)  # "400-pound (181-kg) gorilla"
        words = []
        for w in re.findall(r"[A-Za-z][A-Za-z'-]*|[^\sA-Za-z]", rest)[:6]:
            if w == ",":
                continue  # "a 25-ton, unmarked truck": adjectives in a row
            if not re.fullmatch(r"[a-z][a-z'-]*", w) or w in _MEASURE_STOP:
                break
            words.append(w)
        if not words or len(words) > 3:
            continue
        dim, scale = _MEASURE_UNITS[unit]
        value = float(m.group(1).replace(",", "")) * scale
        approx = bool(factlib.APPROX.search(text[max(0, m.start() - 30):m.start()]))
        found.setdefault((dim, factlib.stem(words[-1])), []).append((value, m.group(0), approx, words[-1]))
    return MappingProxyType({k: v[0] for k, v in found.items() if len(v) == 1})


def _measure_reading(text: str):
    """A sentence's measures as _measure_pairs reads them: None beside another time. A measure has a digit
    (MEASURE): a sentence without one has none, whatever its time."""
    return None if not _has_digit(text) or _other_time(text) else _measures(text)


def _move_reading(text: str):
    """A sentence's market moves as _move_pairs reads them: None beside another time. A move has a digit (MOVE:
    its percent): a sentence without one has none, whatever its time."""
    return None if not _has_digit(text) or _other_time(text) else _moves(text)


def _measure_pairs(sentences: dict[int, list[str]], vectors: dict[int, np.ndarray], seen: set) -> list[Pair]:
    """The statements that give one thing's weight, size or speed, compared slot first (as tallies are): two
    sources' "450-pound gorilla" and "400-pound gorilla" differ in all but the measure. The same year, a place in
    common where both say where, and no other time ('last year', 'ago') still hold."""
    def compare(key, ma, mb):
        (x, ta, approx_a, thing), (y, tb, approx_b, _) = ma, mb
        big = max(x, y) or 1.0
        if abs(x - y) / big < ROUNDING or ((approx_a or approx_b) and abs(x - y) / big < APPROXIMATE):
            return None  # "12 feet" and "3.7 metres", "about 12 feet" and "14 feet": one measure
        if big > MEASURE_RATIO * (min(x, y) or 1e-9):
            return None  # "the 7.9 km time trial", "the 54 km time trial": two things of a kind
        return Finding("number", "contradiction", f"the {key[0]} of the {thing}", ta, tb)

    return _slot_pairs(sentences, vectors, seen, _measure_reading, _same_happening, compare)


# A market move: "Qualcomm shares fell 1.5 percent", "Qualcomm (QCOM) shares fell 6.6%". A price moves all day:
# two sources' moves of one company's shares are one figure told at two times, an update.
MOVE = re.compile(r"\b([A-Z][\w&.'-]{0,40}(?:\s+[A-Z][\w&.'-]{0,40}){0,2})(?:'s)?(?:\s+\([A-Z.]{1,6}\))?\s+"
                  r"(?:stock|shares)\s+"
                  r"(?:(?:were|was|have|had)\s+)?(fell|rose|dropped|declined|slipped|gained|climbed|jumped|tumbled|"
                  r"plunged|soared|surged|sank|slid|edged (?:up|down|higher|lower)|(?:were|was) (?:up|down))\s+"
                  r"(?:by\s+)?(?:about|around|nearly|almost|more than|as much as)?\s*(\d+(?:\.\d+)?)\s*"
                  r"(?:%|percent|per cent)")
MOVE_ABOUT = "the move in {} shares"
_DOWN = re.compile(r"fell|dropped|declined|slipped|tumbled|plunged|sank|slid|down|lower")


@lru_cache(maxsize=65536)
def _moves(text: str) -> MappingProxyType:
    """A sentence's market moves: the company's first word, stemmed -> (signed percent, the move as a reader says
    it: "down 1.5%", the company's first word) (read-only)."""
    found: dict[str, list] = {}
    for m in MOVE.finditer(factlib.fold(text)):
        name = m.group(1).split()[0]
        if name in factlib.NOT_NAMES:
            continue
        value = float(m.group(3)) * (-1 if _DOWN.search(m.group(2)) else 1)
        told = f"{'down' if value < 0 else 'up'} {m.group(3)}%"
        found.setdefault(factlib.stem(name), []).append((value, told, name))
    return MappingProxyType({k: v[0] for k, v in found.items() if len(v) == 1})


def _move_pairs(sentences: dict[int, list[str]], vectors: dict[int, np.ndarray], seen: set) -> list[Pair]:
    """Two sources' moves of one company's shares on one day: an update (the later figure revises the earlier).
    Moves dated to two different days, or beside another time ('last year'), are two moves."""
    def gate(a, b):
        days_a, days_b = set(factlib.facts(a).weekdays), set(factlib.facts(b).weekdays)
        return not (days_a and days_b and days_a != days_b) and _same_time(a, b)

    def compare(key, ma, mb):
        (x, ta, name), (y, tb, _) = ma, mb
        if abs(x - y) < ROUNDING * max(abs(x), abs(y), 1.0):
            return None  # "fell 4.3%" and "fell 4.4%": one move, rounded
        return Finding("number", "update", MOVE_ABOUT.format(name), ta, tb)

    return _slot_pairs(sentences, vectors, seen, _move_reading, gate, compare)

"""The checkable facts in a sentence (names, numbers, dates, days), and how two sentences relate on them.

Merging uses this to tell support from disagreement: two sentences about the same thing that give
different days, dates, counts of the same thing, or names in the same role are a conflict, not a
confirmation. Grounding uses it to refuse a sentence that brings a name or number its evidence lacks.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from briefing import sentences as sentlib

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september",
          "october", "november", "december")
_MONTH_RE = r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
DATE = re.compile(rf"\b({_MONTH_RE})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?\b|\b(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?({_MONTH_RE})\b",
                  re.IGNORECASE)
WEEKDAY = re.compile(r"\b(" + "|".join(WEEKDAYS) + r")\b", re.IGNORECASE)
NUMBER = re.compile(r"(?<![\w.])(\d{1,3}(?:,\s?\d{3})+(?![\d.])|\d+(?:\.\d+)?)(?:\s*(%|per cent|percent))?"
                    r"(?:\s+(million|billion|trillion|thousand))?(?:\s+([a-z][a-z-]{2,}))?", re.IGNORECASE)
WORD_NUMBERS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
                "ten": 10, "eleven": 11, "twelve": 12, "dozen": 12, "twenty": 20, "hundred": 100}
NAME = re.compile(r"\b[A-Z][a-zA-Z'’\-]+(?:\s+(?:[A-Z][a-zA-Z'’\-]+|of|de|al|bin|van|von|der|la|le)){0,4}")
# Capitalised words that start sentences or name days and months: not names of people or places.
NOT_NAMES = {*sentlib.STARTERS, "As", "While", "When", "For", "With",
             "By", "From", "Both", "Our", "Dr",
             "Also", "If", "Despite", "During", "Following",
             "Last", "Next", "Earlier", "Later", "Additionally", "Conversely", "Regarding",
             "Some", "Many", "Other", "Such", "Recently", "Reports", "What", "Why", "How",
             "Who", "Where", "Between", "Since", "Until", "Under", "Over", "Among", "Although", "Yet",
             "Still", "Now", "Today", "Yesterday", "Tomorrow", "Here", "So", "Then", "Thus", "All",
             *[w.capitalize() for w in WEEKDAYS], *[m.capitalize() for m in MONTHS],
             "Jan", "Feb", "Mar", "Apr", "Jun", "Jul", "Aug", "Sep", "Sept", "Oct", "Nov", "Dec"}
UNIT_STOP = {"and", "or", "the", "of", "in", "on", "at", "to", "for", "a", "an", "from", "with", "by",
             "as", "was", "were", "is", "are", "that", "which", "who", "this", "per", "than", "more",
             "less", "over", "under", "about", "around", "after", "before", "since", "until", "local",
             "time", "am", "pm", "a.m", "p.m"}


_FOLD = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "–": "-", "—": "-"})


@lru_cache(maxsize=65536)  # the conflict and support rules fold the same sentences again and again
def fold(text: str) -> str:
    """NFKC, and curly quotes and dashes made plain, so 'Putin’s' and "Putin's" compare equal."""
    return unicodedata.normalize("NFKC", text).translate(_FOLD)


STOPWORDS = frozenset("""the a an of in on at to for and or but is are was were be been being has have had by with
from as that this these those it its his her their he she they them which who whom will would may might could should
can than then also into over after before about between during while said says say there here such so very just more
most what when where how all any both each other some""".split())


def content_words(text: str, stopwords: frozenset = STOPWORDS) -> set[str]:
    """Content words cut to five letters: a poor man's stemmer that matches 'concern' and 'concerns'."""
    return set(_content_words(text, stopwords))


# The rules below read one sentence many times (once for each sentence it is compared with): each reading is
# remembered by text, and callers get a fresh copy, so the answers are the same as without the memo.
@lru_cache(maxsize=65536)
def _content_words(text: str, stopwords: frozenset) -> frozenset:
    return frozenset(w[:5] for w in re.findall(r"[a-z0-9]+", fold(text).lower()) if w not in stopwords)


def _num(s: str) -> float:
    return float(s.replace(",", "").replace(" ", ""))


@dataclass(frozen=True)
class Facts:
    weekdays: frozenset
    dates: frozenset  # (month, day)
    years: frozenset
    quantities: frozenset  # (unit noun, value)
    numbers: frozenset  # every number as written, years included
    names: frozenset  # capitalised words that name something


def month_key(m: str) -> int:
    m = m.lower()[:3]
    return [x[:3] for x in MONTHS].index(m) + 1


DIGIT = re.compile(r"\d")  # every date and number has one (and conflicts' readings that need a figure)


def _scans(text: str) -> tuple[bool, bool]:
    """Whether a folded text may name a weekday (every name ends in "day", whatever its case), and whether it has a
    digit (every date and number has one): facts() scans only for what can be there (most sentences have no digit)."""
    return "day" in text.lower(), DIGIT.search(text) is not None


@lru_cache(maxsize=65536)
def facts(text: str) -> Facts:
    text = fold(text)
    days, digits = _scans(text)
    weekdays = frozenset(w.lower() for w in WEEKDAY.findall(text)) if days else frozenset()
    dates = set()
    for m in DATE.finditer(text) if digits else ():
        month, day = (m.group(1), m.group(2)) if m.group(1) else (m.group(4), m.group(3))
        if 1 <= int(day) <= 31:
            dates.add((month_key(month), int(day)))
    years, quantities, numbers = set(), set(), set()
    for m in NUMBER.finditer(text) if digits else ():
        raw, pct, scale, unit = m.groups()
        numbers.add(raw.replace(" ", ""))
        raw = raw.replace(" ", "")
        value = _num(raw)
        if re.fullmatch(r"(1[89]|20)\d\d", raw) and not pct and not scale:
            years.add(int(raw))
            continue
        if scale:
            value *= {"thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}[scale.lower()]
        if pct:
            quantities.add(("%", value))
        elif unit and unit.lower() not in UNIT_STOP:
            quantities.add((unit.lower().rstrip("s"), value))
    names = set()
    for m in NAME.finditer(text):
        for w in m.group(0).split():
            w = w.strip("'’-")
            if w and w[0].isupper() and w not in NOT_NAMES and len(w) > 1:
                names.add(w.removesuffix("'s"))
    return Facts(frozenset(weekdays), frozenset(dates), frozenset(years), frozenset(quantities),
                 frozenset(numbers), frozenset(names))


@dataclass(frozen=True)
class Disagreement:
    kind: str  # "day" | "date" | "number" | "name"
    about: str  # what the sides disagree on, in a few words
    a: str  # the first sentence's value
    b: str  # the second's


ROLE = re.compile(r"\b((?:[A-Z][a-z]+\s+){1,3})((?:[A-Z][a-zA-Z'’\-]+\s+)?[A-Z][a-zA-Z'’\-]+)\b")
ROLE_WORDS = {"minister", "president", "secretary", "governor", "chancellor", "chief", "director",
              "leader", "spokesman", "spokeswoman", "spokesperson", "ambassador", "mayor", "general",
              "chairman", "chair", "ceo", "head", "premier", "king", "queen", "prince", "judge", "coach"}


def _roles(text: str) -> dict[str, str]:
    """'Deputy Prime Minister' -> 'Alexander Novak': a title of office and the name after it."""
    return dict(_read_roles(text))


@lru_cache(maxsize=65536)
def _read_roles(text: str) -> tuple[tuple[str, str], ...]:
    out = {}
    words = fold(text).split()
    for i in range(len(words)):
        if words[i].lower().strip(",.") not in ROLE_WORDS:
            continue
        j = i
        title = [words[i].strip(",.")]
        while j > 0 and words[j - 1][:1].isupper() and words[j - 1].lower() not in ("the", "a", "an") \
                and not words[j - 1].endswith((",", ".")) and len(title) < 4:
            j -= 1
            title.insert(0, words[j])
        name = []
        k = i + 1
        if words[i].endswith((",", ".")):
            continue
        while k < len(words) and words[k][:1].isupper() and len(name) < 3 \
                and words[k].lower().strip(",.") not in ROLE_WORDS:
            name.append(words[k].strip(",.;:"))
            if words[k].endswith((",", ".", ";", ":")):
                break
            k += 1
        if len(name) >= 2 and len(title) >= 2:
            out[" ".join(title)] = " ".join(name)
    return tuple(out.items())


def _same_person(x: str, y: str) -> bool:
    """'Sergei Lavrov' and 'Sergey Lavrov' are one person spelt two ways; the surname decides."""
    return x.split()[-1].lower() == y.split()[-1].lower()


def name_in_same_role(a: str, b: str) -> Disagreement | None:
    ra, rb = _roles(a), _roles(b)
    for title, name in ra.items():
        other = rb.get(title)
        if other and not _same_person(name, other):
            # The person named in one sentence may be named in the other's too, in another role.
            if other.split()[-1] not in a and name.split()[-1] not in b:
                return Disagreement("name", title, name, other)
    return None


def unsupported(claim: str, evidence: list[str]) -> set[str]:
    """Names and numbers in a claim that none of its evidence gives."""
    body = fold(" ".join(evidence)).lower()
    f = facts(claim)
    missing = {n for n in f.numbers if n.lower() not in body}
    missing |= {n for n in f.names if n.lower() not in body}
    return missing


@lru_cache(maxsize=65536)  # the rules stem the same words of the same sentences pair after pair
def stem(word: str) -> str:
    """A word cut to five letters, lower case: 'Russia' and 'Russian', 'injured' and 'injuries' meet."""
    return fold(word).lower().strip("'")[:5]


@dataclass(frozen=True)
class Quantity:
    """One count in a sentence, as a reader takes it: '1, 600 officers' is 1600 officers."""

    value: float
    key: str  # what is counted, stemmed: 'injur', 'offic', '$', '%'
    label: str  # the same, readable: 'injured', 'officers'
    text: str  # as written, with its qualifier: 'at least 40'
    context: frozenset  # stemmed content words near it, the unit left out
    approx: bool  # 'about', 'around', 'some', 'nearly'
    bound: str  # 'min' for 'at least', 'more than'; 'max' for 'up to', 'less than'; '' when exact
    grows: bool  # a toll or tally that later reports revise


SCALES = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}
_WORD_NUMBER = "|".join(sorted(WORD_NUMBERS, key=len, reverse=True))
# A figure as a reader reads it: "$8.8 million", "1, 600", "450-pound", "two", "40%"; not a model name ("PS4",
# "F-35") nor part of a date or time of day.
QUANTITY = re.compile(
    r"(?<![\w.,:/$-])(?P<money>\$|£|€|US\$)?\s?(?P<raw>\d{1,3}(?:,\s?\d{3})+(?:\.\d+)?(?!\d|\.\d)|\d+(?:\.\d+)?|"
    + _WORD_NUMBER + r")"
    # a unit written onto the figure ("15ft", "80m-deep", "140,000lb", "$5m"), else no letter after it
    r"(?:(?P<glued>ft|mph|kph|km|kg|lbs?|cm|mm|m|t|bn|million|billion)(?=[\s,.;:)\-]|$)|(?![\w:/]))"
    r"(?!\s?[-–]\s?\d)"  # a score or record ("11-5"), not a count
    r"(?:\s*(?P<pct>%|per\s?cent|percent))?(?:\s*-?\s*(?P<scale>million|billion|trillion|thousand|bn|m)\b)?",
    re.IGNORECASE)
# How a unit reads in "how many metres".
UNIT_LABELS = {"feet": "feet", "metre": "metres", "pound": "pounds", "kilog": "kilograms", "kilom": "kilometres",
               "miles": "miles", "ton": "tons", "mph": "mph", "kph": "km/h", "centi": "centimetres",
               "milli": "millimetres"}
# Units as written and as spelt out, one key: "80m" and "40-metre", "15ft" and "12 feet".
UNIT_KEYS = {"ft": "feet", "foot": "feet", "m": "metre", "meter": "metre", "lb": "pound", "lbs": "pound",
             "kg": "kilog", "km": "kilom", "mile": "miles", "t": "ton", "tonne": "ton", "tons": "ton", "cm": "centi",
             "mm": "milli", "kph": "kph", "mph": "mph"}
APPROX = re.compile(r"\b(?:about|around|approximately|roughly|nearly|almost|some|an estimated|estimated|"
                    r"close to|circa|up to|over)\s*$", re.IGNORECASE)
LOWER_BOUND = re.compile(r"\b(?:at least|more than|over|upwards of|in excess of|no fewer than|no less than)\s*$",
                         re.IGNORECASE)
UPPER_BOUND = re.compile(r"\b(?:up to|less than|fewer than|under|at most|no more than)\s*$", re.IGNORECASE)
# Tallies that grow as news comes in: a later, larger figure revises the earlier one. Whole words: "missiles" is
# no "missing".
_TALLY = {"killed": "dead", "dead": "dead", "deaths": "dead", "died": "dead", "fatalities": "dead",
          "bodies": "dead", "injured": "injured", "injuries": "injured", "wounded": "injured", "hurt": "injured",
          "missing": "missing", "arrested": "arrested", "arrests": "arrested", "evacuated": "evacuated",
          "rescued": "rescued", "hospitalized": "in hospital", "hospitalised": "in hospital", "detained": "detained",
          "casualties": "casualties", "victims": "victims"}
# Words after a number that say nothing of what is counted.
_FILLER = UNIT_STOP | {"people", "persons", "were", "have", "has", "had", "been", "being", "other", "more", "who",
                       "whom", "are", "was",
                       "additional", "further", "new", "total", "all", "also", "reportedly", "so", "far",
                       "of", "them", "those", "injured,", "percent", "year", "years", "others", "their", "his",
                       "her", "its", "our", "your", "these", "such"} - {"year", "years"}
# Words before a figure that name no measure: "to 85", "of 12", "with 40".
_NOT_A_MEASURE = _FILLER | STOPWORDS | {"including", "includes", "among", "just", "only", "nearly", "almost", "some",
                                        "least", "than", "roughly", "approximately", "estimated", "another"}


def _after_words(text: str, end: int, n: int) -> list[str]:
    return re.findall(r"[a-z][a-z'-]*", text[end:end + 80].lower())[:n]


_QUALIFIER = re.compile(r"((?:at least|more than|about|around|nearly|almost|some|over|up to|less than|"
                        r"approximately|roughly)\s*)$", re.IGNORECASE)
# A tally verb just before a count: "killing at least 50", "wounded over 400".
_TALLY_BEFORE = {"killing": "dead", "killed": "dead", "wounding": "injured", "wounded": "injured",
                 "injuring": "injured", "injured": "injured", "left": None}


# The tally word after an aside set off by commas: "84 people, including 10 children, were killed".
_ASIDE_TALLY = re.compile(r"[^.;,]{0,30},[^.;,]{1,40},\s+(?:were|have been|had been|are|was)\s+(?:\w+ly\s+)?"
                          r"(killed|injured|wounded|hurt|missing|arrested|detained|evacuated|rescued|hospitali[sz]ed)\b",
                          re.IGNORECASE)
# A toll named before its figure: "the death toll rose to at least 85", "a toll of 12".
_TOLL = r"\b(?:toll|death count|number of (?:the )?dead)"
_TOLL_BEFORE = re.compile(_TOLL + r"\s+(?:of|is|was|stood at|stands at|at)\s+(?:at least|more than|over|about|around|"
                          r"nearly|some|almost)?\s*$|" + _TOLL + r"\b[^.;]{0,140}?\b(?:rose|risen|climbed|jumped|"
                          r"increased|grew|reached|hit|passing|passed|topped|exceeded|surpassed)\s+(?:to\s+)?"
                          r"(?:at least|more than|over|about|around|nearly|some|almost)?\s*$", re.IGNORECASE)

# A plural count noun right after a word number: "four photos", "three pitches" (not "two of", "two sides" of
# one thing are told apart by the words around them).
_PLURAL_NOUN = re.compile(r"[a-z]{3,}s")
# A part of a count already given: "20 people, of whom four ...", "including 10 children", "among them six".
_PART_BEFORE = re.compile(r"\b(?:of whom|of which|of those|of them|including|among them|among whom)\s+"
                          r"(?:at least|more than|about|around|nearly|some|over)?\s*$", re.IGNORECASE)
# Qualifiers that make a tally a part of the whole: the seriously hurt, the critical, the slightly injured.
_PART_OF_TALLY = re.compile(r"\b(?:serious(?:ly)?|critical(?:ly)?|slight(?:ly)?|minor|life-threatening|"
                            r"severe(?:ly)?|gravely)\b", re.IGNORECASE)


def _words_with_case(text: str, start: int, n: int) -> list[str]:
    """The next n words after `start`, up to a clause's end (a comma, 'and', 'but'): what a figure counts."""
    out = []
    for w in re.findall(r"(?:[A-Za-z]\.){2,}|[A-Za-z][A-Za-z'-]*|[,;.]", text[start:start + 100])[:n]:
        if w in ",;." or w.lower() in ("and", "but", "while"):
            break
        out.append(w)
    return out


# A figure and its unit just before an opening bracket: what a bracketed figure converts.
_CONVERTED = re.compile(r"(?:\d[\d,.]{0,30}|\b(?:" + _WORD_NUMBER + r"))[\s-]{0,3}[A-Za-z]{0,20}\s*\(\s*$",
                        re.IGNORECASE)  # bounded: a run of '1,1,1,' costs no more than its length


@lru_cache(maxsize=65536)
def quantities(text: str) -> tuple[Quantity, ...]:
    """The counts a sentence gives, each with what it counts; years, dates and times of day are left out."""
    text = fold(text)
    out = []
    dates = [m.span() for m in DATE.finditer(text)]
    for m in QUANTITY.finditer(text):
        if any(s <= m.start("raw") < e for s, e in dates):
            continue
        money, raw, pct, scale, glued = m.group("money"), m.group("raw"), m.group("pct"), m.group("scale"), \
            m.group("glued")
        if glued and (money or glued.lower() in ("bn", "million", "billion")):
            scale, glued = scale or glued, None  # "$5m", "44million": a scale, not metres
        low = raw.lower()
        if low in WORD_NUMBERS:
            value = float(WORD_NUMBERS[low])
        else:
            value = _num(raw)
            if re.fullmatch(r"(1[89]|20)\d\d", raw) and not (money or pct or scale):
                continue  # a year
        if scale:
            value *= SCALES.get(scale.lower(), {"bn": 1e9, "m": 1e6}.get(scale.lower(), 1))
        before = text[max(0, m.start() - 60):m.start()]
        after_cased = _words_with_case(text, m.end(), 8)
        after = [w.lower() for w in after_cased]
        before_cased = re.findall(r"[A-Za-z][A-Za-z'-]*", before)[-8:]
        if money:
            # Sums of money: a per-share price and a total are different quantities.
            key = label = ("$" if money in ("$", "US$") else money) + ("bn" if value >= 1e6 else "")
        elif pct:
            key = label = "%"
        elif glued:
            key = label = UNIT_KEYS.get(glued.lower(), glued.lower())
        else:
            # What is counted: a tally verb just before ("killing at least 50") or a tally word after it in its
            # clause ("40 people were injured"), else the first word after it that is neither filler nor a name
            # ("1,600 officers", "450-pound gorilla", "21 Chibok schoolgirls").
            lead = [w.lower() for w in before_cased if w.lower() not in ("at", "least", "more", "than", "over",
                                                                           "about", "around", "nearly", "some")]
            tally = _TALLY_BEFORE.get(lead[-1]) if lead else None
            tally = tally or next((_TALLY[w] for w in after if w in _TALLY), None)
            # "at least 84 people, including children, were killed": the tally after an aside.
            aside = None if tally else _ASIDE_TALLY.match(text, m.end())
            tally = tally or (_TALLY.get(aside.group(1).lower()) if aside else None)
            # "the death toll rose to 85": the measure named before the figure.
            if not tally and _TOLL_BEFORE.search(text[max(0, m.start() - 160):m.start()]):
                tally = "dead"
            if tally:
                # Whom the tally counts: "killed 10 US citizens" and "killed 12 people" are two counts.
                noun = next((w for w in after_cased if not w[0].isupper()), "people").lower()
                noun = "people" if noun in _FILLER or noun in _TALLY or noun.endswith("ly") else noun
                key = label = tally if noun == "people" else f"{tally} {noun}"
                # "four people were seriously injured", "18 in critical condition": a part of the count, not it.
                if _PART_OF_TALLY.search(" ".join(before_cased[-1:] + after_cased)):
                    key, label = f"{key} (serious)", f"{label} seriously"
            else:
                if low in WORD_NUMBERS and "-" not in text[m.end():m.end() + 2] \
                        and not (after_cased and _PLURAL_NOUN.fullmatch(after_cased[0])
                                 and not re.search(r"\b(?:the|these|those|its|their|his|her)\s+$", before, re.I)):
                    continue  # a word number counts a tally, a unit ("five-yard") or the plural right after it
                    # ("posted four photos"); "the two sides", "one of the" name things already known
                unit = next((w.strip("-") for w in after_cased if w.strip("-").lower() not in _FILLER
                             and len(w.strip("-")) > 2 and not w[0].isupper()), None)
                # The measure named before the figure: "lap 13", "displacement of 2.3 million", "displaced 2.6
                # million people" (the unit after it says nothing).
                named = [w.lower() for w in before_cased[-2:]]
                named = named[:-1] if named[-1:] == ["of"] else named
                first = after[0] if after else ""
                if named and named[-1] not in _NOT_A_MEASURE and len(named[-1]) > 2 \
                        and (unit is None or first in ("people", "persons", "others", "when", "while", "as")):
                    unit = named[-1]
                if unit is None:
                    continue
                key, label = stem(unit), unit.lower()
                key = UNIT_KEYS.get(key, key)
            if key in ("year-", "years") or after[:1] == ["of"] or _PART_BEFORE.search(before):
                continue  # an age is one person's; "nine of the dead", "of whom four" are a part, not the count
        label = UNIT_LABELS.get(key, label)
        # What the count is about: the lower-case words around it (names are compared apart).
        around = [w for w in before_cased + after_cased if not w[0].isupper()]
        ctx = {stem(w) for w in around if len(w) > 3 and w.lower() not in STOPWORDS} - {key}
        ctx -= {stem(x) for x in WORD_NUMBERS} | {"least", "peopl", "perso", "about", "aroun", "nearl", "almos"}
        # A figure in brackets after another is its conversion ("less than 10 metres (33 feet)") and takes its
        # qualifier: the words before the first figure.
        converted = _CONVERTED.search(before)
        told = before[:converted.start()] if converted else before
        bound = "min" if LOWER_BOUND.search(told) else "max" if UPPER_BOUND.search(told) else ""
        qual = _QUALIFIER.search(told)
        out.append(Quantity(value, key, label, (qual.group(1).lower() if qual else "") + m.group(0).strip(), frozenset(ctx),
                            bool(APPROX.search(told)), bound, key.split()[0] in _TALLY.values()))
    return tuple(out)


SPEECH = re.compile(r"\b(?:said|says|told|announced|stated|reported|confirmed|added)\s+(?:on\s+)?$", re.IGNORECASE)
# A report with its object before the day: "Reuters first reported on the new offer on Sunday" dates the report.
REPORTED_ON = re.compile(r"\b(?:reported|announced|disclosed|revealed|tweeted|wrote)\b[^,.;]{0,50}\bon\s+$",
                         re.IGNORECASE)


def day_mentions(text: str) -> list[tuple[str, set[str]]]:
    """Each weekday named, with the words of the action it dates (the lower-case words before it).

    A day after 'said' dates the saying, not the happening: it is left out."""
    return [(day, set(words)) for day, words in _day_mentions(text)]


@lru_cache(maxsize=65536)
def _day_mentions(text: str) -> tuple[tuple[str, frozenset], ...]:
    text = fold(text)
    out = []
    for m in WEEKDAY.finditer(text):
        if SPEECH.search(text[max(0, m.start() - 30):m.start()]) or REPORTED_ON.search(text[max(0, m.start() - 70):m.start()]):
            continue
        before = re.findall(r"\b[a-z]+\b", text[max(0, m.start() - 60):m.start()])[-6:]
        out.append((m.group(1).lower(), frozenset(stem(w) for w in before if w not in UNIT_STOP and len(w) > 2
                                                  and w not in STOPWORDS)))
    return tuple(out)


CLOCK = re.compile(r"(?<![\d:.])(\d{1,2})(?:[:.](\d{2}))?\s*(a\.?\s?m\.?|p\.?\s?m\.?)(?![a-z])"
                   r"|(?<![\d:.])(\d{1,2}):(\d{2})(?![\d:])(?:\s*([A-Z]{2,4}\b))?"
                   r"|(?<![\d:.,])([01]\d|2[0-3])([0-5]\d)\s*(GMT|UTC|BST|EST|EDT|CET|IST|JST|hrs|hours)\b",
                   re.IGNORECASE)
ZONES = {"GMT", "UTC", "BST", "EST", "EDT", "CET", "IST", "JST", "PST", "PDT", "CST", "CDT", "ET", "PT"}


def clock_times(text: str) -> list[tuple[int, str, str]]:
    """Times of day as (minutes after midnight, zone or '', as written): '2242 GMT' is '22:42 GMT'."""
    return list(_clock_times(text))


@lru_cache(maxsize=65536)
def _clock_times(text: str) -> tuple[tuple[int, str, str], ...]:
    out = []
    for m in CLOCK.finditer(fold(text)):
        if m.group(1):
            h, mi, ap = int(m.group(1)), int(m.group(2) or 0), m.group(3).lower()
            if not 1 <= h <= 12:
                continue
            h = h % 12 + (12 if ap.startswith("p") else 0)
            zone = ""
        elif m.group(4):
            h, mi = int(m.group(4)), int(m.group(5))
            zone = (m.group(6) or "").upper()
            if zone and zone not in ZONES:
                zone = ""
            if h > 23 or mi > 59:
                continue
        else:
            h, mi, zone = int(m.group(7)), int(m.group(8)), m.group(9).upper()
            if zone in ("HRS", "HOURS"):
                zone = ""
        out.append((h * 60 + mi, "UTC" if zone == "GMT" else zone, m.group(0).strip()))
    return tuple(out)


PLACE = re.compile(r"\b(?:in|at)\s+(?:the\s+)?(?:[A-Za-z'-]+\s+){0,2}?"
                   r"(?:(?:city|town|village|port|region|province|state|capital|coast|island)\s+of\s+)?"
                   r"([A-Z][a-zA-Z'-]+(?:\s+[A-Z][a-zA-Z'-]+){0,2})")


_PLACE_OF = re.compile(r"\s+(?:city|town|village|port|region|province|state|capital|island)\s+of\s+"
                       r"([A-Z][a-zA-Z'-]+(?:\s+[A-Z][a-zA-Z'-]+){0,2})")


def places(text: str) -> list[str]:
    """Places an action is said to happen at: 'at the Vostochny cosmodrome', 'in the Russian city of Vladivostok'."""
    return list(_places(text))


@lru_cache(maxsize=65536)
def _places(text: str) -> tuple[str, ...]:
    out = []
    for m in PLACE.finditer(fold(text)):
        name = re.sub(r"^(?:[A-Z][a-zA-Z-]+'s\s+)+", "", m.group(1))  # "Russia's Vostochny": the place is Vostochny
        if not name or name.endswith("'s"):
            continue
        first = name.split()[0]
        if first in NOT_NAMES or first.lower() in MONTHS or first.lower() in WEEKDAYS or first.isupper() \
                or any(w.lower() in ROLE_WORDS for w in name.split()):
            continue
        of = _PLACE_OF.match(fold(text), m.end(1))
        if of:
            name = of.group(1)  # "the Russian city of Vladivostok": the city, not the adjective
        if len(first) > 1 and name not in out:
            out.append(name)
    return tuple(out)


def time_anchors(text: str) -> set:
    """When a sentence says something happened: its months, weekdays and years."""
    f = facts(text)
    months = {m.lower()[:3] for m in re.findall(r"\b(" + "|".join(MONTHS) + r")\b", fold(text), re.IGNORECASE)}
    return months | set(f.weekdays) | {str(y) for y in f.years}

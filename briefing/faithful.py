"""Does a sentence a model wrote say what its evidence says? Rules of meaning, not of matching words.

`check(claim, evidence)` answers with a Verdict. A claim fails when it
- gives a quantity whose value or unit its evidence doesn't (24 months for 24 years, nine months for
  nine days; "nine" and "9" are one value),
- gives a time of day its evidence doesn't (12:40 from "12:50 p.m. ... 1:40 p.m."),
- swaps who did what to whom (two names on either side of one verb, in the other order, same voice),
- states as done what its evidence gives as possible, planned or expected (may sign -> signed),
- states as fact what its evidence gives as someone's contested word ("X insisted ...") and names no
  one as saying it,
- talks about itself ("The sentence is: ..."), which is a model's chatter, not news.

These are this product's own rules. They share no word list with ../shared/tools/check_briefing.py,
which reads names and digit strings; that checker grades the briefings and must stay independent.
The trust issue's support check (briefing/support.py) is to replace this module: ground.py calls
`SUPPORT` in one place (see ground.py).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from briefing.facts import NAME, NOT_NAMES, STOPWORDS, content_words, fold


@dataclass(frozen=True)
class Verdict:
    ok: bool
    reason: str = ""  # quantity | time | roles | certainty | attribution | chatter
    detail: str = ""


OK = Verdict(True)

# -- quantities --------------------------------------------------------------------------------------
SMALL_NUMBERS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen twenty".split())}
SMALL_NUMBERS.update({"thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
                      "ninety": 90, "hundred": 100, "dozen": 12, "a dozen": 12})
SCALES = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12, "bn": 1e9, "m": 1e6}
# Units of measure, by what they measure: two different units of one kind are two different facts.
UNIT_KINDS = {
    "time": "second minute hour day night week fortnight month year decade century".split(),
    "distance": "millimetre millimeter centimetre centimeter metre meter kilometre kilometer km mile foot "
                "feet yard inch".split(),
    "mass": "gram kilogram kg tonne ton pound ounce".split(),
    "money": "dollar euro pound yen yuan rouble ruble won rupee cent pence franc".split(),
    "share": "percent per-cent % point".split(),
}
UNIT_KIND = {u: k for k, units in UNIT_KINDS.items() for u in units}
_NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_WORDNUM = "|".join(sorted((re.escape(w) for w in SMALL_NUMBERS), key=len, reverse=True))
CURRENCY = {"$": "dollar", "€": "euro", "£": "pound", "¥": "yen"}
QUANTITY = re.compile(
    rf"(?P<cur>[$€£¥])?(?<![\w.:/])(?P<num>{_NUM}|(?:{_WORDNUM}))(?![\w:])(?:\s*(?P<pct>%|per ?cent))?"
    rf"(?:[\s-]+(?P<scale>thousand|million|billion|trillion|bn)\b)?"
    rf"(?:[\s-]+(?P<unit>[a-z]+(?:-[a-z]+)?))?", re.IGNORECASE)
# A time of day: 12:40, 12:40 pm, 3 p.m., noon, midnight.
TIME = re.compile(r"\b(?:(?P<h>\d{1,2})(?::(?P<m>\d{2}))?\s*(?P<mer>[ap]\.?\s?m\b\.?)|(?P<h2>\d{1,2}):(?P<m2>\d{2})\b"
                  r"|(?P<word>noon|midnight))", re.IGNORECASE)


def _value(raw: str) -> float | None:
    raw = raw.lower()
    if raw in SMALL_NUMBERS:
        return float(SMALL_NUMBERS[raw])
    try:
        return float(raw.replace(",", ""))
    except ValueError:
        return None


def _unit(word: str | None) -> str | None:
    """A unit word in its singular; None when the word after a number is no unit of measure."""
    if not word:
        return None
    w = word.lower().split("-")[0]
    for form in (w, w.removesuffix("s"), w.removesuffix("es"), {"centuries": "century"}.get(w, w)):
        if form in UNIT_KIND:
            return form
    return None


def times_of_day(text: str) -> set[int]:
    """Minutes after midnight; an hour without a.m. or p.m. counts both ways (+ 10000 marks 'either')."""
    out = set()
    for m in TIME.finditer(text):
        if m.group("word"):
            out.add(720 if m.group("word").lower() == "noon" else 0)
            continue
        h = int(m.group("h") or m.group("h2"))
        mins = int(m.group("m") or m.group("m2") or 0)
        if h > 24 or mins > 59:
            continue
        mer = (m.group("mer") or "").lower().replace(".", "").replace(" ", "")
        if mer:
            h = h % 12 + (12 if mer == "pm" else 0)
            out.add(h * 60 + mins)
        else:
            out.add(10000 + (h % 12) * 60 + mins)
    return out


def _same_time(t: int, others: set[int]) -> bool:
    if t >= 10000:
        return any((o - 10000 if o >= 10000 else o) % 720 == t - 10000 for o in others)
    return any(o == t or (o >= 10000 and o - 10000 == t % 720) for o in others)


def quantities(text: str) -> list[tuple[float, str | None]]:
    """(value, unit) of every number that is not a time of day; percentages have the unit '%'."""
    text = TIME.sub(" ", fold(text))
    out = []
    for m in QUANTITY.finditer(text):
        value = _value(m.group("num"))
        if value is None:
            continue
        if m.group("scale"):
            value *= SCALES[m.group("scale").lower()]
        unit = "%" if m.group("pct") else CURRENCY.get(m.group("cur") or "") or _unit(m.group("unit"))
        if m.group("num").isalpha() and unit is None:
            continue  # "one of the", "two countries": a word number counts only with a unit of measure
        out.append((value, unit))
    return out


def quantity_problem(claim: str, evidence: str) -> str | None:
    """A value with a unit of measure must stand in the evidence with that unit; a bare value must
    stand there as a value ("9" for "nine", "1,000" for "1000")."""
    have = quantities(evidence)
    values = {v for v, _ in have}
    for value, unit in quantities(claim):
        if value not in values:
            return f"{value:g}{' ' + unit if unit else ''}: no such value in the evidence"
        same = {u for v, u in have if v == value}
        if unit is not None and unit not in same:
            given = ", ".join(f"{value:g} {u}" if u else f"{value:g} without a unit" for u in sorted(same, key=str))
            return f"{value:g} {unit}: the evidence gives {given}"
    return None


def time_problem(claim: str, evidence: str) -> str | None:
    have = times_of_day(fold(evidence))
    for t in times_of_day(fold(claim)):
        if not _same_time(t, have):
            return "a time of day the evidence doesn't give"
    return None


# -- who did what to whom ------------------------------------------------------------------------------
def _names(text: str) -> list[tuple[str, int, int]]:
    """Names with their character spans, the first word of the sentence counted only past NOT_NAMES."""
    out = []
    for m in NAME.finditer(text):
        words = [w for w in m.group(0).split() if w not in NOT_NAMES and w[:1].isupper()]
        if words:
            out.append((" ".join(words).lower().removesuffix("'s"), m.start(), m.end()))
    return out


def _passive(between: str) -> bool:
    """'A was greeted by B' names the doer second: "by" between two names turns their order round."""
    return bool(re.search(r"\bby\b", between))


def roles_problem(claim: str, evidence: list[str]) -> str | None:
    """Two names joined by a verb in the claim, found in one evidence sentence the other way round
    around the same verb, in the same voice: the roles are swapped."""
    claim = fold(claim)
    names = _names(claim)
    for i, (a, _sa, ea) in enumerate(names):
        for b, sb, _eb in names[i + 1:]:
            if a == b:
                continue
            between = claim[ea:sb].lower()
            verbs = content_words(between) - {n[:5] for n in (a, b)}
            if not verbs:
                continue  # "Putin and Kim": no verb between them, nothing to swap
            for e in evidence:
                e = fold(e)
                en = _names(e)
                for j, (x, _sx, ex) in enumerate(en):
                    for y, sy, _ey in en[j + 1:]:
                        if (x, y) != (b, a):
                            continue
                        e_between = e[ex:sy].lower()
                        if verbs & content_words(e_between) and _passive(between) == _passive(e_between):
                            return f"{a} and {b} swap places around {sorted(verbs & content_words(e_between))[0]}"
    return None


# -- certainty and attribution ---------------------------------------------------------------------------
# What makes a statement not (yet) a fact: possibility, plan, expectation, report.
HEDGE = re.compile(r"\b(?:may|might|could|would|will|shall|should|can|likely|unlikely|possibly|probably|perhaps|"
                   r"expected|expects|expect|plans?|planned|planning|intends?|intended|aims?|aimed|hopes?|hoped|"
                   r"set to|due to|scheduled|proposed|potential(?:ly)?|reportedly|allegedly|seek(?:s|ing)?|wants?|wanting|"
                   r"considering|poised|prepared to|ready to|is to|are to|going to|'ll)\b", re.IGNORECASE)
# Words for a contested or one-sided account: dropping who said it makes it the briefing's own claim.
STANCE_WORDS = (r"insist(?:s|ed)?|claim(?:s|ed)?|alleg(?:e|es|ed)|argu(?:e|es|ed)|maintain(?:s|ed)?|"
                    r"assert(?:s|ed)?|contend(?:s|ed)?|accus(?:e|es|ed)|den(?:y|ies|ied)|believ(?:e|es|ed)|"
                    r"suggest(?:s|ed)?|warn(?:s|ed)?|dismiss(?:es|ed)?|reject(?:s|ed)?|charg(?:e|es|ed)|"
                    r"describ(?:e|es|ed)|label(?:s|ed|led)?|term(?:s|ed)|brand(?:s|ed)|"
                    r"according to|in (?:his|her|their) (?:view|words)")
STANCE = re.compile(rf"\b(?:{STANCE_WORDS})\b", re.IGNORECASE)
# Any word that puts a statement in someone's mouth: a claim with one keeps its attribution.
REPORTING = re.compile(rf"\b(?:{STANCE_WORDS}|sa(?:y|ys|id)|told|stat(?:es|ed)|add(?:s|ed)|not(?:e|es|ed)|"
                       r"announc(?:e|es|ed)|report(?:s|ed)?|confirm(?:s|ed)?|quot(?:e|es|ed)|call(?:s|ed|ing)?)\b",
                       re.IGNORECASE)
CLAUSE_END = re.compile(r"[;:]|\b(?:but|while|whereas|although|though|however)\b", re.IGNORECASE)
# What someone insisted may go on past "but" ("insisted it is not X, but is meant to Y"); another's words
# start at "while".
REPORT_END = re.compile(r"[;:]|\b(?:while|whereas)\b", re.IGNORECASE)


def _spans(text: str, marker: re.Pattern, clause_end: re.Pattern = CLAUSE_END) -> list[tuple[int, int]]:
    """What each marker governs: to the end of its clause; to the next comma inside ", who/which ...,";
    the words before it when it closes the sentence ("..., Ushakov insisted.")."""
    out = []
    for m in marker.finditer(text):
        if len(re.findall(r"\w+", text[m.end():])) <= 3 and "," in text[:m.start()]:
            out.append((0, text[:m.start()].rindex(",")))
            continue
        end = clause_end.search(text, m.end())
        stop = end.start() if end else len(text)
        if re.search(r",\s*(?:who|which|whom)\b[^,]*$", text[:m.start()]) and "," in text[m.end():stop]:
            stop = text.index(",", m.end())
        out.append((m.start(), stop))
    return out


def _split_words(text: str, spans: list[tuple[int, int]]) -> tuple[set[str], set[str]]:
    """Content words inside the spans, and those outside them."""
    inside, outside = set(), set()
    for m in re.finditer(r"[A-Za-z0-9']+", text):
        w = m.group(0).lower().removesuffix("'s")
        if w in STOPWORDS or not content_words(w):
            continue
        (inside if any(s <= m.start() < e for s, e in spans) else outside).add(w[:5])
    return inside, outside


def certainty_problem(claim: str, evidence: list[str]) -> str | None:
    """A claim's plain statement of what the evidence gives only as possible, planned or expected."""
    claim = fold(claim)
    _hedged, sure = _split_words(claim, _spans(claim, HEDGE))
    only_hedged: set[str] = set()
    stated: set[str] = set()
    for e in evidence:
        e = fold(e)
        inside, outside = _split_words(e, _spans(e, HEDGE))
        only_hedged |= inside
        stated |= outside
    moved = (sure & only_hedged) - stated
    if moved:
        return f"states as done what the evidence gives as possible or planned ({', '.join(sorted(moved)[:3])})"
    # The other way: an aim, plan or possibility no evidence sentence speaks of ("Russia is seeking to
    # increase trade" from "trade has seen an uptick").
    marker = HEDGE.search(claim)
    if marker and not any(HEDGE.search(fold(e)) for e in evidence):
        return f"adds {marker.group(0).lower()!r}: the evidence gives no aim, plan or possibility"
    return None


def attribution_problem(claim: str, evidence: list[str]) -> str | None:
    """Most of a claim's words sit in what the evidence gives as someone's contested word, and the claim
    says no one said it."""
    claim = fold(claim)
    if REPORTING.search(claim):
        return None
    words = content_words(claim)
    if not words:
        return None
    for e in evidence:
        e = fold(e)
        inside, outside = _split_words(e, _spans(e, STANCE, REPORT_END))
        if inside and len(words & inside) >= max(2, 0.5 * len(words)) and len(words & inside) > len(words & outside):
            speaker = STANCE.search(e)
            return f"drops who {speaker.group(0).lower() if speaker else 'said'} it"
    return None


# -- chatter -------------------------------------------------------------------------------------------
CHATTER = re.compile(r"\b(?:th(?:e|is|at)\s+(?:sentence|article|passage|summary|paragraph|text\s+(?:says|is))|"
                     r"(?:rewritten|paraphrased|summari[sz]ed|combined|fused)\s+(?:sentence|version|text)|"
                     r"in (?:summary|conclusion|short)|as an ai)\b|^\s*(?:sure|okay|ok|certainly|here)\b|"
                     r"^[^\"“:]{0,40}:\s*[\"“]", re.IGNORECASE)


def chatter_problem(claim: str) -> str | None:
    m = CHATTER.search(claim)
    return f"a model's talk about its task ({m.group(0).strip()!r})" if m else None


def check(claim: str, evidence: list[str]) -> Verdict:
    """The first way `claim` says something its `evidence` does not, or OK."""
    if (p := chatter_problem(claim)):
        return Verdict(False, "chatter", p)
    joined = " ".join(evidence)
    if (p := time_problem(claim, joined)):
        return Verdict(False, "time", p)
    if (p := quantity_problem(claim, joined)):
        return Verdict(False, "quantity", p)
    if (p := roles_problem(claim, evidence)):
        return Verdict(False, "roles", p)
    if (p := certainty_problem(claim, evidence)):
        return Verdict(False, "certainty", p)
    if (p := attribution_problem(claim, evidence)):
        return Verdict(False, "attribution", p)
    return OK

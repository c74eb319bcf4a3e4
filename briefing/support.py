"""Does a sentence state a claim? The support check behind citations and `brief verify`.

A sentence supports a claim only when it states the claim's core: the same actors doing the same
thing, with compatible names, numbers, dates and days, and the same certainty. Everything the claim
says must be found in the sentence (recall of the claim in the evidence); the evidence may say more.
The checks are slot rules (names, numbers as values with their units, dates, days, years), a
certainty rule (hedges), a negation rule, a speaker rule (a quote confirms "X said" only if it names X),
and the share of the claim's content words the evidence states.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from briefing import facts as factlib

SUPPORTS, PARTIAL, NONE = "supports", "partial", "none"


@dataclass(frozen=True)
class Verdict:
    verdict: str  # "supports" | "partial" | "none"
    reason: str | None = None  # for "partial" (and some "none"): what is missing or different
    score: float = 0.0  # how much of the claim the evidence states, 0..1: ranks evidence sentences


# Function words, and words a paraphrase freely adds or drops: they carry no checkable part of a claim.
_LIGHT = factlib.STOPWORDS | frozenset("""not no also told tells according reported reports report
statement added adding says said saying stated announced noted one new just now its it's i we you our us my me
their them per cent percent""".split())
NEGATION = re.compile(r"\b(?:not|no|never|none|nobody|nothing|without|denied|denies|deny|"
                      r"refused|refuses|rejected|rejects|\w+n't|cannot)\b", re.IGNORECASE)
HEDGE = re.compile(r"\b(?:might|may|could|plans? to|planning to|planned to|expected to|expects to|set to|likely|"
                   r"unlikely|scheduled to|reportedly|suggests?|suggested|possibl[ey]|potentially|appears? to|"
                   r"appeared to|seems? to|seemed to|believed to|thought to|alleged(?:ly)?|suspected|apparent(?:ly)?|"
                   r"probabl[ey]|intends? to|hopes? to|aims? to|wants? to|would like to|"
                   r"considering|consider|proposed?|could be|feared)\b", re.IGNORECASE)
# "X said", "X told reporters", "according to X": the claim names who says it.
ATTRIBUTION = re.compile(r"\b(?:said|says|say|told|tells|tweeted|wrote|posted|added|stated|announced|"
                         r"according to|explained|insisted|warned|claimed|argued)\b", re.IGNORECASE)
# What counts as naming a source in the evidence: wider than the claim's "said", since a paraphrase may
# attribute with another verb, a "statement", or a tweet embed's "— Name (@handle)".
ATTRIBUTED = re.compile(r"\b(?:said|says|say|saying|told|tells|tweeted|wrote|writes|posted|added|stated|announced|"
                        r"according|explained|insisted|warned|claimed|argued|statement|concluded|confirmed|"
                        r"revealed|reported|reports|declared|noted|spokes\w*)\b|[—–-]\s*[A-Z][^()]{0,40}\(@\w+\)",
                        re.IGNORECASE)
QUOTE = re.compile(r"[\"“”‘’']")
_WORD = re.compile(r"[a-z0-9]+")
# A word counts as stated when the evidence has a word with the same first letters: a poor man's
# stemmer ("launch", "launched", "launching"). Five letters as in facts.content_words.
STEM = 5
# Share of the claim's content words (stems) that the evidence must state for "supports"; below
# PARTIAL_RECALL the sentence is not about the claim at all. Swept on support_pairs.jsonl, both halves
# (`python bench/support_bench.py`, pair by pair): 0.70 gives P 0.932 / R 0.762, 0.75 P 0.946 / R 0.734,
# 0.80 P 0.990 / R 0.706. 0.75 keeps recall clear of the 0.70 target through `brief verify`.
SUPPORT_RECALL = 0.75
PARTIAL_RECALL = 0.40


def stems(text: str) -> list[str]:
    """The content words of a text, cut to their stem, in order."""
    out = []
    for w in _WORD.findall(factlib.fold(text).lower()):
        if w in _LIGHT or (len(w) < 3 and not w.isdigit()):
            continue
        out.append(w[:STEM])
    return out


def _number_words(text: str) -> str:
    """'two' -> '2' so that "two seasons" and "2 seasons" agree."""
    def repl(m):
        return str(factlib.WORD_NUMBERS[m.group(0).lower()])
    return re.sub(r"\b(?:" + "|".join(k for k in factlib.WORD_NUMBERS if k not in ("dozen", "hundred")) + r")\b",
                  repl, text, flags=re.IGNORECASE)


def _values(text: str) -> set[float]:
    """Every number a text gives, as a value (scales applied; years included)."""
    out = set()
    for m in factlib.NUMBER.finditer(factlib.fold(_number_words(text))):
        raw, pct, scale, _unit = m.groups()
        v = float(raw.replace(",", ""))
        if scale:
            v *= {"thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}[scale.lower()]
        out.add(round(v, 6))
    return out


def _name_key(name: str) -> str:
    return factlib.fold(name).lower().removesuffix("'s")


def _names(text: str) -> set[str]:
    f = factlib.facts(text)
    return {_name_key(n) for n in f.names}


def _speaker(claim: str) -> set[str]:
    """The names of who the claim says said it (the names around "said", "according to")."""
    m = ATTRIBUTION.search(claim)
    if not m:
        return set()
    # The attribution's names stand within a few words of the verb.
    window = claim[max(0, m.start() - 60): m.end() + 60]
    return _names(window) & _names(claim)


class Check:
    """The rule-based support check; `name` registers it."""

    name = "rules"

    def check(self, claim: str, evidence: str) -> Verdict:
        return check(claim, evidence)


# An editor's insertion in a quote ("reaching out to [the two players]") explains the quote; it is not
# what was said, so a source need not give it.
EDITORIAL = re.compile(r"\[[^\]]{1,80}\]")
# Clock times as one value: "5:10 a.m." and "5.10am" are the same time, not the numbers 5 and 10.
CLOCK = re.compile(r"\b(\d{1,2})[:.](\d{2})\s*(?:([ap])\.?m\b\.?)?", re.IGNORECASE)


def _clock(text: str) -> str:
    return CLOCK.sub(lambda m: f"{m.group(1)}h{m.group(2)}{(m.group(3) or '').lower()}", text)


def check(claim: str, evidence: str) -> Verdict:
    """Whether `evidence` states `claim`: supports, partial (with what is missing) or none."""
    claim, evidence = _clock(EDITORIAL.sub("", claim)), _clock(evidence)
    c_stems, e_stems = stems(claim), stems(evidence)
    if not c_stems:
        return Verdict(NONE, "the claim states nothing checkable")
    e_set = set(e_stems)
    c_set = list(dict.fromkeys(c_stems))
    found = [w for w in c_set if w in e_set]
    recall = len(found) / len(c_set)
    if recall < PARTIAL_RECALL:
        return Verdict(NONE, None, recall)
    problems = []
    # Names: every person, place or body the claim names must be named.
    e_names = _names(evidence)
    e_low = factlib.fold(evidence).lower()
    missing_names = _missing_names(claim, e_low)
    if missing_names:
        problems.append("no " + ", ".join(missing_names[:3]))
    # Numbers as values: a claim's number must be given; a different one is a different fact.
    c_vals, e_vals = _values(claim), _values(evidence)
    missing_vals = sorted(c_vals - e_vals)
    if missing_vals:
        other = sorted(e_vals - c_vals)
        shown = ", ".join(f"{v:g}" for v in missing_vals[:3])
        problems.append(f"{shown} where the source says {', '.join(f'{v:g}' for v in other[:3])}" if other
                        else f"no {shown}")
    cf, ef = factlib.facts(claim), factlib.facts(evidence)
    missing_dates = cf.dates - ef.dates
    if missing_dates:
        problems.append("not the date " + ", ".join(f"{factlib.MONTHS[m - 1].capitalize()} {d}"
                                                       for m, d in sorted(missing_dates)))
    missing_days = cf.weekdays - ef.weekdays
    if missing_days:
        problems.append("no " + ", ".join(d.capitalize() for d in sorted(missing_days)))
    # Certainty: "may sign" neither states nor is stated by "signed".
    ch, eh = _hedges(claim), _hedges(evidence)
    if ch != eh and (bool(ch) != bool(eh)):
        problems.append("the source hedges it" if eh else "the source states it as certain")
    # Negation: "did not sign" against "signed".
    if _negated(claim) != _negated(evidence):
        return Verdict(NONE if recall < SUPPORT_RECALL else PARTIAL, "one of them negates it", recall)
    # Speaker: a quote without "X said" does not confirm that X said it.
    speaker = _speaker(claim)
    if speaker and not (speaker & e_names or any(s in e_low for s in speaker)):
        problems.append("not said by " + ", ".join(_title(s) for s in sorted(speaker)))
    elif ATTRIBUTION.search(claim) and not ATTRIBUTED.search(evidence):
        problems.append("does not say who said it")
    if recall < SUPPORT_RECALL:
        missing = [w for w in c_set if w not in e_set]
        words = _surface(claim, missing[:4])
        problems.append("no " + ", ".join(words) if words else "only part of it")
    if problems:
        return Verdict(PARTIAL, "; ".join(dict.fromkeys(problems)), recall)
    return Verdict(SUPPORTS, None, recall)


def _name_groups(text: str) -> list[list[str]]:
    """Runs of capitalised words ("All Nippon Airlines", "Le'Veon Bell"), each a name, as lower-case keys.
    A single capitalised word opening the sentence ("Quarterback", "Sunday's") may be an ordinary word:
    it is left to the word recall."""
    folded = factlib.fold(text)
    groups = []
    for m in factlib.NAME.finditer(folded):
        words = [w.strip("'-") for w in m.group(0).split()]
        words = [w.removesuffix("'s") for w in words if w and w[0].isupper() and w not in factlib.NOT_NAMES
                 and len(w) > 1]
        if not words:
            continue
        if len(words) == 1 and not folded[:m.start()].strip(" \"'([-"):
            continue
        groups.append([w.lower() for w in words])
    return groups


def _missing_names(claim: str, evidence_low: str) -> list[str]:
    """Names of the claim the evidence does not give: a many-word name is given by its last word
    (a surname: "Bell" for "Le'Veon Bell") or by most of its words."""
    have = set(_WORD.findall(evidence_low))
    missing = []
    for g in _name_groups(claim):
        keys = [re.sub(r"[^a-z0-9]", "", w) for w in g]
        flat = re.sub(r"[^a-z0-9]", "", evidence_low)
        got = [k for k in keys if k in have or k in flat]
        if keys[-1] in have or keys[-1] in flat or 2 * len(got) >= len(keys) or (len(keys) == 1 and got):
            continue
        missing.append(" ".join(w.capitalize() for w in g))
    return missing


def _hedges(text: str) -> frozenset:
    return frozenset(m.group(0).lower() for m in HEDGE.finditer(factlib.fold(text)))


def _negated(text: str) -> bool:
    return len(NEGATION.findall(factlib.fold(text))) % 2 == 1


def _title(key: str) -> str:
    return key[:1].upper() + key[1:]


def _surface(text: str, stem_list: list[str]) -> list[str]:
    """The words of `text` that the stems came from, as written."""
    out = []
    for w in re.findall(r"[\w'’-]+", text):
        s = factlib.fold(w).lower()
        s = re.sub(r"[^a-z0-9]", "", s)[:STEM]
        if s in stem_list and w not in out:
            out.append(w)
    return out

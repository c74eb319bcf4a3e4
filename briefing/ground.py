"""Tie each sentence a model wrote to the article sentences it rests on, or refuse it.

A generated sentence is kept only when (1) it reads as a sentence, (2) its closest source sentence is
close in meaning and shares its content words, (3) it adds no fact: every capitalised word in it (bar a
stop word capitalised by its place), every run of digits, every name, date and weekday facts.py reads in
it, every number as a value and every time of day stands in the source sentences chosen as its evidence
(the product's own contract, stated here; the checker in ../shared/tools reads claims its own way), and
(4) the support check of `brief verify` (support.check) says "supports" for that evidence: names,
numbers with their units, times of day, dates, who did what to whom, certainty and attribution agree,
and it is no talk about the task. A sentence that joins facts from several evidence sentences is checked
against those sentences joined into one text (each alone would lack the other's facts); the rules that
read sentence structure (roles, attribution) still read each evidence sentence on its own. The
evidence is then quoted word for
word as its citation. Small models invent (a trip becomes "the first since World War II", 24 years
become 24 months); this is where that stops.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from briefing import facts as factlib
from briefing import sentences as sentlib
from briefing import support as supportlib
from briefing import tuning
from briefing.types import Article

# What they do, what they were tuned on and the bench that shows them: tuning.py.
MIN_COSINE, MIN_STRENGTH = tuning.GROUND_MIN_COSINE, tuning.GROUND_MIN_STRENGTH
MAX_NOVEL, NOVEL_SHARE = tuning.GROUND_MAX_NOVEL, tuning.GROUND_NOVEL_SHARE
EXTRA_COSINE = tuning.GROUND_EXTRA_COSINE
MAX_SUPPORT = tuning.GROUND_MAX_SUPPORT
CANDIDATES = tuning.GROUND_CANDIDATES
MIN_WORDS, MAX_WORDS = tuning.GROUND_MIN_WORDS, tuning.GROUND_MAX_WORDS

NEGATION = re.compile(r"\b(?:not|no|never|nor|neither|without|denied|denies|deny|refused|rejected)\b|n't\b",
                      re.IGNORECASE)
STOPWORDS = factlib.STOPWORDS
DIGITS = re.compile(r"\d+")  # a run of digits is a fact however it is written ("6,700", "COVID-19", "2022")
CAPITALISED = re.compile(r"\b[A-Z][\w'’-]*")  # a name, or a word that opens a sentence: either must be sourced


def SUPPORT(claim: str, evidence: list[str]) -> supportlib.Verdict:  # noqa: N802 (a seam tests may swap)
    """The one support check a kept sentence must pass: `brief verify`'s, on the evidence joined."""
    return supportlib.check(claim, " ".join(evidence))


BULLET = re.compile(r"^\s*(?:[-*•·]+|\d{1,2}[.)]|#+)\s+")
LABEL = re.compile(r"^\s*(?:summary|tl;?dr|key points?|in short|answer|assistant)\s*[:\-]\s*", re.IGNORECASE)
PREAMBLE = re.compile(r"^\s*(?:here (?:is|are)|sure|certainly|below is|the (?:article|text) (?:is|says))\b.*:\s*$",
                      re.IGNORECASE)


@dataclass
class Grounded:
    text: str
    support: list[int]  # article sentence indices, closest first
    cosine: float  # to the closest source sentence
    kept: bool
    reason: str = ""  # why it was dropped: malformed | weak | unsupported | negation | repeat, or the
    # rule of the support check that failed it (support.Verdict.rule): names | numbers | dates | days |
    # certainty | negation | speaker | recall | quantity | time | roles | attribution | chatter


def split_output(text: str) -> list[str]:
    """A model's output -> candidate sentences: lists, labels and chatter around them removed."""
    out, seen = [], set()
    for line in text.replace("\r", "").split("\n"):
        line = line.strip().replace("**", "").replace("__", "")
        if not line or PREAMBLE.match(line):
            continue
        line = LABEL.sub("", BULLET.sub("", line))
        for s in sentlib.split(line):
            key = re.sub(r"\W+", " ", s.lower()).strip() or s  # nonsense without a word is still output
            if key not in seen:
                seen.add(key)
                out.append(s)
    return out


content_words = factlib.content_words  # stop words without the negations: an added "not" counts


def missing_facts(claim: str, evidence: list[str]) -> set[str]:
    """What `claim` says that `evidence` lacks: names, numbers and dates as facts.py reads them; and, stricter,
    any capitalised word (but a stop word: "The", "They") and any run of digits, each on its own, so a
    "Meanwhile" or the "2,024" of a "2,023" can't ride on a sentence that otherwise matches; numbers also
    as values ("ten days" is 10) and times of day as times (12:40 is not in "12:50 ... 1:40")."""
    joined = " ".join(evidence)
    missing = set(factlib.unsupported(claim, evidence))
    body = factlib.fold(joined).lower()
    text = factlib.fold(claim)
    missing |= {w for w in CAPITALISED.findall(text) if w.lower() not in STOPWORDS and w.lower() not in body}
    missing |= {d for d in DIGITS.findall(text) if d not in set(DIGITS.findall(body))}
    values = {v for v, _ in supportlib.quantities(joined)}
    missing |= {f"{v:g}" for v, _ in supportlib.quantities(claim) if v not in values}
    if supportlib.time_problem(claim, joined):
        missing.add("time of day")
    fc = factlib.facts(claim)
    fe = factlib.facts(joined)
    missing |= {f"{d[0]}/{d[1]}" for d in fc.dates - fe.dates}
    missing |= set(fc.weekdays - fe.weekdays)
    return missing


def novel_words(text: str, evidence: list[str]) -> set[str]:
    """Content words of `text` (cut to five letters) that none of `evidence` has."""
    return content_words(text) - content_words(" ".join(evidence))


def too_novel(text: str, evidence: list[str]) -> bool:
    words = content_words(text)
    return len(novel_words(text, evidence)) > max(MAX_NOVEL, NOVEL_SHARE * len(words))


def well_formed(text: str) -> bool:
    words = text.split()
    if not sentlib.is_statement(text, MIN_WORDS, MAX_WORDS):
        return False
    if not text.rstrip("\"'”’)]").endswith((".", "!")):
        return False  # cut off by the token limit: "The visit will be closely watched by the international"
    chars = [c for c in text if not c.isspace()]
    letters = sum(c.isalpha() and c.isascii() or c in "'’" for c in chars)
    if letters < 0.75 * len(chars):
        return False  # a run of symbols, bytes or digits: not prose
    # Real prose is mostly short common words and known spellings; a random model strings fragments.
    lower = [w.strip(".,;:!\"'()").lower() for w in words]
    return sum(w in STOPWORDS for w in lower) >= max(1, len(words) // 8) and text[:1].isupper()


def ground_one(text: str, vector: np.ndarray, article: Article, sent_vecs: np.ndarray) -> Grounded:
    if not well_formed(text):
        return Grounded(text, [], 0.0, False, "malformed")
    sims = sent_vecs @ vector
    order = [int(i) for i in np.argsort(-sims)[:CANDIDATES]]
    if not order:
        return Grounded(text, [], 0.0, False, "weak")
    best = order[0]
    cosine = float(sims[best])
    support = [best]
    evidence = [article.sentences[best].text]
    missing = missing_facts(text, evidence)
    # A generated sentence may join two source sentences: add those that give what is missing.
    for j in order[1:]:
        if not missing or len(support) >= MAX_SUPPORT:
            break
        if sims[j] < EXTRA_COSINE:
            break
        s = article.sentences[j].text
        still = missing_facts(text, evidence + [s])
        if len(still) < len(missing):
            support.append(j)
            evidence.append(s)
            missing = still
    if cosine < MIN_COSINE:
        return Grounded(text, support, cosine, False, "weak")
    if missing:
        return Grounded(text, support, cosine, False, "unsupported")
    if bool(NEGATION.search(text)) and not any(NEGATION.search(e) for e in evidence):
        return Grounded(text, support, cosine, False, "negation")  # "did not sign" from "signed"
    verdict = SUPPORT(text, evidence)
    if verdict.verdict != supportlib.SUPPORTS:
        return Grounded(text, support, cosine, False, verdict.rule or "unsupported")
    words = content_words(text)
    cover = len(words & content_words(" ".join(evidence))) / len(words) if words else 0.0
    if cosine + 0.5 * cover < MIN_STRENGTH or too_novel(text, evidence):
        return Grounded(text, support, cosine, False, "weak")
    return Grounded(text, support, cosine, True)


def ground(article: Article, sent_vecs: np.ndarray, texts: list[str], vectors: np.ndarray) -> list[Grounded]:
    """Each generated sentence of one article, kept with its support or dropped with a reason."""
    out: list[Grounded] = []
    kept_support: list[set[int]] = []
    for text, v in zip(texts, vectors):
        g = ground_one(text, v, article, sent_vecs)
        if g.kept and any(set(g.support) <= s for s in kept_support) and \
                any(float(v @ vectors[k]) > 0.9 for k, o in enumerate(out) if o.kept):
            g.kept, g.reason = False, "repeat"
        if g.kept:
            kept_support.append(set(g.support))
        out.append(g)
    return out

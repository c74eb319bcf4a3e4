"""Tie each sentence a model wrote to the article sentences it rests on, or refuse it.

A generated sentence is kept only when (1) it reads as a sentence, (2) its closest source sentence is
close in meaning and shares its content words, (3) every name, number (as a value), date and weekday
it gives stands in the source sentences chosen as its evidence, and (4) the support check says that
evidence supports it: units and times of day, who did what to whom, certainty and attribution agree,
and it is no talk about the task (faithful.py). The evidence is then quoted word for word as its
citation. Small models invent (a trip becomes "the first since World War II", 24 years become 24
months); this is where that stops.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from briefing import facts as factlib
from briefing import faithful
from briefing import sentences as sentlib
from briefing.types import Article

# Why these numbers: MiniLM puts a faithful paraphrase of a news sentence at cosine 0.7-0.9 from it,
# a sentence on the same topic that says something else at 0.4-0.6, and random text below 0.3.
# Strength adds half the share of the sentence's content words found in its evidence, so a close
# paraphrase with new words still passes and a topical sentence made of other words does not.
MIN_COSINE = 0.55
MIN_STRENGTH = 0.85
# A paraphrase swaps a word or two ("landed" for "touched down"); a sentence with more content words
# than that its evidence lacks is saying something else: Gemma 3 270M's "Russia's visit to North Korea is
# a welcome one for the Russian people" passed every other check on the seeds.
MAX_NOVEL, NOVEL_SHARE = 2, 0.25
EXTRA_COSINE = 0.35  # a second or third evidence sentence must at least be on the topic
MAX_SUPPORT = 3
CANDIDATES = 12  # source sentences, closest first, that may lend a missing name or number
MIN_WORDS, MAX_WORDS = 5, 70

NEGATION = re.compile(r"\b(?:not|no|never|nor|neither|without|denied|denies|deny|refused|rejected)\b|n't\b",
                      re.IGNORECASE)
STOPWORDS = factlib.STOPWORDS
CAPITALISED = re.compile(r"(?<![\w'’-])[A-Z][A-Za-z'’\-]*")
# The one support check a kept sentence must pass: (claim, evidence sentences) -> Verdict(ok, reason).
# When briefing/support.py (the trust issue's check behind `brief verify`) lands, this line becomes
# `SUPPORT = support.check` (adapting its verdict's fields if they differ), and faithful.py goes.
SUPPORT = faithful.check
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
    # support check's reason: chatter | time | quantity | roles | certainty | attribution


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
    """Names, numbers and dates in `claim` that `evidence` lacks. Every capitalised word counts as a
    name, the sentence's first only when it is not a function word; numbers count as written and as
    values ("nine" is 9), times of day as times."""
    joined = " ".join(evidence)
    missing = set(factlib.unsupported(claim, evidence))
    body = factlib.fold(joined).lower()
    text = factlib.fold(claim).strip()
    opening = len(text) - len(text.lstrip("\"'“‘(["))
    for m in CAPITALISED.finditer(text):
        word = m.group(0).strip("'’-")
        if m.start() == opening and word.lower() in STOPWORDS:
            continue
        if word and word.lower().removesuffix("'s") not in body:
            missing.add(word)
    values = {v for v, _ in faithful.quantities(joined)}
    missing |= {f"{v:g}" for v, _ in faithful.quantities(claim) if v not in values}
    if faithful.time_problem(claim, joined):
        missing.add("time of day")
    fc, fe = factlib.facts(claim), factlib.facts(joined)
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
    if not MIN_WORDS <= len(words) <= MAX_WORDS or text.rstrip("\"'”’)").endswith("?"):
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
    if not verdict.ok:
        return Grounded(text, support, cosine, False, verdict.reason)
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

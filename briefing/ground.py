"""Tie each sentence a model wrote to the article sentences it rests on, or refuse it.

A generated sentence is kept only when (1) it reads as a sentence, (2) its closest source sentence is
close in meaning, (3) the support check of `brief verify` (support.check, the one check) says "supports"
for at least one source sentence *on its own*, exactly as `brief verify` reads a source (its best single
sentence): names, numbers with their units, times of day, dates, who did what to whom, certainty,
negation and attribution agree, and it is no talk about the task; and (4), stricter still, every
capitalised word and every run of digits in it stands in that sentence, its verbs are that sentence's (in
some form), it keeps the sentence's speaker ("police said" too), and it adds few words of its own.
Only the sentences that pass (3) and (4) alone are its evidence, each quoted word for word as a citation,
so each of its citations passes `brief verify`. A sentence that joins facts of two source sentences is
dropped: no one sentence states it, and a reader checking one citation would not find it there. Small
models invent (a trip becomes "the first since World War II", 24 years become 24 months); this is where
that stops.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from briefing import facts as factlib
from briefing import sentences as sentlib
from briefing import shorten
from briefing import standalone
from briefing import support as supportlib
from briefing import tuning
from briefing.types import Article

# What they do, what they were tuned on and the bench that shows them: tuning.py.
MIN_COSINE, MIN_STRENGTH = tuning.GROUND_MIN_COSINE, tuning.GROUND_MIN_STRENGTH
MAX_NOVEL, NOVEL_SHARE = tuning.GROUND_MAX_NOVEL, tuning.GROUND_NOVEL_SHARE
MAX_SUPPORT = tuning.GROUND_MAX_SUPPORT
CANDIDATES = tuning.GROUND_CANDIDATES
MIN_WORDS, MAX_WORDS = tuning.GROUND_MIN_WORDS, tuning.GROUND_MAX_WORDS

STOPWORDS = factlib.STOPWORDS
DIGITS = re.compile(r"\d+")  # a run of digits is a fact however it is written ("6,700", "COVID-19", "2022")
CAPITALISED = re.compile(r"\b[A-Z][\w'’-]*")  # a name, or a word that opens a sentence: either must be sourced
WORD = re.compile(r"\w[\w'’-]*")  # a word of the evidence, as CAPITALISED reads one of the claim


def SUPPORT(claim: str, sentence: str) -> supportlib.Verdict:  # noqa: N802 (a seam tests may swap)
    """The one support check a kept sentence must pass, against one source sentence, as `brief verify` reads it."""
    return supportlib.check(claim, sentence)


def supported_by_each(claim: str, evidence: list[str]) -> bool:
    """Whether every evidence sentence, on its own, supports `claim`: what a fused claim must meet, since
    each of its citations is read on its own by `brief verify`."""
    return bool(evidence) and all(SUPPORT(claim, e).verdict == supportlib.SUPPORTS for e in evidence)


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
    reason: str = ""  # why it was dropped: malformed | weak | unsupported (a name or digits the sentence
    # lacks) | repeat, or the rule of the support check that failed it on the closest sentence that came
    # nearest (support.Verdict.rule): names | numbers | dates | days | certainty | negation | speaker |
    # recall | quantity | time | roles | attribution | chatter | place | contradiction, or verb (a verb
    # the sentence it rests on does not use: support.verb_problem, grounding's own rule)


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
    words = set(WORD.findall(body))
    text = factlib.fold(claim)
    # as a word: the "Air" of "Air France" is not in "airplane's" ("France said ... the airplane's flight
    # data recorders" gave Gemma 3 270M's "Air France has been searching for the flight data recorders")
    missing |= {w for w in CAPITALISED.findall(text) if w.lower() not in STOPWORDS
                and re.sub(r"['’]s$", "", w.lower()) not in words}  # "Putin's" is given by "Putin"
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
    if (standalone.reason(text) or "").startswith("fragment"):
        return False  # no verb, cut at an abbreviation, no subject: "The United States Army Spc." (Gemma 3
        # 270M on MultiLing M007, copying a source sentence the splitter cut at "Spc.")
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
    cosine = float(sims[order[0]])
    if cosine < MIN_COSINE:
        return Grounded(text, order[:1], cosine, False, "weak")
    # The one check, each close source sentence on its own (as `brief verify` reads a source).
    verdicts = [(j, SUPPORT(text, article.sentences[j].text)) for j in order]
    support = [j for j, v in verdicts if v.verdict == supportlib.SUPPORTS]
    if not support:
        rank = {supportlib.SUPPORTS: 2, supportlib.PARTIAL: 1, supportlib.NONE: 0}
        j, v = max(verdicts, key=lambda x: (rank[x[1].verdict], x[1].score))
        return Grounded(text, [j], cosine, False, v.rule or "unsupported")
    # Stricter than the check, on the same sentences: every capitalised word and run of digits is there too.
    facts_ok = [j for j in support if not missing_facts(text, [article.sentences[j].text])]
    if not facts_ok:
        return Grounded(text, support[:1], cosine, False, "unsupported")
    # And its verbs are that sentence's, in some form: a model rewriting one sentence keeps what was done
    # ("The team has also dropped a rider" from a sentence where the team withdrew: SmolLM2 on MultiLing M005).
    # Not a rule of the check itself: two outlets tell one act with their own verbs ("arrived", "touched down"),
    # and merge's citations must keep them (in the check it cost the seeds' briefing two claims of two outlets).
    verbs_ok = [j for j in facts_ok if not supportlib.verb_problem(text, article.sentences[j].text)]
    if not verbs_ok:
        return Grounded(text, facts_ok[:1], cosine, False, "verb")
    # Nor drops who said it, plain "police said" too (the check lets a claim drop that, as outlets do).
    said_ok = [j for j in verbs_ok if not supportlib.dropped_speaker(text, article.sentences[j].text)]
    if not said_ok:
        return Grounded(text, verbs_ok[:1], cosine, False, "attribution")
    verbs_ok = said_ok
    support = verbs_ok[:MAX_SUPPORT]
    evidence = article.sentences[support[0]].text
    words = content_words(text)
    cover = len(words & content_words(evidence)) / len(words) if words else 0.0
    if float(sims[support[0]]) + 0.5 * cover < MIN_STRENGTH or too_novel(text, [evidence]):
        return Grounded(text, support, cosine, False, "weak")
    return Grounded(text, support, cosine, True)


def rewrite_only_shortens(text: str, sentence: str) -> str:
    """Why `text` is more than a shortening of `sentence` ("" when it is not): under `--rewrite claims` a rewrite
    keeps the sentence's words in their order and leaves out only whole units that punctuation sets off (an aside,
    a parenthesis, a leading phrase, a trailing clause) holding no negation, number, hedge, speaker, quotation or
    condition (shorten.py). Word rules written after reading each failure did not converge (session 6: 6 of 22
    held-out rewrites unfaithful). Punctuation is no parser: a unit may still be a clause's object or reason
    (models.md, "Rewriting claims by whole units only")."""
    return shorten.problem(text, sentence)


def rewrite_problem(text: str, evidence: list[str], cosine: float) -> str:
    """Why a model's rewrite of one claim may not replace it ("" when it may): the rules a generated sentence meets
    in ground_one, held to each sentence the claim cites (each is read on its own by `brief verify`): it reads as
    a sentence; the support check says "supports"; every capitalised word and run of digits is there; its verbs
    are the sentence's; it keeps the sentence's speaker; it adds few words. `cosine` is the rewrite's to the claim."""
    if not well_formed(text):
        return "malformed"
    if not evidence:
        return "unsupported"
    for e in evidence:
        v = SUPPORT(text, e)
        if v.verdict != supportlib.SUPPORTS:
            return v.rule or "unsupported"
        if missing_facts(text, [e]):
            return "unsupported"
        if supportlib.verb_problem(text, e):
            return "verb"
        if supportlib.dropped_speaker(text, e):
            return "attribution"
        words = content_words(text)
        cover = len(words & content_words(e)) / len(words) if words else 0.0
        if cosine + 0.5 * cover < MIN_STRENGTH or too_novel(text, [e]):
            return "weak"
        problem = rewrite_only_shortens(text, e)
        if problem:
            return problem
    return ""


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

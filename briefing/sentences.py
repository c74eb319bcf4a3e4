"""A sentence splitter for news text that survives abbreviations, initials, decimals and quotes.

Every sentence it returns is a slice of its input (whitespace inside folded to single spaces),
so a sentence can be quoted word for word as evidence.
"""
from __future__ import annotations

import re

# Words that end with a period without ending the sentence. Lower case, no final period.
ABBREVIATIONS = {
    "mr", "mrs", "ms", "dr", "prof", "sr", "jr", "st", "mt", "gen", "lt", "col", "maj", "capt",
    "cmdr", "adm", "sgt", "cpl", "gov", "sen", "rep", "rev", "hon", "pres", "supt", "insp",
    "det", "no", "nos", "vs", "etc", "al", "approx", "dept", "est", "fig", "inc", "ltd", "co",
    "corp", "bros", "vol", "op", "cf", "ca", "ed", "eds", "pp", "jan", "feb", "mar", "apr",
    "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "mon", "tue", "tues", "wed", "thu",
    "thur", "thurs", "fri", "sat", "sun", "ave", "blvd", "rd", "hwy", "ft", "km", "kg", "lb",
    "lbs", "oz", "min", "max", "govt", "univ", "assn", "messrs", "mme", "mlle", "u.s", "u.k",
    "u.n", "e.g", "i.e", "a.m", "p.m", "d.c", "u.s.a", "e.u",
}
# Abbreviations that may also end a sentence when a capitalised word follows.
SENTENCE_FINAL_OK = {"etc", "a.m", "p.m", "u.s", "u.k", "u.n", "d.c", "u.s.a", "e.u", "inc", "ltd", "co", "corp"}
# The one list of sentence openers. Pronouns and demonstratives that open a sentence by pointing back at one
# before it ("He said...", "This was..."): merge ranks such a claim lower, standalone refuses it, and facts does
# not read them as names.
PRONOUN_OPENERS = ("He", "She", "It", "They", "This", "That", "These", "Those", "His", "Her", "Their", "Its")
# Words that usually start a sentence: after "a.m." or "U.S.", one of these means a new sentence. facts.NOT_NAMES
# adds to them the other capitalised words that are not names.
STARTERS = {*PRONOUN_OPENERS, "The", "A", "An", "We", "I", "But", "And", "In", "On", "At", "After", "Before",
            "There", "Officials", "According", "Meanwhile", "However", "Mr", "Mrs", "Ms"}

# A sentence end: closing punctuation before a space or the end, or a full stop glued to the next
# sentence's capital ("ocean.The rings": pasted text that lost its spaces) after a lower-case word.
_CANDIDATE = re.compile(r"[.!?…]+[\"'’”)\]]*(?=\s+|$)|(?<=[a-z]{3})[.!?](?=[A-Z][a-z])")
_WORD_BEFORE = re.compile(r"([\w.'’-]+)[.!?…]*[\"'’”)\]]*$")
_NEXT_WORD = re.compile(r"\s+[\"'‘“(\[]*(\S+)")


def is_statement(text: str, min_words: int, max_words: int) -> bool:
    """The one test of a sentence that can state a fact: between min_words and max_words words, and not a
    question (a question states nothing). condense.usable and ground.well_formed add their own checks."""
    return min_words <= len(text.split()) <= max_words and not text.rstrip("\"'”’)").endswith("?")


def _is_boundary(text: str, end: int, mark: str) -> bool:
    """Whether the punctuation `mark` ending at `end` closes a sentence."""
    nxt = _NEXT_WORD.match(text, end)
    if not nxt:
        return True
    following = nxt.group(1)
    if following[0].islower() or following[0] in ",;:":
        return False  # "Mr. smith" is rare; "e.g. the" and "3 p.m. local" are common
    if mark.startswith((".", "…")) and not mark.startswith("..."):
        m = _WORD_BEFORE.search(text, max(0, end - 64), end)  # the word before: never the whole text again
        word = (m.group(1) if m else "").rstrip(".").lower()
        if not word:
            return True
        if len(word) == 1 and word.isalpha():
            return False  # an initial: "John F. Kennedy"
        if re.fullmatch(r"(?:[a-z]\.)+[a-z]", word):
            # U.S., a.m., D.C.: a sentence may end here when a usual opener follows
            return word in SENTENCE_FINAL_OK and following.strip("\"'‘“") in STARTERS
        if word in ("no", "nos"):
            return not following[0].isdigit()  # "No. 10" but not 'said "No." He'
        if word in ABBREVIATIONS:
            if word in SENTENCE_FINAL_OK and following.strip("\"'‘“") in STARTERS:
                return True
            return False
    return True


def split(text: str) -> list[str]:
    """Split one paragraph (or more) into sentences; whitespace runs become single spaces."""
    text = re.sub(r"\s+", " ", text).strip()
    if not text:
        return []
    out, start = [], 0
    for m in _CANDIDATE.finditer(text):
        end = m.end()
        if re.fullmatch(r"\.", m.group(0)) and end < len(text) and text[end - 2 : end - 1].isdigit() \
                and text[end: end + 1].isdigit():
            continue  # a decimal such as 3.5 (only reached without following space)
        if _is_boundary(text, end, m.group(0)):
            piece = text[start:end].strip()
            if piece:
                out.append(piece)
            start = end
    tail = text[start:].strip()
    if tail:
        out.append(tail)
    return out

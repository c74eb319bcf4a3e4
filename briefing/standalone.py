"""Can a sentence be read on its own, as a claim under its story's headline?

A claim is read without the article around it. It must name its actors (no "he", "they", "the
decision", "those cuts" that neither it nor the headline explains), be a whole sentence (not a quote
without its speaker, not cut with "...", not a bare verb phrase), and not be page furniture (a photo
caption or credit, a tweet embed, a prompt to the reader). Judged by form, not by any site's phrases.
"""
from __future__ import annotations

import re

from briefing import facts as factlib
from briefing import sentences as sentlib

_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")
PERSONAL = re.compile(r"\b(?:he|she|him|his|her|hers)\b")
FIRST_PERSON = re.compile(r"\b(?:I|I'm|I've|I'd|we|we're|we've|our|ours|us|my|me)\b", re.IGNORECASE)
OPENING_PRONOUN = re.compile(r"^[\"“‘']?(?:(?:And|But|So|Now|Then|Yet|Still|Later|Instead),?\s+)?(?:"
                             + "|".join(f"[{w[0]}{w[0].lower()}]{w[1:]}"
                                        for w in (*sentlib.PRONOUN_OPENERS, "Them", "There's"))
                             + r")\b(?!\s+[A-Z])")
# '"...," he said': the speaker is a pronoun, and who "he" is was told before.
PRONOUN_SPEAKER = re.compile(r"[,\"”’']\s+(?:he|she|they)\s+(?:said|says|added|told|wrote|explained|continued|noted)\b|"
                             r"^(?:He|She|They)\s+(?:said|says|added|told)\b")
# Quoted words: an attribution inside them is the speaker's, not the sentence's.
QUOTED = re.compile(r"\"[^\"]*(?:\"|$)|“[^”]*(?:”|$)")
# Six capitalised words in a row, one of them a capitalised small word ("Will Ring in New Year With"): a
# headline or link text glued to the sentence, not prose.
TITLE_RUN = re.compile(r"(?:\b[A-Z][\w'’-]*,?(?:\s+(?:in|of|to|a|an|the|and|for|on|at))?\s+){5,}")
SMALL_WORDS = {"With", "In", "For", "Of", "To", "And", "Will", "From", "On", "At", "After", "Is", "Are", "The", "A", "As"}
# "this step", "those cuts", "such transfers", "the two brothers": a reference back to something said before.
DEMONSTRATIVE = re.compile(r"\b(?:this|these|those|such|similar|both|another|the\s+two|the\s+three|the\s+both)\s+"
                           r"([a-z][a-z-]+)", re.IGNORECASE)
# "this week", "this month": a time, said relative to the article's date, not a reference back.
TIME_NOUNS = frozenset("""morning afternoon evening night week weekend month year season fall spring summer winter
quarter half period round time day decade century""".split())
THAT_NOUN = re.compile(r"(?:^|\b(?:in|of|on|at|from|with|for|by|about|after|to|and|but|And|But)\s+)[Tt]hat\s+([a-z][a-z-]+)")
# "The decision was made...": a subject that is one common noun, which only the article before explained.
DEFINITE_SUBJECT = re.compile(r"^[\"“‘']?The\s+(?:[a-z]+\s+)?([a-z][a-z-]+)\s+(?:was|were|is|are|has|had|have|will|would|"
                              r"may|might|could|comes|come|came|followed|follows)\b")
ATTRIBUTION = re.compile(r"\b(?:said|says|say|told|tells|tweeted|wrote|writes|posted|added|stated|announced|"
                         r"according to|explained|insisted|warned|claimed|argued|asked|replied|reported|reports|"
                         r"statement|concluded|confirmed)\b", re.IGNORECASE)
OPENS_WITH_VERB = re.compile(r"^[\"“‘']?(?:Will|Would|Can|Could|Should|Must|Is|Are|Was|Were|Has|Have|Had|Really|"
                             r"Just|Still|Also)\b(?![^.?!]*\?)")
CUT = re.compile(r"(?:\.\.\.|…)")
CUT_END = re.compile(r"\b(?:Spc|Sgt|Gen|Lt|Col|Capt|Mr|Mrs|Ms|Dr|St|Pvt|Cpl|Maj|Rep|Sen|Gov|Prof|No)\.$")
# Furniture by its form.
TWEET = re.compile(r"[—–-]\s*[^()]{1,60}\(@\w{1,30}\)|(?:^|\s)(?:@\w{2,}|#[A-Za-z]\w+)|pic\.twitter\.com|https?://")
CREDIT = re.compile(r"\|\s*[A-Z][\w.'’ -]{2,40}/\s*[A-Z][\w&.-]+|\([^()]{0,60}/[A-Z][^()]{0,40}\)"
                    r"|\(\s*(?:AP|AFP|Reuters|Getty|File|Associated Press)\b[^)]*\)\s*$|^FILE\s*[-–—]|"
                    r"(?i:\bfile (?:photo|image)\b|^(?:story highlights|photo|image|caption)\b)")
# A sentence that speaks to the reader: "Chat with us...", "Find out what's...", "Look back at...".
TO_READER = re.compile(r"^[A-Z][a-z]+\s+(?:(?:out|back|up|in|on|with)\s+(?:us|you|your|what's|what|at|here|more)|us|you|your)\b")
# A finite verb, roughly: an auxiliary, a past form, or a present third-person form after a subject.
# English irregular past forms: with the auxiliaries, -ed and -s forms, what tells a sentence from a caption.
IRREGULAR_PAST = """arose ate beat became began bent bit blew bore bought bound broke brought built burst cast caught chose
clung came cost crept cut dealt did dug drew drank drove fed felt fell fled flew forbade forgave forgot froze fought
found gave got grew ground hung heard held hid hit hurt kept knew laid lay leapt led left lent let lost made meant met
overcame paid put quit ran rang read rode rose said sang sank sat saw sent set shook shot shut slept slid sold sought
spent split spoke spread sprang stood stole struck stuck strove swam swept swore swung taught tore told took thought
threw understood undertook upheld went wept withdrew withheld woke won wore wound wrote""".split()
FINITE = re.compile(r"\b(?:is|are|was|were|be|been|has|have|had|will|would|can|could|should|may|might|must|"
                    r"do|does|did|says|" + "|".join(IRREGULAR_PAST) + r"|[a-z]+ed|[a-z]{3,}(?<!ing)s)\b")
PAST_OR_AUX = re.compile(r"\b(?:is|are|was|were|been|has|have|had|will|would|can|could|said|told|[a-z]+ed)\b")
# A caption's form: present tense over a dated photo ("... lands at ... on March 28, 2007") or a player's
# shirt number ("DeAndre Hopkins (10) reaches for the ball").
DATED = re.compile(r"\b(?:on|in)\s+[A-Z][a-z]{2,8}\.?\s+\d{1,2},\s+(?:19|20)\d\d\b")
SHIRT = re.compile(r"[A-Z][a-z]+\s+\(\d{1,2}\)")
# "the second tremor", "a fourth bomb", "the other ship": one of several, the rest told before.
ORDINAL = re.compile(r"\b(?:the|a|an)\s+(?:second|third|fourth|fifth|sixth|latter|former|other)\s+([a-z][a-z-]+)",
                     re.IGNORECASE)
# "After the speech ...": an opening time clause about something the article told before.
OPENING_EVENT = re.compile(r"^(?:After|Before|During|Since|Following|Despite)\s+the\s+([a-z][a-z-]+)\b")


def _content(text: str) -> set[str]:
    return {w[:5] for w in re.findall(r"[a-z]+", factlib.fold(text).lower()) if w not in factlib.STOPWORDS}


def _has_name(text: str) -> bool:
    """Whether the text names someone or something (a capitalised word past the first)."""
    words = _WORD.findall(text)
    return any(w[0].isupper() and w not in factlib.NOT_NAMES for w in words[1:])


# A tweet as a page embeds it: "... — Name (@handle) December 2, 2017".
TWEET_EMBED = re.compile(r"[-—–]\s*[^()]{1,60}\(@\w{1,30}\)\s*(?:[A-Z][a-z]+\.?\s+\d{1,2},\s+\d{4})?")


def furniture(text: str) -> str | None:
    """Why `text` is page furniture by its form (a tweet embed, a photo credit or caption, a prompt to the
    reader); None when it is not."""
    t = factlib.fold(text).strip()
    if TWEET_EMBED.search(t):
        return "furniture: a tweet embed"
    if CREDIT.search(t):
        return "furniture: a caption or photo credit"
    if TO_READER.match(t):
        return "furniture: a prompt to the reader"
    if SHIRT.search(t) or (DATED.search(t) and not PAST_OR_AUX.search(t)):
        return "furniture: a photo caption"
    for m in TITLE_RUN.finditer(t):
        words = m.group(0).split()
        if sum(w in SMALL_WORDS for w in words[1:]) >= 2:
            return "furniture: a headline or link text"
    return None


def reason(text: str, headline: str = "") -> str | None:
    """Why `text` cannot be read on its own under `headline`; None when it can."""
    t = factlib.fold(text).strip()
    if not t:
        return "empty"
    why = furniture(t)
    if why:
        return why
    if TWEET.search(t):
        return "furniture: a link, handle or hashtag"
    if not FINITE.search(t):
        return "fragment: no verb (a caption or a heading)"
    if CUT.search(t) or CUT_END.search(t):
        return "fragment: cut"
    if OPENS_WITH_VERB.match(t):
        return "fragment: no subject"
    quoted = t.startswith(("\"", "'", "“", "‘")) or (text.count("“") != text.count("”"))
    attributed = bool(ATTRIBUTION.search(QUOTED.sub(" ", t)))
    if PRONOUN_SPEAKER.search(t):
        return "dangling: the speaker is only 'he', 'she' or 'they'"
    if not attributed and (quoted or FIRST_PERSON.search(re.sub(r"\bUS\b", "", t))):
        return "fragment: a quote without its speaker"
    known = _content(headline) | set()
    if OPENING_PRONOUN.match(t):
        return "dangling: opens with a pronoun"
    if PERSONAL.search(t) and not _has_name(t):
        return "dangling: a pronoun with no one named"
    m = DEFINITE_SUBJECT.match(t)
    if m:
        nouns = [w for w in m.group(1).split() if w not in factlib.STOPWORDS]
        rest = _content(t[m.end():])
        if nouns and not any(n[:5] in known or n[:5] in rest for n in nouns):
            return f"dangling: 'the {m.group(1)}' is not introduced"
    for rx in (ORDINAL, OPENING_EVENT):
        m = rx.search(t)
        noun = m.group(1).lower() if m else ""
        if m and noun not in factlib.STOPWORDS and noun not in TIME_NOUNS and noun[:5] not in known \
                and noun[:5] not in _content(t[m.end():]):
            return f"dangling: '{m.group(0).strip()}' refers back"
    for rx in (DEMONSTRATIVE, THAT_NOUN):
        for m in rx.finditer(t):
            noun = m.group(1)
            if noun in factlib.STOPWORDS or noun in TIME_NOUNS or noun[:5] in known or "-" in noun:
                continue
            return f"dangling: '{m.group(0).strip()}' refers back"
    return None


def standalone(text: str, headline: str = "") -> bool:
    """Whether `text` reads on its own under `headline`."""
    return reason(text, headline) is None

"""Can a sentence be read on its own, as a claim under its story's headline?

A claim is read without the article around it. It must name its actors (no "he", "they", "the
decision", "those cuts" that neither it nor the headline explains), be a whole sentence (not a quote
without its speaker, not cut with "...", not a bare verb phrase), and not be page furniture (a photo
caption or credit, a tweet embed, a prompt to the reader). Judged by form, not by any site's phrases.
"""
from __future__ import annotations

import re
from functools import lru_cache

from briefing import facts as factlib
from briefing import sentences as sentlib
from briefing import tuning

_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")
PERSONAL = re.compile(r"\b(?:he|she|him|his|her|hers)\b")
FIRST_PERSON = re.compile(r"\b(?:I|I'm|I've|I'd|we|we're|we've|our|ours|us|my|me)\b", re.IGNORECASE)
OPENING_PRONOUN = re.compile(r"^[\"“‘']?(?:(?:And|But|So|Now|Then|Yet|Still|Later|Instead),?\s+)?(?:"
                             + "|".join(f"[{w[0]}{w[0].lower()}]{w[1:]}"
                                        for w in (*sentlib.PRONOUN_OPENERS, "Them", "There's"))
                             + r")\b(?!\s+[A-Z])")
# "It was reported that ...", "Later, it was not known whether ...": an "it" that stands for the clause after it (an
# expletive), not for anything said before. Only a form of "be", a participle or adjective, then that/whether/if/how:
# "It is expected to reopen" (a raised subject: the "it" is a thing) is not this form.
EXPLETIVE_IT = re.compile(r"^[\"“‘']?(?:(?:And|But|So|Now|Then|Yet|Still|Later|Instead),?\s+)?[Ii]t\s+(?:"
                          r"(?:is|was|has\s+been|had\s+been|will\s+be|would\s+be|remains|remained|seems|seemed|"
                          r"appears|appeared)\s+(?:(?:not|now|also|later|still|immediately|widely|generally|yet|"
                          r"already)\s+){0,2}(?:[a-z]+ed|known|thought|said|told|shown|understood|clear|unclear|"
                          r"likely|unlikely|possible|certain|uncertain|true)\s+|(?:seems|seemed|appears|appeared)\s+)"
                          r"(?:that|whether|if|how|why|when|where)\b")
# '"...," he said', '"...," it said': the speaker is a pronoun, and who "he" or "it" is was told before.
PRONOUN_SPEAKER = re.compile(r"[,\"”’']\s+(?:he|she|they|it)\s+(?:said|says|added|told|wrote|explained|continued|noted)\b|"
                             r"^(?:He|She|They)\s+(?:said|says|added|told)\b")
# Quoted words: an attribution inside them is the speaker's, not the sentence's.
QUOTED = re.compile(r"\"[^\"]*(?:\"|$)|“[^”]*(?:”|$)")
# Six capitalised words in a row, one of them a capitalised small word ("Will Ring in New Year With"): a
# headline or link text glued to the sentence, not prose.
TITLE_RUN = re.compile(r"(?:\b[A-Z][\w'’-]{0,40},?(?:\s+(?:in|of|to|a|an|the|and|for|on|at))?\s+){5,}")
SMALL_WORDS = {"With", "In", "For", "Of", "To", "And", "Will", "From", "On", "At", "After", "Is", "Are", "The", "A", "As"}
# "this step", "those cuts", "such transfers", "the two brothers": a reference back to something said before.
DEMONSTRATIVE = re.compile(r"\b(?:this|these|those|such|similar|both|another|the\s+two|the\s+three|the\s+both)\s+"
                           r"(?-i:([a-z][a-z-]+))", re.IGNORECASE)  # "the two Koreas": a capitalised noun names them
# "this week", "this month": a time, said relative to the article's date, not a reference back.
TIME_NOUNS = frozenset("""morning afternoon evening night week weekend month year season fall spring summer winter
quarter half period round time day decade century""".split())
THAT_NOUN = re.compile(r"(?:^|\b(?:in|of|on|at|from|with|for|by|about|after|to|and|but|And|But)\s+)[Tt]hat\s+([a-z][a-z-]+)")
ATTRIBUTION = re.compile(r"\b(?:said|says|say|told|tells|tweeted|wrote|writes|posted|added|stated|announced|"
                         r"according to|explained|insisted|warned|claimed|argued|asked|replied|reported|reports|"
                         r"statement|concluded|confirmed)\b", re.IGNORECASE)
OPENS_WITH_VERB = re.compile(r"^[\"“‘']?(?:Not that|Will|Would|Can|Could|Should|Must|Is|Are|Was|Were|Has|Have|Had|Really|"
                             r"Just|Still|Also)\b(?![^.?!]*\?)")
SECONDS = re.compile(r"\d['\"]")
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
# "The decision was made...": a subject that is one common noun, which only the article before explained. The
# verb after it is an auxiliary, a verb of a short list, or any past tense ("The jury sentenced ...", "The crowd
# fled ...") but a verb of saying ("the airline said": an agent is read through the headline's story); or the noun
# takes a relative clause ("The apparent father, who ..."): the clause describes one already met, it does not
# name him. Effect: `python bench/standalone_bench.py` (the hand labels) and the read of docs/standalone_sample.md.
_SUBJECT_VERB = (r"(?:\s+(?:(?:also|already|now|still|later|not)\s+)?"
                 r"(?:was|were|is|are|has|had|have|will|would|may|might|could|comes|come|came|followed|"
                 r"follows|show|shows|showed|include|includes|included|hasn['’]t|hadn['’]t|haven['’]t|"
                 r"wasn['’]t|weren['’]t|isn['’]t|aren['’]t|won['’]t|(?!(?:said|told|added|stated|announced|reported|"
                 r"confirmed|claimed|explained|insisted|warned|argued|asked|replied|concluded|noted|tweeted|"
                 r"posted|wrote|quoted|cited|named|called|dubbed|based|used|needed)\b)(?:[a-z]{2,}ed|"
                 + "|".join(IRREGULAR_PAST) + r")\b(?!\s+(?:by|into|in|on|at|to|from|with|as|for|under|after|during|over|"
                 r"near|last|this|yesterday|earlier|and|or)\b))\b|,\s+(?:who|which|whose)\b)")
# (a past form with "by", "into", "in" ... after it is most often a participle: "The tax measure signed into law by
# ... spreads ..."; only a past form with its object after it counts as the verb)
# neither the noun nor a word before it is the verb ("the confessions were extracted": the noun is "confessions")
_NOT_VERB = r"(?!(?:was|were|is|are|has|had|have|will|would|may|might|could|also|already|now|still|later|not)\b)"
DEFINITE_SUBJECT = re.compile(r"^[\"“‘']?The\s+(?:" + _NOT_VERB + r"[a-z]+\s+)?" + _NOT_VERB + r"([a-z][a-z-]+)"
                              + _SUBJECT_VERB)
# The same subject opening a clause after "that" ("... claims that the confessions were extracted ..."), when it
# is a plural: a group the article told of before. A singular there is most often a part of the headline's own
# happening ("it was reported that the epicenter was offshore ...", under an aftershock), so it is let be.
CLAUSE_SUBJECT = re.compile(r"\bthat\s+the\s+(?:" + _NOT_VERB + r"[a-z]+\s+)?" + _NOT_VERB
                            + r"([a-z][a-z-]+(?<![su]s)(?<!is)s)" + _SUBJECT_VERB)
FINITE = re.compile(r"\b(?:is|are|was|were|be|been|has|have|had|will|would|can|could|should|may|might|must|"
                    r"do|does|did|says|" + "|".join(IRREGULAR_PAST) + r"|[a-z]+ed|[a-z]{3,}(?<!ing)s)\b")
_IRREGULAR = re.compile(r"\b(?:" + "|".join(IRREGULAR_PAST) + r")\b")
PAST_OR_AUX = re.compile(r"\b(?:is|are|was|were|been|has|have|had|will|would|can|could|said|told|[a-z]+ed)\b")
# A caption's form: present tense over a dated photo ("... lands at ... on March 28, 2007") or a player's
# shirt number ("DeAndre Hopkins (10) reaches for the ball").
DATED = re.compile(r"\b(?:(?:on|in)\s+|(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day,\s+)[A-Z][a-z]{2,8}\.?\s+\d{1,2},\s+"
                   r"(?:19|20)\d\d\b")
# "Watch: ...", "Related: ...", "Video: ...": one word and a colon before a title (headline-ese: no past tense, no
# auxiliary) is a teaser or a link, not prose.
TEASER = re.compile(r"^[A-Z][a-z]{2,12}:\s+[\"“‘']?[A-Z]")
SHIRT = re.compile(r"[A-Z][a-z]+\s+\(\d{1,2}\)")
# "the second tremor", "a fourth bomb", "the other ship": one of several, the rest told before.
ORDINAL = re.compile(r"\b(?:the|a|an)\s+(?:second|third|fourth|fifth|sixth|latter|other)\s+"
                     r"(?:and\s+[a-z]+\s+)?([a-z][a-z-]+)", re.IGNORECASE)
# "After the speech ...": an opening time clause about something the article told before.
OPENING_EVENT = re.compile(r"^(?:After|Before|During|Since|Following|Despite)\s+the\s+([a-z][a-z-]+)\b")


# An exclamation outside quotes is a promotion ("Celebrating 50 years of local news!"), not news prose.
EXCLAIMED = re.compile(r"!\W*$")
# A path on a web host ("doi.org/10.1002/...", "example.com/news"): a reference or link line.
WEB_PATH = re.compile(r"\b[\w-]{1,63}(?:\.[\w-]{1,63}){0,8}\.[a-z]{2,6}/\S")  # bounded: DNS labels
# The imperative of reading a page ("Click to read...", "Watch the video here", "Sign up now"): an instruction
# to the reader, by its form: a verb of using a page first, no subject, then where or what to go to.
PAGE_IMPERATIVE = re.compile(r"^(?:Click|Tap|Read|Watch|See|Look|Find|Sign|Follow|Share|Subscribe|Download|Join|"
                             r"Listen|Get|Chat|Visit|Check|Learn|Explore|Discover|Scroll|Swipe|View|Browse|Send|"
                             r"Email|Contact|Donate|Register|Vote|Play)\s+(?:to|here|now|more|below|above|on|out|up|"
                             r"back|through|our|this|the\s+(?:full|latest|video|gallery|story|photos?|live)|for|in|"
                             r"at|us|you|your|it)\b|^(?:Click|Tap|Swipe|Scroll|Subscribe|Download)\b")
# A caption's other form: plural actors doing something now, in a sentence with no past tense and no
# auxiliary ("Police cordon off the square ...", "Protesters gather outside ..."). The verbs of saying and
# thinking are left out: "Officials say ...", "Scientists believe ..." are news prose.
PLURAL_NOW = re.compile(r"^(?:[A-Z][a-z]+\s+)?(?:Police|People|Crowds?|[A-Z][a-z]+(?:ers|ors|ists|ans|ents|ants|ies|men))"
                        r"\s+(?!(?:say|believe|think|expect|fear|hope|want|need|suspect|warn|estimate|know|agree|plan|"
                        r"insist|claim|argue|report|deny|urge|call|are|were|have|had|will|would|can|could|may|might|"
                        r"must|should|do|did)\b)([a-z]{3,})\b(?<!s)(?<!ed)(?<!ing)\s+(?:off|up|out|down|on|in|at|"
                        r"outside|near|during|as|the|a|an|their|through|past|along|to)\b")
# An -ed word after a determiner is an adjective ("The intended route of Flight 447."), not a verb.
DETERMINED_ED = re.compile(r"\b(?:[Tt]he|[Aa]n?|[Ii]ts|[Hh]is|[Hh]er|[Tt]heir|[Tt]his|[Tt]hat|[Oo]ur)\s+([a-z]+ed)\b")
# Document speakers: "the statement said" is only clear after the article said whose statement it was. An
# agent ("the airline said") is read through the headline's story; a document never is.
DOCUMENT_SPEAKER = re.compile(r"\b[Tt]he\s+(statement|report|letter|release|memo|message|note|document|study|"
                              r"paper|post|filing|complaint|notice|announcement|email|e-mail|order|ruling|"
                              r"decision|verdict|survey|poll)\s+(?:said|says|added|stated|noted|read|reads|"
                              r"concluded|found|finds|showed|shows|explained)\b")
# "The 61-year-old Canadian is ...": a description standing for a name the article gave before.
AGED_DESCRIPTION = re.compile(r"^[\"“‘']?The\s+\d{1,3}-year-old\s+(?:[a-z]|(?:[A-Z][a-z]+\s+)?[A-Z][a-z]+(?:an|ese|ish|i)\b)")
# "Other events ...", "Fellow Briton ...", "Each column ...", "Instead, ...": more of, one of, or instead of,
# something the article said before. ("each" only as the opening subject: "for each municipality" later in a
# sentence distributes over what the sentence itself names.)
REFERS_ON = re.compile(r"^[\"“‘']?(?:(?:Other|Fellow|Each)\s+([A-Za-z][a-z-]+)|(Instead|Likewise|Similarly|"
                       r"Otherwise|Then|Again)\b)")
# "that's more than ...": a pronoun for what was said before (outside quotes).
THATS = re.compile(r"(?:^|[,;:]\s*|\b(?:said|says|say|reports?|reported|added|notes?|noted|thinks?|believes?)\s+)"
                   r"[Tt]hat(?:['’]s|\s+is|\s+was)\b(?!,)")
# "the third stage of the Tour de France": the "of" names what it is one of.
OF_NAME = re.compile(r"\s+of\s+(?:the\s+)?[A-Z\"“]")
OPENERS = {"But", "And", "So", "Yet", "Now", "Then", "Still", "Later", "Also", "Meanwhile", "However"}
# "found that voice in ...": "that" before a noun with no verb after it is a pointer, not "found that X did".
THAT_WORD = re.compile(r"\bthat\s+([a-z][a-z-]+)\b")
PLURAL_PRONOUN = re.compile(r"\b(?:they|them|their|theirs|themselves)\b")
# A word that can stand for "they": a plural noun, a name (a team, a government), a number of people.
PLURAL_ANTECEDENT = re.compile(r"\b(?:[a-z]{2,}(?<![su]s)(?<!is)(?<!ss)s|[A-Z][\w'’-]+|people|police|men|women|children|"
                               r"staff|crew|team|public|government|family|couple|both|each|all|everyone|anyone)\b")


def _content(text: str) -> set[str]:
    return {w[:5] for w in re.findall(r"[a-z]+", factlib.fold(text).lower()) if w not in factlib.STOPWORDS}


def _has_name(text: str) -> bool:
    """Whether the text names someone or something (a capitalised word past the first)."""
    words = _WORD.findall(text)
    return any(w[0].isupper() and w not in factlib.NOT_NAMES for w in words[1:])


def _names_someone(headline: str) -> bool:
    """Whether a headline names someone: a capitalised word in a sentence-case headline. In Title Case every
    word is capitalised, so the case says nothing."""
    words = _WORD.findall(headline)
    capitalised = sum(w[0].isupper() for w in words)
    return bool(words) and capitalised <= tuning.STANDALONE_SENTENCE_CASE * len(words) and _has_name(headline)


# A tweet as a page embeds it: "... — Name (@handle) December 2, 2017".
TWEET_EMBED = re.compile(r"[-—–]\s*[^()]{1,60}\(@\w{1,30}\)\s*(?:[A-Z][a-z]+\.?\s+\d{1,2},\s+\d{4})?")


def _past_or_aux(text: str) -> bool:
    """Whether the text has a past tense or an auxiliary: what news prose has and a caption lacks."""
    return bool(PAST_OR_AUX.search(text) or _IRREGULAR.search(text))


@lru_cache(maxsize=65536)  # extraction asks it of every sentence, and reason() again of the story's claims
def furniture(text: str) -> str | None:
    """Why `text` is page furniture by its form (a tweet embed, a photo credit or caption, a prompt to the
    reader); None when it is not."""
    t = factlib.fold(text).strip()
    if TWEET_EMBED.search(t):
        return "furniture: a tweet embed"
    if CREDIT.search(t):
        return "furniture: a caption or photo credit"
    if TO_READER.match(t) or PAGE_IMPERATIVE.match(t):
        return "furniture: a prompt to the reader"
    if EXCLAIMED.search(QUOTED.sub(" ", t)) and not re.search(r"[\"”’']\W*$", t):
        return "furniture: an exclamation (a promotion, not news prose)"
    if TEASER.match(t) and not _past_or_aux(t):  # "Mumbai: Police arrested ..." is a dateline and prose
        return "furniture: a teaser or link (a label and a colon)"
    if WEB_PATH.search(t):
        return "furniture: a web address (a link or reference line)"
    if PLURAL_NOW.match(t) and not _past_or_aux(t):
        return "furniture: a photo caption (actors in the present tense)"
    if SHIRT.search(t) or (DATED.search(t) and not PAST_OR_AUX.search(t)):
        return "furniture: a photo caption"
    for m in TITLE_RUN.finditer(t):
        words = m.group(0).split()
        if sum(w in SMALL_WORDS for w in words[1:]) >= 2:
            return "furniture: a headline or link text"
    return None


# Remembered by text and headline: merge asks it of a story's claims, and again of the same sentences as the other
# sources' forms of a claim that does not read alone (merge.readable_form).
@lru_cache(maxsize=65536)
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
    if not FINITE.search(t if ":" in t else DETERMINED_ED.sub(" ", t)):
        return "fragment: no verb (a caption or a heading)"
    if CUT.search(t) or CUT_END.search(t):
        return "fragment: cut"
    if OPENS_WITH_VERB.match(t):
        return "fragment: no subject"
    # an odd count of straight double quotes is a quote cut at one end (5h 34' 28" is seconds, not a quote)
    quoted = t.startswith(("\"", "'", "“", "‘")) or (text.count("“") != text.count("”")) \
        or SECONDS.sub("", text).count('"') % 2 == 1
    attributed = bool(ATTRIBUTION.search(QUOTED.sub(" ", t)))
    if PRONOUN_SPEAKER.search(t):
        return "dangling: the speaker is only 'he', 'she' or 'they'"
    if not attributed and (quoted or FIRST_PERSON.search(re.sub(r"\bUS\b", "", t))):
        return "fragment: a quote without its speaker"
    unquoted = QUOTED.sub(" ", t)
    spoken = [q for q in QUOTED.findall(t)
              if len(q.split()) >= tuning.STANDALONE_SPOKEN_QUOTE_WORDS and _past_or_aux(q)]
    if spoken and not attributed and not re.search(r"\b(?:according to|said|says|told)\b", t):
        return "fragment: a quote without its speaker"
    known = _content(headline) | set()
    if OPENING_PRONOUN.match(t) and not EXPLETIVE_IT.match(t):
        return "dangling: opens with a pronoun"
    if THATS.search(unquoted):
        return "dangling: 'that' stands for something said before"
    m = DOCUMENT_SPEAKER.search(unquoted)
    if m and m.group(1)[:5] not in known:
        return f"dangling: '{m.group(0)}' (whose {m.group(1)}?)"
    if AGED_DESCRIPTION.match(t) and not _names_someone(headline):
        return "dangling: a description stands for a name"
    m = REFERS_ON.match(t)
    if m and not (m.group(1) and (m.group(1).lower()[:5] in known or m.group(1) in TIME_NOUNS)):
        return f"dangling: '{m.group(0).strip()}' refers back"
    for m in THAT_WORD.finditer(unquoted):
        word = m.group(1)
        if word in factlib.STOPWORDS or FINITE.search(word) or word[:5] in known or word in TIME_NOUNS:
            continue
        if not FINITE.search(unquoted[m.end():]):
            return f"dangling: 'that {word}' refers back"
    m = PLURAL_PRONOUN.search(unquoted)
    # "them" under "Shop sorry for accusing pupils": the headline's plural noun is who they are
    plural_headline = any(w.islower() for w in PLURAL_ANTECEDENT.findall(headline))
    before = [w for w in PLURAL_ANTECEDENT.findall(unquoted[:m.start()]) if w not in factlib.NOT_NAMES
              and w not in OPENERS] if m else []
    if m and not plural_headline and not before:
        return f"dangling: '{m.group(0)}' with no one named before it"
    # A person the headline names ("Jane Roe will lead ...") is who "he" or "the 46-year-old" is.
    if PERSONAL.search(t) and not _has_name(t) and not _names_someone(headline):
        return "dangling: a pronoun with no one named"
    for m in (DEFINITE_SUBJECT.match(t), *CLAUSE_SUBJECT.finditer(unquoted)):
        if not m:
            continue
        noun = m.group(1)
        source = t if m.re is DEFINITE_SUBJECT else unquoted
        rest = _content(source[:m.start()] + " " + source[m.end():])
        if noun not in factlib.STOPWORDS and noun not in TIME_NOUNS and noun[:5] not in known \
                and noun[:5] not in rest:
            return f"dangling: 'the {noun}' is not introduced"
    for rx in (ORDINAL, OPENING_EVENT):
        m = rx.search(t)
        noun = m.group(1).lower() if m else ""
        if m and noun not in factlib.STOPWORDS and noun not in TIME_NOUNS and noun[:5] not in known \
                and noun[:5] not in _content(t[m.end():]) and not OF_NAME.match(t[m.end():]):
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

"""Whether a rewrite of one sentence only shortens it, by structure: `--rewrite claims` keeps nothing else.

A rewrite is a shortening of its sentence when its words are the sentence's words, in the sentence's order, and
every word it leaves out belongs to a whole unit that punctuation marks off:

- a parenthesis: "(...)" or "[...]";
- an aside between two commas or two dashes ("Smith, the mayor, said ..." -> "Smith said ...");
- a leading phrase up to its comma ("On Monday, the king ..." -> "The king ...");
- a trailing clause after a comma, a semicolon or a dash ("He resigned, ending a long career." -> "He resigned.").

Nothing inside a clause is left out (a dropped "not", a dropped object, "arrived after X and Y left" made "arrived
after Y left"), and no word is added, replaced or put in another form. A unit may not be left out either when it
holds what the sentence's truth rests on: a negation, a number, a hedge or a modal (certainty), who says it, a
quotation (someone's own words are not cut), or a condition or an alternative ("if", "unless", "except", "or").
Only these may differ beyond that: the first word's capital, punctuation, and one whole attribution clause moved
from the end to the front ("The talks failed, officials said." -> "Officials said the talks failed."). A
shortening this strict can only say less than its sentence, never something else: what the sentence states, the
rewrite states, in the sentence's own words. The rules are general syntax and punctuation, written before any
output they were checked on was read (bench/rewrite_rule_labels.py scores them on every labelled rewrite).
"""
from __future__ import annotations

import re
from functools import lru_cache

from briefing import facts as factlib
from briefing import support as supportlib
from briefing import tuning

# A token: a number as one ("6,700", "12.5", "12:50"), a word with its inner apostrophes, hyphens and dots ("U.S",
# "don't", "well-known"), or one mark of punctuation.
TOKEN = re.compile(r"\d+(?:[.,:]\d+)*|\w+(?:['’.\-]\w+)*|[^\w\s]")
# What marks off a unit: a comma, a semicolon, a dash (a spaced hyphen counts: "X - Y"), a bracket.
COMMA, SEMI, DASHES, OPEN, CLOSE = ",", ";", {"—", "–", "-"}, {"(", "["}, {")", "]"}
QUOTES = {'"', "“", "”", "‘", "’", "'"}
# What a left-out unit may not hold. The support check's own lists (support.py): negations, hedges and modals,
# verbs and nouns of saying; and numbers in words or digits.
NUMBER = re.compile(r"\d|\b(?:" + "|".join(sorted(supportlib.SMALL_NUMBERS, key=len, reverse=True))
                    + "|" + "|".join(supportlib.SCALES) + r"|half|once|twice)\b", re.IGNORECASE)
# A condition, an exception or an alternative: the clause without it states more than the sentence
# ("The deal stands, unless parliament objects." is not "The deal stands.").
CONDITION = re.compile(r"\b(?:if|unless|provided|providing|except|excepting|excluding|barring|assuming|"
                       r"whether|or|otherwise|only)\b", re.IGNORECASE)
# A stance: someone's belief, suspicion, doubt or denial. Without it what they hold reads as fact ("The mayor took
# bribes, police suspect." is not "The mayor took bribes."; "..., the opposition disputed." reverses the sentence).
STANCE = re.compile(r"\b(?:suspect|believe|think|allege|assert|contend|maintain|fear|hope|doubt|dispute|deny|"
                    r"den(?:y|ies|ied)|deni\w*|claim|seem|appear|suggest|estimate|reckon|guess|presume|assume|"
                    r"accuse|charge)\w*|\b(?:reportedly|allegedly|apparently|supposedly|purportedly|seemingly|"
                    r"it seems|it appears|in (?:their|his|her|its|our|my) (?:view|opinion))\b", re.IGNORECASE)
# A restriction: a frequency, degree, exception, stage or scope. Without it the claim says more than the sentence
# ("In rare cases, the vaccine causes ..."; "... cancelled, apart from those to Paris"; "The bridges, mostly,
# collapsed"; "At first, the police denied ..."; "For now, the plant remains open").
RESTRICTION = re.compile(r"\b(?:rare|rarely|seldom|sometimes|occasionally|often|usually|generally|typically|"
                         r"mostly|largely|mainly|partly|partially|chiefly|primarily|nearly|almost|about|around|"
                         r"roughly|some|several|few|many|most|certain|initially|first|at first|for now|so far|"
                         r"yet|still|until|temporarily|in theory|in principle|in part|in some|apart|aside|save|"
                         r"but for|other than|besides|including|especially|particularly|at least|at most|"
                         r"longer term|short term|long run|in the end|eventually)\b", re.IGNORECASE)
# A leading place: "In France, the drug is legal." is not "The drug is legal." (a capitalised name after "in").
LEADING_PLACE = re.compile(r"^(?i:in|across|inside|outside|within|throughout)\s+(?:the\s+)?[A-Z]")
# A word that cannot end a sentence: a trailing unit left out after it leaves half a phrase ("talks between").
DANGLING = frozenset("""the a an and or but of to in on at for with by from about between among into onto over
under than as that which who whose whom their his her its our your my this these those""".split())
# A word that begins a subject: a leading "phrase" that starts with one is the main clause, not an adverbial
# ("The bus crashed, killing the driver." is not shortened to "Killing the driver.").
SUBJECT = frozenset("""the a an this that these those his her its their our my your he she it they we i there
some many most all each every both any""".split())
# A word that opens a relative clause: an aside that starts with one needs the clause it hangs on ("The bus, which
# carried tourists, crashed." is not shortened to "The bus, which carried tourists.").
RELATIVE = frozenset("which who whose whom where".split())


# A sentence longer than this is no claim's (tuning.GROUND_MAX_WORDS words, with marks): the unit search is
# quadratic in the marks of a sentence, so a hostile one is refused unread.
MAX_TOKENS = 4 * tuning.GROUND_MAX_WORDS


# How much of what a projected shortening keeps the model's rewrite must hold (project).
MIN_SHARED = 0.5


def _tokens(text: str) -> list[str]:
    return TOKEN.findall(text.replace("’", "'").replace("‘", "'"))


def _is_word(tok: str) -> bool:
    return tok[0].isalnum() or tok[0] == "_"


def _quoted(tokens: list[str]) -> list[bool]:
    """Which tokens stand inside quotation marks (a straight mark opens, then closes; curly ones say which). A
    single mark standing as a token of its own counts too (British outlets quote with them; an apostrophe inside a
    word is part of the word's token, _tokens)."""
    inside, out = False, []
    for t in tokens:
        if t in {'"', "“", "”", "'"}:
            inside = t == "“" or (t in {'"', "'"} and not inside)
            out.append(True)
            continue
        out.append(inside)
    return out


def _segments(tokens: list[str]) -> list[tuple[int, int, str, str]]:
    """The runs of tokens between marks that set units off: (start, end, the mark before, the mark after);
    "^" and "$" for the sentence's ends. The sentence's final stop is not part of any run."""
    end = len(tokens)
    while end and tokens[end - 1] in {".", "!", "?", "…"} | QUOTES - {"'"}:
        end -= 1
    out, start, before = [], 0, "^"
    for i in range(end + 1):
        mark = "$" if i == end else tokens[i]
        if mark == "$" or mark in {COMMA, SEMI} | DASHES | OPEN | CLOSE:
            if i > start:
                out.append((start, i, before, mark))
            start, before = i + 1, mark
    return out


def _units(tokens: list[str]) -> dict[int, set[int]]:
    """Where a unit may start -> where it may end (token indices, end exclusive): each a whole parenthesis,
    aside, leading phrase or trailing clause, with the mark that opens it (the mark it stops at stays)."""
    segs = _segments(tokens)
    units: dict[int, set[int]] = {}
    last = len(segs) - 1
    depth, depths = 0, []  # the bracket depth before each token: a unit neither opens nor closes a bracket
    for t in tokens:
        depths.append(depth)
        depth += (t in OPEN) - (t in CLOSE)
    depths.append(depth)
    for i, t in enumerate(tokens):  # "(...)", brackets and all
        if t in OPEN:
            k = next((k for k in range(i + 1, len(tokens)) if depths[k + 1] == depths[i]), None)
            if k is not None:
                units.setdefault(i, set()).add(k + 1)
    for a in range(len(segs)):
        start, _, before, _ = segs[a]
        for b in range(a, len(segs)):
            _, stop, _, after = segs[b]
            if depths[stop] != depths[start] or min(depths[start:stop + 1]) < depths[start]:
                continue
            if a == 0 and b < last and after in {COMMA} | DASHES:
                if tokens[start].lower() not in SUBJECT:
                    units.setdefault(start, set()).add(stop + 1)  # a leading phrase and its comma
            elif a > 0 and b == last and before in {COMMA, SEMI} | DASHES:
                kept_last = segs[a - 1]
                if not (kept_last[2] != "^" and tokens[kept_last[0]].lower() in RELATIVE):
                    units.setdefault(start - 1, set()).add(len(tokens))  # a trailing clause, to the end
            elif a > 0 and b < last and (before == after == COMMA or (before in DASHES and after in DASHES)):
                units.setdefault(start - 1, set()).add(stop)  # an aside: its opening mark and its words
    return units


def _unit_problem(tokens: list[str], quoted: list[bool], start: int, stop: int) -> str:
    """Why the unit tokens[start:stop] may not be left out ("" when it may)."""
    words = " ".join(t for t in tokens[start:stop] if _is_word(t))
    if any(quoted[start:stop]):
        return "quotation"
    if supportlib.NEGATES.search(words):
        return "negation"
    if NUMBER.search(words):
        return "number"
    if supportlib.MODAL.search(words):
        return "certainty"
    if supportlib.ATTRIBUTED.search(words):
        return "attribution"
    if CONDITION.search(words):
        return "condition"
    if STANCE.search(words):
        return "attribution"
    if RESTRICTION.search(words) or (start == 0 and LEADING_PLACE.search(words)):
        return "restriction"
    return ""


def _front_attribution(tokens: list[str]) -> list[int] | None:
    """The order of tokens with a trailing attribution clause (", officials said.") moved to the front
    ("officials said ..."), or None when the sentence ends with none: a short last clause after a comma, with a
    verb of saying and no quotation mark."""
    segs = _segments(tokens)
    if len(segs) < 2:
        return None
    start, stop, before, after = segs[-1]
    clause = tokens[start:stop]
    words = [t for t in clause if _is_word(t)]
    if before != COMMA or after != "$" or not 2 <= len(words) <= 8 or any(t in QUOTES for t in clause):
        return None
    if not supportlib.ATTRIBUTION.search(" ".join(words)):
        return None
    return list(range(start, stop)) + list(range(start - 1)) + list(range(stop, len(tokens)))


def _align(s: list[str], r: list[str], loose_s: set[int], loose_r: set[int], strict: bool = True) -> tuple[bool, str]:
    """Whether the rewrite's words `r` are the sentence's tokens `s` less whole units and marks; and the first
    thing a unit held that kept it in. `loose_s`, `loose_r`: the words whose capital may differ (a sentence's
    first word)."""
    units, quoted = _units(s), _quoted(s)
    refused: list[str] = []

    def same(i: int, j: int) -> bool:
        return s[i] == r[j] or ((i in loose_s or j in loose_r) and s[i].lower() == r[j].lower())

    held: dict[tuple[int, int], str] = {}  # each unit read once a call: the search visits it once for each j

    def ok(start: int, stop: int, j: int) -> bool:
        if (start, stop) not in held:
            held[start, stop] = _unit_problem(s, quoted, start, stop)
        problem = held[start, stop]
        if not problem and stop >= len(s) and j and r[j - 1].lower() in DANGLING:
            problem = "dangling"
        if problem:
            refused.append(problem)
        return not strict or not problem

    @lru_cache(maxsize=None)
    def go(i: int, j: int) -> bool:
        while i < len(s) and not _is_word(s[i]) and i not in units:
            i += 1  # a mark the rewrite may keep or leave
        if i >= len(s):
            return j == len(r)
        if j < len(r) and _is_word(s[i]) and same(i, j) and go(i + 1, j + 1):
            return True
        if not _is_word(s[i]) and go(i + 1, j):
            return True
        if s[i].lower() == "that" and _said_before(s, i) and go(i + 1, j):
            return True  # "said that X" -> "said X": the word only introduces what was said
        if 0 < j < len(r) and r[j].lower() == "that" and supportlib.ATTRIBUTION.fullmatch(r[j - 1]) and go(i, j + 1):
            return True  # and "said X" -> "said that X"
        return any(ok(i, e, j) and go(e, j) for e in sorted(units.get(i, ())))

    found = go(0, 0)
    go.cache_clear()
    return found, (refused[0] if refused else "")


def _said_before(tokens: list[str], i: int) -> bool:
    """Whether the word before tokens[i] is a verb of saying."""
    before = [t for t in tokens[:i] if _is_word(t)]
    return bool(before) and bool(supportlib.ATTRIBUTION.fullmatch(before[-1]))


def _first_word(tokens: list[str]) -> int:
    return next((i for i, t in enumerate(tokens) if _is_word(t)), 0)


def _orders(tokens: list[str]) -> list[list[int]]:
    """The token orders a sentence may be read in: as written, and with its trailing attribution in front."""
    moved = _front_attribution(tokens)
    return [list(range(len(tokens)))] + ([moved] if moved is not None else [])


def problem(text: str, sentence: str) -> str:
    """Why `text` is not a shortening of `sentence` by whole units ("" when it is): "not a shortening" (a word
    added, changed, moved, or left out inside a clause), or what a unit it leaves out holds ("negation", "number",
    "certainty", "attribution", "quotation", "condition"), or "dangling" (a phrase cut in half)."""
    s, rt = _tokens(sentence), _tokens(text)
    if not any(_is_word(t) for t in rt) or len(s) > MAX_TOKENS or len(rt) > MAX_TOKENS:
        return "not a shortening"
    why = ""
    for s_order in _orders(s):
        toks = [s[i] for i in s_order]
        loose_s = {s_order.index(_first_word(s))}
        for r_order in _orders(rt):
            words_at = [k for k in r_order if _is_word(rt[k])]
            r = [rt[k] for k in words_at]
            loose_r = {0, words_at.index(_first_word(rt))}
            found, refused = _align(toks, r, loose_s, loose_r)
            if found:
                return ""
            if not why and refused and _align(toks, r, loose_s, loose_r, strict=False)[0]:
                why = refused
    return why or "not a shortening"


def can_shorten(sentence: str) -> bool:
    """Whether `sentence` has anything a shortening may do: a unit it may leave out (one holding none of the
    above), or an attribution it may move to the front. A model asked to rewrite a sentence with neither can only
    copy it, or be refused."""
    s = _tokens(sentence)
    if len(s) > MAX_TOKENS:
        return False
    if _front_attribution(s) is not None:
        return True
    quoted = _quoted(s)
    return any(any(_is_word(t) for t in s[start:stop]) and not _unit_problem(s, quoted, start, stop)
               for start, stops in _units(s).items() for stop in stops)


def project(text: str, sentence: str) -> str | None:
    """`sentence` less every whole unit a rewrite `text` left out (none of the unit's content words is in `text`),
    as a sentence; None when it leaves none out, or the result would not pass `problem`. A model that paraphrases
    while it shortens still shows which asides and clauses it judged could go; only those go, and the sentence
    keeps its own words everywhere else: the model chooses, the sentence speaks."""
    spans = [(m.group(0), m.start(), m.end()) for m in TOKEN.finditer(sentence.replace("’", "'").replace("‘", "'"))]
    s = [t for t, _, _ in spans]
    if len(s) > MAX_TOKENS or not spans:
        return None
    written = {t.lower() for t in _tokens(text) if _is_word(t)}
    quoted = _quoted(s)
    candidates = []
    for start, stops in _units(s).items():
        for stop in stops:
            words = [t.lower() for t in s[start:stop] if _is_word(t)]
            content = [w for w in words if w not in factlib.STOPWORDS] or words
            if content and not any(w in written for w in content) and not _unit_problem(s, quoted, start, stop):
                candidates.append((start, stop))
    drop: set[int] = set()
    for start, stop in sorted(candidates, key=lambda u: u[0] - u[1]):  # the longest first
        if not drop & set(range(start, stop)):
            drop |= set(range(start, stop))
    if not drop:
        return None
    end = len(s)
    while end and s[end - 1] in {".", "!", "?", "…"} | QUOTES - {"'"}:
        end -= 1
    drop -= set(range(end, len(s)))  # a trailing clause goes; the sentence's stop stays
    for i in sorted(drop):  # an aside's closing mark goes with it ("Smith, the mayor, said" -> "Smith said")
        run_start = i
        while run_start - 1 in drop:
            run_start -= 1
        if i + 1 not in drop and i + 1 < end and run_start > 0 and s[i + 1] == s[run_start] and \
                s[run_start] in {COMMA} | DASHES:
            drop.add(i + 1)
    out, gap = [], False
    for k, (t, a, b) in enumerate(spans):
        if k in drop:
            gap = True
            continue
        spaced = a > 0 and sentence[a - 1].isspace()
        if out and (spaced or (gap and (_is_word(t) or t in OPEN))):
            out.append(" ")
        out.append(sentence[a:b])
        gap = False
    result = "".join(out)
    result = re.sub(r"\s*([,;:—–-])(\s*[,;:—–-])+", r"\1", result)  # marks left side by side: the first stays
    result = re.sub(r"\s+([,;.!?)\]])", r"\1", result)
    result = re.sub(r"^[\s,;:—–-]+", "", result)
    result = re.sub(r"[,;:—–-]\s*([.!?…]*)$", r"\1", result.rstrip()).strip()
    result = result[:1].upper() + result[1:]
    # The rewrite must be of this sentence: most of what stays is in it too (not tuned: a judgment; an unrelated
    # answer, "Putin signed 40 treaties", shares none of it and chooses nothing).
    stays = {t.lower() for t in _tokens(result) if _is_word(t)} - factlib.STOPWORDS
    if len(stays & written) < MIN_SHARED * len(stays):
        return None
    return result if result and result != sentence.strip() and not problem(result, sentence) else None

"""Raw document -> clean Article: page furniture removed, title found, sentences numbered.

Cleaning only ever drops lines or whole sentences, never rewrites inside one, so every sentence
stays word for word in the original text and can be quoted as evidence.
"""
from __future__ import annotations

import hashlib
import re
from collections.abc import Hashable, Iterable
from dataclasses import replace

from briefing import facts, standalone, tuning
from briefing import sentences as splitter
from briefing.types import Article, RawDocument, Sentence


class EmptyArticle(Exception):
    """Nothing readable is left after cleaning."""


# A line matching one of these is furniture wherever it stands.
FURNITURE_LINE = re.compile(
    r"""^\W*(?:
        leave\ a\ (?:reply|comment) | \d*\s*comments? | no\ comments | post\ a\ comment
      | your\ email\ address\ will\ not\ be\ published | required\ fields\ are\ marked
      | (?:follow|like)\ us\b | share\ (?:this|on)\b | share\W*$ | tweet\W*$ | print\W*$ | email\W*$
      | (?:click|tap)\ here\b | (?:also|read)\ (?:read|more|next)\b | see\ also\b | recommended\b
      | related\ (?:articles|posts|stories|news|content)\b | more\ from\b | trending\b
      | back\ to\ top\b | top\ of\ page\b | skip\ to\ (?:content|main)\b
      | (?:subscribe|sign\ up|register)\b.*(?:newsletter|updates|news|today|free|here|now|!|:) | subscribe\W*$
      | stay\ up\ to\ date\b | we\ promise\ not\ to\ spam | you\ have\ successfully\ subscribed
      | there\ was\ an\ error\ while\ trying | enter\ your\ email | your\ email\b | email\ address\W*$
      | copyright\b | ©.* | all\ rights\ reserved | (?:image|photo|picture)\ (?:credit|source)s?\b
      | (?:photo|image|picture|credit|source|caption)s?\s*: | advertisement\W*$ | sponsored\b
      | tags?\s*: | filed\ under\b | posted\ (?:in|on|by)\b | categories\s*:
      | (?:cookie|privacy)\ (?:policy|settings|preferences) | terms\ of\ (?:use|service)
      | loading\W*$ | please\ try\ again\W*$ | previous\ (?:article|post)\b | next\ (?:article|post)\b
    )""",
    re.IGNORECASE | re.VERBOSE,
)
# Furniture anywhere inside a line (a sentence carrying it is dropped).
# A photo caption: the whole line it stands on goes.
CAPTION = re.compile(r"\(\s*(?:image|photo|picture)\s+(?:credit|source)|\b(?:getty images|afp via getty|shutterstock"
                     r"|ap photo|reuters/)|^\W*(?:photo|image|caption)\s*:", re.IGNORECASE)
FURNITURE_INSIDE = re.compile(
    r"(?:no comments on\b|will use the information you provide"
    r"|all rights reserved|\bnewsletter\b.*\bsubscribe|\bsubscribe\b.*\bnewsletter"
    # an email address, its parts bounded: unbounded, a long word with no @ took quadratic time
    r"|[\w.+-]{1,64}@[\w-]{1,63}\.[\w.]{1,253}"
    r")",
    re.IGNORECASE,
)
# Past the middle of an article, one of these starts the page's tail: everything after it goes.
TAIL_MARKER = re.compile(
    r"^\W*(?:related\ (?:articles|posts|stories)|leave\ a\ (?:reply|comment)|back\ to\ top|"
    r"subscribe\ to|copyright|©|more\ (?:stories|articles)\ from|you\ may\ also\ like|recommended\ for\ you)",
    re.IGNORECASE | re.VERBOSE,
)
DATE_LINE = re.compile(
    r"^\W*(?:(?:mon|tues?|wed(?:nes)?|thu(?:rs)?|fri|sat(?:ur)?|sun)[a-z]*,?\s+)?"
    r"(?:(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+\d{1,2},?\s+\d{4}"
    r"|\d{1,2}\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?,?\s+\d{4}"
    r"|\d{4}-\d{2}-\d{2})(?:[ ,T]+\d{1,2}:\d{2}.*)?\W*$",
    re.IGNORECASE,
)
# "Copyright © 2018 ABC News Internet Ventures": the holder's first two words (the site's name).
COPYRIGHT_HOLDER = re.compile(r"^\W*(?:(?i:copyright)\b|©)\W*(?:(?:(?i:copyright)|©)\W*)?(?:\d{4}\W*)*"
                              r"([A-Z][\w.&'-]*(?:\s+[A-Z][\w.&'-]*)?)")
SITE_NOTE_WORDS = tuning.EXTRACT_SITE_NOTE_WORDS  # the most words of a site's note: see tuning.py
BYLINE = re.compile(r"^\W*(?:by|written by|reporting by|edited by)\s+[A-Z][\w.'-]+(?:\s+[A-Z][\w.'-]+){0,3}\W*$",
                    re.IGNORECASE)
BARE_NAME = re.compile(r"^[A-Z][a-zA-Z.'-]+(?:\s+[A-Z][a-zA-Z.'-]+){1,3}$")
BULLET = re.compile(r"^(?:[-*•·▪]|\d{1,2}[.)])\s+")
SENTENCE_END = re.compile(r"[.!?…][\"'’”)\]]*$")


def fold(text: str) -> str:
    """Text folded for comparing: NFKC, quotes and dashes plain, whitespace single, lower case."""
    return re.sub(r"\s+", " ", facts.fold(text)).strip().lower()


def is_heading(line: str) -> bool:
    """A short line that does not end like a sentence: a section heading or a caption."""
    return not SENTENCE_END.search(line) and len(line.split()) <= 16


def looks_like_headline(line: str) -> bool:
    words = line.split()
    if not 2 <= len(words) <= 30 or len(line) > 250:
        return False
    return not line.rstrip().endswith((".", ",", ";", ":")) or line.rstrip().endswith("...")


def paragraphs_of(text: str) -> list[str]:
    """Lines of the text, trimmed; blank lines dropped (a line break ends a paragraph in news text)."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    # A list item's bullet ("- ", "* ", "• ", as trafilatura writes lists) is layout, not words of the item.
    return [BULLET.sub("", line.strip()) for line in lines if BULLET.sub("", line.strip())]


HTML_DEPTH = 255  # libxml2's nesting limit (lxml, under trafilatura): deeper elements are dropped
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)[^>]*?(/?)>")
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr",
         "p", "li"}  # p and li close themselves often enough not to count


def nesting_depth(html_text: str) -> int:
    """How deep the page's elements nest, roughly (open tags less closed ones): to say why a page failed."""
    depth = most = 0
    for m in _TAG.finditer(html_text):
        if m.group(2).lower() in _VOID or m.group(3):
            continue
        depth = max(0, depth - 1) if m.group(1) else depth + 1
        most = max(most, depth)
    return most


def _why_empty(lines: list[str]) -> str:
    """Why no sentence was found: said plainly, so the user knows what to change."""
    text = " ".join(lines)
    letters = sum(ch.isalpha() for ch in text)
    if letters and text.count(" ") < letters / 25:
        return "no sentences: words are not separated by spaces (Chinese, Japanese, Thai are not supported)"
    if lines and all(is_heading(line) for line in lines):
        return "no sentences: no line ends with sentence punctuation (. ! ?), so each was read as a heading"
    return "no sentences left after removing page furniture"


def html_to_raw(doc: RawDocument) -> RawDocument:
    """Main text and metadata of an HTML page, through trafilatura."""
    import trafilatura

    result = trafilatura.bare_extraction(doc.text, url=doc.url, with_metadata=True,
                                         include_comments=False, include_tables=False,
                                         include_images=False, favor_precision=True,
                                         # only dates the page states: a wider search reads "since 2000" as one
                                         date_extraction_params={"extensive_search": False, "original_date": True})
    text = getattr(result, "text", None) if result is not None else None
    if not text:
        depth = nesting_depth(doc.text)
        if depth > HTML_DEPTH:
            raise EmptyArticle(f"HTML nested {depth} levels deep; the HTML parser stops at {HTML_DEPTH}")
        raise EmptyArticle("no article text found in the HTML page")
    return RawDocument(
        input=doc.input, text=text, kind="text",
        title=doc.title or getattr(result, "title", None),
        publisher=doc.publisher or getattr(result, "sitename", None),
        published=doc.published or getattr(result, "date", None),
        path=doc.path, url=doc.url or getattr(result, "url", None), note=doc.note,
    )


def clean_lines(lines: list[str], title: str | None, embeds: bool = False) -> tuple[list[str], str | None]:
    """Drop furniture lines; return the kept lines and a date line if one was found."""
    folded_title = fold(title) if title else None
    kept: list[str] = []
    date: str | None = None
    n = len(lines)
    skip_bio_of: str | None = None
    kept_at = -1  # the index of the last kept line
    for i, line in enumerate(lines):
        f = fold(line)
        if i > max(3, n // 2) and TAIL_MARKER.match(line):
            break  # the page's tail: related links, comment forms, sign-ups, copyright
        if folded_title and (f == folded_title or (folded_title in f and len(f) < len(folded_title) + 60
                                                  and not SENTENCE_END.search(line))):
            continue  # the headline repeated in the body
        holder = COPYRIGHT_HOLDER.search(line)
        if holder and kept and holder.group(1) in kept[-1] and len(kept[-1].split()) <= SITE_NOTE_WORDS \
                and kept_at == i - 1:
            kept.pop()  # the site's own note just above its copyright line ("ABC News is not responsible ...")
        if FURNITURE_LINE.match(line) or BYLINE.match(line) or CAPTION.search(line) \
                or (not embeds and standalone.TWEET_EMBED.search(facts.fold(line))):  # the tweet's words go too
            continue
        if DATE_LINE.match(line):
            date = date or line.strip()
            continue
        if BARE_NAME.match(line) and i >= n // 2 and i + 1 < n and lines[i + 1].startswith(line.split()[0]):
            skip_bio_of = line  # an author's name, then a bio that starts with it
            continue
        if skip_bio_of:
            skip_bio_of = None
            continue
        kept.append(line)
        kept_at = i
    return kept, date


# A line recurring across a publisher's articles is the site's; an article most of whose lines recur is another
# version of a piece, kept whole: see tuning.py.
RECURRING_ARTICLES, RECURRING_SHARE = tuning.EXTRACT_RECURRING_ARTICLES, tuning.EXTRACT_RECURRING_SHARE


def recurring_lines(articles: Iterable[tuple[str | None, str, str]]) -> dict[str, set[str]]:
    """Per publisher, the lines (folded) that recur across its articles: a site's furniture (its disclaimer,
    its newsletter box, its "Follow us"), found by recurring, not by its words. `articles`: (publisher, key,
    text), one per address; articles without a publisher are not compared."""
    return _recurring((p, key, fold(text), [fold(x) for x in paragraphs_of(text)])
                      for p, key, text in articles if p)


def _digest(text: str) -> bytes:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).digest()


def site_keys(text: str) -> tuple[bytes, list[bytes]]:
    """What recurring_keys and without_lines need of a text, small: digests (16 bytes) of the text folded and of
    each of its lines (paragraphs_of) folded, in order. A Ray worker makes them beside the text it extracts, so
    the driver counts digests instead of folding every text again (its serial work: bench/scale_bench.py)."""
    return _digest(fold(text)), [_digest(fold(x)) for x in paragraphs_of(text)]


def recurring_keys(articles: Iterable[tuple[str | None, str, tuple[bytes, list[bytes]]]]) -> dict[str, set[bytes]]:
    """recurring_lines from each text's site_keys: per publisher, the digests of the lines that recur (the same
    answer, the lines named by their 128-bit digests)."""
    return _recurring((p, key, whole, lines) for p, key, (whole, lines) in articles if p)


def _recurring(articles: Iterable[tuple[str, str, Hashable, list[Hashable]]]) -> dict[str, set]:
    """(publisher, key, the text's form, its lines' forms) -> per publisher, the forms of the lines that at least
    RECURRING_ARTICLES of its articles have; one text under two keys counts once."""
    seen: dict[str, dict[Hashable, set[str]]] = {}  # publisher -> line -> the keys of the articles that have it
    texts: dict[str, set] = {}  # publisher -> the texts already counted
    for publisher, key, whole, forms in articles:
        if whole in texts.setdefault(publisher, set()):
            continue
        texts[publisher].add(whole)
        lines = seen.setdefault(publisher, {})
        for line in set(forms):
            lines.setdefault(line, set()).add(key)
    return {p: {line for line, keys in lines.items() if len(keys) >= RECURRING_ARTICLES}
            for p, lines in seen.items()}


def without_lines(doc: RawDocument, lines: set, keys: list[bytes] | None = None) -> RawDocument:
    """The document without the given (folded) lines, unless most of its lines are among them (then it is
    a version of another article, and it is kept whole). With `keys` (its text's site_keys lines), `lines` are
    digests (recurring_keys)."""
    if not lines:
        return doc
    forms = keys if keys is not None else [fold(line) for line in paragraphs_of(doc.text)]
    drop = sum(f in lines for f in forms)
    if not drop or drop > RECURRING_SHARE * len(forms):
        return doc
    own = paragraphs_of(doc.text)
    return replace(doc, text="\n\n".join(line for line, f in zip(own, forms) if f not in lines))


MAX_SENTENCES = tuning.EXTRACT_MAX_SENTENCES  # sentences of one article that are read: see tuning.py

# "World news - RT International", "Search : NPR": a page's section and site name, not a headline. Short parts
# around a site separator, none of whose words the article's first sentences use (see tuning.py).
TITLE_PARTS = re.compile(r"\s+[-|:–—]\s+")
SECTION_TITLE_WORDS, SECTION_TITLE_LEAD = tuning.EXTRACT_SECTION_TITLE_WORDS, tuning.EXTRACT_SECTION_TITLE_LEAD


def _content_words(text: str) -> set[str]:
    return {w[:5] for w in re.findall(r"[a-z]{3,}", fold(text).lower()) if w not in facts.STOPWORDS}


def section_title(title: str, sentences: list[Sentence]) -> bool:
    """Whether `title` is a page's section and site label rather than a headline for these sentences."""
    parts = TITLE_PARTS.split(title.strip())
    if len(parts) < 2 or any(not 1 <= len(p.split()) <= SECTION_TITLE_WORDS for p in parts):
        return False
    lead = " ".join(s.text for s in sentences[:SECTION_TITLE_LEAD])
    return not (_content_words(title) & _content_words(lead))


def build_article(doc: RawDocument, article_id: int, embeds: bool = False) -> Article:
    """Clean one raw document into an Article; raises EmptyArticle when nothing is left.

    With `embeds`, tweet embeds, photo captions and prompts (furniture by form) are kept: `brief verify`
    checks a summary against everything a source shows, and a quoted tweet is its author's words."""
    if doc.kind == "html":
        doc = html_to_raw(doc)
    lines = paragraphs_of(doc.text)
    title = doc.title
    if not title and lines and looks_like_headline(lines[0]) and len(lines) > 1:
        title = lines[0]
        lines = lines[1:]
    kept, date = clean_lines(lines, title, embeds)
    sentences: list[Sentence] = []
    paragraphs: list[str] = []
    for p_index, line in enumerate(kept):
        if len(sentences) >= MAX_SENTENCES:
            break
        if is_heading(line):
            continue  # section headings and captions are not statements
        para = []
        for s in splitter.split(line):
            if FURNITURE_INSIDE.search(s) or len(s.split()) < 4 or (not embeds and standalone.furniture(s)):
                continue
            sentences.append(Sentence(index=len(sentences), text=s, paragraph=p_index))
            para.append(s)
        if para:
            paragraphs.append(" ".join(para))
    if not sentences:
        raise EmptyArticle(_why_empty(kept))
    first = sentences[0].text
    if title and section_title(title, sentences):
        # a section label gives way to the article's words: its first sentence that reads alone, else its first
        title, first = None, next((s.text for s in sentences if standalone.standalone(s.text)), first)
    if not title:
        title = first if len(first) <= 120 else first[:117].rsplit(" ", 1)[0] + "…"
    return Article(
        id=article_id, title=re.sub(r"\s+", " ", title).strip(), text="\n\n".join(paragraphs),
        sentences=sentences, publisher=doc.publisher, published=doc.published or date,
        path=doc.path, url=doc.url, input=doc.input,
        note="; ".join(filter(None, [doc.note, f"only its first {MAX_SENTENCES} sentences were read"
                                     if len(sentences) >= MAX_SENTENCES else None])) or None,
    )

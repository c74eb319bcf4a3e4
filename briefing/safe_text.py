"""Article text made safe to show: bounded, on one line, and links only of the kinds a reader expects.

Everything that comes from an article is untrusted. Jinja's autoescaping keeps it from becoming
markup in HTML; these filters keep it from breaking the layout (a 10,000-character title, a
megabyte-long line), from forging structure in plain text and mail headers (a newline in a title),
and from becoming a live link of another kind (`javascript:`, `data:`).
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from pathlib import Path
from urllib.parse import quote, urlsplit

LINK_SCHEMES = ("http", "https", "file")
MAX_URL = 2048  # longer than any real article address; a longer one is shown as no link at all
# Bounds on what a reader sees, in characters. A claim or a quote is a sentence or two; a title a line.
LIMITS = {"title": 300, "publisher": 120, "date": 60, "text": 2000, "label": 300}

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b\u200e\u200f\u2028-\u202e\u2066-\u2069\ufeff]")
# What may stay as it is in an href; everything else (quotes, spaces, angle brackets) is percent-encoded.
_URL_SAFE = ":/?#[]@!$&'()*+,;=%~-._"


def oneline(text) -> str:
    """Whitespace collapsed to single spaces; control, format (bidi overrides included), private-use and
    unassigned characters dropped."""
    if text is None:
        return ""
    text = _CONTROL.sub("", " ".join(str(text).split()))
    return "".join(ch for ch in text if unicodedata.category(ch)[0] != "C")


def clip(text, limit: int | str = "text") -> str:
    """oneline(), then cut at a word boundary near `limit` characters with an ellipsis."""
    n = LIMITS[limit] if isinstance(limit, str) else int(limit)
    text = oneline(text)
    if len(text) <= n:
        return text
    cut = text[:n - 1]
    space = cut.rfind(" ")
    if space > n * 0.6:  # a word boundary, unless the text is one huge word
        cut = cut[:space]
    return cut.rstrip() + "…"


def safe_href(url) -> str:
    """The URL if it is http, https or file and of a sane length, percent-encoded; else ""."""
    if not url:
        return ""
    url = str(url).strip()
    if len(url) > MAX_URL or _CONTROL.search(url) or any(ch.isspace() for ch in url):
        return ""
    try:
        scheme = urlsplit(url).scheme.lower()
    except ValueError:
        return ""
    if scheme not in LINK_SCHEMES:
        return ""
    return quote(url, safe=_URL_SAFE)


def source_href(source: dict) -> str:
    """Where a source's link points: its URL, else its file as a file: URL, else ""."""
    href = safe_href(source.get("url"))
    if href:
        return href
    path = source.get("path")
    if path and Path(path).is_absolute():
        return safe_href(Path(path).as_uri())
    return ""


def link_label(source: dict) -> str:
    """A short name for where a source lives: the web site's host, or the file's name."""
    href = safe_href(source.get("url"))
    if href:
        host = urlsplit(href).hostname or ""
        return clip(host.removeprefix("www."), "publisher")
    path = source.get("path")
    return clip(Path(path).name, "publisher") if path else ""


def human_date(iso, with_time: bool = True) -> str:
    """'2026-11-22T19:35:00+00:00' -> '22 November 2026, 19:35 UTC+00:00'; unparsable text is clipped."""
    try:
        when = dt.datetime.fromisoformat(str(iso))
    except ValueError:
        return clip(iso, "date")
    day = f"{when.day} {when:%B %Y}"
    if not with_time:
        return day
    zone = when.strftime("%z")
    zone = "" if not zone else " UTC" if zone == "+0000" else f" UTC{zone[:3]}:{zone[3:]}"
    return f"{day}, {when:%H:%M}{zone}"


def add_filters(env) -> None:
    env.filters.update(oneline=oneline, clip=clip, safe_href=safe_href, source_href=source_href, link_label=link_label,
                       human_date=human_date)

"""The daily digests' home: index.html (every day, newest first) and feed.xml (Atom, RFC 4287).

Both are rebuilt from the state after each run, never patched, and each is written atomically, so a
reader or a web server never sees half a file. Links are relative: the folder can be served by any
static web server, and a feed reader pointed at feed.xml finds each day's page beside it.
"""
from __future__ import annotations

import hashlib
import re
from pathlib import Path
from xml.etree import ElementTree as ET

ATOM = "http://www.w3.org/2005/Atom"
ORDER = ("html", "md", "json")  # the page a day links to: the first of these the job writes
MAX_HEADLINES = 3  # top stories shown for each day in the index
_MAIN = re.compile(r"<main>(.*)</main>", re.S)


def page_name(day: str, outputs: dict[str, str]) -> str | None:
    fmt = next((f for f in ORDER if f in outputs), None)
    return f"briefing-{day}.{fmt}" if fmt else None


def feed_id(out_dir: Path) -> str:
    """A stable id for this folder's feed: the same folder gives the same id run after run."""
    digest = hashlib.sha256(str(Path(out_dir).expanduser().resolve()).encode("utf-8")).hexdigest()[:24]
    return f"urn:brief:{digest}"


def digest_html(outputs: dict[str, str]) -> str | None:
    """The digest page's content (what sits inside <main>), for a feed entry; None without an HTML output."""
    page = outputs.get("html")
    if not page:
        return None
    m = _MAIN.search(page)
    return m.group(1).strip() if m else page


def _rfc3339(stamp: str, day: str) -> str:
    import datetime as dt

    try:
        when = dt.datetime.fromisoformat(stamp)
    except (TypeError, ValueError):
        when = dt.datetime.fromisoformat(day)
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.timezone.utc)
    return when.isoformat(timespec="seconds")


def feed_xml(days: list[tuple[str, str, dict[str, str], list[str]]], title: str, out_dir: Path) -> str:
    from briefing.safe_text import clip

    ET.register_namespace("", ATOM)
    base = feed_id(out_dir)

    def el(parent, tag, text=None, **attrs):
        node = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
        if text is not None:
            node.text = text
        return node

    feed = ET.Element(f"{{{ATOM}}}feed")
    el(feed, "title", clip(title, "title"))
    el(feed, "id", base)
    el(feed, "updated", _rfc3339(days[0][1], days[0][0]) if days else "1970-01-01T00:00:00+00:00")
    el(el(feed, "author"), "name", "brief")
    el(feed, "link", rel="self", href="feed.xml")
    el(feed, "link", rel="alternate", type="text/html", href="index.html")
    el(feed, "generator", "brief")
    for day, finished, outputs, heads in days:
        entry = el(feed, "entry")
        el(entry, "title", f"{clip(title, 'title')}, {day}")
        el(entry, "id", f"{base}:{day}")
        el(entry, "updated", _rfc3339(finished, day))
        name = page_name(day, outputs)
        if name:
            el(entry, "link", rel="alternate", href=name, **({"type": "text/html"} if name.endswith(".html") else {}))
        if heads:
            el(entry, "summary", "; ".join(clip(h, "title") for h in heads[:MAX_HEADLINES]))
        html = digest_html(outputs)
        if html:
            el(entry, "content", html, type="html")  # escaped by ElementTree, as type="html" asks
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(feed, encoding="unicode") + "\n"


def index_html(days: list[tuple[str, str, dict[str, str], list[str]]], title: str) -> str:
    from briefing import render

    env = render.environment("html")
    rows = [{"day": day, "page": page_name(day, outputs), "headlines": heads[:MAX_HEADLINES],
             "more": max(0, len(heads) - MAX_HEADLINES)} for day, _, outputs, heads in days]
    return env.get_template("archive.html.j2").render(title=title, days=rows)


def rebuild(store, out_dir: str | Path, title: str) -> list[Path]:
    """index.html and feed.xml in out_dir, from every digest the state holds; returns the paths written."""
    from briefing.deliver import write_atomic
    from briefing.store import digests

    out_dir = Path(out_dir).expanduser()
    days = digests(store)
    return [write_atomic(out_dir / "index.html", index_html(days, title)),
            write_atomic(out_dir / "feed.xml", feed_xml(days, title, out_dir))]

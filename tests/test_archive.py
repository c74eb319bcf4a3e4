"""The daily archive: index.html links every day's digest, newest first; feed.xml is valid Atom, one entry a day."""
from __future__ import annotations

import html5lib
import feedparser
import pytest

from briefing import archive
from briefing.store import Store

PAGE = "<!DOCTYPE html><html><head><title>t</title></head><body><main><h1>{title}</h1><p>{body}</p></main></body></html>"


def publish(store, day, headlines, html=True, hour=7):
    outputs = {"md": f"# {day}\n"}
    if html:
        outputs["html"] = PAGE.format(title=f"Digest of {day}", body="<mark>Tuesday</mark> &amp; more")
    stories = [(h, {f"k-{day}-{i}"}, [(f"claim {i}", [f"evidence {i}"])]) for i, h in enumerate(headlines)]
    store.publish(day, stories, "fp-" + day, outputs if headlines else {}, 0, f"{day}T0{hour}:30:00+00:00")


@pytest.fixture
def state(tmp_path):
    store = Store(tmp_path / "state.sqlite")
    publish(store, "2024-06-18", ["Bridge opens", "Mayor resigns"])
    publish(store, "2024-06-19", ["Putin visits <b>Pyongyang</b>", "A", "B", "C"])
    publish(store, "2024-06-20", [])  # nothing new that day: no digest, no entry
    yield store
    store.close()


def test_feed_is_valid_atom_with_one_entry_per_digest_day(state, tmp_path):
    archive.rebuild(state, tmp_path, "Morning briefing")
    feed = feedparser.parse((tmp_path / "feed.xml").read_bytes())
    assert feed.bozo is False, feed.get("bozo_exception")
    assert feed.version == "atom10"
    assert [e.link for e in feed.entries] == ["briefing-2024-06-19.html", "briefing-2024-06-18.html"]
    assert len({e.id for e in feed.entries}) == 2
    first = feed.entries[0]
    assert first.updated == "2024-06-19T07:30:00+00:00"
    # the digest's HTML is the entry's content, markup intact once the reader unescapes it
    assert first.content[0].type == "text/html"
    assert "<h1>Digest of 2024-06-19</h1>" in first.content[0].value and "Tuesday &amp; more" in first.content[0].value
    # (feedparser's sanitizer drops <mark>; the feed itself carries it, escaped once as type="html" asks)
    assert "&lt;mark&gt;Tuesday&lt;/mark&gt;" in (tmp_path / "feed.xml").read_text(encoding="utf-8")
    assert first.summary.startswith("Putin visits")
    assert feed.feed.title == "Morning briefing" and feed.feed.author == "brief"


def test_feed_id_is_stable_and_rebuilt_from_the_state(state, tmp_path):
    archive.rebuild(state, tmp_path, "Morning briefing")
    before = feedparser.parse((tmp_path / "feed.xml").read_bytes())
    publish(state, "2024-06-21", ["New day"])
    archive.rebuild(state, tmp_path, "Morning briefing")
    after = feedparser.parse((tmp_path / "feed.xml").read_bytes())
    assert after.feed.id == before.feed.id
    assert [e.id for e in after.entries][1:] == [e.id for e in before.entries]
    assert len(after.entries) == 3
    # (brief-home: conftest's BRIEF_HOME, where the compiled templates are cached, is not the archive's)
    assert sorted(p.name for p in tmp_path.iterdir() if p.name not in ("state.sqlite", "brief-home")) == [
        "feed.xml", "index.html"]


def test_index_links_every_digest_newest_first_with_top_stories(state, tmp_path):
    archive.rebuild(state, tmp_path, "Morning <i>briefing</i>")
    text = (tmp_path / "index.html").read_text(encoding="utf-8")
    doc = html5lib.parse(text, namespaceHTMLElements=False)
    links = [a.get("href") for a in doc.iter("a")]
    assert [h for h in links if h.startswith("briefing-")] == ["briefing-2024-06-19.html", "briefing-2024-06-18.html"]
    assert "feed.xml" in links
    assert "2024-06-20" not in text
    items = [li.text for li in doc.iter("li") if li.text]
    assert items[:4] == ["Putin visits <b>Pyongyang</b>", "A", "B", "and 1 more"]  # escaped, and bounded
    assert "<i>briefing</i>" not in text and "&lt;i&gt;" in text


def test_a_day_without_html_links_its_markdown_and_the_feed_has_no_content(tmp_path):
    store = Store(tmp_path / "s.sqlite")
    try:
        publish(store, "2024-06-18", ["Bridge opens"], html=False)
        out = tmp_path / "out"
        out.mkdir()
        archive.rebuild(store, out, "T")
    finally:
        store.close()
    feed = feedparser.parse((out / "feed.xml").read_bytes())
    assert feed.bozo is False and feed.entries[0].link == "briefing-2024-06-18.md"
    assert "content" not in feed.entries[0]
    assert 'href="briefing-2024-06-18.md"' in (out / "index.html").read_text(encoding="utf-8")


def test_an_empty_state_gives_an_empty_but_valid_feed(tmp_path):
    store = Store(tmp_path / "s.sqlite")
    try:
        archive.rebuild(store, tmp_path, "T")
    finally:
        store.close()
    feed = feedparser.parse((tmp_path / "feed.xml").read_bytes())
    assert feed.bozo is False and feed.entries == []
    assert "0 digests" in (tmp_path / "index.html").read_text(encoding="utf-8")

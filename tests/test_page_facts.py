"""What a reader sees beside a claim, in every format: source names, news dates, lede, outlets, tallies."""
from __future__ import annotations

import json
from dataclasses import replace

import pytest

from briefing import render
from briefing.ingest.files import parse_bytes, publisher_header
from briefing.types import Article, Briefing, Citation, Claim, Conflict, Side, Story

CLAIM = "Putin arrived in Pyongyang to meet Kim Jong Un on a rare visit."


def article(i, title, publisher=None, url=None, path=None, published=None):
    return Article(id=i, title=title, text="", sentences=[], publisher=publisher, url=url, path=path,
                   published=published)


def briefing() -> Briefing:
    arts = [article(1, "Putin lands in Pyongyang", publisher="Reuters", published="2024-06-19T02:00:00+00:00"),
            article(2, "Putin in North Korea", url="https://www.apnews.com/article/x", published="Tue, 18 Jun 2024 22:00:00 GMT"),
            article(3, "Russian President Putin arrives in North Korea", path="/home/u/news/003_abc.txt",
                    published="Jun 18, 2024"),
            article(4, "Russian President Putin visits North Korea", path="/home/u/news/004_def.txt")]
    claims = [Claim(text=CLAIM, key=True, citations=[Citation(4, "He came."), Citation(1, CLAIM), Citation(3, "x")]),
              Claim(text="The United States voiced concern.", key=True, citations=[Citation(2, "US concern.")]),
              Claim(text="Streets were decorated with flags.", citations=[Citation(3, "Flags everywhere.")])]
    conflict = Conflict(about="the day: Tuesday or Wednesday", sides=[
        Side("Putin arrived in Pyongyang on Tuesday night to meet Kim.", [Citation(2, "on Tuesday night")]),
        Side("Putin arrived early Wednesday in Pyongyang to meet Kim.", [Citation(3, "early Wednesday"),
                                                                        Citation(1, "Wednesday")])])
    story = Story(headline="Putin visits North Korea", articles=[1, 2, 3, 4], claims=claims, conflicts=[conflict])
    return Briefing(title="Morning", generated_at="2026-11-22T07:30:00+00:00", model="m", articles=arts,
                    stories=[story], skipped=[], words=250, stats={})


def test_names_are_publisher_then_host_then_short_title_never_a_path():
    names = render.source_names(render.to_contract(briefing())["sources"])
    assert names[1] == "Reuters" and names[2] == "apnews.com"
    # two titles that share their first three words get one more each, until they differ
    assert names[3] == "Russian President Putin arrives…" and names[4] == "Russian President Putin visits…"
    assert not any("/" in n or n.endswith(".txt") for n in names.values())


@pytest.mark.parametrize("raw, day", [("2024-06-19T02:00:00+00:00", "2024-06-19"), ("Tue, 18 Jun 2024 22:00:00 GMT",
                                      "2024-06-18"), ("Jun 18, 2024", "2024-06-18"), ("18 June 2024", "2024-06-18"),
                                      ("yesterday-ish<script>", None), ("", None), (None, None), ("9" * 500, None)])
def test_news_date_reads_the_usual_forms_and_refuses_the_rest(raw, day):
    assert render.news_date(raw) == day


def test_human_range():
    assert render.human_range({"first": "2024-06-18", "last": "2024-06-19"}) == "18–19 June 2024"
    assert render.human_range({"first": "2024-06-30", "last": "2024-07-02"}) == "30 June – 2 July 2024"
    assert render.human_range({"first": "2023-12-31", "last": "2024-01-01"}) == "31 December 2023 – 1 January 2024"
    assert render.human_range(None) == ""


def test_contract_is_extended_with_reader_facts_and_keeps_every_old_field():
    data = render.to_contract(briefing())
    assert {"title", "generated_at", "model", "sources", "stories", "skipped", "stats"} <= data.keys()
    assert data["news_dates"] == {"first": "2024-06-18", "last": "2024-06-19"}
    story = data["stories"][0]
    assert story["lede"] == CLAIM and story["dates"] == data["news_dates"]
    assert story["outlets"][:2] == ["Reuters", "apnews.com"] and story["named_outlets"] is False
    assert [c["source"] for c in story["claims"][0]["citations"]] == [1, 3, 4]  # sorted by source
    (k,) = story["conflicts"]
    assert k["claim"] == 0  # shown under the claim it is about
    assert [s["value"] for s in k["sides"]] == ["Tuesday", "Wednesday"]
    assert [s["outlets"] for s in k["sides"]] == [["apnews.com"], ["Reuters", "Russian President Putin arrives…"]]
    assert json.loads(render.render(briefing(), "json")) == json.loads(json.dumps(data))


def test_a_conflict_about_nothing_listed_goes_to_the_story_head():
    b = briefing()
    story = b.stories[0]
    k = story.conflicts[0]
    k = replace(k, about="Deputy Prime Minister: Novak or Manturov",
                sides=[replace(k.sides[0], text="The delegation included Novak."),
                       replace(k.sides[1], text="The delegation included Manturov."), *k.sides[2:]])
    b = replace(b, stories=[replace(story, conflicts=[k, *story.conflicts[1:]]), *b.stories[1:]])
    assert render.to_contract(b)["stories"][0]["conflicts"][0]["claim"] is None
    page = render.render(b, "html")
    assert page.index('class="differ-here"') < page.index('class="key"')


def test_markdown_carries_the_same_facts():
    md = render.render(briefing(), "md")
    assert "News of 18–19 June 2024 · 4 sources" in md and "4 sources: Reuters, apnews.com" in md
    assert f"**{CLAIM} — *Reuters [1], Russian President Putin arrives… [3]" in md  # the lede, names first
    assert "Tuesday: 1 source (apnews.com) vs Wednesday: 2 sources (Reuters, Russian President Putin arrives…)" in md
    assert "on **Tuesday** night" in md
    assert "Reuters [1]: word for word as the claim" in md  # not quoted twice


def test_highlight_escapes_and_marks_only_the_value():
    assert str(render.highlight("<b>Tuesday</b> night", "Tuesday")) == "&lt;b&gt;<mark>Tuesday</mark>&lt;/b&gt; night"
    assert str(render.highlight("on Tuesdays", "Tuesday")) == "on Tuesdays"  # whole words only
    assert render.highlight("a *Tuesday* b", "Tuesday", "md") == "a \\***Tuesday**\\* b"


def test_text_files_may_name_their_publisher_in_a_header_line():
    doc, = parse_bytes(b"Bridge opens\n\nSource: Reuters\n\nThe bridge opened on Monday.", "a.txt", ".txt", "/x/a.txt")
    assert doc.publisher == "Reuters" and "Source:" not in doc.text and doc.text.startswith("Bridge opens")
    doc, = parse_bytes(b"Title\nPUBLISHER :  AP  \nBody.", "a.md", ".md", "/x/a.md")
    assert doc.publisher == "AP"
    # only among the first lines, only as a line of its own, and bounded
    assert publisher_header("a\nb\nc\nd\ne\nf\nSource: late")[0] is None
    assert publisher_header("Title\nThe source: a man in the street said so.")[0] is None
    assert publisher_header("Title\nSource: " + "R" * 500)[0] is None
    doc, = parse_bytes(b"Title\nSource: Reuters\nBody", "a.html", ".html", "/x/a.html")
    assert doc.publisher is None  # HTML has its own metadata

"""Briefings for the output tests: the five seeds, and hostile articles that try to break out of the page."""
from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

from briefing import pipeline
from briefing.ingest import read_inputs
from briefing.types import Article, Briefing, Citation, Claim, Sentence, Story

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "examples" / "state-visit"
# A fixed moment, so that pages, emails and the docs' screenshots are the same on every run.
FIXED_NOW = dt.datetime(2026, 11, 22, 7, 30, tzinfo=dt.timezone.utc)
SEED_FILES = sorted(SEEDS.glob("*.txt"))


def seed_articles() -> list[Article]:
    """The five seeds as Articles, split on sentence ends only (no model, no extraction): for tests that compare
    two computations on real text."""
    out = []
    for i, path in enumerate(SEED_FILES):
        title, _, text = path.read_text(encoding="utf-8").partition("\n")
        sentences = [s for s in re.split(r"(?<=[.!?])\s+", text.strip()) if s]
        out.append(Article(id=i + 1, title=title, text=text,
                           sentences=[Sentence(j, s, 0) for j, s in enumerate(sentences)]))
    return out


def from_inputs(inputs, embedder, title=None) -> Briefing:
    docs, skipped = read_inputs([str(i) for i in inputs])
    articles = pipeline.articles_from(docs, skipped)
    settings = pipeline.Settings(inputs=tuple(str(i) for i in inputs), title=title)
    return pipeline.brief(articles, skipped, settings, embedder=embedder, now=FIXED_NOW)


def seeds_briefing(embedder) -> Briefing:
    return from_inputs([SEEDS], embedder)


CRLF_TITLE = "Bridge opens\r\nBcc: victim@example.com\r\n\r\n<script>alert(1)</script>"
LONG_TITLE = "T" * 10_000
HOSTILE_RECORDS = [
    {"title": CRLF_TITLE, "source": "<b onmouseover=alert(2)>Evil Times</b>",
     "published": "2024-06-18<script>x</script>", "url": "javascript:alert(3)",
     "text": "Officials said the new bridge over the river will open to traffic on Monday morning after three years "
             "of work. Critics said <script>alert('x')</script> the bridge cost 40 million dollars in total. "
             "<img src=x onerror=alert(4)> The mayor praised the workers who built the bridge over the river."},
    {"title": LONG_TITLE, "source": "Long Post",
     "url": "https://example.org/a?x=1&y=\"><script>alert(5)</script>",
     "text": "Officials said the new bridge over the river will open to traffic on Monday morning after three years "
             "of work. The bridge cost 40 million dollars according to the city council report on the bridge. "
             + "B" * 5_000 + " is what the sign on the bridge said."},
    {"title": "Link test", "source": "Data Daily", "url": "data:text/html,<script>alert(6)</script>",
     "text": "Officials said the new bridge over the river will open to traffic on Monday morning after years of "
             "work. The bridge cost 45 million dollars according to the state. The state of Oregon put "
             "<a href=\"javascript:alert(7)\">its plans</a> online for the bridge that opened on Monday."},
]


def write_hostile(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for i, record in enumerate(HOSTILE_RECORDS):
        (folder / f"h{i}.json").write_text(json.dumps(record), encoding="utf-8")
    return folder


def megabyte_briefing() -> Briefing:
    """A briefing whose claim, quote and title are each a megabyte-long line without a space.

    Built by hand: it tests the layout's bounds, whatever the earlier stages would make of such a text."""
    huge = "M" * 1_000_000
    sentence = Sentence(index=0, text=huge, paragraph=0)
    article = Article(id=1, title=huge, text=huge, sentences=[sentence], publisher=huge, published=huge,
                      url="https://example.org/" + huge, input="huge.txt")
    claim = Claim(text=huge, citations=[Citation(source=1, evidence=huge)], key=True)
    story = Story(headline=huge, articles=[1], claims=[claim])
    return Briefing(title=huge, generated_at=FIXED_NOW.isoformat(), model="all-MiniLM-L6-v2", articles=[article],
                    stories=[story], skipped=[], words=250,
                    stats={"articles": 1, "duplicates": 0, "skipped": 0, "stories": 1, "claims": 1, "claim_words": 1})

"""The data that flows between the stages, as plain dataclasses.

What a stage hands on is frozen (Sentence, Article, Statement, Citation, Claim, Side, Conflict, Story): a stage
that changes one makes a new one (dataclasses.replace), so no later stage sees an earlier one's object change.
Their lists are the one exception Python allows; no stage changes them after it has handed them on.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypeAlias

if TYPE_CHECKING:
    import numpy as np

# Embeddings by article id: one unit row per sentence (or per statement), in the article's order. The stages
# pass these between them; numpy is not imported here, so `brief --help` stays light.
Vectors: TypeAlias = "dict[int, np.ndarray]"


@dataclass
class RawDocument:
    """One input as read from disk, stdin or the network, before cleaning."""

    input: str  # what the user named: a path, a URL, "-"
    text: str  # plain text, or HTML when kind == "html"
    kind: str = "text"  # "text" | "html"
    title: str | None = None
    publisher: str | None = None
    published: str | None = None
    path: str | None = None  # absolute path of a file input
    url: str | None = None
    note: str | None = None  # e.g. "feed summary only: the page could not be fetched"
    fallback: "RawDocument | None" = None  # a feed entry's own text, used when the page gives no article


@dataclass(frozen=True)
class Sentence:
    index: int  # position in the article
    text: str  # word for word from the article's clean text
    paragraph: int


@dataclass(frozen=True)
class Article:
    id: int
    title: str
    text: str  # clean text: furniture removed, paragraphs joined by blank lines
    sentences: list[Sentence]
    publisher: str | None = None
    published: str | None = None
    path: str | None = None
    url: str | None = None
    input: str = ""
    duplicate_of: int | None = None
    note: str | None = None


@dataclass(frozen=True)
class Statement:
    """One thing an article says, as the condenser put it, tied to the sentences it rests on."""

    article: int
    text: str
    support: list[int]  # sentence indices in the article
    score: float = 0.0
    generated: bool = False


@dataclass(frozen=True)
class Citation:
    source: int
    evidence: str  # word for word from the source


@dataclass(frozen=True)
class Claim:
    text: str
    citations: list[Citation]
    score: float = 0.0
    key: bool = False
    new: bool | None = None  # daily job: not in an earlier digest (None outside the daily job)
    generated: bool = False  # a model wrote the text; its citations still quote the sources word for word

    @property
    def sources(self) -> list[int]:
        return sorted({c.source for c in self.citations})


@dataclass(frozen=True)
class Side:
    text: str
    citations: list[Citation]


@dataclass(frozen=True)
class Conflict:
    about: str
    sides: list[Side]
    kind: str = "contradiction"  # contradiction | update | hedge
    slot: str = "other"  # day | date | time | number | name | place | who-did-what | other


@dataclass(frozen=True)
class Story:
    headline: str
    articles: list[int]
    claims: list[Claim] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    follow_up: bool | None = None  # daily job: a story an earlier digest carried, back with new claims


@dataclass
class Skipped:
    input: str
    reason: str


@dataclass
class Briefing:
    title: str
    generated_at: str
    model: str
    articles: list[Article]
    stories: list[Story]
    skipped: list[Skipped]
    words: int = 0
    stats: dict = field(default_factory=dict)

"""The one place that runs the stages in order: ingest -> extract -> condense -> merge -> briefing."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from briefing import extract, merge, models
from briefing.errors import NoArticles
from briefing.ingest import gather
from briefing.types import Article, Briefing, RawDocument, Skipped

DEFAULT_WORDS = 250


@dataclass(frozen=True)
class Settings:
    inputs: tuple[str, ...]
    words: int = DEFAULT_WORDS
    title: str | None = None
    model: str = models.DEFAULT
    device: str = "auto"  # for a generative model: auto | cpu | cuda | mps
    prompts: str | None = None  # a folder whose prompt templates replace the built-in ones


@dataclass
class Progress:
    """Callbacks the CLI hooks a progress bar to; the library itself prints nothing."""

    stage: Callable[[str, int], None] = field(default=lambda name, total: None)
    advance: Callable[[int], None] = field(default=lambda n: None)


def articles_from(docs: list[RawDocument], skipped: list[Skipped]) -> list[Article]:
    articles = []
    for doc in docs:
        try:
            articles.append(extract.build_article(doc, len(articles) + 1))
        except extract.EmptyArticle as e:
            try:
                if doc.fallback is None:
                    raise
                articles.append(extract.build_article(doc.fallback, len(articles) + 1))
            except extract.EmptyArticle:
                skipped.append(Skipped(input=doc.input, reason=str(e)))
    return articles


def derive_title(stories) -> str:
    if not stories:
        return "Briefing"
    if len(stories) == 1:
        return stories[0].headline
    return f"{stories[0].headline} — and {len(stories) - 1} more " + ("story" if len(stories) == 2 else "stories")


def brief(articles: list[Article], skipped: list[Skipped], settings: Settings, embedder=None,
          progress: Progress | None = None, now: dt.datetime | None = None, backend=None) -> Briefing:
    """Articles -> a Briefing. Raises NoArticles when there is nothing to brief."""
    progress = progress or Progress()
    if not articles:
        reasons = "; ".join(f"{s.input}: {s.reason}" for s in skipped[:3])
        raise NoArticles("no usable article in the input" + (f" ({reasons})" if reasons else ""))
    backend = backend or models.get(settings.model, device=settings.device, prompts=settings.prompts)
    if embedder is None:
        from briefing.models import minilm

        embedder = minilm.shared()
    texts = [s.text for a in articles for s in a.sentences]
    progress.stage("embedding sentences", len(texts))
    flat = embedder.embed(texts)
    progress.advance(len(texts))
    sent_vecs, at = {}, 0
    for a in articles:
        sent_vecs[a.id] = flat[at:at + len(a.sentences)]
        at += len(a.sentences)
    progress.stage("condensing articles", len(articles))
    generative = getattr(backend, "generative", False)
    if generative:
        backend.progress = progress.advance  # a model is slow: the bar moves article by article
    condensed = backend.condense(articles, sent_vecs, embedder)
    if not generative:
        progress.advance(len(articles))
    statements = {a.id: s for a, s in zip(articles, condensed)}
    stmt_vecs: dict[int, np.ndarray] = {}
    for a in articles:
        stmts = statements[a.id]
        if all(not s.generated for s in stmts):
            stmt_vecs[a.id] = sent_vecs[a.id][[s.support[0] for s in stmts]] if stmts else np.zeros((0, flat.shape[1]))
        else:
            stmt_vecs[a.id] = embedder.embed([s.text for s in stmts])
    progress.stage("merging", 1)
    stories = merge.make_stories(articles, statements, sent_vecs, stmt_vecs, settings.words)
    if generative and hasattr(backend, "fuse"):
        backend.fuse(stories, embedder)  # claims several sources make, rewritten as one grounded sentence
    progress.advance(1)
    now = now or dt.datetime.now(dt.timezone.utc).astimezone()
    return Briefing(
        title=settings.title or derive_title(stories), generated_at=now.isoformat(timespec="seconds"),
        model=backend.name, articles=articles, stories=stories, skipped=skipped, words=settings.words,
        stats={"articles": len(articles), "duplicates": sum(a.duplicate_of is not None for a in articles),
               "skipped": len(skipped), "stories": len(stories),
               "claims": sum(len(s.claims) for s in stories),
               "claim_words": sum(len(c.text.split()) for s in stories for c in s.claims),
               **({"generation": backend.stats} if generative else {})},
    )


def run(settings: Settings, stdin=None, embedder=None, progress: Progress | None = None, fetcher=None) -> Briefing:
    progress = progress or Progress()
    progress.stage("reading inputs", len(settings.inputs))
    docs, skipped = gather(settings.inputs, stdin=stdin, fetcher=fetcher)
    progress.stage("extracting articles", len(docs))
    articles = articles_from(docs, skipped)
    return brief(articles, skipped, settings, embedder=embedder, progress=progress)

"""The one place that runs the stages in order: ingest -> extract -> embed -> condense -> merge (-> fuse) -> briefing.

Importing this module imports every stage, and so registers the built-in condensers and support check
(models/__init__.py holds the registries); the embedder, condenser, support check and engine are then
looked up by the names in the settings (config.Config, built and checked once by config.load).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import Callable

import numpy as np

from briefing import abstractive, condense, extract, focus, merge, models, triage  # noqa: F401 (they register themselves)
from briefing.config import Config
from briefing.errors import BriefError, NoArticles, NothingNew, unexpected
from briefing.ingest import gather
from briefing.types import Article, Briefing, RawDocument, Skipped, Story, Vectors

Settings = Config  # the one settings object, under the name the pipeline's callers know
DEFAULT_WORDS = Config.words


def named(settings: Config) -> Config:
    """The settings with the model and embedder by their registered names: a wrong name is an error that lists
    the valid ones, before any input is read."""
    out = replace(settings, model=models.condensers.canonical(settings.model),
                  embedder=models.embedders.canonical(settings.embedder))
    if out.rewrite == "claims" and out.model == models.condensers.default:
        raise BriefError("--rewrite claims needs a generative --model: the embedded model only quotes its sources",
                         hint="brief models lists the generative models found here")
    return out


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
        except Exception as e:  # one article's surprise is its skip (errors.unexpected), never the run's end
            skipped.append(Skipped(input=doc.input, reason=unexpected(e)))
    return articles


def derive_title(stories) -> str:
    if not stories:
        return "Briefing"
    if len(stories) == 1:
        return stories[0].headline
    return f"{stories[0].headline} — and {len(stories) - 1} more " + ("story" if len(stories) == 2 else "stories")


def brief(articles: list[Article], skipped: list[Skipped], settings: Settings, embedder=None,
          progress: Progress | None = None, now: dt.datetime | None = None, backend=None,
          preselect: Callable[[list[Article], models.Embedder], list[Article]] | None = None,
          select: Callable[[list[Story], list[Article]], list[Story]] | None = None,
          engine: models.Engine | None = None) -> Briefing:
    """Articles -> a Briefing. Raises NoArticles when there is nothing to brief.

    `preselect` (the daily job's triage.preselect) is a cheap stage before the full embedding: it keeps the
    articles worth briefing, or none (NothingNew), with their copies marked (merge.mark_duplicates).

    `select` (the daily job's triage.select) is a stage after merging: it keeps the stories to print. When it
    keeps fewer, they are merged again from their own articles alone (nothing is embedded or condensed again),
    so the word budget goes to the stories printed and the sources list names only what they cite.

    `engine` (else the one settings.engine names) runs each story's own work (merge.story_work), maybe elsewhere:
    the daily job passes the engine it started."""
    progress = progress or Progress()
    embedder = embedder or models.embedders.get(settings.embedder)
    if preselect is not None:
        progress.stage("finding the day's stories", len(articles))
        articles = preselect(articles, embedder)
        if not articles:
            raise NothingNew("nothing new since the last briefing (every story was read on an earlier day)")
    if not articles:
        reasons = "; ".join(f"{s.input}: {s.reason}" for s in skipped[:3])
        raise NoArticles("no usable article in the input" + (f" ({reasons})" if reasons else ""))
    backend = backend or models.condensers.get(settings.model, device=settings.device.lower(), rewrite=settings.rewrite,
                                               prompts=settings.prompts or None)
    support = models.support_checks.get(settings.support)
    engine = engine or models.engines.get(settings.engine)
    # A generative model writes on the engine's workers (the Ray engine: one load a worker, on a GPU where the
    # workers have one); what it wrote is grounded, cached and merged here, as locally.
    backend = models.on_engine(engine, backend)
    texts = [s.text for a in articles for s in a.sentences]
    # The hybrid embedder (models/hybrid_minilm.py): its static table reads every sentence, to condense and group
    # by, and its transformer only what focus.py picks. A generative condenser compares its sentences with the
    # sources' in one space (ground.py): with it, the transformer reads every sentence, as with `minilm`. So it does
    # for a few sentences (FOCUS_MIN_SENTENCES): reading them all costs less than loading the table, never loaded then.
    coarse = models.coarse_of(embedder) if isinstance(backend, condense.ExtractiveBackend) \
        and len(texts) >= focus.MIN_SENTENCES else None
    progress.stage("embedding sentences", len(texts))
    flat = (coarse or embedder).embed(texts)
    progress.advance(len(texts))
    sent_vecs: Vectors = {}
    at = 0
    for a in articles:
        sent_vecs[a.id] = flat[at:at + len(a.sentences)]
        at += len(a.sentences)
    progress.stage("condensing articles", len(articles))
    # Here, in one call: a generative condenser holds its model and the embedder its cache (the daily job's state).
    condensed = backend.condense(articles, sent_vecs, embedder, progress.advance)
    statements = {a.id: s for a, s in zip(articles, condensed.statements)}
    articles = [replace(a, note="; ".join(filter(None, (a.note, condensed.notes[a.id]))))
                if a.id in condensed.notes else a for a in articles]
    coarse_vecs: Vectors | None = None  # the table's, with the hybrid embedder: the stories are grouped by them
    stmt_vecs: Vectors = {}
    if preselect is None:  # a preselection gives its articles marked (triage.preselect: merge.mark_duplicates)
        articles = merge.mark_duplicates(articles)  # copies are kept, and named, but never count as confirmation
    if coarse is not None:
        progress.stage("embedding the sentences that compete", 1)
        coarse_vecs = sent_vecs
        statements, sent_vecs, stmt_vecs = focus.focus(articles, statements, coarse_vecs, embedder, settings.words,
                                                       support)
        progress.advance(1)
    for a in articles:
        stmts = statements[a.id]
        if a.id in stmt_vecs:
            continue
        if all(not s.generated for s in stmts):
            stmt_vecs[a.id] = sent_vecs[a.id][[s.support[0] for s in stmts]] if stmts else np.zeros((0, flat.shape[1]))
        else:
            stmt_vecs[a.id] = embedder.embed([s.text for s in stmts])

    def merged():
        # An engine that can give each story's work as it comes back (imap) lets the choosing start meanwhile.
        stories = merge.make_stories(articles, statements, sent_vecs, stmt_vecs, settings.words, support,
                                     models.ordered_map(engine), marked=True,  # marked above
                                     grouping=None if coarse_vecs is None else
                                     (lambda arts: focus.story_groups(arts, coarse_vecs)))
        if backend.fuser is None:
            return stories, condensed.report
        fused = backend.fuser.fuse(stories, embedder, condensed.report)  # claims several sources make, as one
        return fused.stories, fused.report

    progress.stage("merging", 1)
    stories, report = merged()
    if select is not None:
        kept = select(stories, articles)
        if kept and len(kept) < len(stories):
            pairs = triage.renumbered(articles, kept)
            articles = [new for _, new in pairs]  # copies stay marked (triage.renumbered says why)
            statements = {new.id: [replace(st, article=new.id) for st in statements[old.id]] for old, new in pairs}
            sent_vecs = {new.id: sent_vecs[old.id] for old, new in pairs}
            stmt_vecs = {new.id: stmt_vecs[old.id] for old, new in pairs}
            if coarse_vecs is not None:
                coarse_vecs = {new.id: coarse_vecs[old.id] for old, new in pairs}
            stories, report = merged()
            kept = select(stories, articles)
        stories = kept
    progress.advance(1)
    now = now or dt.datetime.now(dt.timezone.utc).astimezone()
    return Briefing(
        title=settings.title or derive_title(stories), generated_at=now.isoformat(timespec="seconds"),
        model=backend.name, articles=articles, stories=stories, skipped=skipped, words=settings.words,
        stats={"articles": len(articles), "duplicates": sum(a.duplicate_of is not None for a in articles),
               "skipped": len(skipped), "stories": len(stories),
               "claims": sum(len(s.claims) for s in stories),
               "claim_words": sum(len(c.text.split()) for s in stories for c in s.claims),
               **({"generation": report} if report is not None else {})},
    )


def run(settings: Settings, stdin=None, embedder=None, progress: Progress | None = None, fetcher=None) -> Briefing:
    progress = progress or Progress()
    progress.stage("reading inputs", len(settings.inputs))
    docs, skipped = gather(settings.inputs, stdin=stdin, fetcher=fetcher)
    progress.stage("extracting articles", len(docs))
    articles = articles_from(docs, skipped)
    return brief(articles, skipped, settings, embedder=embedder, progress=progress)

"""The daily job: read the configured sources, brief the day's stories, leave out what was published.

Order: lock the state -> fetch (pages already stored are not fetched again) -> if the day's articles
are exactly those of today's earlier run, write that run's digest again (same day, same digest) ->
if every article was read on an earlier day, stop: nothing new -> a cheap pass on leads picks the
likely stories (triage.preselect) -> brief them once, the pipeline dropping stories an earlier day published
unless they have new claims, and marking those (triage.select) -> write the files -> record what was published.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from urllib.parse import urlsplit

from briefing import triage, tuning
from briefing.config import Config
from briefing.errors import EXIT_OK, EXIT_PARTIAL, EXIT_USAGE, BriefError, NoArticles, NothingNew
from briefing.store import CachedEmbedder, Lock, Store, content_hash
from briefing.triage import article_keys, doc_key
from briefing.types import Briefing, RawDocument, Skipped

@dataclass
class Outcome:
    exit_code: int
    message: str  # one line for stderr
    written: list[Path] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    briefing: Briefing | None = None
    reused: bool = False  # today's earlier digest written again
    embedded: tuple[int, int] = (0, 0)  # sentences embedded now, and found in the state's cache


def output_paths(config: Config, day: str) -> dict[str, Path]:
    from briefing import render

    out = {}
    for fmt in config.formats:
        key = render.format_for(fmt, None)
        if key == "email":
            raise BriefError("[output] formats: an email is sent (brief make --config ... --send), not written; "
                             "valid formats: " + ", ".join(k for k in render.FORMATS if k != "email"))
        out[key] = Path(config.dir).expanduser() / f"briefing-{day}.{key}"
    return out


def fingerprint(docs: list[RawDocument], skipped: list[Skipped], config: Config) -> str:
    """What decides the digest: the articles' texts, what was skipped, and the settings that shape it."""
    h = hashlib.sha256()
    for key in sorted(f"{d.url or d.input}\t{content_hash(d.text)}" for d in docs):
        h.update(key.encode("utf-8") + b"\n")
    for s in skipped:
        h.update(f"skipped\t{s.input}\t{s.reason}\n".encode("utf-8"))
    h.update(json.dumps([config.digest_title, config.words, config.max_stories, config.single_source, config.model,
                         config.embedder, config.prompts, sorted(config.formats), config.templates]).encode("utf-8"))
    # And what a generative model rewrites, what reads the leads in the first pass, and where a generative model
    # runs (a GPU writes in bfloat16, a CPU in float32: other text). A same-day re-run after a change of any of
    # these makes the digest again instead of rewriting the first one.
    h.update(json.dumps([config.rewrite, config.lead_embedder, config.device, config.num_gpus]).encode("utf-8"))
    return h.hexdigest()


def fetch(config: Config, store: Store, now: dt.datetime, fetcher=None,
          engine=None) -> tuple[list[RawDocument], list[Skipped]]:
    """All sources -> text documents (pages extracted, by `engine`), each page stored so a re-run reuses it."""
    from briefing import scale
    from briefing.ingest import read_inputs, web

    since = now - dt.timedelta(hours=config.since_hours)
    docs, skipped = read_inputs(config.paths) if config.paths else ([], [])
    reused: set[int] = set()
    web_urls = list(config.feeds) + list(config.urls)
    if web_urls:
        own = fetcher is None
        if own:
            fetcher = web.Fetcher(web.Limits(timeout=config.timeout, max_bytes=int(config.max_mb * 1024 * 1024),
                                             per_host=config.per_host, overall=config.parallel))
        cached = store.recent(since.astimezone(dt.timezone.utc).isoformat(timespec="seconds"))
        reused = {id(d) for d in cached.values()}
        try:
            # The feeds are read, and their pages fetched and extracted, on the engine's workers if it has any
            # (a fetcher passed in, as tests do, stays here); which entries to follow is decided here.
            away = own and engine is not None and engine.name != "local"
            more, more_skipped = web.fetch_all(web_urls, fetcher=fetcher, feeds=config.feeds, since=since,
                                               known=cached.get,
                                               pages=partial(engine.fetch_pages, limits=fetcher.limits) if away
                                               else None,
                                               sources=partial(engine.read_sources, limits=fetcher.limits) if away
                                               else None)
        finally:
            if own:
                fetcher.close()
        docs += more
        skipped += more_skipped
    out = []
    fresh = []
    # Extracted once, here (on the engine's workers), so the stored copy is the clean text and a re-run skips
    # trafilatura. A page whose extraction fails (EmptyArticle, or a surprise in one page) is that page's skip.
    pages = [d for d in docs if d.kind == "html"]
    extracted = dict(zip(map(id, pages), (engine or scale.LocalEngine()).extract(pages)))
    for d in docs:
        if d.kind == "html":
            clean, reason = extracted[id(d)]
            if clean is not None:
                d = clean
            else:
                if d.fallback is None:
                    skipped.append(Skipped(input=d.input, reason=reason))
                    continue
                out.append(d.fallback)  # the entry's summary stands in; not stored, so the page is tried again
                continue
            if not d.publisher and d.url:
                d.publisher = urlsplit(d.url).hostname  # stories are ranked by how many publishers carry them
            fresh.append(d)
        elif id(d) not in reused and d.note is None:
            fresh.append(d)  # a summary standing in for a failed page is not kept: the page is tried again
        out.append(d)
    store.remember(fresh, now.astimezone(dt.timezone.utc).isoformat(timespec="seconds"), now.date().isoformat())
    return out, skipped


# How many of a publisher's latest stored articles are read to find the lines its pages repeat: see tuning.py.
SITE_LINES_ARTICLES = tuning.DAILY_SITE_LINES_ARTICLES


def without_site_lines(docs: list[RawDocument], store: Store, engine=None) -> list[RawDocument]:
    """The documents without the lines that recur across their publisher's articles (today's and the ones the
    state keeps): a site's disclaimer, sign-up box or "more from" line is furniture by recurring. The lines are
    compared by the digests `engine` gives (extract.site_keys: the Ray engine's workers made them while
    extracting today's pages)."""
    from briefing import extract, scale

    publishers = {d.publisher for d in docs if d.publisher and d.kind == "text"}
    if not publishers:
        return docs
    texts = {(p, url): text for p, url, text in store.texts_of(publishers, SITE_LINES_ARTICLES)}
    texts.update({(d.publisher, doc_key(d)): d.text for d in docs if d.publisher in publishers})
    wanted = list(dict.fromkeys([*texts.values(), *(d.text for d in docs if d.publisher and d.kind == "text")]))
    keyed = dict(zip(wanted, (engine or scale.LocalEngine()).site_keys(wanted)))
    lines = extract.recurring_keys((p, key, keyed[text]) for (p, key), text in texts.items())
    return [extract.without_lines(d, lines.get(d.publisher, set()), keyed[d.text][1])
            if d.publisher and d.kind == "text" else d for d in docs]


def write_outputs(paths: dict[str, Path], outputs: dict[str, str]) -> list[Path]:
    """The digest's files (outputs by format), each written atomically."""
    from briefing.deliver import write_atomic

    return [write_atomic(paths[k], text) for k, text in outputs.items()]


def _n(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def run(config: Config, embedder=None, fetcher=None, now: dt.datetime | None = None, progress=None,
        queue=None, engine=None) -> Outcome:
    """The daily job. `queue(briefing)`, when given, puts the digest in the outbox; it runs after every file
    is written and before the day is recorded, so a run killed anywhere before the record is simply run again.
    The per-article work runs on `engine` (else the one [scale] names), started before anything is fetched,
    so an unreachable cluster is an error before any work."""
    import sqlite3

    from briefing import scale
    from briefing.ingest.web import is_url

    if config.inputs:  # `brief make --config FILE INPUT...`: the inputs join the file's sources
        config = replace(config, inputs=(), urls=config.urls + tuple(i for i in config.inputs if is_url(i)),
                         paths=config.paths + tuple(i for i in config.inputs if not is_url(i)))
    if not (config.feeds or config.urls or config.paths):
        raise BriefError("the config lists no sources", hint="add feeds, urls or paths under [sources]")
    if engine is None:
        engine = scale.get(config.engine, config.address, config.workers, embedder,
                           embedder_name=config.embedder, num_gpus=config.num_gpus)
    engine.start()
    try:
        return _run(config, embedder, fetcher, now, progress, queue, engine)
    except sqlite3.DatabaseError as e:  # damaged pages, a full disk, a read-only file: found mid-run
        raise BriefError(f"the state {config.state_path} is not usable: {e}",
                         hint="free disk space, or move the state aside (a fresh one is made on the next run)"
                         ) from None
    finally:
        engine.stop()


def _mkdir(folder: Path, what: str) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise BriefError(f"cannot use {folder} as {what}: {e.strerror or e}") from None
    if not folder.is_dir():
        raise BriefError(f"cannot use {folder} as {what}: it is not a folder")


def _run(config: Config, embedder, fetcher, now, progress, queue, engine) -> Outcome:
    from briefing import archive, merge, models, pipeline, render, scale
    now = now or dt.datetime.now(dt.timezone.utc).astimezone()
    day = now.date().isoformat()
    paths = output_paths(config, day)
    named = pipeline.named(config)
    model, embedder_name = named.model, named.embedder
    # The first pass's reader of leads, by name (a wrong one lists the names before anything is fetched). An embedder
    # given as an object (to run, or to the engine: a test's fake, the workers' own) reads the leads too.
    given = embedder is not None or getattr(engine, "embedder", None) is not None
    lead_name = config.lead_embedder.strip()
    if lead_name.lower() == "auto":  # the static table is the embedded model's: another embedder reads its own leads
        # On the Ray engine the workers read each lead with the briefing's embedder as they prepare its article
        # (scale.prepare): reading them again here would add to the driver's serial work, and load the table there.
        lead_name = "minilm-static" if embedder_name in models.EMBEDDED_MINILM and engine.name == "local" else ""
    lead_name = models.embedders.canonical(lead_name) if lead_name else None
    out_dir = Path(config.dir).expanduser()
    _mkdir(out_dir, "the output folder ([output] dir)")
    state = config.state_path
    _mkdir(state.parent, "the state's folder ([state] path)")
    with Lock(state.with_name(state.name + ".lock"), wait=config.lock_wait):
        store = Store(state)
        try:
            if progress is not None:
                progress.stage("fetching", 1)
            docs, skipped = fetch(config, store, now, fetcher, engine)
            code_if_made = EXIT_PARTIAL if skipped else EXIT_OK
            if not docs:
                reasons = "; ".join(f"{s.input}: {s.reason}" for s in skipped[:3])
                raise NoArticles("no usable article from the sources" + (f" ({reasons})" if reasons else ""))
            fp = fingerprint(docs, skipped, config)
            prior = store.run_of(day)
            if prior and prior[0] == fp and (not prior[1] or set(prior[1]) == set(paths)):
                written = write_outputs(paths, prior[1])
                if written:  # a run killed after its record but before the archive: the archive is made now
                    archive.rebuild(store, out_dir, config.digest_title)
                if not written:
                    return Outcome(EXIT_USAGE, "nothing new since the last briefing", skipped=skipped, reused=True)
                return Outcome(prior[2], f"wrote {', '.join(map(str, written))} again (nothing changed today)",
                               written, skipped, reused=True)
            published = store.published_before(day)
            # Old news: what an earlier digest used, and what an earlier day read but left out.
            seen = set().union(*(p.keys for p in published)) if published else set()
            seen |= store.seen_before(day)
            hashes = {doc_key(d): content_hash(d.text) for d in docs}
            if seen and all(h in seen for h in hashes.values()):
                store.publish(day, [], fp, {}, EXIT_USAGE, now.isoformat(timespec="seconds"))
                return Outcome(EXIT_USAGE, f"nothing new since the last briefing ({len(docs)} articles, "
                                           "all read on earlier days)", skipped=skipped)
            docs = without_site_lines(docs, store, engine)
            if engine.name != "local":
                # The workers read each article, embed its lead, make its shingle keys and count its words; the
                # driver groups from those vectors and counts and marks copies by those keys, and
                # whatever else needs a vector (the chosen stories' sentences) is embedded on the workers too.
                embedder = scale.Precomputed(engine.embed, engine.embedder_name, parts=engine.embed_parts)
                articles = []
                for d, p in zip(docs, engine.prepare(docs, triage.LEAD, progress)):
                    if p.article is None:
                        skipped.append(Skipped(input=d.input, reason=p.reason))
                        continue
                    articles.append(replace(p.article, id=len(articles) + 1))
                    embedder.add(p.texts, p.vectors)
                    merge.remember_shingles(p.article.text, p.shingles)
                    merge.remember_terms(p.article, p.terms)
                # The vectors are written to the state's cache while the workers run later calls (RayEngine.behind),
                # not before the driver goes on: the driver's serial work is what limits how far workers speed a
                # run up (bench/scale_bench.py). What is left is written after the briefing, before anything else.
                embedder = CachedEmbedder(embedder, store, day, later=True)
                engine.behind(embedder.step)
            else:
                embedder = CachedEmbedder(embedder or models.embedders.get(embedder_name), store, day)
                articles = pipeline.articles_from(docs, skipped)
            code_if_made = EXIT_PARTIAL if skipped else EXIT_OK
            # The Ray engine (scale.py) did the per-article work above; the briefing maps each chosen story's own
            # work on the engine passed to it (merge.story_work through engine.map), the rest of it runs here.
            settings = replace(config, title=config.digest_title, model=model, embedder=embedder_name,
                               engine=models.engines.default)
            try:
                result = pipeline.brief(
                    articles, skipped, settings, embedder=embedder, progress=progress, now=now,
                    preselect=lambda arts, emb: triage.preselect(
                        arts, emb, seen, hashes, config,
                        leads=models.embedders.get(lead_name) if lead_name and not given else None),
                    select=lambda stories, arts: triage.select(stories, arts, published, config, embedder, hashes),
                    engine=engine)
            except NothingNew as e:
                store.publish(day, [], fp, {}, EXIT_USAGE, now.isoformat(timespec="seconds"))
                return Outcome(EXIT_USAGE, e.message, skipped=skipped)
            finally:
                embedder.flush()  # the vectors not yet written (CachedEmbedder(later=True)), whatever happened
            result.stats.update(new_claims=sum(bool(c.new) for s in result.stories for c in s.claims),
                                read=len(docs), engine=engine.stats())
            by_id = {a.id: a for a in result.articles}
            record = [(s.headline, set().union(*(article_keys(by_id[i], hashes) for i in s.articles)),
                       [(c.text, [x.evidence for x in c.citations]) for c in s.claims]) for s in result.stories]
            if not result.stories:
                store.publish(day, [], fp, {}, EXIT_USAGE, now.isoformat(timespec="seconds"))
                return Outcome(EXIT_USAGE, "nothing new since the last briefing (every story was in an earlier "
                                           "digest, with no new claims)", skipped=skipped, briefing=result)
            outputs = {k: render.render(result, k, config.templates or None) for k in paths}
            written = write_outputs(paths, outputs)
            if queue is not None:
                queue(result)  # before the record: a run that dies here is run again, and mails again
            store.publish(day, record, fp, outputs, code_if_made, now.isoformat(timespec="seconds"))
            archive.rebuild(store, out_dir, config.digest_title)  # index.html and feed.xml, from every day in the state
            embedder.prune()
            store.prune(day, config.keep_days)
            new = result.stats["new_claims"]
            stories = _n(len(result.stories), "story", "stories")
            return Outcome(code_if_made, f"wrote {', '.join(map(str, written))} ({stories}, {new} new claims; "
                                         f"{len(docs)} articles read, {len(result.articles)} cited)",
                           written, skipped, result, embedded=(embedder.misses, embedder.hits))
        finally:
            store.close()

"""Inputs -> raw documents. Files and folders in `files`; URLs and feeds in `web` (the network)."""
from __future__ import annotations

from briefing.ingest.files import read_inputs
from briefing.types import RawDocument, Skipped


def gather(inputs, stdin=None, fetcher=None) -> tuple[list[RawDocument], list[Skipped]]:
    """Files, folders, stdin and http(s) URLs -> documents: files first in the order named, then the web."""
    from briefing.ingest import web

    inputs = list(inputs)
    urls = [i for i in inputs if web.is_url(i)]
    docs, skipped = read_inputs([i for i in inputs if not web.is_url(i)], stdin=stdin)
    if urls:
        more, more_skipped = web.fetch_all(urls, fetcher=fetcher)
        docs += more
        skipped += more_skipped
    return docs, skipped


__all__ = ["read_inputs", "gather"]

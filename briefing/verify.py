"""`brief verify`: check each statement of a summary against source articles, with the support check.

A list item or a line is one statement; a paragraph is split into sentences. For every statement and
every source it gives the source's best sentence and the check's verdict on it.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from briefing import sentences as splitter
from briefing import support, tuning
from briefing.errors import BriefError
from briefing.ingest.files import MAX_FILE_BYTES, Unusable, decode
from briefing.types import Article

EXIT_UNSUPPORTED = 6  # some statement of the summary is supported by no source
MAX_STATEMENTS = tuning.VERIFY_MAX_STATEMENTS  # statements one run checks: see tuning.py
RANK = {support.SUPPORTS: 2, support.PARTIAL: 1, support.NONE: 0}
SENTENCE_VERDICT = {support.SUPPORTS: "supported", support.PARTIAL: "partial", support.NONE: "unsupported"}

_ITEM = re.compile(r"^\s*(?:[-*+•]|\d{1,3}[.)])\s+")
_HEADING = re.compile(r"^\s*#{1,6}\s+")
_LINK = re.compile(r"\[([^\]]*)\]\((?:[^)\s]*)\)")
_EMPHASIS = re.compile(r"(\*\*|__)")
_CITE = re.compile(r"\s*\[\d+(?:\s*,\s*\d+)*\]")  # "[1, 3]": a citation mark, not part of the statement


@dataclass
class Check:
    source: int
    verdict: str
    evidence: str | None
    reason: str | None


@dataclass
class Statement:
    text: str
    checks: list[Check] = field(default_factory=list)

    @property
    def verdict(self) -> str:
        best = max((RANK[c.verdict] for c in self.checks), default=0)
        return SENTENCE_VERDICT[{2: support.SUPPORTS, 1: support.PARTIAL, 0: support.NONE}[best]]


@dataclass
class Report:
    sources: list[Article]
    statements: list[Statement]

    @property
    def all_supported(self) -> bool:
        return all(s.verdict == "supported" for s in self.statements)


def read_summary(path: str, stdin=None) -> str:
    """The summary's text; a one-line BriefError when it is missing, binary, too large or empty."""
    from pathlib import Path

    try:
        if path == "-":
            import sys

            data = (stdin or sys.stdin.buffer).read()
            if isinstance(data, str):
                data = data.encode("utf-8")
        else:
            p = Path(path).expanduser()
            if not p.is_file():
                raise BriefError(f"summary {path}: no such file")
            if p.stat().st_size > MAX_FILE_BYTES:
                raise BriefError(f"summary {path}: file too large")
            data = p.read_bytes()
        text = decode(data)
    except Unusable as e:
        raise BriefError(f"summary {path}: {e}") from None
    except OSError as e:
        raise BriefError(f"summary {path}: unreadable: {e.strerror or e}") from None
    if not statements_of(text):
        raise BriefError(f"summary {path}: no statement to check")
    return text


def statements_of(text: str) -> list[str]:
    """Markdown or plain text -> statements: one a list item or line, a paragraph split into sentences."""
    out: list[str] = []
    for raw in text.splitlines():
        line = raw.strip().lstrip(">").strip()
        if not line or set(line) <= set("-=*_#>| ") or _HEADING.match(line):
            continue  # blank, a rule, or a heading: a heading names a section, it is not a statement
        item = _ITEM.match(line)
        clean = _CITE.sub("", _EMPHASIS.sub("", _LINK.sub(r"\1", _ITEM.sub("", line)))).strip()
        if not clean:
            continue
        # A list item is one statement; a line of a paragraph may hold several sentences.
        out.extend([clean] if item else splitter.split(clean))
    return [s for s in (x.strip() for x in out) if re.search(r"\w", s)][:MAX_STATEMENTS]


def articles_of(docs) -> tuple[list[Article], list[str]]:
    """Documents -> source articles, numbered in order. A document with no article text after cleaning
    stays a source that states nothing (so that its number still names it); its name is returned too."""
    from briefing import extract

    articles, empty = [], []
    for doc in docs:
        n = len(articles) + 1
        try:
            articles.append(extract.build_article(doc, n, embeds=True))
        except extract.EmptyArticle:
            try:
                if doc.fallback is None:
                    raise
                articles.append(extract.build_article(doc.fallback, n, embeds=True))
            except extract.EmptyArticle:
                articles.append(Article(id=n, title=doc.title or doc.input, text="", sentences=[],
                                        publisher=doc.publisher, published=doc.published, path=doc.path,
                                        url=doc.url, input=doc.input, note="no article text"))
                empty.append(doc.input)
    return articles, empty


def best_evidence(claim: str, article: Article, checker=None) -> Check:
    """The source's sentence that best states the claim, and the verdict on it."""
    check = checker.check if checker is not None else support.check
    best, best_key = None, None
    for s in article.sentences:
        v = check(claim, s.text)
        key = (RANK[v.verdict], v.score)
        if best_key is None or key > best_key:
            best, best_key = (s.text, v), key
    if best is None or best[1].verdict == support.NONE:
        return Check(article.id, support.NONE, None, None)
    return Check(article.id, best[1].verdict, best[0], best[1].reason)


def verify(statements: list[str], articles: list[Article], checker=None) -> Report:
    return Report(articles, [Statement(t, [best_evidence(t, a, checker) for a in articles]) for t in statements])


def to_json(report: Report) -> str:
    data = {
        "sources": [{"id": a.id, "title": a.title, "publisher": a.publisher, "path": a.path, "url": a.url}
                    for a in report.sources],
        "sentences": [{"text": s.text, "verdict": s.verdict,
                       "checks": [{"source": c.source, "verdict": c.verdict, "evidence": c.evidence,
                                   "reason": c.reason} for c in s.checks]}
                      for s in report.statements],
    }
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def _md(text: str) -> str:
    """Untrusted text inside Markdown: its markup characters escaped, on one line."""
    text = re.sub(r"\s+", " ", text).strip()
    return re.sub(r"([\\`*_\[\]<>#|])", r"\\\1", text)


def to_markdown(report: Report) -> str:
    n = len(report.statements)
    ok = sum(s.verdict == "supported" for s in report.statements)
    lines = ["# Verification", "", f"{ok} of {n} statement{'s' if n != 1 else ''} supported by at least one source.", ""]
    mark = {"supported": "✔ supported", "partial": "◐ partial", "unsupported": "✘ unsupported"}
    for i, s in enumerate(report.statements, 1):
        lines.append(f"## {i}. {mark[s.verdict]}")
        lines.append("")
        lines.append(f"> {_md(s.text)}")
        lines.append("")
        for c in s.checks:
            if c.verdict == support.NONE:
                continue
            line = f"- [{c.source}] {c.verdict}: “{_md(c.evidence or '')}”"
            if c.reason:
                line += f" — {_md(c.reason)}"
            lines.append(line)
        silent = [str(c.source) for c in s.checks if c.verdict == support.NONE]
        if silent:
            lines.append(f"- not stated in: {', '.join('[' + x + ']' for x in silent)}")
        lines.append("")
    lines.append("## Sources")
    lines.append("")
    for a in report.sources:
        where = a.url or a.path or a.input
        pub = f" — {_md(a.publisher)}" if a.publisher else ""
        lines.append(f"{a.id}. {_md(a.title)}{pub} ({_md(where or '')})")
    return "\n".join(lines) + "\n"

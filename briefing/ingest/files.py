"""Files, folders and stdin -> RawDocuments. A bad input is skipped with its reason; the rest goes on."""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Iterable, Iterator

from briefing.types import RawDocument, Skipped

TEXT_SUFFIXES = {".txt", ".md", ".markdown", ".text"}
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
JSON_SUFFIXES = {".json"}
JSONL_SUFFIXES = {".jsonl", ".ndjson"}
SUPPORTED = TEXT_SUFFIXES | HTML_SUFFIXES | JSON_SUFFIXES | JSONL_SUFFIXES
MAX_FILE_BYTES = 20 * 1024 * 1024  # a news article is kilobytes; anything this big is not one


class Unusable(Exception):
    """Why one input can't be read; becomes a `skipped` entry."""


def decode(data: bytes) -> str:
    """Bytes -> text: UTF-8 (BOM or not) first, then a detected encoding."""
    if not data.strip():
        raise Unusable("empty file")
    head = data[:8192]
    if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise Unusable("binary file, not text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise Unusable("binary file, not text")
    text = str(best)
    controls = sum(1 for ch in text[:4096] if ord(ch) < 32 and ch not in "\n\r\t\f")
    if controls > 0.05 * min(len(text), 4096):
        raise Unusable("binary file, not text")
    return text


def _str(value) -> str | None:
    if value is None:
        return None
    value = str(value).strip()
    return value or None


def from_record(record: dict, input_name: str, path: str | None) -> RawDocument:
    """One JSON object (title/text/url/source/published) -> a RawDocument."""
    if not isinstance(record, dict):
        raise Unusable("a JSON article must be an object with a 'text' field")
    text = record.get("text") or record.get("content") or record.get("body")
    html = record.get("html")
    if not isinstance(text, str) or not text.strip():
        if isinstance(html, str) and html.strip():
            return RawDocument(input=input_name, text=html, kind="html", title=_str(record.get("title")),
                               publisher=_str(record.get("source") or record.get("publisher")),
                               published=_str(record.get("published") or record.get("date")),
                               path=path, url=_str(record.get("url")))
        raise Unusable("JSON article has no 'text'")
    return RawDocument(
        input=input_name, text=text, kind="text", title=_str(record.get("title")),
        publisher=_str(record.get("source") or record.get("publisher")),
        published=_str(record.get("published") or record.get("date")),
        path=path, url=_str(record.get("url")),
    )


def parse_bytes(data: bytes, name: str, suffix: str, path: str | None) -> list[RawDocument]:
    """Decode one input's bytes by its kind; raises Unusable with the reason."""
    text = decode(data)
    if suffix in JSON_SUFFIXES:
        try:
            value = json.loads(text)
        except json.JSONDecodeError as e:
            raise Unusable(f"invalid JSON: {e.msg} at line {e.lineno}") from None
        records = value if isinstance(value, list) else [value]
        if not records:
            raise Unusable("empty JSON list")
        return [from_record(r, f"{name}[{i}]" if len(records) > 1 else name, path)
                for i, r in enumerate(records)]
    if suffix in JSONL_SUFFIXES:
        docs = []
        for lineno, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            try:
                docs.append(from_record(json.loads(line), f"{name}:{lineno}", path))
            except json.JSONDecodeError as e:
                raise Unusable(f"invalid JSON on line {lineno}: {e.msg}") from None
        if not docs:
            raise Unusable("empty file")
        return docs
    if suffix in HTML_SUFFIXES or (suffix not in TEXT_SUFFIXES and looks_like_html(text)):
        return [RawDocument(input=name, text=text, kind="html", path=path)]
    publisher, text = publisher_header(text)
    return [RawDocument(input=name, text=text, kind="text", path=path, publisher=publisher)]


# A text file may name its publisher in a header line among its first lines: "Source: Reuters" or
# "Publisher: AP". The line is taken out of the text, so it is never quoted as the article's words.
_PUBLISHER_LINE = re.compile(r"^[ \t]*(?:source|publisher)[ \t]*:[ \t]*(\S[^\r\n]{0,119}?)[ \t]*$", re.I | re.M)
HEADER_LINES = 5


def publisher_header(text: str) -> tuple[str | None, str]:
    """A text's publisher from a `Source:`/`Publisher:` line among its first non-blank lines, and the text without it."""
    head_end = 0
    seen = 0
    for line in text.splitlines(keepends=True):
        head_end += len(line)
        if line.strip():
            seen += 1
            if seen >= HEADER_LINES:
                break
    m = _PUBLISHER_LINE.search(text, 0, head_end)
    if not m:
        return None, text
    return m.group(1), text[:m.start()] + text[m.end():].lstrip("\r\n")


def looks_like_html(text: str) -> bool:
    head = text.lstrip()[:512].lower()
    return head.startswith(("<!doctype html", "<html")) or ("<body" in head and "</" in text[:4096])


def expand(inputs: Iterable[str]) -> Iterator[tuple[str, Path | None]]:
    """Named inputs -> files in a stable order: folders recursively (sorted), hidden names skipped."""
    for item in inputs:
        if item == "-":
            yield item, None
            continue
        p = Path(item).expanduser()
        if p.is_dir():
            for child in sorted(p.rglob("*"), key=lambda c: str(c.relative_to(p)).lower()):
                rel = child.relative_to(p)
                if any(part.startswith(".") for part in rel.parts) or not child.is_file():
                    continue
                if child.suffix.lower() in SUPPORTED:
                    yield str(child), child
        else:
            yield item, p


def read_inputs(inputs: Iterable[str], stdin=None) -> tuple[list[RawDocument], list[Skipped]]:
    docs: list[RawDocument] = []
    skipped: list[Skipped] = []
    for name, path in expand(inputs):
        try:
            if path is None:
                stream = stdin if stdin is not None else sys.stdin.buffer
                data = stream.read()
                if isinstance(data, str):
                    data = data.encode("utf-8")
                docs.extend(parse_bytes(data, "-", "", None))
                continue
            if not path.exists():
                raise Unusable("no such file or folder")
            if not path.is_file():
                raise Unusable("not a regular file")
            size = path.stat().st_size
            if size > MAX_FILE_BYTES:
                raise Unusable(f"file too large ({size // (1024 * 1024)} MB; the limit is "
                               f"{MAX_FILE_BYTES // (1024 * 1024)} MB)")
            try:
                data = path.read_bytes()
            except OSError as e:
                raise Unusable(f"unreadable: {e.strerror or e}") from None
            docs.extend(parse_bytes(data, name, path.suffix.lower(), str(path.resolve())))
        except Unusable as e:
            skipped.append(Skipped(input=name, reason=str(e)))
    return docs, skipped

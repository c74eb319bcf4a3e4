"""Files, folders and stdin -> RawDocuments. A bad input is skipped with its reason; the rest goes on."""
from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path
from typing import Iterable, Iterator

from briefing import tuning
from briefing.errors import unexpected
from briefing.types import RawDocument, Skipped

TEXT_SUFFIXES = {".txt", ".md", ".markdown", ".text"}
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
JSON_SUFFIXES = {".json"}
JSONL_SUFFIXES = {".jsonl", ".ndjson"}
SUPPORTED = TEXT_SUFFIXES | HTML_SUFFIXES | JSON_SUFFIXES | JSONL_SUFFIXES
MAX_FILE_BYTES = tuning.INGEST_MAX_FILE_BYTES  # a news article is kilobytes: see tuning.py


class Unusable(Exception):
    """Why one input can't be read; becomes a `skipped` entry."""


def decode(data: bytes) -> str:
    """Bytes -> text: UTF-8 (BOM or not) first, then a detected encoding."""
    if not data.strip():
        raise Unusable("empty file")
    head = data[:8192]
    if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = _utf16_without_bom(data)
        if text is None:
            raise Unusable("binary file, not text")
        return text
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


SURROGATE = re.compile("[\ud800-\udfff]")


def clean(text: str) -> str:
    """Text that can be written as UTF-8: lone surrogates (a JSON "\\ud800", a bad file name) become U+FFFD."""
    return SURROGATE.sub("\ufffd", text)


def shown(name: str) -> str:
    """A file name as it may be shown (stderr, Markdown, JSON): printable, one line, valid UTF-8; anything
    else is escaped as repr() escapes it (a newline as \\n, byte 0xFF as \\udcff)."""
    if name.isprintable() and not SURROGATE.search(name):
        return name
    return "".join(ch if ch.isprintable() and not SURROGATE.match(ch) else repr(ch)[1:-1] for ch in name)


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 text saved without its byte-order mark: zero bytes in every other place (Latin text) give it
    away; the text is kept when it decodes to printable text."""
    head = data[:8192 - (len(data[:8192]) % 2)]
    if len(head) < 16:
        return None
    even, odd = head[0::2].count(0), head[1::2].count(0)
    half = len(head) // 2
    codec = "utf-16-be" if even > 0.3 * half and odd < 0.02 * half else \
        "utf-16-le" if odd > 0.3 * half and even < 0.02 * half else None
    if codec is None:
        return None
    try:
        text = data[:len(data) - len(data) % 2].decode(codec)
    except UnicodeDecodeError:
        return None
    sample = text[:4096]
    if sum(1 for ch in sample if not ch.isprintable() and ch not in "\n\r\t\f") > 0.02 * len(sample):
        return None
    return text


def _str(value) -> str | None:
    if value is None or isinstance(value, (dict, list)):
        return None
    value = clean(str(value)).strip()
    return value or None


def _json(text: str):
    """json.loads, with every way it can fail (depth, a 4,301-digit number) as Unusable."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as e:
        raise Unusable(f"invalid JSON: {e.msg} at line {e.lineno}") from None
    except RecursionError:
        raise Unusable("invalid JSON: nested too deeply") from None
    except ValueError as e:  # e.g. an integer longer than Python converts
        raise Unusable(f"invalid JSON: {str(e).split(';')[0][:120]}") from None


def from_record(record: dict, input_name: str, path: str | None) -> RawDocument:
    """One JSON object (title/text/url/source/published) -> a RawDocument."""
    if not isinstance(record, dict):
        raise Unusable("a JSON article must be an object with a 'text' field")
    text = record.get("text") or record.get("content") or record.get("body")
    html = record.get("html")
    text = clean(text) if isinstance(text, str) else text
    html = clean(html) if isinstance(html, str) else html
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


def parse_bytes(data: bytes, name: str, suffix: str, path: str | None,
                skipped: list[Skipped] | None = None) -> list[RawDocument]:
    """Decode one input's bytes by its kind; raises Unusable with the reason. A bad line of a .jsonl file
    is added to `skipped` (when given) and the other lines are kept."""
    text = clean(decode(data))
    if suffix in JSON_SUFFIXES:
        value = _json(text)
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
                docs.append(from_record(_json(line), f"{name}:{lineno}", path))
            except Unusable as e:
                if skipped is None:
                    raise Unusable(f"line {lineno}: {e}") from None
                skipped.append(Skipped(input=f"{name}:{lineno}", reason=str(e)))
        if not docs:
            raise Unusable("no usable line" if skipped else "empty file")
        return docs
    if suffix in HTML_SUFFIXES or (suffix not in TEXT_SUFFIXES and looks_like_html(text)):
        return [RawDocument(input=name, text=text, kind="html", path=path)]
    publisher, text = publisher_header(text)
    return [RawDocument(input=name, text=text, kind="text", path=path, publisher=publisher)]


# A text file may name its publisher in a header line among its first lines: "Source: Reuters" or
# "Publisher: AP". The line is taken out of the text, so it is never quoted as the article's words.
_PUBLISHER_LINE = re.compile(r"^[ \t]*(?:source|publisher)[ \t]*:[ \t]*(\S[^\r\n]{0,119}?)[ \t]*$", re.I | re.M)
HEADER_LINES = tuning.INGEST_HEADER_LINES  # see tuning.py


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


def expand(inputs: Iterable[str]) -> Iterator[tuple[str, Path | Unusable | None]]:
    """Named inputs -> files in a stable order: folders recursively (sorted), hidden names skipped."""
    for item in inputs:
        if item == "-":
            yield item, None
            continue
        p = Path(item).expanduser()
        if p.is_dir():
            found, unreadable = [], []
            for folder, subfolders, names in os.walk(p, onerror=unreadable.append):
                subfolders[:] = [d for d in subfolders if not d.startswith(".")]
                found += [Path(folder, n) for n in names if not n.startswith(".")]
            for child in sorted(found, key=lambda c: str(c.relative_to(p)).lower()):
                if child.is_file() and child.suffix.lower() in SUPPORTED:
                    yield str(child), child
            for e in unreadable:  # a folder we may not list is named, not passed over in silence
                yield str(e.filename), Unusable(f"unreadable folder: {e.strerror or e}")
        else:
            yield item, p


def read_inputs(inputs: Iterable[str], stdin=None) -> tuple[list[RawDocument], list[Skipped]]:
    docs: list[RawDocument] = []
    skipped: list[Skipped] = []
    for raw_name, path in expand(inputs):
        name = shown(raw_name)
        try:
            if path is None:
                stream = stdin if stdin is not None else sys.stdin.buffer
                data = stream.read(MAX_FILE_BYTES + 1)  # the same bound as a file's, read no further
                if isinstance(data, str):
                    data = data.encode("utf-8", "surrogatepass")
                if len(data) > MAX_FILE_BYTES:
                    raise Unusable(f"standard input too large (over {MAX_FILE_BYTES // (1024 * 1024)} MB; "
                                   "stopped reading)")
                docs.extend(parse_bytes(data, "-", "", None, skipped))
                continue
            if isinstance(path, Unusable):
                raise path
            if not path.exists():
                raise Unusable("no such file or folder")
            if not path.is_file():
                raise Unusable("not a regular file")
            size = path.stat().st_size
            if size > MAX_FILE_BYTES:
                raise Unusable(f"file too large ({size / (1024 * 1024):.1f} MB; the limit is "
                               f"{MAX_FILE_BYTES // (1024 * 1024)} MB)")
            try:
                data = path.read_bytes()
            except OSError as e:
                raise Unusable(f"unreadable: {e.strerror or e}") from None
            docs.extend(parse_bytes(data, name, path.suffix.lower(), shown(str(path.resolve())), skipped))
        except Unusable as e:
            skipped.append(Skipped(input=name, reason=str(e)))
        except OSError as e:  # the file changed under us (removed, a permission, a disk error)
            skipped.append(Skipped(input=name, reason=f"unreadable: {e.strerror or e}"))
        except Exception as e:  # one file's surprise is its skip, never the run's end
            skipped.append(Skipped(input=name, reason=unexpected(e)))
    return docs, skipped

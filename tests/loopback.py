"""A real HTTP server on 127.0.0.1 serving a table of routes: pages, feeds and broken answers.

Used by the web tests and by bench/feeds_bench.py. Routes can be changed while it runs (the two-day test
adds day two's articles). Nothing here reaches beyond loopback.
"""
from __future__ import annotations

import html
import threading
import time
from dataclasses import dataclass, field
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable, Iterable


@dataclass
class Route:
    body: bytes | Callable[[], Iterable[bytes]] = b""
    status: int = 200
    content_type: str = "text/html; charset=utf-8"
    delay: float = 0.0  # seconds before answering
    headers: dict = field(default_factory=dict)


class Server:
    def __init__(self):
        self.routes: dict[str, Route] = {}
        self.hits: list[str] = []
        self.user_agents: set[str] = set()
        self.active = 0  # requests being answered now, and the most at once
        self.most_active = 0
        self._count = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_GET(self):
                with outer._count:
                    outer.active += 1
                    outer.most_active = max(outer.most_active, outer.active)
                try:
                    self._get()
                finally:
                    with outer._count:
                        outer.active -= 1

            def _get(self):
                outer.hits.append(self.path)
                outer.user_agents.add(self.headers.get("User-Agent", ""))
                route = outer.routes.get(self.path)
                if route is None:
                    route = Route(b"not found", status=404, content_type="text/plain")
                if route.delay:
                    time.sleep(route.delay)
                try:
                    self.send_response(route.status)
                    self.send_header("Content-Type", route.content_type)
                    for k, v in route.headers.items():
                        self.send_header(k, v)
                    if callable(route.body):
                        # streamed without a length: the client must stop reading by itself
                        self.send_header("Connection", "close")
                        self.end_headers()
                        for chunk in route.body():
                            self.wfile.write(chunk)
                    else:
                        self.send_header("Content-Length", str(len(route.body)))
                        self.end_headers()
                        self.wfile.write(route.body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.httpd.block_on_close = False
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def url(self, path: str) -> str:
        return self.base + path

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


def page_html(title: str, paragraphs: list[str], site: str) -> bytes:
    e = html.escape
    body = "\n".join(f"<p>{e(p)}</p>" for p in paragraphs)
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{e(title)}</title>"
            f"<meta property='og:site_name' content='{e(site)}'><meta property='og:title' content='{e(title)}'>"
            f"</head><body><nav><a href='/'>Home</a> <a href='/world'>World</a></nav>"
            f"<article><h1>{e(title)}</h1>\n{body}\n</article>"
            f"<footer>Copyright {e(site)}. All rights reserved.</footer></body></html>").encode("utf-8")


@dataclass
class Item:
    title: str
    link: str
    summary: str
    when: float  # unix time


def rss(title: str, items: list[Item]) -> bytes:
    e = html.escape
    parts = [f"<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>{e(title)}</title>"
             f"<link>http://127.0.0.1/</link><description>{e(title)}</description>"]
    for it in items:
        when = format_datetime(_utc(it.when))
        parts.append(f"<item><title>{e(it.title)}</title><link>{e(it.link)}</link>"
                     f"<description>{e(it.summary)}</description><pubDate>{when}</pubDate>"
                     f"<guid>{e(it.link)}</guid></item>")
    parts.append("</channel></rss>")
    return "".join(parts).encode("utf-8")


def atom(title: str, items: list[Item]) -> bytes:
    e = html.escape
    parts = [f"<?xml version='1.0' encoding='utf-8'?><feed xmlns='http://www.w3.org/2005/Atom'>"
             f"<title>{e(title)}</title><id>urn:test:{e(title)}</id><updated>{_iso(time.time())}</updated>"]
    for it in items:
        parts.append(f"<entry><title>{e(it.title)}</title><link href='{e(it.link)}'/><id>{e(it.link)}</id>"
                     f"<updated>{_iso(it.when)}</updated><summary>{e(it.summary)}</summary></entry>")
    parts.append("</feed>")
    return "".join(parts).encode("utf-8")


def rdf(title: str, items: list[Item]) -> bytes:
    e = html.escape
    parts = ["<?xml version='1.0' encoding='utf-8'?><rdf:RDF xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#' "
             "xmlns='http://purl.org/rss/1.0/' xmlns:dc='http://purl.org/dc/elements/1.1/'>"
             f"<channel rdf:about='http://127.0.0.1/'><title>{e(title)}</title><link>http://127.0.0.1/</link>"
             f"<description>{e(title)}</description></channel>"]
    for it in items:
        parts.append(f"<item rdf:about='{e(it.link)}'><title>{e(it.title)}</title><link>{e(it.link)}</link>"
                     f"<description>{e(it.summary)}</description><dc:date>{_iso(it.when)}</dc:date></item>")
    parts.append("</rdf:RDF>")
    return "".join(parts).encode("utf-8")


def _utc(t: float):
    import datetime as dt

    return dt.datetime.fromtimestamp(t, dt.timezone.utc)


def _iso(t: float) -> str:
    return _utc(t).strftime("%Y-%m-%dT%H:%M:%SZ")


def seed_articles(folder: Path) -> list[tuple[str, list[str]]]:
    """The seed files as (headline, paragraphs): the first line of each is its headline."""
    out = []
    for p in sorted(folder.glob("*.txt")):
        lines = [line.strip() for line in p.read_text(encoding="utf-8").splitlines() if line.strip()]
        out.append((lines[0], lines[1:]))
    return out


def huge_body(total: int = 50 * 1024 * 1024, chunk: int = 64 * 1024):
    def gen():
        block = b"<p>" + b"x" * (chunk - 7) + b"</p>"
        for _ in range(total // chunk):
            yield block
    return gen

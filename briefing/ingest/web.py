"""URLs and feeds -> RawDocuments, over httpx. A failing page or feed is skipped with its reason.

The network sits behind an httpx transport (tests pass their own, or point at a loopback server).
Every fetch is bounded: a timeout per read and a deadline per request, a size limit enforced while
streaming (the body is never read past it), a bounded number of redirects, http and https only.
A URL is a feed when the server says so (content type) or its first bytes are RSS, Atom or RDF;
each entry is followed to its page, and the entry's own summary stands in when the page fails.
"""
from __future__ import annotations

import calendar
import datetime as dt
import html
import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Callable, Iterable
from urllib.parse import urljoin, urlsplit

from briefing import __version__
from briefing.errors import unexpected
from briefing.ingest.files import Unusable, decode, looks_like_html
from briefing.types import RawDocument, Skipped

USER_AGENT = f"brief/{__version__} (news briefing tool; fetches pages and feeds a user listed)"
FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/rdf+xml", "application/xml",
              "text/xml", "application/x-rss+xml")
HTML_TYPES = ("text/html", "application/xhtml+xml")
FEED_ROOT = re.compile(rb"<(?:rss|feed|rdf:rdf|rss:rss)[\s>]", re.IGNORECASE)
# Well-formedness errors are fatal; these feedparser complaints are about labels, not structure.
BENIGN_BOZO = ("CharacterEncodingOverride", "NonXMLContentType")


def is_url(text: str) -> bool:
    try:
        return urlsplit(text).scheme.lower() in ("http", "https") and "://" in text
    except ValueError:  # e.g. "http://[::1": not a URL anyone can fetch
        return False


def _blocked(ip) -> bool:
    if getattr(ip, "ipv4_mapped", None) is not None:
        ip = ip.ipv4_mapped
    # not is_global: also the shared address space of carrier-grade NAT (100.64.0.0/10), neither private nor public
    return ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_reserved or ip.is_unspecified \
        or ip.is_multicast or not ip.is_global


def addresses(host: str) -> list[str]:
    """The addresses `host` names, as the system resolver reads it: a name through DNS, and every numeric
    form the C library accepts (127.1, 0, 2130706433, 0x7f.1), as a connection would read it."""
    import socket

    try:
        return [info[4][0] for info in socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)]
    except (OSError, UnicodeError, ValueError):
        return []


def is_internal(url: str) -> bool:
    """A URL on this machine or a private network: its host name is resolved, and any address in a private,
    loopback, link-local, reserved or unspecified range makes it internal."""
    import ipaddress

    try:
        host = (urlsplit(url).hostname or "").lower().rstrip(".")
    except ValueError:
        return True  # unparseable: not safe to call external
    if not host or host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return _blocked(ipaddress.ip_address(host))
    except ValueError:
        pass
    for addr in addresses(host):
        try:
            if _blocked(ipaddress.ip_address(addr.split("%")[0])):
                return True
        except ValueError:
            return True
    return False


# Whether the fetch running on this thread may reach an internal address: set by Fetcher.get around each
# request (httpx connects on the thread that sends), read where the connection is made.
_fetching = threading.local()


def _pinned_transport(max_connections: int):
    """An httpx transport whose connections go to the addresses it checked itself (no DNS rebinding: a name
    resolved public for the check cannot resolve internal for the connection, as both are one resolution).

    httpx has no public way to give its pool a network backend, so the pool is rebuilt with httpcore's
    public one; tests/test_fuzz.py's rebinding test on loopback fails if a new httpx stops using it."""
    import httpcore
    import httpx

    class Pinned(httpcore.SyncBackend):
        def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
            import ipaddress

            found = addresses(host)
            if not found:
                raise FetchError(f"cannot resolve the host name {host[:80]!r}")
            if not getattr(_fetching, "internal_ok", False):
                for addr in found:
                    try:
                        internal = _blocked(ipaddress.ip_address(addr.split("%")[0]))
                    except ValueError:
                        internal = True
                    if internal:
                        raise FetchError("resolves to an internal address; not fetched")
            error = None
            for addr in dict.fromkeys(found):  # each address once, in the resolver's order
                try:
                    return super().connect_tcp(addr, port, timeout, local_address, socket_options)
                except (httpcore.ConnectError, httpcore.ConnectTimeout) as e:
                    error = e
            raise error

    limits = httpx.Limits(max_connections=max_connections)  # httpx's keep-alive defaults otherwise
    transport = httpx.HTTPTransport(limits=limits)
    transport._pool = httpcore.ConnectionPool(
        ssl_context=httpx.create_ssl_context(), max_connections=limits.max_connections,
        max_keepalive_connections=limits.max_keepalive_connections, keepalive_expiry=limits.keepalive_expiry,
        network_backend=Pinned())
    return transport


def proxied() -> bool:
    """Whether the environment names a proxy for http or https (HTTP_PROXY, HTTPS_PROXY, ALL_PROXY, as
    urllib reads them): then pages are fetched through it, as httpx does by default."""
    from urllib.request import getproxies

    return any(k in getproxies() for k in ("http", "https", "all"))


@dataclass(frozen=True)
class Limits:
    """Bounds on every fetch. The defaults suit news pages and feeds; tests shrink them."""

    timeout: float = 10.0  # seconds for connect and for each read
    deadline: float = 30.0  # seconds for a whole request, so a slow drip can't hold a worker
    max_bytes: int = 5 * 1024 * 1024  # a page or a feed is kilobytes; 5 MB is generous
    max_redirects: int = 5
    per_host: int = 2  # concurrent requests to one host: polite to small sites
    overall: int = 8  # concurrent requests in all
    max_entries: int = 100  # entries taken from one feed, newest first as the feed lists them


class FetchError(Exception):
    """Why one URL could not be fetched; becomes a `skipped` entry."""


@dataclass
class Response:
    url: str  # after redirects
    content_type: str
    charset: str | None
    body: bytes


class Fetcher:
    """GETs URLs within Limits. Thread-safe; concurrency is bounded per host by semaphores."""

    def __init__(self, limits: Limits | None = None, transport=None, client=None):
        import httpx

        self.limits = limits or Limits()
        self._httpx = httpx
        if transport is None and not proxied():
            transport = _pinned_transport(self.limits.overall)
        # Else httpx sends through the proxy the environment names (it resolves the names itself, so the pin at
        # connect time is not ours to make); every hop's address is still checked by _check_hop.
        self.client = client or httpx.Client(
            transport=transport, follow_redirects=True,
            max_redirects=self.limits.max_redirects,
            timeout=httpx.Timeout(self.limits.timeout),
            headers={"User-Agent": USER_AGENT, "Accept-Encoding": "gzip, deflate", "Accept": "text/html, application/xhtml+xml, application/rss+xml, "
                     "application/atom+xml, application/xml;q=0.9, */*;q=0.5"},
            limits=httpx.Limits(max_connections=self.limits.overall),
        )
        self._hosts: dict[str, threading.Semaphore] = {}
        self._lock = threading.Lock()
        self.client.event_hooks["request"].append(self._check_hop)

    @staticmethod
    def _check_hop(request) -> None:
        """Runs before every request, redirects included: http(s) only, and no internal address unless
        the address the user gave was internal itself."""
        if request.url.scheme not in ("http", "https"):
            raise FetchError(f"redirected to a URL that is not http or https ({request.url.scheme}:)")
        if not request.extensions.get("brief_internal_ok", True) and is_internal(str(request.url)):
            raise FetchError("redirected to an internal address; not fetched")

    def close(self):
        self.client.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _host_slot(self, url: str) -> threading.Semaphore:
        host = urlsplit(url).netloc.lower()
        with self._lock:
            if host not in self._hosts:
                self._hosts[host] = threading.Semaphore(self.limits.per_host)
            return self._hosts[host]

    def get(self, url: str, internal_ok: bool | None = None) -> Response:
        """The body of `url`, or FetchError with a one-line reason.

        `internal_ok`: whether an internal address may be reached (by default, only when `url` is one:
        a user who names an internal page means it; a redirect from a public one to an internal one is refused)."""
        if not is_url(url):
            raise FetchError("only http and https URLs can be fetched")
        if internal_ok is None:
            internal_ok = is_internal(url)
        elif not internal_ok and is_internal(url):
            raise FetchError("an internal address; not fetched")
        httpx = self._httpx
        with self._host_slot(url):
            started = time.monotonic()
            _fetching.internal_ok = internal_ok
            try:
                with self.client.stream("GET", url, extensions={"brief_internal_ok": internal_ok}) as r:
                    if r.status_code >= 400:
                        raise FetchError(f"HTTP {r.status_code} {r.reason_phrase}".strip())
                    final = str(r.url)
                    if not is_url(final):
                        raise FetchError(f"redirected to a non-http URL ({urlsplit(final).scheme}:)")
                    declared = r.headers.get("content-length")
                    if declared and declared.isdigit() and int(declared) > self.limits.max_bytes:
                        raise FetchError(self._too_big())
                    decoder = Decoder(r.headers.get_list("content-encoding", split_commas=True),
                                      self.limits.max_bytes, self._too_big())
                    for chunk in r.iter_raw():  # raw: we decode, once, within the size limit
                        decoder.feed(chunk)
                        if time.monotonic() - started > self.limits.deadline:
                            raise FetchError(f"timed out (no full answer in {self.limits.deadline:g} s)")
                    ctype = r.headers.get("content-type", "")
                    return Response(url=final, content_type=ctype.split(";")[0].strip().lower(),
                                    charset=r.charset_encoding, body=decoder.finish())
            except FetchError:
                raise
            except httpx.TooManyRedirects:
                raise FetchError(f"too many redirects (more than {self.limits.max_redirects})") from None
            except httpx.TimeoutException:
                raise FetchError(f"timed out (no answer in {self.limits.timeout:g} s)") from None
            except httpx.UnsupportedProtocol:
                raise FetchError("redirected to a URL that is not http or https") from None
            except httpx.HTTPError as e:
                raise FetchError(f"network error: {type(e).__name__}: {e}"[:300]) from None
            except (httpx.InvalidURL, ValueError, UnicodeError) as e:  # e.g. a Location no URL parser accepts
                raise FetchError(f"bad URL on the way: {type(e).__name__}: {e}"[:300]) from None
            finally:
                _fetching.internal_ok = False  # what a later request on this thread may reach is its own

    def _too_big(self) -> str:
        limit = self.limits.max_bytes
        size = f"{limit // (1024 * 1024)} MB" if limit >= 1024 * 1024 else f"{limit} bytes"
        return f"too large (over {size}; stopped reading)"


class Decoder:
    """A body's bytes as sent -> its content, with at most one content coding (gzip or deflate) undone, and
    neither what came over the wire nor what decoding makes allowed past `limit` bytes (a small gzip bomb
    would otherwise grow to gigabytes in one step)."""

    def __init__(self, codings: list[str], limit: int, too_big: str):
        import zlib

        codings = [c.strip().lower() for c in codings if c.strip() and c.strip().lower() != "identity"]
        if len(codings) > 1:
            raise FetchError(f"more than one content encoding ({', '.join(codings)[:60]}); not decoded")
        self.coding = codings[0] if codings else None
        if self.coding in ("gzip", "x-gzip"):
            self.z = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif self.coding == "deflate":
            self.z = None  # zlib-wrapped or raw: decided by the first bytes
        elif self.coding is None:
            self.z = None
        else:
            raise FetchError(f"unsupported content encoding {self.coding[:30]!r}")
        self.limit, self.too_big = limit, too_big
        self.raw = 0
        self.out: list[bytes] = []
        self.size = 0

    def feed(self, chunk: bytes) -> None:
        import zlib

        self.raw += len(chunk)
        if self.raw > self.limit:
            raise FetchError(self.too_big)
        if self.coding is None:
            self._keep(chunk)
            return
        if self.z is None:  # deflate: RFC 1950 (zlib) as specified, raw RFC 1951 as some servers send
            self.z = zlib.decompressobj(zlib.MAX_WBITS if chunk[:1] and chunk[0] & 0x0F == 8 and
                                        int.from_bytes(chunk[:2], "big") % 31 == 0 else -zlib.MAX_WBITS)
        try:
            data = chunk
            while data and not self.z.eof:
                self._keep(self.z.decompress(data, self.limit + 1 - self.size))
                data = self.z.unconsumed_tail
        except zlib.error as e:
            raise FetchError(f"the {self.coding} body is damaged ({e})") from None

    def _keep(self, data: bytes) -> None:
        self.size += len(data)
        if self.size > self.limit:
            raise FetchError(self.too_big)
        self.out.append(data)

    def finish(self) -> bytes:
        if self.z is not None:
            self._keep(self.z.flush())
        return b"".join(self.out)


def text_of(resp: Response) -> str:
    """The body as text: the declared charset when it works, else detected."""
    if resp.charset:
        try:
            return resp.body.decode(resp.charset)
        except (LookupError, UnicodeDecodeError):
            pass
    try:
        return decode(resp.body)
    except Unusable as e:
        raise FetchError(str(e)) from None


def looks_like_feed(resp: Response) -> bool:
    """A feed by its root element (servers often label feeds text/html or text/plain), else by its content type.

    An HTML page labelled as a feed counts as one here, so that it is reported as "not a feed"."""
    head = resp.body[:2048].lstrip(b"\xef\xbb\xbf \t\r\n")
    if looks_like_html(head.decode("utf-8", "replace")):
        return resp.content_type in FEED_TYPES
    return resp.content_type in FEED_TYPES or bool(FEED_ROOT.search(head))


class _Text(HTMLParser):
    """HTML fragment -> plain text, block elements on their own lines (for feed summaries)."""

    BLOCKS = {"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "tr", "section", "article"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self.skip += 1
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self.skip = max(0, self.skip - 1)
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)


def fragment_text(fragment: str) -> str:
    p = _Text()
    p.feed(fragment)
    p.close()
    lines = (" ".join(line.split()) for line in "".join(p.parts).splitlines())
    return "\n".join(line for line in lines if line)


@dataclass
class Entry:
    feed: str  # the feed's URL
    link: str | None
    title: str | None
    publisher: str | None
    published: str | None
    when: dt.datetime | None
    summary: str  # plain text
    internal_ok: bool = False  # the feed the user named is internal itself, so its links may be


def parse_feed(resp: Response, max_entries: int) -> list[Entry]:
    """A feed's entries, or FetchError when it is not a well-formed RSS, Atom or RDF feed."""
    import feedparser

    if looks_like_html(resp.body[:4096].decode("utf-8", "replace")):
        raise FetchError("not a feed: the server sent an HTML page")
    parsed = feedparser.parse(resp.body, response_headers={"content-location": resp.url,
                                                           "content-type": resp.content_type or "application/xml"})
    if parsed.get("bozo") and type(parsed.get("bozo_exception")).__name__ not in BENIGN_BOZO:
        exc = parsed.get("bozo_exception")
        line = getattr(exc, "getLineNumber", lambda: None)()
        msg = exc.getMessage() if hasattr(exc, "getMessage") else str(exc)
        raise FetchError(f"malformed feed XML ({msg}" + (f", line {line})" if line else ")"))
    if not parsed.get("version"):
        raise FetchError("not a feed: no RSS, Atom or RDF root element")
    feed_title = (parsed.feed.get("title") or "").strip() or urlsplit(resp.url).netloc
    entries = []
    for e in parsed.entries[:max_entries]:
        link = e.get("link")
        link = urljoin(resp.url, link) if link else None
        content = ""
        if e.get("content"):
            content = max((c.get("value", "") for c in e.content), key=len)
        summary = e.get("summary", "") or ""
        body = content if len(content) > len(summary) else summary
        when = None
        for key in ("published_parsed", "updated_parsed"):
            if e.get(key):
                when = dt.datetime.fromtimestamp(calendar.timegm(e[key]), dt.timezone.utc)
                break
        entries.append(Entry(
            feed=resp.url, link=link if link and is_url(link) else None,
            title=html.unescape((e.get("title") or "").strip())[:300] or None, publisher=feed_title[:200],
            published=when.isoformat(timespec="seconds") if when else (e.get("published") or e.get("updated")),
            when=when, summary=fragment_text(body)))
    return entries


@dataclass
class Fetched:
    """One input's outcome: documents (a page, or a feed's entries) and the skips it caused."""

    docs: list[RawDocument]
    skipped: list[Skipped]
    feed: bool = False


def page_doc(name: str, resp: Response, entry: Entry | None = None) -> RawDocument:
    if resp.content_type and resp.content_type not in HTML_TYPES and not resp.content_type.startswith("text/"):
        raise FetchError(f"not a web page ({resp.content_type})")
    text = text_of(resp)
    kind = "html" if resp.content_type in HTML_TYPES or looks_like_html(text) else "text"
    # The publisher is left to the page's own metadata (an aggregator's feed names many outlets).
    return RawDocument(input=name, text=text, kind=kind, url=resp.url,
                       title=entry.title if entry else None, published=entry.published if entry else None,
                       fallback=summary_doc(entry, "the page gave no article text")
                       if entry is not None and entry.summary else None)


def summary_doc(entry: Entry, why: str) -> RawDocument:
    return RawDocument(input=entry.link or entry.feed, text=entry.summary, kind="text", url=entry.link,
                       title=entry.title, publisher=entry.publisher, published=entry.published,
                       note=f"feed summary only: {why}")


def follow(entry: Entry, fetcher: Fetcher, known: Callable[[str], RawDocument | None] | None = None
           ) -> RawDocument:
    """A feed entry's page (or its summary when the page fails); FetchError when it has neither."""
    if entry.link is None:
        if not entry.summary:
            raise FetchError("feed entry has neither a link nor text")
        return summary_doc(entry, "the entry has no link")
    if not entry.internal_ok and is_internal(entry.link):
        # A feed from outside names an address inside (this machine, the local network, a cloud
        # metadata service): its text is not fetched into a digest that may be mailed out.
        raise FetchError("the feed links to an internal address; not fetched")
    cached = known(entry.link) if known else None
    if cached is not None:
        return cached
    try:
        return page_doc(entry.link, fetcher.get(entry.link, internal_ok=entry.internal_ok), entry)
    except FetchError as e:
        if entry.summary:
            return summary_doc(entry, f"the page could not be fetched ({e})")
        raise


def read_source(url: str, fetcher: Fetcher, must_be_feed: bool) -> tuple[Fetched, list[Entry]]:
    """fetch_all's first step for one URL: a feed's entries, or the page it is; a failure is its skip."""
    try:
        resp = fetcher.get(url)
        if must_be_feed or looks_like_feed(resp):
            if must_be_feed and resp.content_type in HTML_TYPES and not FEED_ROOT.search(resp.body[:2048]):
                raise FetchError("not a feed: the server sent an HTML page")
            entries = parse_feed(resp, fetcher.limits.max_entries)
            for e in entries:
                e.internal_ok = is_internal(url)
            return Fetched(docs=[], skipped=[], feed=True), entries
        return Fetched(docs=[page_doc(url, resp)], skipped=[]), []
    except FetchError as e:
        return Fetched(docs=[], skipped=[Skipped(input=url, reason=str(e))]), []
    except Exception as e:  # one source's surprise is that source's skip, never the run's end
        return Fetched(docs=[], skipped=[Skipped(input=url, reason=unexpected(e))]), []


def fetch_all(urls: Iterable[str], fetcher: Fetcher | None = None, feeds: Iterable[str] = (),
              since: dt.datetime | None = None, known: Callable[[str], RawDocument | None] | None = None,
              pages: Callable[[list[Entry]], list[RawDocument | Exception]] | None = None,
              sources: Callable[[list[str], set[str]], list[tuple[Fetched, list[Entry]]]] | None = None,
              ) -> tuple[list[RawDocument], list[Skipped]]:
    """Fetch pages and feeds in parallel; documents come back in the order the URLs were given.

    `feeds` names URLs that must be feeds (from a config); other URLs are feeds if they look like one.
    Entries older than `since` are left out. `known(url)` may return an already-fetched document,
    so a re-run does not fetch the same article page again. `pages(entries)`, when given, follows the entries
    elsewhere (an engine's workers: `follow` for each, the document or the exception it raised, in order);
    `sources(urls, must_be_feed)`, when given, reads the URLs themselves elsewhere (`read_source` for each, in
    order); the rest (which entries to follow, in what order) is decided here.
    """
    urls = list(dict.fromkeys(urls))
    must_be_feed = set(feeds)
    own = fetcher is None
    fetcher = fetcher or Fetcher()
    try:
        with ThreadPoolExecutor(max_workers=fetcher.limits.overall) as pool:
            if sources is not None:
                firsts = sources(urls, must_be_feed)
            else:
                firsts = list(pool.map(lambda url: read_source(url, fetcher, url in must_be_feed), urls))

            jobs = []
            seen_links = set()  # one article listed by two feeds is fetched and briefed once
            for fetched, entries in firsts:
                for entry in entries:
                    if since is not None and entry.when is not None and entry.when < since:
                        continue
                    if entry.link is not None and entry.link in seen_links:
                        continue
                    seen_links.add(entry.link)
                    jobs.append((fetched, entry))
            if pages is None:
                futures = [pool.submit(follow, entry, fetcher, known) for _, entry in jobs]
                outcomes = []
                for future in futures:
                    try:
                        outcomes.append(future.result())
                    except Exception as e:  # FetchError, or one entry's surprise: that entry's skip
                        outcomes.append(e)
            else:
                outcomes = [None] * len(jobs)
                for k, (_, entry) in enumerate(jobs):
                    cached = known(entry.link) if known and entry.link else None
                    if cached is not None and (entry.internal_ok or not is_internal(entry.link)):
                        outcomes[k] = cached
                away = [k for k, o in enumerate(outcomes) if o is None]
                for k, o in zip(away, pages([jobs[k][1] for k in away])):
                    outcomes[k] = o
            for (fetched, entry), outcome in zip(jobs, outcomes):
                if isinstance(outcome, FetchError):
                    fetched.skipped.append(Skipped(input=entry.link or entry.feed, reason=str(outcome)))
                elif isinstance(outcome, Exception):
                    fetched.skipped.append(Skipped(input=entry.link or entry.feed, reason=unexpected(outcome)))
                else:
                    fetched.docs.append(outcome)
    finally:
        if own:
            fetcher.close()
    docs = [d for f, _ in firsts for d in f.docs]
    skipped = [s for f, _ in firsts for s in f.skipped]
    return docs, skipped

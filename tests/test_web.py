"""URLs and feeds against a real HTTP server on loopback: RSS, Atom, RDF, pages, and broken answers."""
from __future__ import annotations

import time

import pytest

from briefing import extract
from briefing.ingest import gather
from briefing.ingest.web import USER_AGENT, Fetcher, Limits, fetch_all
from loopback import Item, Route, Server, atom, huge_body, page_html, rdf, rss, seed_articles

from conftest import SEEDS

SITES = ["North Wire", "East Daily", "South Post", "West Herald", "Central Times"]


@pytest.fixture
def server():
    with Server() as s:
        now = time.time()
        items = []
        for i, (title, paras) in enumerate(seed_articles(SEEDS)):
            s.routes[f"/page/{i}.html"] = Route(page_html(title, paras, SITES[i]))
            items.append(Item(title, s.url(f"/page/{i}.html"), paras[0], now - 3600 * i))
        s.routes["/rss.xml"] = Route(rss("North Wire", items[0:2]), content_type="application/rss+xml")
        s.routes["/atom.xml"] = Route(atom("South Post", items[2:4]), content_type="application/atom+xml")
        # an RDF feed served with a useless content type: recognised by its root element
        s.routes["/rdf"] = Route(rdf("Central Times", items[4:5]), content_type="application/octet-stream")
        s.routes["/500.html"] = Route(b"oops", status=500)
        s.routes["/slow.html"] = Route(page_html(*seed_articles(SEEDS)[0], "Slow"), delay=3.0)
        s.routes["/invalid.xml"] = Route(b"<?xml version='1.0'?><rss version='2.0'><channel><title>Broken"
                                         b"</title><item><title>A & B</titl></item></channel>",
                                         content_type="application/rss+xml")
        s.routes["/posing.xml"] = Route(page_html("Not a feed", ["This is a page, not a feed at all."], "X"),
                                        content_type="application/rss+xml")
        s.routes["/huge.html"] = Route(huge_body(), content_type="text/html")
        dead = Item("Dead link story", s.url("/500.html"), "The summary of a story whose page is down. It has a "
                    "second sentence so that it reads like an article.", now)
        s.routes["/dead.xml"] = Route(rss("Dead Feed", [dead]), content_type="application/rss+xml")
        s.routes["/loop"] = Route(b"", status=302, headers={"Location": "/loop"})
        s.routes["/to-ftp"] = Route(b"", status=302, headers={"Location": "ftp://127.0.0.1/x"})
        s.routes["/moved"] = Route(b"", status=301, headers={"Location": "/page/1.html"})
        yield s


LIMITS = Limits(timeout=0.5, deadline=5, max_bytes=2 * 1024 * 1024, max_redirects=3)


def fetch(server, *paths, **kw):
    with Fetcher(LIMITS) as f:
        return fetch_all([server.url(p) for p in paths], fetcher=f, **kw)


def test_feeds_of_three_kinds_are_followed_to_their_pages(server):
    docs, skipped = fetch(server, "/rss.xml", "/atom.xml", "/rdf")
    assert skipped == []
    assert [d.url for d in docs] == [server.url(f"/page/{i}.html") for i in range(5)]
    assert all(d.kind == "html" and d.note is None for d in docs)
    # the publisher comes from each page's own metadata, not the feed's title
    assert [extract.build_article(d, 1).publisher for d in docs] == SITES
    titles = [t for t, _ in seed_articles(SEEDS)]
    assert [d.title for d in docs] == titles
    # the page text survives extraction: the seed's first paragraph is in the article
    article = extract.build_article(docs[0], 1)
    assert seed_articles(SEEDS)[0][1][0].split(".")[0] in article.text
    assert "All rights reserved" not in article.text
    assert server.user_agents == {USER_AGENT}


def test_a_page_url_becomes_an_html_document(server):
    docs, skipped = fetch(server, "/page/3.html")
    assert skipped == [] and len(docs) == 1
    assert docs[0].kind == "html" and docs[0].url == server.url("/page/3.html")
    article = extract.build_article(docs[0], 1)
    assert article.publisher == "West Herald"
    assert article.published == "Jun 18, 2024"  # the date line the article itself carries


def test_a_page_without_a_date_gets_none_not_a_year_from_its_text(server):
    docs, _ = fetch(server, "/page/0.html")  # its text says "since 2000"; trafilatura once read that as the date
    assert extract.build_article(docs[0], 1).published is None


def test_redirects_are_followed_but_bounded(server):
    docs, skipped = fetch(server, "/moved", "/loop", "/to-ftp")
    assert [d.url for d in docs] == [server.url("/page/1.html")]
    reasons = {s.input.rsplit("/", 1)[1]: s.reason for s in skipped}
    assert reasons["loop"] == "too many redirects (more than 3)"
    assert "not http or https" in reasons["to-ftp"]


def test_each_broken_source_is_skipped_with_its_reason_and_the_rest_goes_on(server):
    started = time.monotonic()
    docs, skipped = fetch(server, "/500.html", "/slow.html", "/invalid.xml", "/posing.xml", "/huge.html", "/rss.xml")
    assert time.monotonic() - started < 10  # the slow page did not hold everything up
    assert [d.url for d in docs] == [server.url("/page/0.html"), server.url("/page/1.html")]
    reasons = {s.input.rsplit("/", 1)[1]: s.reason for s in skipped}
    assert reasons["500.html"] == "HTTP 500 Internal Server Error"
    assert reasons["slow.html"].startswith("timed out")
    assert reasons["invalid.xml"].startswith("malformed feed XML")
    assert reasons["posing.xml"] == "not a feed: the server sent an HTML page"
    assert reasons["huge.html"].startswith("too large (over 2 MB")
    assert len(skipped) == 5


def test_the_50_mb_body_is_cut_off_not_read(server):
    before = len(server.hits)
    docs, skipped = fetch(server, "/huge.html")
    assert docs == [] and skipped[0].reason.startswith("too large")
    assert len(server.hits) == before + 1


def test_a_failed_page_falls_back_to_the_feed_summary_marked_as_such(server):
    docs, skipped = fetch(server, "/dead.xml")
    assert skipped == []
    (doc,) = docs
    assert doc.note.startswith("feed summary only: the page could not be fetched (HTTP 500")
    assert doc.kind == "text" and doc.text.startswith("The summary of a story")
    assert extract.build_article(doc, 1).note == doc.note


def test_entries_older_than_since_are_left_out(server):
    import datetime as dt

    since = dt.datetime.now(dt.timezone.utc) - dt.timedelta(hours=1, minutes=30)
    docs, _ = fetch(server, "/rss.xml", "/atom.xml", since=since)
    assert [d.url for d in docs] == [server.url("/page/0.html"), server.url("/page/1.html")]


def test_a_configured_feed_that_is_a_page_is_not_a_feed(server):
    docs, skipped = fetch(server, "/page/0.html", feeds=[server.url("/page/0.html")])
    assert docs == [] and skipped[0].reason == "not a feed: the server sent an HTML page"


def test_known_pages_are_not_fetched_again(server):
    from briefing.types import RawDocument

    cached = RawDocument(input="cache", text="Cached text of the page. It is long enough.",
                         url=server.url("/page/0.html"))
    docs, _ = fetch(server, "/rss.xml", known=lambda url: cached if url.endswith("/0.html") else None)
    assert docs[0] is cached
    assert "/page/0.html" not in server.hits and "/page/1.html" in server.hits


def test_non_http_urls_are_refused():
    from briefing.ingest.web import FetchError

    with Fetcher(LIMITS) as f, pytest.raises(FetchError, match="only http and https"):
        f.get("file:///etc/passwd")


def test_gather_mixes_files_and_urls(server, seeds):
    docs, skipped = gather([str(seeds / "000_6be4897fac851f08.txt"), server.url("/atom.xml"), server.url("/500.html")],
                           fetcher=Fetcher(LIMITS))
    assert [d.kind for d in docs] == ["text", "html", "html"]
    assert [s.reason for s in skipped] == ["HTTP 500 Internal Server Error"]


def test_brief_make_with_urls_through_the_cli(server, monkeypatch, hash_embedder):
    import json

    from typer.testing import CliRunner

    from briefing import cli
    from briefing.models import minilm

    monkeypatch.setattr(minilm, "shared", lambda kind=None: hash_embedder)
    result = CliRunner().invoke(cli.app, ["make", server.url("/rss.xml"), server.url("/page/2.html"),
                                          server.url("/500.html"), "-f", "json", "-q"])
    assert result.exit_code == 3, result.output
    data = json.loads(result.stdout)
    assert [s["url"] for s in data["sources"]] == [server.url(p) for p in ("/page/0.html", "/page/1.html",
                                                                           "/page/2.html")]
    assert data["skipped"] == [{"input": server.url("/500.html"), "reason": "HTTP 500 Internal Server Error"}]
    assert "skipped" in result.stderr


def test_parallel_fetches_are_bounded_per_host(server):
    items = []
    for i in range(8):
        server.routes[f"/held/{i}.html"] = Route(page_html(f"Page {i}", [f"Sentence {i} of a page here."], "S"),
                                                 delay=0.2)
        items.append(Item(f"Page {i}", server.url(f"/held/{i}.html"), "summary", time.time()))
    server.routes["/held.xml"] = Route(rss("Held", items), content_type="application/rss+xml")
    with Fetcher(Limits(timeout=5, per_host=3, overall=8)) as f:
        docs, skipped = fetch_all([server.url("/held.xml")], fetcher=f)
    assert len(docs) == 8 and not skipped
    assert 2 <= server.most_active <= 3  # in parallel, but never more than per_host at one site


def test_an_article_in_two_feeds_is_fetched_once(server):
    server.routes["/again.xml"] = server.routes["/rss.xml"]
    docs, skipped = fetch(server, "/rss.xml", "/again.xml")
    assert [d.url for d in docs] == [server.url("/page/0.html"), server.url("/page/1.html")]
    assert server.hits.count("/page/0.html") == 1


def test_a_feed_labelled_as_html_is_still_a_feed(server):
    server.routes["/mislabelled"] = Route(server.routes["/rss.xml"].body, content_type="text/html; charset=utf-8")
    docs, skipped = fetch(server, "/mislabelled")
    assert not skipped and [d.url for d in docs] == [server.url("/page/0.html"), server.url("/page/1.html")]


def test_a_slow_drip_is_cut_at_the_deadline(server):
    def drip():
        for _ in range(100):
            time.sleep(0.2)
            yield b"<p>a little more</p>"

    server.routes["/drip.html"] = Route(drip, content_type="text/html")
    with Fetcher(Limits(timeout=1, deadline=1)) as f:
        docs, skipped = fetch_all([server.url("/drip.html")], fetcher=f)
    assert docs == [] and skipped[0].reason == "timed out (no full answer in 1 s)"


def test_a_page_with_no_article_text_falls_back_to_the_feed_summary(server):
    from briefing import pipeline

    server.routes["/empty.html"] = Route(b"<html><body><nav>Home</nav><script>app()</script></body></html>")
    entry = Item("A story behind a script", server.url("/empty.html"), "The summary says what happened in the "
                 "city on Monday. It has a second sentence too.", time.time())
    server.routes["/js.xml"] = Route(rss("JS Site", [entry]), content_type="application/rss+xml")
    docs, skipped = fetch(server, "/js.xml")
    assert not skipped and docs[0].kind == "html" and docs[0].fallback is not None
    lost = []
    (article,) = pipeline.articles_from(docs, lost)
    assert lost == [] and article.note == "feed summary only: the page gave no article text"
    assert article.text.startswith("The summary says what happened")
    assert article.url == server.url("/empty.html")


def test_an_outside_feed_cannot_point_brief_at_internal_addresses():
    from briefing.ingest.web import is_internal

    assert is_internal("http://127.0.0.1:8080/admin") and is_internal("http://169.254.169.254/latest/meta-data")
    assert is_internal("http://localhost/x") and is_internal("http://[::1]/x") and is_internal("http://10.1.2.3/")
    assert not is_internal("https://example.org/news") and not is_internal("http://93.184.216.34/")

    class Canned(Fetcher):
        """The feed is served from outside; its entry points inside."""

        def get(self, url):
            from briefing.ingest.web import Response

            if url == "https://news.example/feed.xml":
                item = Item("Secrets", "http://169.254.169.254/latest/meta-data", "", time.time())
                return Response(url, "application/rss+xml", "utf-8", rss("Outside", [item]))
            raise AssertionError(f"fetched {url}")

    with Canned(LIMITS) as f:
        docs, skipped = fetch_all(["https://news.example/feed.xml"], fetcher=f)
    assert docs == [] and [s.reason for s in skipped] == ["the feed links to an internal address; not fetched"]

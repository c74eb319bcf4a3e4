"""Hostile input, a hostile network and killed runs: nothing lost, nothing leaked, no traceback (issue 10).

Each test is one attack a tester made; it failed before the fix it names. The property tests at the end
(Hypothesis) generate file bytes, JSON shapes, config values, URLs/redirects and SMTP replies, with a
bounded number of examples, and none may end in an unexpected exception (exit 1).
"""
from __future__ import annotations

import base64
import datetime as dt
import io
import json
import os
import socket
import threading

import httpx
import pytest
from hypothesis import HealthCheck, given, settings as hsettings, strategies as st
from typer.testing import CliRunner

from briefing import cli, config as configlib, daily
from briefing.deliver import mail
from briefing.deliver import write_atomic
from briefing.errors import BriefError
from briefing.ingest import files, web
from briefing.store import Store
from loopback import Route, Server

from conftest import SEEDS, HashEmbedder

DAY1 = dt.datetime(2024, 6, 19, 7, 0, tzinfo=dt.timezone.utc)
FAST = hsettings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def local_config(tmp_path, **over) -> configlib.Config:
    values = dict(paths=(str(SEEDS),), since_hours=96.0, words=200, dir=str(tmp_path / "out"),
                  formats=("md", "json"), state=str(tmp_path / "state.sqlite"))
    values.update(over)
    return configlib.load(None, env={}, **values)


# ---- 1. data lost or leaked --------------------------------------------------------------------------------

def test_a_run_killed_between_writing_and_queueing_the_email_mails_it_on_the_rerun(tmp_path):
    cfg = local_config(tmp_path)
    embedder = HashEmbedder()

    def killed(briefing):
        raise KeyboardInterrupt  # the process dies after the files are written, before the email is queued

    with pytest.raises(KeyboardInterrupt):
        daily.run(cfg, embedder=embedder, now=DAY1, queue=killed)
    assert (tmp_path / "out" / "briefing-2024-06-19.md").exists()
    queued = []
    again = daily.run(cfg, embedder=embedder, now=DAY1 + dt.timedelta(minutes=5), queue=queued.append)
    assert not again.reused and again.exit_code in (0, 3), again.message
    assert len(queued) == 1 and queued[0].stories  # the re-run mails the digest the dead run never queued
    # and once queued and recorded, a third run the same day sends nothing twice
    third = []
    assert daily.run(cfg, embedder=embedder, now=DAY1 + dt.timedelta(minutes=9), queue=third.append).reused
    assert third == []


def test_a_day_whose_run_failed_after_fetching_is_still_news_the_next_day(tmp_path, monkeypatch):
    from briefing import render

    cfg = local_config(tmp_path)
    real = render.render

    def broken(*a, **k):
        raise BriefError("template error")

    monkeypatch.setattr(render, "render", broken)
    with pytest.raises(BriefError):
        daily.run(cfg, embedder=HashEmbedder(), now=DAY1)
    monkeypatch.setattr(render, "render", real)
    two = daily.run(cfg, embedder=HashEmbedder(), now=DAY1 + dt.timedelta(days=1))
    assert two.exit_code in (0, 3), two.message  # before: "nothing new ... all read on earlier days"
    assert two.briefing is not None and two.briefing.stories
    # the day that did publish makes them old news on the day after
    three = daily.run(cfg, embedder=HashEmbedder(), now=DAY1 + dt.timedelta(days=2))
    assert three.exit_code == 2 and "nothing new" in three.message


@pytest.mark.parametrize("url", ["http://127.1/", "http://0/", "http://2130706433/", "http://0x7f.1/",
                                 "http://0177.0.0.1/", "http://[::1]/", "http://[::ffff:127.0.0.1]/",
                                 "http://10.1/", "http://169.254.169.254/latest/", "http://localhost./",
                                 "http://192.168.1.1:8080/", "http://100.64.0.1/"])  # the last: carrier-grade NAT
def test_every_numeric_form_of_an_internal_address_is_internal(url):
    assert web.is_internal(url)


def test_a_host_name_is_resolved_before_the_check(monkeypatch):
    monkeypatch.setattr(web, "addresses", lambda host: ["10.0.0.7"] if host == "intranet.example" else [])
    assert web.is_internal("http://intranet.example/feed")
    assert not web.is_internal("http://news.example/feed")


def _rebinding(monkeypatch, name: str, first: int, then: str) -> list[str]:
    """The resolver answers a public address for `name` the first `first` times, then `then` (DNS rebinding
    with a short TTL); the list records each lookup of `name`."""
    real = socket.getaddrinfo
    asked: list[str] = []

    def resolve(host, *args, **kwargs):
        if host == name:
            asked.append(host)
            return real("93.184.216.34" if len(asked) <= first else then, *args, **kwargs)
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    return asked


@pytest.mark.parametrize("first", [1, 2])  # rebinds at the redirect-hop check; after both checks
def test_a_name_that_rebinds_to_loopback_after_the_checks_is_never_connected_to(monkeypatch, first):
    asked = _rebinding(monkeypatch, "rebind.example", first, "127.0.0.1")
    with Server() as s:
        s.routes["/secret.txt"] = Route(b"an internal secret. " * 10, content_type="text/plain")
        with web.Fetcher(web.Limits(timeout=2, deadline=4)) as f:
            with pytest.raises(web.FetchError, match="internal"):
                f.get(f"http://rebind.example:{s.httpd.server_address[1]}/secret.txt")
            assert len(asked) > first  # the name was looked up again after the checks, and that answer checked
            _rebinding(monkeypatch, "rebind.example", first, "127.0.0.1")  # the same again, through fetch_all
            docs, skipped = web.fetch_all([f"http://rebind.example:{s.httpd.server_address[1]}/secret.txt"], fetcher=f)
        assert s.hits == []  # the connection went nowhere near the loopback server
    assert docs == [] and "internal" in skipped[0].reason


def test_a_name_with_one_internal_address_among_public_ones_is_refused(monkeypatch):
    real = socket.getaddrinfo
    monkeypatch.setattr(socket, "getaddrinfo", lambda host, *a, **k: (
        real("93.184.216.34", *a, **k) + real("127.0.0.1", *a, **k)) if host == "mixed.example" else real(host, *a, **k))
    with Server() as s:
        s.routes["/x.txt"] = Route(b"an internal secret. " * 10, content_type="text/plain")
        with web.Fetcher(web.Limits(timeout=2, deadline=4)) as f:
            with pytest.raises(web.FetchError, match="internal"):
                f.get(f"http://mixed.example:{s.httpd.server_address[1]}/x.txt", internal_ok=False)
        assert s.hits == []


def test_a_named_internal_host_is_fetched_at_the_address_resolved_once(monkeypatch):
    asked = _rebinding(monkeypatch, "intranet.example", 0, "127.0.0.1")  # always loopback: the user means it
    with Server() as s:
        s.routes["/ok.txt"] = Route(b"A sentence that stays. " * 5, content_type="text/plain")
        with web.Fetcher(web.Limits(timeout=2, deadline=4)) as f:
            got = f.get(f"http://intranet.example:{s.httpd.server_address[1]}/ok.txt")
        assert got.body.startswith(b"A sentence") and s.hits == ["/ok.txt"]


def test_pages_go_through_the_proxy_the_environment_names(monkeypatch):
    for name in ("NO_PROXY", "no_proxy", "HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    with Server() as proxy:  # a proxy is asked for the whole URL: the route is keyed by it
        proxy.routes["http://news.example/story.txt"] = Route(b"A sentence from afar. " * 5, content_type="text/plain")
        monkeypatch.setenv("HTTP_PROXY", proxy.base)
        assert web.proxied()
        with web.Fetcher(web.Limits(timeout=2, deadline=4)) as f:
            got = f.get("http://news.example/story.txt")
        assert got.body.startswith(b"A sentence from afar") and proxy.hits == ["http://news.example/story.txt"]
        with web.Fetcher(web.Limits(timeout=2, deadline=4)) as f:  # a redirect hop is still checked
            proxy.routes["http://news.example/moved"] = Route(status=302, headers={"Location": "http://127.0.0.1:9/x"})
            with pytest.raises(web.FetchError, match="internal"):
                f.get("http://news.example/moved")
    monkeypatch.delenv("HTTP_PROXY")
    monkeypatch.delenv("http_proxy", raising=False)
    assert not web.proxied()


def _public_then(location: str):
    """A transport where news.example (public) answers with a redirect to `location`, and any other host
    serves a feed whose entry links to an internal page."""
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.host == "news.example":
            return httpx.Response(302, headers={"Location": location})
        body = (b'<?xml version="1.0"?><rss version="2.0"><channel><title>x</title><item><title>t</title>'
                b'<link>http://127.0.0.1:9/secret.html</link><description>secret summary</description></item>'
                b'</channel></rss>')
        return httpx.Response(200, content=body, headers={"Content-Type": "application/rss+xml"})
    return httpx.MockTransport(handler)


def test_a_redirect_from_a_public_name_to_an_internal_address_is_refused():
    with web.Fetcher(transport=_public_then("http://127.0.0.1:9/internal.xml")) as f:
        with pytest.raises(web.FetchError, match="internal"):
            f.get("http://news.example/feed.xml")
        docs, skipped = web.fetch_all(["http://news.example/feed.xml"], fetcher=f)
    assert docs == [] and "internal" in skipped[0].reason  # its entries never became "allowed"


@pytest.mark.parametrize("location", ["javascript:alert(1)", "data:text/html,<p>hi</p>", "mailto:a@b.example",
                                      "http://[::1", "ftp://x.example/"])
def test_a_redirect_to_another_scheme_is_a_skip_of_that_source(location):
    with Server() as s:
        s.routes["/go"] = Route(b"", status=302, headers={"Location": location})
        s.routes["/ok.txt"] = Route(b"A sentence that stays. " * 5, content_type="text/plain")
        docs, skipped = web.fetch_all([s.url("/go"), s.url("/ok.txt")])
    assert len(docs) == 1 and [x.input for x in skipped] == [s.url("/go")]


USER_PASSWORDS = [("", "Sw0rdf1sh-zq8!unique"), ("b", "Sw0rdf1sh-zq8!unique"), ("br", "Sw0rdf1sh-zq8!unique"),
                  ("brief", "Sw0rdf1sh-zq8!unique"), ("brief@example.org", "p4ss-w0rd-long-enough")]


def _pure_password_part(blob: str, prefix_bytes: int) -> str:
    """The characters of a base64 blob made only of the password's bits (after `prefix_bytes` of framing)."""
    return blob[-(-8 * prefix_bytes // 6):]


@pytest.mark.parametrize("user,password", USER_PASSWORDS)
def test_every_auth_form_of_the_password_is_scrubbed_whole_or_cut_short(user, password):
    plain = base64.b64encode(f"\0{user}\0{password}".encode()).decode()
    login = base64.b64encode(password.encode()).decode()
    secret_part = _pure_password_part(plain, len(user) + 2)
    for blob in (plain, login, password):
        for cut in range(len("535 5.7.8 bad ") + 1, len("535 5.7.8 bad ") + len(blob) + 1):
            reply = ("535 5.7.8 bad " + blob)[:cut]
            out = mail._scrubbed(mail.Attempt(error=reply, deferred={"a@x": reply}), password, user or None)
            for text in (out.error, out.deferred["a@x"]):
                for leak in (password, login, secret_part):
                    for n in range(6, len(leak) + 1):
                        assert leak[:n] not in text and leak[-n:] not in text, (reply, text)


class EchoingSMTP:
    """A raw SMTP server on loopback that repeats the AUTH line it got in its refusal, cut to `cut` characters
    (for LOGIN: the line that carries the password)."""

    def __init__(self, cut: int | None = None, take_and_drop: bool = False, mechanism: str = "PLAIN"):
        self.mechanism = mechanism
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(5)
        self.port = self.sock.getsockname()[1]
        self.cut = cut
        self.take_and_drop = take_and_drop
        self.stored = 0
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn, conn.makefile("rwb") as f:
                self._session(f)

    def _session(self, f):
        def say(line):
            f.write(line.encode() + b"\r\n")
            f.flush()
        say("220 echo ESMTP")
        for raw in f:
            line = raw.decode(errors="replace").rstrip("\r\n")
            verb = line.split(" ")[0].upper()
            if verb == "EHLO":
                say("250-echo")
                say(f"250 AUTH {self.mechanism}")
            elif verb == "AUTH":
                if self.mechanism == "LOGIN":
                    say("334 UGFzc3dvcmQ6")
                    line = f.readline().decode(errors="replace").rstrip("\r\n")
                echoed = line if self.cut is None else line[:self.cut]
                say(f"535 5.7.8 bad credentials {echoed}")
            elif verb in ("MAIL", "RCPT", "RSET", "NOOP"):
                say("250 OK")
            elif verb == "DATA":
                say("354 go on")
                for body in f:
                    if body in (b".\r\n", b".\n"):
                        break
                self.stored += 1
                if self.take_and_drop:
                    return  # stored, then the connection drops before the 250
                say("250 queued")
            elif verb == "QUIT":
                say("221 bye")
                return
            else:
                say("502 no")

    def close(self):
        self.sock.close()


@pytest.mark.parametrize("cut", [None, 18, 25, 31])
@pytest.mark.parametrize("user", ["b", "br", "bri", "brief", "abcdef"])
@pytest.mark.parametrize("mechanism", ["PLAIN", "LOGIN"])
def test_a_server_echoing_the_auth_blob_never_leaks_the_password(cut, user, mechanism, monkeypatch):
    password = "Sw0rdf1sh-zq8!unique"
    monkeypatch.setenv("BRIEF_TEST_PW", password)
    server = EchoingSMTP(cut=None if cut is None else cut + (len("AUTH PLAIN ") if mechanism == "PLAIN" else 0),
                         mechanism=mechanism)
    try:
        s = mail.EmailSettings(host="127.0.0.1", port=server.port, security="none", username=user,
                               password_env="BRIEF_TEST_PW", sender="a@example.org", to=("b@example.org",),
                               timeout=5, attempts=1)
        out = mail.send_once(b"Subject: x\r\n\r\nhi\r\n", "a@example.org", ["b@example.org"], s)
    finally:
        server.close()
    assert out.error and "535 5.7.8 bad credentials" in out.error
    if mechanism == "PLAIN":
        blob = base64.b64encode(f"\0{user}\0{password}".encode()).decode()
        secret_part = _pure_password_part(blob, len(user) + 2)
    else:
        secret_part = base64.b64encode(password.encode()).decode()
    for leak in (password, secret_part):
        for n in range(6, len(leak) + 1):
            assert leak[:n] not in out.error, out.error


def test_a_non_ascii_password_is_a_reason_not_a_traceback(monkeypatch):
    monkeypatch.setenv("BRIEF_TEST_PW", "pässwörd")
    server = EchoingSMTP()
    try:
        s = mail.EmailSettings(host="127.0.0.1", port=server.port, security="none", username="brief",
                               password_env="BRIEF_TEST_PW", sender="a@example.org", to=("b@example.org",),
                               timeout=5, attempts=1)
        out = mail.send_once(b"Subject: x\r\n\r\nhi\r\n", "a@example.org", ["b@example.org"], s)
    finally:
        server.close()
    assert out.permanent and "non-ASCII" in out.error and "pässwörd" not in out.error


def test_output_to_a_fifo_is_written_into_not_replaced(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got = []
    reader = threading.Thread(target=lambda: got.append(open(fifo, "rb").read()), daemon=True)
    reader.start()
    write_atomic(fifo, "a briefing\n")
    reader.join(5)
    assert got == [b"a briefing\n"]
    assert fifo.is_fifo()


def test_output_to_a_symlink_follows_it_and_keeps_the_link(tmp_path):
    target = tmp_path / "real.md"
    target.write_text("old")
    link = tmp_path / "link.md"
    link.symlink_to(target)
    write_atomic(link, "new")
    assert link.is_symlink() and target.read_text() == "new"


def test_output_to_a_full_device_is_a_one_line_error_and_the_device_stays():
    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full here")
    with pytest.raises(BriefError, match="No space left"):
        write_atomic("/dev/full", "x")
    assert not os.path.isfile("/dev/full")


# ---- 2. no traceback ---------------------------------------------------------------------------------------

def write(tmp_path, name, data: bytes):
    p = tmp_path / name
    p.write_bytes(data)
    return str(p)


@pytest.mark.parametrize("data,why", [
    (b"[" * 1000 + b"]" * 1000, "nested too deeply"),
    (b'{"text": ' + b"1" * 4301 + b"}", "invalid JSON"),
    (b'{"text": {"a": [' * 400 + b"]}" * 400 + b"}", "invalid JSON"),
])
def test_hostile_json_is_a_skip(tmp_path, data, why):
    docs, skipped = files.read_inputs([write(tmp_path, "bad.json", data),
                                       write(tmp_path, "good.txt", b"A sentence of news. " * 3)])
    assert len(docs) == 1 and len(skipped) == 1 and why in skipped[0].reason


def test_a_surrogate_escape_is_replaced_at_read_time(tmp_path):
    docs, skipped = files.read_inputs([write(tmp_path, "s.json",
                                             b'{"text": "Bad \\ud800 char in a sentence.", "title": "\\udfff"}')])
    assert not skipped
    assert "\ufffd" in docs[0].text and docs[0].text.encode("utf-8") and docs[0].title == "\ufffd"


def test_a_bad_jsonl_line_skips_that_line_only(tmp_path):
    lines = [json.dumps({"text": "First good article sentence."}), "{not json", "[" * 2000,
             json.dumps({"text": "Second good article sentence."}), json.dumps({"no": "text"})]
    docs, skipped = files.read_inputs([write(tmp_path, "a.jsonl", "\n".join(lines).encode())])
    assert [d.text for d in docs] == ["First good article sentence.", "Second good article sentence."]
    assert [s.input.rsplit(":", 1)[1] for s in skipped] == ["2", "3", "5"]


@pytest.mark.parametrize("key,value", [("since_hours", "inf"), ("since_hours", "nan"), ("since_hours", "1e308"),
                                       ("timeout", "inf"), ("timeout", "nan"), ("timeout", "1e308"),
                                       ("max_mb", "inf"), ("max_mb", "nan"), ("max_mb", "1e308"),
                                       ("lock_wait", "1e308"), ("per_host", "10000000000")])
def test_config_numbers_must_be_finite_and_in_range(key, value):
    section = {"since_hours": "sources", "timeout": "fetch", "max_mb": "fetch", "per_host": "fetch",
               "lock_wait": "state"}[key]
    with pytest.raises(BriefError, match=key):
        configlib.from_toml(f"[{section}]\n{key} = {value}\n")


def test_empty_formats_is_an_error():
    with pytest.raises(BriefError, match="formats"):
        configlib.from_toml("[output]\nformats = []\n")


def test_brief_words_must_be_ascii_digits():
    with pytest.raises(BriefError, match="BRIEF_WORDS"):
        configlib.load(None, env={"BRIEF_WORDS": "²"})


def test_dir_pointing_at_a_file_and_state_under_a_file_are_one_line_errors(tmp_path):
    a_file = tmp_path / "file"
    a_file.write_text("x")
    with pytest.raises(BriefError, match="output folder"):
        daily.run(local_config(tmp_path, dir=str(a_file)), embedder=HashEmbedder(), now=DAY1)
    with pytest.raises(BriefError, match="state"):
        daily.run(local_config(tmp_path, state=str(a_file / "state.sqlite")), embedder=HashEmbedder(), now=DAY1)


def test_a_state_with_damaged_pages_is_a_one_line_error(tmp_path):
    cfg = local_config(tmp_path)
    daily.run(cfg, embedder=HashEmbedder(), now=DAY1)
    path = cfg.state_path
    data = bytearray(path.read_bytes())
    assert len(data) > 3 * 4096
    for page in range(1, len(data) // 4096):  # the header survives; every other page is garbage
        data[page * 4096:(page + 1) * 4096] = os.urandom(4096)
    path.write_bytes(bytes(data))
    with pytest.raises(BriefError, match="not usable"):
        daily.run(cfg, embedder=HashEmbedder(), now=DAY1 + dt.timedelta(days=1))


def test_an_unbalanced_ipv6_url_is_not_a_traceback(tmp_path):
    r = CliRunner().invoke(cli.app, ["make", "http://[::1", "-q"])
    assert r.exit_code == 2 and "Traceback" not in r.output, r.output
    assert not web.is_url("http://[::1")


def test_an_unexpected_error_in_one_source_is_a_skip_of_that_source(monkeypatch):
    real = web.page_doc

    def flaky(name, resp, entry=None):
        if name.endswith("/bad.html"):
            raise ZeroDivisionError("a bug in one page's handling")
        return real(name, resp, entry)

    monkeypatch.setattr(web, "page_doc", flaky)
    with Server() as s:
        s.routes["/bad.html"] = Route(b"<html><body><p>x</p></body></html>")
        s.routes["/ok.txt"] = Route(b"A sentence that stays. " * 5, content_type="text/plain")
        docs, skipped = web.fetch_all([s.url("/bad.html"), s.url("/ok.txt")])
    assert len(docs) == 1 and "ZeroDivisionError" in skipped[0].reason


def test_an_unexpected_error_in_one_article_is_a_skip_of_that_article(tmp_path, monkeypatch):
    from briefing import extract, pipeline

    real = extract.build_article

    def flaky(doc, i):
        if doc.input.endswith("bad.txt"):
            raise IndexError("a bug met by one article")
        return real(doc, i)

    monkeypatch.setattr(extract, "build_article", flaky)
    docs, skipped = files.read_inputs([write(tmp_path, "bad.txt", b"A sentence of news here today. " * 3),
                                       write(tmp_path, "good.txt", b"Another sentence of news here today. " * 3)])
    articles = pipeline.articles_from(docs, skipped)
    assert len(articles) == 1 and "IndexError" in skipped[0].reason


# ---- 3. bounded --------------------------------------------------------------------------------------------

class Endless(io.RawIOBase):
    """Standard input that never ends (/dev/zero), counting what was read."""

    def __init__(self):
        self.read_bytes = 0

    def readable(self):
        return True

    def read(self, n=-1):
        if n is None or n < 0:
            raise MemoryError("read everything of an endless stream")
        self.read_bytes += n
        return b"a" * n


def test_stdin_is_bounded_like_a_file():
    stream = Endless()
    docs, skipped = files.read_inputs(["-"], stdin=stream)
    assert docs == [] and "too large" in skipped[0].reason
    assert stream.read_bytes <= files.MAX_FILE_BYTES + 1


def test_the_state_is_pruned_after_keep_days(tmp_path):
    store = Store(tmp_path / "state.sqlite")
    try:
        store.remember([files.RawDocument(input="old", text="old text", kind="text", url="http://x/old")],
                       "2024-01-01T00:00:00", "2024-01-01")
        store.publish("2024-01-01", [("old story", {"http://x/old"}, [("a claim", ["ev"])])], "fp", {"md": "x" * 99},
                      0, "2024-01-01T07:00:00")
        store.publish("2024-06-01", [("new story", {"k"}, [("c", ["e"])])], "fp2", {"md": "y"}, 0, "2024-06-01T07:00")
        store.prune("2024-06-02", 90)
        db = store.db
        assert db.execute("SELECT count(*) FROM articles").fetchone()[0] == 0
        assert [r[0] for r in db.execute("SELECT headline FROM stories")] == ["new story"]
        assert db.execute("SELECT count(*) FROM claims").fetchone()[0] == 1
        assert db.execute("SELECT outputs FROM runs WHERE day = '2024-01-01'").fetchone()[0] == "{}"
    finally:
        store.close()


def test_keep_days_is_a_config_key():
    assert configlib.Config(**configlib.from_toml("[state]\nkeep_days = 30\n")).keep_days == 30


def test_double_gzip_is_refused_and_a_gzip_bomb_stops_at_the_limit():
    import gzip

    page = b"<html><body>" + b"<p>A sentence that stays the same.</p>" * 50_000 + b"</body></html>"  # ~1.9 MB
    once = gzip.compress(page, 9)
    twice = gzip.compress(once, 9)
    with Server() as s:
        s.routes["/twice"] = Route(twice, headers={"Content-Encoding": "gzip, gzip"})
        s.routes["/bomb"] = Route(gzip.compress(b"\0" * (50 * 1024 * 1024), 9), headers={"Content-Encoding": "gzip"})
        s.routes["/once"] = Route(once, headers={"Content-Encoding": "gzip"})
        with web.Fetcher(web.Limits(max_bytes=1024 * 1024)) as f:
            with pytest.raises(web.FetchError, match="more than one content encoding"):
                f.get(s.url("/twice"))
            with pytest.raises(web.FetchError, match="too large"):
                f.get(s.url("/bomb"))  # 50 KB on the wire, 50 MB decoded: stopped at 1 MB
            with pytest.raises(web.FetchError, match="too large"):
                f.get(s.url("/once"))
        with web.Fetcher(web.Limits(max_bytes=4 * 1024 * 1024)) as f:
            assert f.get(s.url("/once")).body == page


def _box_with_one(tmp_path):
    from briefing.deliver import outbox

    s = mail.EmailSettings.from_mapping({"host": "127.0.0.1", "port": 9, "security": "none",
                                         "from": "a@example.org", "to": ["b@example.org"], "attempts": 3,
                                         "backoff": 1, "timeout": 2})
    msg = mail.EmailMessage()
    msg["Message-ID"] = "<x@example.org>"
    msg["Subject"] = "digest"
    msg["From"], msg["To"] = "a@example.org", "b@example.org"
    msg.set_content("hi")
    box = outbox.Outbox()
    return box, box.add(msg, s), s


def test_an_outbox_id_naming_a_path_outside_the_outbox_is_refused(tmp_path):
    box, entry, _ = _box_with_one(tmp_path)
    victim = tmp_path / "victim.eml"
    victim.write_text("keep me")
    path = box.folder / f"{entry.id}.json"
    data = json.loads(path.read_text())
    data["id"] = os.path.relpath(tmp_path / "victim", box.folder)
    path.write_text(json.dumps(data))
    assert box.entries() == [] and "damaged" in box.problems[0].message
    with pytest.raises(BriefError):
        box.drop(data["id"])
    assert victim.read_text() == "keep me"


def test_a_message_waiting_past_max_age_expires_and_is_reported(tmp_path, monkeypatch):
    box, entry, s = _box_with_one(tmp_path)
    path = box.folder / f"{entry.id}.json"
    data = json.loads(path.read_text())
    data["created"] = (dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=8)).isoformat()
    path.write_text(json.dumps(data))
    [o] = box.flush(sleep=lambda s: None)
    assert o.expired and "expired" in o.error and box.entries() == []
    r = CliRunner().invoke(cli.app, ["outbox"])
    assert "empty" in r.stdout


def _age(box, entry, days: float) -> None:
    """Make `entry` look queued `days` ago."""
    path = box.folder / f"{entry.id}.json"
    data = json.loads(path.read_text())
    data["created"] = (dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=days)).isoformat()
    path.write_text(json.dumps(data))


def test_max_age_days_is_a_config_key_the_queued_message_keeps(tmp_path):
    from briefing.deliver import outbox

    assert mail.EmailSettings().max_age_days == 7 and "max_age_days" in mail.KEYS
    box, entry, s = _box_with_one(tmp_path)
    msg = mail.EmailMessage()
    msg["Message-ID"], msg["Subject"] = "<y@example.org>", "digest two"
    msg["From"], msg["To"] = "a@example.org", "b@example.org"
    msg.set_content("hi")
    patient = box.add(msg, mail.EmailSettings.from_mapping({**s.to_mapping(), "max_age_days": 30, "attempts": 1}))
    _age(box, entry, 8)
    _age(box, patient, 8)
    got = {o.entry.id: o for o in outbox.Outbox().flush(sleep=lambda x: None)}
    assert got[entry.id].expired and "after 7 days" in got[entry.id].error  # the default
    assert not got[patient.id].expired and got[patient.id].waiting  # queued with 30 days: tried, still waits
    assert [e.id for e in box.entries()] == [patient.id]
    _age(box, patient, 31)
    [o] = box.flush(sleep=lambda x: None)
    assert o.expired and "after 30 days" in o.error and box.entries() == []


def test_todays_max_age_days_applies_to_what_waits(tmp_path):
    box, entry, s = _box_with_one(tmp_path)
    _age(box, entry, 3)
    [o] = box.flush(sleep=lambda x: None, override=mail.EmailSettings.from_mapping({**s.to_mapping(),
                                                                                      "max_age_days": 4}))
    assert not o.expired and o.waiting and box.entries()  # 3 days < 4: tried, waits
    [o] = box.flush(sleep=lambda x: None, override=mail.EmailSettings.from_mapping({**s.to_mapping(),
                                                                                      "max_age_days": 2}))
    assert o.expired and "after 2 days" in o.error and box.entries() == []


def test_max_age_days_from_the_daily_config_expires_a_waiting_digest(tmp_path, monkeypatch):
    box, entry, s = _box_with_one(tmp_path)
    _age(box, entry, 2)
    config = tmp_path / "mail.toml"
    config.write_text('[email]\nhost = "127.0.0.1"\nport = 9\nsecurity = "none"\nmax_age_days = 1\n')
    r = CliRunner().invoke(cli.app, ["outbox", "--send", "--config", str(config)])
    assert r.exit_code == 4 and "expired unsent after 1 days" in r.stderr and "Traceback" not in r.output
    assert box.entries() == []
    config.write_text('[email]\nhost = "127.0.0.1"\nmax_age_days = 0\n')
    r = CliRunner().invoke(cli.app, ["outbox", "--send", "--config", str(config)])
    assert r.exit_code == 2 and "[email] max_age_days must be between 1 and 3650, not 0" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1


def test_a_message_from_an_earlier_run_is_tried_once_per_run(tmp_path):
    box, entry, s = _box_with_one(tmp_path)
    slept = []
    [o] = box.flush(sleep=slept.append)  # today's message: the full tries, with backoff
    assert o.waiting and box.entries()[0].tries == 3 and slept == [1, 2]
    slept.clear()
    [o] = box.flush(sleep=slept.append)  # the next run: one try, no waiting
    assert o.waiting and box.entries()[0].tries == 4 and slept == []


def test_a_server_that_stores_the_message_then_drops_gets_one_copy_a_run(tmp_path):
    server = EchoingSMTP(take_and_drop=True)
    try:
        s = mail.EmailSettings(host="127.0.0.1", port=server.port, security="none", sender="a@example.org",
                               to=("b@example.org",), timeout=5, attempts=3, backoff=0)
        got = mail.send(b"Subject: x\r\n\r\nhi\r\n", "a@example.org", ["b@example.org"], s, sleep=lambda x: None)
    finally:
        server.close()
    assert server.stored == 1 and got.tries == 1
    assert "after receiving the whole message" in got.error and got.deferred  # it waits; nothing is lost


def test_comma_separated_to_works_with_send():
    s = mail.EmailSettings.from_mapping({"host": "h", "from": "a@example.org", "to": ["a@example.org"]})
    assert s.with_overrides(to=["b@example.org,c@example.org", "d@example.org"]).to == \
        ("b@example.org", "c@example.org", "d@example.org")
    with pytest.raises(mail.EmailError, match="line break"):
        s.with_overrides(to=["b@example.org\r\nBcc: x@example.org"])


def test_templates_run_in_a_sandbox_without_the_environment(tmp_path, monkeypatch):
    import jinja2

    from briefing import render

    monkeypatch.setenv("BRIEF_SMTP_PASSWORD", "s3cret-in-env")
    (tmp_path / "briefing.md.j2").write_text(
        "{{ briefing.__class__.__init__.__globals__['os'].environ['BRIEF_SMTP_PASSWORD'] }}")
    class Obj:  # its __init__ has this module's globals, `os` among them
        def __init__(self):
            pass

    env = render.environment("md", tmp_path)
    with pytest.raises(jinja2.exceptions.SecurityError):
        env.get_template("briefing.md.j2").render(briefing=Obj())


# ---- 4. silently wrong -------------------------------------------------------------------------------------

def test_file_names_are_shown_escaped_and_valid_utf8(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "forged\nbrief: skipped everything.txt").write_bytes(b"")
    (folder / "esc\x1b[31mred.txt").write_bytes(b"")
    os.makedirs(os.fsencode(folder), exist_ok=True)
    with open(os.path.join(os.fsencode(folder), b"\xffbyte.txt"), "wb") as f:
        f.write(b"A sentence of news here. " * 3)
    docs, skipped = files.read_inputs([str(folder)])
    names = [s.input for s in skipped] + [d.input for d in docs] + [d.path for d in docs]
    for name in names:
        assert "\n" not in name and "\x1b" not in name
        name.encode("utf-8")  # no lone surrogate
    assert any("\\n" in n for n in names) and any("\\x1b" in n for n in names) and any("\\udcff" in n for n in names)


def test_an_unreadable_folder_is_named_even_as_root(tmp_path, monkeypatch):
    folder = tmp_path / "in"
    (folder / "locked").mkdir(parents=True)
    (folder / "locked" / "hidden.txt").write_text("A sentence of news here. " * 3)
    (folder / "a.txt").write_text("A sentence of news here. " * 3)
    real = os.scandir

    def scandir(path="."):  # what a folder without read permission does, for a user who is not root
        if os.fspath(path).endswith("locked"):
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)
    docs, skipped = files.read_inputs([str(folder)])
    assert len(docs) == 1 and "unreadable folder: Permission denied" in skipped[0].reason
    assert skipped[0].input.endswith("locked")


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root reads any folder")
def test_an_unreadable_folder_is_named(tmp_path):
    folder = tmp_path / "in"
    (folder / "locked").mkdir(parents=True)
    (folder / "a.txt").write_text("A sentence of news here. " * 3)
    os.chmod(folder / "locked", 0)
    try:
        docs, skipped = files.read_inputs([str(folder)])
    finally:
        os.chmod(folder / "locked", 0o755)
    assert len(docs) == 1 and "unreadable folder" in skipped[0].reason and "locked" in skipped[0].input


def test_utf16_without_a_bom_is_read():
    text = "The council voted on Monday to build a bridge over the river. " * 10
    for codec in ("utf-16-le", "utf-16-be"):
        assert files.decode(text.encode(codec)) == text
    with pytest.raises(files.Unusable, match="binary"):
        files.decode(bytes(range(256)) * 8)


@pytest.mark.parametrize("name,text,reason", [
    ("zh.txt", "市议会周一投票决定在河上修建一座新桥。该桥将耗资四百万美元，预计明年春天开放。", "not separated by spaces"),
    ("flat.txt", "council votes for new bridge\nbridge to cost four million dollars\nmayor says it links the town\n",
     "no line ends with sentence punctuation"),
    ("deep.html", "<html><body>" + "<div>" * 400 + "<p>The council voted on Monday to build a new bridge.</p>" * 5
     + "</div>" * 400 + "</body></html>", "nested 4"),
])
def test_text_the_tool_cannot_brief_gets_an_honest_reason(tmp_path, name, text, reason):
    from briefing import extract

    docs, skipped = files.read_inputs([write(tmp_path, name, text.encode("utf-8"))])
    with pytest.raises(extract.EmptyArticle, match=reason):
        extract.build_article(docs[0], 1)


# ---- 5. properties -----------------------------------------------------------------------------------------

@FAST
@given(data=st.binary(max_size=3000), suffix=st.sampled_from(["", ".txt", ".html", ".json", ".jsonl", ".md"]))
def test_any_file_bytes_give_documents_or_a_skip(data, suffix):
    skipped = []
    try:
        docs = files.parse_bytes(data, "x", suffix, None, skipped)
    except files.Unusable:
        return
    for d in docs:
        d.text.encode("utf-8")  # always writable


json_values = st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
                           lambda kids: st.lists(kids, max_size=4) | st.dictionaries(
                               st.sampled_from(["text", "title", "url", "html", "published", "source", "x"]),
                               kids, max_size=4), max_leaves=25)


@FAST
@given(value=json_values, suffix=st.sampled_from([".json", ".jsonl"]))
def test_any_json_shape_gives_documents_or_a_skip(value, suffix):
    data = json.dumps(value).encode()
    try:
        docs = files.parse_bytes(data, "x", suffix, None, [])
    except files.Unusable:
        return
    for d in docs:
        assert isinstance(d.text, str) and d.text.strip()


toml_numbers = st.sampled_from(["inf", "-inf", "nan", "1e308", "-1", "0", "0.0", "1", "2.5", "99999999999",
                                "true", '"5"', "[]", "[1]", "{}", "1_000"])


@FAST
@given(key=st.sampled_from(["[sources]\nsince_hours", "[fetch]\ntimeout", "[fetch]\nmax_mb", "[fetch]\nper_host",
                            "[fetch]\nparallel", "[state]\nlock_wait", "[state]\nkeep_days", "[briefing]\nwords",
                            "[briefing]\nmax_stories", "[output]\nformats", "[sources]\nfeeds"]),
       value=toml_numbers)
def test_any_config_value_loads_or_is_a_one_line_error(key, value):
    try:
        values = configlib.from_toml(f"{key} = {value}\n")
        cfg = configlib.load(None, env={}, **{k: v for k, v in values.items() if k != "sections"})
    except BriefError as e:
        assert "\n" not in e.message
        return
    for name in ("since_hours", "timeout", "max_mb", "lock_wait"):
        v = getattr(cfg, name)
        assert v == v and v != float("inf")
    assert cfg.formats
    dt.timedelta(hours=cfg.since_hours)  # usable as the job uses it


hosts = st.sampled_from(["127.1", "0", "2130706433", "0x7f.1", "0177.1", "[::1]", "[::ffff:7f00:1]", "10.1",
                         "169.254.169.254", "localhost", "LOCALHOST.", "[fe80::1]", "[::1", "news.example", "",
                         "a" * 300, "xn--nxasmq6b", "1.2.3.4.5"])


@FAST
@given(host=hosts, port=st.sampled_from(["", ":80", ":99999", ":x"]), path=st.text(max_size=20))
def test_is_internal_never_raises_and_numeric_loopback_is_internal(host, port, path):
    url = f"http://{host}{port}/{path}"
    result = web.is_internal(url)
    assert isinstance(result, bool)
    if host in ("127.1", "0", "2130706433", "0x7f.1", "0177.1", "[::1]", "10.1", "169.254.169.254", "localhost"):
        assert result


@pytest.fixture(scope="module")
def redirect_server():
    with Server() as s:
        s.routes["/ok.txt"] = Route(b"A sentence that stays. " * 5, content_type="text/plain")
        yield s


locations = st.one_of(
    st.sampled_from(["javascript:alert(1)", "data:,x", "mailto:a@b", "//evil.example/x", "/ok.txt", "ok.txt",
                     "http://[::1", "http://127.1:1/", "http://0/", "file:///etc/passwd", "", " ", "\t/ok.txt",
                     "http://news.example/ok.txt", "https://[fe80::1%25eth0]/"]),
    st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=40))


@hsettings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(location=locations, status=st.sampled_from([301, 302, 303, 307, 308]))
def test_any_redirect_is_a_page_or_a_skip(redirect_server, location, status):
    s = redirect_server
    s.routes["/go"] = Route(b"", status=status, headers={"Location": location})
    limits = web.Limits(timeout=2, deadline=4)
    with web.Fetcher(limits) as f:
        docs, skipped = web.fetch_all([s.url("/go")], fetcher=f)
    assert len(docs) + len(skipped) == 1
    for x in skipped:
        assert "\n" not in x.reason


@FAST
@given(user=st.text(alphabet=st.characters(min_codepoint=33, max_codepoint=126), max_size=12),
       password=st.text(alphabet=st.characters(min_codepoint=33, max_codepoint=126), min_size=8, max_size=24),
       head=st.sampled_from(["", "535 5.7.8 bad ", "AUTH PLAIN ", "334 "]), cut=st.integers(0, 80), form=st.sampled_from(["plain", "login", "raw", "twice"]))
def test_any_smtp_reply_holding_the_password_is_scrubbed(user, password, head, cut, form):
    blob = {"plain": base64.b64encode(f"\0{user}\0{password}".encode()).decode(),
            "twice": base64.b64encode(f"{user}\0{user}\0{password}".encode()).decode(),
            "login": base64.b64encode(password.encode()).decode(), "raw": password}[form]
    reply = mail._words(535, (head + blob)[:len(head) + cut] + " trailing words" * (cut % 2))
    out = mail._scrubbed(mail.Attempt(error=reply), password, user or None)
    framing = {"plain": len(user) + 2, "twice": 2 * len(user) + 2, "login": 0, "raw": 0}[form]
    secret = blob if form == "raw" else _pure_password_part(blob, framing)
    for n in range(6, len(secret) + 1):
        for i in range(0, len(secret) - n + 1):
            assert secret[i:i + n] not in out.error, (reply, out.error)
    if form == "raw":
        assert password not in out.error


@pytest.fixture
def fast_model(monkeypatch):
    from briefing.models import minilm

    monkeypatch.setattr(minilm, "shared", lambda kind=None: HashEmbedder())


GOOD = b"The council voted on Monday to build a new bridge over the river near the old station. " * 4


@hsettings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.one_of(st.binary(max_size=2000), json_values.map(lambda v: json.dumps(v).encode())),
       suffix=st.sampled_from([".txt", ".html", ".json", ".jsonl"]),
       name=st.text(alphabet=st.characters(blacklist_characters="/\0", blacklist_categories=["Cs"]),
                    min_size=1, max_size=12))
def test_no_file_makes_the_command_exit_1(tmp_path_factory, fast_model, data, suffix, name):
    folder = tmp_path_factory.mktemp("in")
    (folder / "good.txt").write_bytes(GOOD)
    try:
        (folder / (name + suffix)).write_bytes(data)
    except OSError:
        return  # a name this file system refuses
    r = CliRunner().invoke(cli.app, ["make", str(folder), "-q", "-f", "json"])
    assert r.exit_code in (0, 3), (r.exit_code, r.output, r.exception)
    json.loads(r.stdout)  # valid JSON (and so valid UTF-8) whatever the file names

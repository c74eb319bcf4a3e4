"""Email delivery against a real SMTP server on loopback: what the server received is read back and checked."""
from __future__ import annotations

import base64
import email
import socket
import sqlite3
from email import policy
from pathlib import Path

import pytest
from typer.testing import CliRunner

from briefing.deliver import mail, outbox
from briefing.cli import app
from briefing.errors import EXIT_NOT_SENT, EXIT_OK, EXIT_REJECTED, EXIT_USAGE
from briefing.types import Article, Briefing, Citation, Claim, Sentence, Story
from tests.smtp_server import (Server, free_port, make_certificate, password_authenticator,
                               server_tls_context)

PASSWORD = "Sw0rdf1sh-zq8!unique"
A, B, C = "ann@example.org", "bob@example.net", "cat@example.com"


@pytest.fixture(autouse=True)
def no_waiting(monkeypatch):
    """Backoff waits are recorded, not slept."""
    slept = []
    monkeypatch.setattr(mail, "_sleep", slept.append)
    for var in list(mail.ENV.values()) + [mail.DEFAULT_PASSWORD_ENV]:
        monkeypatch.delenv(var, raising=False)
    return slept


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    return make_certificate(tmp_path_factory.mktemp("tls"))


def briefing(title="State visit: talks in the capital") -> Briefing:
    sentences = [Sentence(0, "The president arrived on Monday.", 0), Sentence(1, "Talks <b>began</b> at noon.", 0)]
    art = Article(id=1, title="Visit begins", text=" ".join(s.text for s in sentences), sentences=sentences,
                  publisher="Daily <script>alert(1)</script>", url="https://news.example/visit")
    claims = [Claim("The president arrived on Monday.", [Citation(1, "The president arrived on Monday.")], key=True),
              Claim("Talks <b>began</b> at noon.", [Citation(1, "Talks <b>began</b> at noon.")])]
    return Briefing(title=title, generated_at="2026-11-22T07:00:00+00:00", model="minilm", articles=[art],
                    stories=[Story("The state visit", [1], claims)], skipped=[], words=250,
                    stats={"articles": 1, "claims": 2})


def settings(port, **kw) -> mail.EmailSettings:
    base = {"host": "127.0.0.1", "port": port, "security": "none", "from": "Brief <brief@example.org>",
            "to": [A, B], "timeout": 5, "attempts": 3, "backoff": 1}
    base.update(kw)
    return mail.EmailSettings.from_mapping(base)


def queue(s: mail.EmailSettings, b: Briefing | None = None) -> tuple[outbox.Outbox, outbox.Entry]:
    box = outbox.Outbox()
    return box, box.add(mail.compose(b or briefing(), s), s)


def parse(data: bytes):
    return email.message_from_bytes(data, policy=policy.default)


def sent_rows() -> list[tuple]:
    db = outbox.user_dir() / "state.sqlite"
    with sqlite3.connect(db) as con:
        return con.execute("SELECT message_id, recipient, status, detail FROM mail_deliveries "
                           "ORDER BY recipient").fetchall()


# ---- settings ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("mapping, words", [
    ({"host": "smtp.example.org", "security": "ssl"}, "security must be one of starttls, tls, none"),
    ({"host": "smtp.example.org", "port": 0}, "port must be between 1 and 65535"),
    ({"host": "smtp.example.org", "port": "abc"}, "port must be a number"),
    ({"host": "smtp.example.org", "port": True}, "port must be a whole number"),
    ({"host": "smtp.example.org", "hostname": "x"}, "unknown [email] key 'hostname'; valid keys: host, port"),
    ({"host": "smtp .example.org"}, "is not a host name"),
    ({"from": "me@example.org\r\nBcc: victim@example.org"}, "contains a line break"),
    ({"to": ["not an address"]}, "is not an email address"),
    ({"to": "a@b.example, c@d.example"}, "is not one email address"),
    ({"to": 5}, "to must be a list of addresses"),
    ({"subject": "{title.__class__}"}, "unknown field {title.__class__}; valid fields: {title}, {date}"),
    ({"subject": "{body}"}, "unknown field {body}"),
    ({"subject": "{title"}, "subject '{title'"),
    ({"username": "u", "password_env": "X", "password_file": "f"}, "both password_env and password_file"),
    ({"password_env": "BRIEF_SMTP_PASSWORD"}, "names a password but no username"),
    ({"username": "u", "password_env": "not a name"}, "password_env must be an environment variable's name"),
    ({"host": "smtp.example.org", "security": "none", "username": "u"}, "would send the password unencrypted"),
    ({"ca_file": "/nonexistent/ca.pem"}, "ca_file /nonexistent/ca.pem: no such file"),
    ({"timeout": -1}, "timeout must be between"),
    ({"attempts": 0}, "attempts must be between 1 and 10"),
    ({"attempts": float("inf")}, "attempts must be a whole number"),
    ({"attempts": float("nan")}, "attempts must be a whole number"),
    ({"max_age_days": 0}, "max_age_days must be between 1 and 3650, not 0"),
    ({"max_age_days": -3}, "max_age_days must be between 1 and 3650"),
    ({"max_age_days": 3651}, "max_age_days must be between 1 and 3650, not 3651"),
    ({"max_age_days": 1e308}, "max_age_days must be between 1 and 3650"),
    ({"max_age_days": 2.5}, "max_age_days must be a whole number"),
    ({"max_age_days": float("inf")}, "max_age_days must be a whole number"),
    ({"max_age_days": True}, "max_age_days must be a whole number"),
    ({"max_age_days": "a week"}, "max_age_days must be a number, not 'a week'"),
])
def test_bad_settings_get_a_clear_error(mapping, words):
    with pytest.raises(mail.EmailError) as e:
        mail.EmailSettings.from_mapping(mapping)
    assert words in e.value.message
    assert "\n" not in e.value.message


def test_a_password_in_the_config_is_refused_without_repeating_it():
    with pytest.raises(mail.EmailError) as e:
        mail.EmailSettings.from_mapping({"host": "smtp.example.org", "username": "u", "password": PASSWORD})
    assert PASSWORD not in str(e.value) + e.value.message + (e.value.hint or "")
    assert "password_env" in e.value.hint


def test_settings_defaults_environment_and_flags(tmp_path):
    s = mail.EmailSettings.from_mapping({"host": "smtp.example.org", "username": "me", "to": [A]},
                                        env={"BRIEF_SMTP_PORT": "2525", "BRIEF_SMTP_HOST": "mx.example.net"})
    assert (s.host, s.port, s.security, s.password_env) == ("mx.example.net", 2525, "starttls", "BRIEF_SMTP_PASSWORD")
    assert mail.EmailSettings.from_mapping({"security": "tls"}).port == 465
    s = s.with_overrides(sender="Me <me@example.org>", to=[B, B, C])
    assert s.to == (B, C) and s.envelope_sender == "me@example.org"
    # a relative password file is relative to the config file's folder
    s = mail.EmailSettings.from_mapping({"username": "u", "password_file": "secret"}, base_dir=tmp_path)
    assert s.password_file == str(tmp_path / "secret")
    with pytest.raises(mail.EmailError, match="cannot read the password file"):
        s.password()
    (tmp_path / "secret").write_text(PASSWORD + "\n")
    assert s.password() == PASSWORD
    assert PASSWORD not in repr(s) and PASSWORD not in str(s.to_mapping())


def test_missing_password_variable_is_named_not_guessed():
    s = mail.EmailSettings.from_mapping({"username": "u", "password_env": "MY_SMTP_PW"})
    with pytest.raises(mail.EmailError, match="environment variable MY_SMTP_PW .* is not set"):
        s.password()


# ---- the message ---------------------------------------------------------------------------------------------


def test_subject_from_template_and_no_header_injection_from_a_title():
    s = mail.EmailSettings.from_mapping({"from": "brief@example.org", "to": [A], "subject": "Daily: {title} ({date})"})
    msg = mail.compose(briefing("Evil\r\nBcc: victim@example.org\r\n\r\nbody" + "x" * 10_000), s)
    data = msg.as_bytes(policy=policy.SMTP)
    back = parse(data)
    assert back["Bcc"] is None
    subject = str(back["Subject"])
    assert subject.startswith("Daily: Evil Bcc: victim@example.org body") and subject.endswith("(2026-11-22)")
    assert len(subject) < 260 and "\n" not in subject
    assert back["Message-ID"].endswith("@example.org>") and back["Date"]


def test_composed_message_has_both_parts_and_escapes_article_text():
    s = mail.EmailSettings.from_mapping({"from": "brief@example.org", "to": [A, B]})
    back = parse(mail.compose(briefing(), s).as_bytes(policy=policy.SMTP))
    assert back.get_content_type() == "multipart/alternative"
    plain = back.get_body(("plain",)).get_content()
    html = back.get_body(("html",)).get_content()
    assert "The president arrived on Monday." in plain and "The president arrived on Monday." in html
    assert "<script>" not in html and "&lt;script&gt;" in html and "<b>began" not in html
    assert 'href="https://news.example/visit"' in html
    assert back["To"] == f"{A}, {B}"


# ---- delivery ------------------------------------------------------------------------------------------------


def test_delivers_to_several_recipients_with_both_parts():
    with Server() as server:
        s = settings(server.port, to=[A, B, C], subject="{title} — {date}")
        box, entry = queue(s)
        [o] = box.flush()
    assert o.done and sorted(o.delivered) == sorted([A, B, C])
    [got] = server.received
    assert sorted(got.rcpt_tos) == sorted([A, B, C]) and got.mail_from == "brief@example.org"
    msg = parse(got.data)
    assert msg["Message-ID"] == entry.message_id
    assert str(msg["Subject"]) == "State visit: talks in the capital — 2026-11-22"
    kinds = [p.get_content_type() for p in msg.iter_parts()]
    assert kinds == ["text/plain", "text/html"]
    assert "Talks" in msg.get_body(("plain",)).get_content()
    assert box.entries() == [] and not list(box.folder.glob("*.eml"))
    assert [(r, st) for _, r, st, _ in sent_rows()] == [(A, "sent"), (B, "sent"), (C, "sent")]


def test_starttls_with_a_self_signed_certificate_and_auth(certificate, monkeypatch):
    cert, key = certificate
    monkeypatch.setenv("BRIEF_SMTP_PASSWORD", PASSWORD)
    with Server(tls_context=server_tls_context(cert, key), require_starttls=True, auth_required=True,
                authenticator=password_authenticator(b"brief", PASSWORD.encode())) as server:
        s = settings(server.port, security="starttls", ca_file=str(cert), username="brief")
        box, _ = queue(s)
        [o] = box.flush()
    assert o.done and o.error is None, o.error
    assert server.handler.logins == [(b"brief", True)]
    assert len(server.received) == 1 and sorted(server.received[0].rcpt_tos) == sorted([A, B])


def test_an_untrusted_certificate_is_not_accepted_and_the_message_waits(certificate, no_waiting):
    cert, key = certificate
    with Server(tls_context=server_tls_context(cert, key), require_starttls=True) as server:
        s = settings(server.port, security="starttls")  # the system's authorities: the test's CA is not one
        box, entry = queue(s)
        [o] = box.flush()
    assert not o.done and o.permanent and "certificate" in o.error and "not trusted" in o.error
    assert server.received == [] and no_waiting == []  # a certificate problem is not retried
    [waiting] = box.entries()
    assert waiting.id == entry.id and waiting.pending == [A, B] and "certificate" in waiting.reason


def test_implicit_tls(certificate):
    cert, key = certificate
    with Server(ssl_context=server_tls_context(cert, key)) as server:
        [o] = queue(settings(server.port, security="tls", ca_file=str(cert)))[0].flush()
    assert o.done and len(server.received) == 1


def test_no_plain_text_fallback_when_starttls_is_missing():
    with Server() as server:  # offers no STARTTLS
        [o] = queue(settings(server.port, security="starttls"))[0].flush()
    assert not o.done and o.permanent and "does not offer STARTTLS" in o.error
    assert server.received == []


def test_temporary_4xx_then_success(no_waiting):
    with Server() as server:
        server.handler.data_plan = ["451 4.3.0 Mailbox busy, try later"]
        box, entry = queue(settings(server.port, backoff=7))
        [o] = box.flush()
    assert o.done and sorted(o.delivered) == [A, B]
    assert no_waiting == [7]  # one wait, the configured backoff
    assert len(server.received) == 1  # the 451 transaction delivered nothing; the second one everything


def test_a_recipient_deferred_by_4xx_is_retried_alone(no_waiting):
    with Server() as server:
        server.handler.rcpt_plan = {B: ["450 4.2.1 Mailbox busy", "450 4.2.1 Mailbox busy"]}
        box, entry = queue(settings(server.port, backoff=2))
        [o] = box.flush()
    assert o.done and no_waiting == [2, 4]  # backoff doubles
    assert [r.rcpt_tos for r in server.received] == [[A], [B]]  # A once, B once


def test_backoff_exhausted_the_message_waits_and_a_later_run_sends_only_the_rest(no_waiting):
    with Server() as server:
        server.handler.rcpt_plan = {B: ["450 4.2.1 Mailbox busy"] * 3}
        box, entry = queue(settings(server.port, backoff=1))
        [o] = box.flush()
        assert o.delivered == [A] and list(o.waiting) == [B] and "450 4.2.1 Mailbox busy" in o.waiting[B]
        [waiting] = box.entries()
        assert waiting.pending == [B] and waiting.tries == 3 and "Mailbox busy" in waiting.reason
        [o2] = box.flush()
        assert o2.done and o2.delivered == [B]
        assert box.flush() == []
    assert [r.rcpt_tos for r in server.received] == [[A], [B]]


def test_a_rejected_recipient_is_reported_with_the_servers_words_and_not_retried(no_waiting):
    with Server() as server:
        server.handler.rcpt_plan = {C: ["550 5.1.1 <cat@example.com>: Recipient address rejected: User unknown"]}
        box, entry = queue(settings(server.port, to=[A, C]))
        [o] = box.flush()
    assert o.done and o.delivered == [A]
    assert o.rejected == {C: "550 5.1.1 <cat@example.com>: Recipient address rejected: User unknown"}
    assert no_waiting == [] and box.entries() == []
    assert [r.rcpt_tos for r in server.received] == [[A]]
    assert ("rejected", "550 5.1.1 <cat@example.com>: Recipient address rejected: User unknown") in \
        [(st, d) for _, r, st, d in sent_rows() if r == C]


def test_a_message_refused_at_data_is_rejected_for_every_recipient():
    with Server() as server:
        server.handler.data_plan = ["554 5.7.1 Message refused as spam"]
        [o] = queue(settings(server.port))[0].flush()
    assert o.rejected == {A: "554 5.7.1 Message refused as spam", B: "554 5.7.1 Message refused as spam"}
    assert server.received == []


def test_a_server_that_never_answers_times_out_and_the_message_waits(no_waiting):
    with socket.socket() as listener:  # accepts connections (the kernel's backlog) but never says a word
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        box, _ = queue(settings(listener.getsockname()[1], timeout=0.3, attempts=2))
        [o] = box.flush()
    assert not o.done and not o.permanent and "did not answer within 0.3 s" in o.error
    assert no_waiting == [1]


def test_a_down_server_is_tried_once_per_flush_not_once_per_message(no_waiting):
    s = settings(free_port(), attempts=2)
    box = outbox.Outbox()
    for title in ("one", "two", "three"):
        box.add(mail.compose(briefing(title), s), s)
    outcomes = box.flush()
    assert len(outcomes) == 3 and no_waiting == [1]  # the first message's retries only
    assert "refused the connection" in outcomes[0].error and outcomes[2].error.startswith("not tried:")
    assert len(box.entries()) == 3


# ---- a run that dies halfway -----------------------------------------------------------------------------------


def test_dies_after_the_server_took_it_next_run_does_not_send_again(monkeypatch):
    with Server() as server:
        box, entry = queue(settings(server.port))

        def killed(self, entry):
            raise KeyboardInterrupt("killed")  # the process dies before the outbox entry is removed

        with monkeypatch.context() as m:
            m.setattr(outbox.Outbox, "_remove", killed)
            with pytest.raises(KeyboardInterrupt):
                box.flush()
        assert len(server.received) == 1 and [e.pending for e in box.entries()] == [[]]
        assert "to: (everyone has it" in cli("outbox").stdout
        [o] = outbox.Outbox().flush()  # the next run
        assert o.done and o.delivered == []
    assert len(server.received) == 1 and outbox.Outbox().entries() == []


def test_dies_before_connecting_next_run_sends_it(monkeypatch):
    with Server() as server:
        box, entry = queue(settings(server.port))
        with monkeypatch.context() as m:
            m.setattr(mail, "send_once", lambda *a, **k: (_ for _ in ()).throw(SystemExit(137)))
            with pytest.raises(SystemExit):
                box.flush()
        assert server.received == [] and [e.id for e in box.entries()] == [entry.id]
        [o] = outbox.Outbox().flush()
    assert o.done and len(server.received) == 1


def test_the_same_message_queued_twice_is_one_entry_and_sent_once():
    with Server() as server:
        s = settings(server.port)
        msg = mail.compose(briefing(), s)
        box = outbox.Outbox()
        assert box.add(msg, s).id == box.add(msg, s).id
        box.flush()
        box.add(msg, s)  # queued again after delivery: the log knows
        [o] = box.flush()
    assert o.delivered == [] and len(server.received) == 1


def test_a_damaged_entry_does_not_hold_back_the_others():
    with Server() as server:
        box, entry = queue(settings(server.port))
        box.folder.joinpath("0000bad.json").write_text("{not json")
        [o] = box.flush()
    assert o.done and len(server.received) == 1
    assert "0000bad.json is damaged" in box.problems[0].message


# ---- the command line ------------------------------------------------------------------------------------------


@pytest.fixture
def fast_model(monkeypatch, hash_embedder):
    from briefing.models import minilm

    monkeypatch.setattr(minilm, "shared", lambda kind=None: hash_embedder)


def cli(*args, env=None):
    result = CliRunner().invoke(app, list(args), env=env, catch_exceptions=False)
    return result


def smtp_env(port, **extra):
    return {"BRIEF_SMTP_HOST": "127.0.0.1", "BRIEF_SMTP_PORT": str(port), "BRIEF_SMTP_SECURITY": "none", **extra}


def test_cli_server_down_waits_exit_code_says_so_later_run_delivers_once(seeds, fast_model, no_waiting):
    port = free_port()
    r = cli("make", str(seeds), "-q", "--send", "--to", A, "--to", B, "--from", "brief@example.org",
            env=smtp_env(port))
    assert r.exit_code == EXIT_NOT_SENT, r.stderr
    assert "refused the connection" in r.stderr and "waits in the outbox" in r.stderr
    assert len(no_waiting) == 2  # three tries, two waits
    listing = cli("outbox")
    assert listing.exit_code == 0 and f"to: {A}, {B}" in listing.stdout and "tried 3 times" in listing.stdout
    assert "refused the connection" in listing.stdout
    with Server(port=port) as server:
        r = cli("outbox", "--send")
        assert r.exit_code == EXIT_OK, r.stderr
        assert f"to {A}, {B}" in r.stderr
        again = cli("outbox", "--send")
        assert again.exit_code == EXIT_OK and "sent" not in again.stderr
    assert len(server.received) == 1 and sorted(server.received[0].rcpt_tos) == [A, B]
    assert "The outbox is empty" in cli("outbox").stdout


def test_cli_next_make_also_retries_what_waits(seeds, fast_model):
    port = free_port()
    env = smtp_env(port, BRIEF_SMTP_FROM="brief@example.org")
    assert cli("make", str(seeds), "-q", "--send", "--to", A, env=env).exit_code == EXIT_NOT_SENT
    with Server(port=port) as server:
        r = cli("make", str(seeds), "-q", "--send", "--to", A, env=env)
    assert r.exit_code == EXIT_OK, r.stderr
    ids = [parse(m.data)["Message-ID"] for m in server.received]
    assert len(ids) == 2 and len(set(ids)) == 2  # yesterday's digest, then today's: each once


def test_cli_rejected_recipient_exit_code_and_words(seeds, fast_model):
    with Server() as server:
        server.handler.rcpt_plan = {C: ["550 5.1.1 User unknown"]}
        r = cli("make", str(seeds), "-q", "--send", "--to", A, "--to", C, "--from", "brief@example.org",
                env=smtp_env(server.port))
    assert r.exit_code == EXIT_REJECTED
    assert f"{C} was refused by the mail server: 550 5.1.1 User unknown" in r.stderr
    assert [m.rcpt_tos for m in server.received] == [[A]]


def test_cli_dry_run_writes_or_holds_and_sends_nothing(seeds, fast_model, tmp_path):
    with Server() as server:
        env = smtp_env(server.port)
        out = tmp_path / "digest.eml"
        r = cli("make", str(seeds), "-q", "--dry-run", "--to", A, "--from", "brief@example.org", "-o", str(out),
                env=env)
        assert r.exit_code == EXIT_OK, r.stderr
        msg = parse(out.read_bytes())
        assert msg.get_content_type() == "multipart/alternative" and msg["To"] == A
        r = cli("make", str(seeds), "-q", "--dry-run", "--to", A, "--from", "brief@example.org", "-o", "-", env=env)
        assert r.exit_code == EXIT_OK and parse(r.stdout_bytes)["To"] == A
        assert not (outbox.user_dir() / "outbox").exists()  # written out, not held
        r = cli("make", str(seeds), "-q", "--dry-run", "--send", "--to", B, "--from", "brief@example.org", env=env)
        assert r.exit_code == EXIT_OK and "held in the outbox" in r.stderr
        assert "held (--dry-run)" in cli("outbox").stdout
        assert (outbox.user_dir() / "outbox").stat().st_mode & 0o077 == 0  # private to the user
        assert server.received == []
        # a daily run does not send a held preview; an explicit `outbox --send` does
        cli("make", str(seeds), "-q", "--send", "--to", C, "--from", "brief@example.org", env=env)
        assert [m.rcpt_tos for m in server.received] == [[C]]
        assert cli("outbox", "--send").exit_code == EXIT_OK
    assert [m.rcpt_tos for m in server.received] == [[C], [B]]


def test_cli_drop(seeds, fast_model):
    r = cli("make", str(seeds), "-q", "--dry-run", "--to", A, "--from", "brief@example.org")
    entry_id = r.stderr.split("held in the outbox as ")[1].split(";")[0]
    assert cli("outbox", "--drop", entry_id).exit_code == 0
    assert "The outbox is empty" in cli("outbox").stdout
    bad = cli("outbox", "--drop", "nothing")
    assert bad.exit_code == EXIT_USAGE and "no outbox entry 'nothing'" in bad.stderr


@pytest.mark.parametrize("args, words", [
    (["--send", "--from", "brief@example.org"], "no recipient"),
    (["--send", "--to", A], "no sender address"),
    (["--send", "--to", "a@b.example\r\nBcc: x@y.example", "--from", "b@c.example"], "line break"),
    (["--send", "--to", A, "--from", "b@c.example", "--format", "json"], "--format json cannot be sent"),
])
def test_cli_bad_mail_flags_fail_before_any_work(seeds, args, words):
    r = cli("make", str(seeds), "-q", *args, env={"BRIEF_SMTP_HOST": "127.0.0.1"})
    assert r.exit_code == EXIT_USAGE and words in r.stderr and r.stderr.count("\n") == 1


def test_cli_no_server_configured(seeds):
    r = cli("make", str(seeds), "-q", "--send", "--to", A, "--from", "b@c.example")
    assert r.exit_code == EXIT_USAGE and "no mail server" in r.stderr and "BRIEF_SMTP_HOST" in r.stderr


def test_cli_second_sender_at_once_is_told_the_first_is_busy(seeds, fast_model):
    import fcntl

    port = free_port()
    box = outbox.Outbox()
    box.folder.mkdir(parents=True)
    with open(box.folder / ".lock", "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        r = cli("make", str(seeds), "-q", "--send", "--to", A, "--from", "b@c.example", env=smtp_env(port))
    assert r.exit_code == EXIT_NOT_SENT and "another brief is sending mail" in r.stderr
    assert len(box.entries()) == 1  # the digest is not lost


# ---- the password ------------------------------------------------------------------------------------------------


def secret_forms():
    return [PASSWORD, base64.b64encode(PASSWORD.encode()).decode(),
            base64.b64encode(f"\0brief\0{PASSWORD}".encode()).decode()[:-4]]


def test_the_password_never_appears_anywhere(seeds, fast_model, certificate, tmp_path):
    cert, key = certificate
    outputs = []
    # a hostile server that repeats the password it got in its refusal
    with Server(tls_context=server_tls_context(cert, key), require_starttls=True, auth_required=True,
                authenticator=password_authenticator(b"brief", b"other", echo=True)) as server:
        env = smtp_env(server.port, BRIEF_SMTP_SECURITY="starttls", BRIEF_SMTP_USERNAME="brief",
                       BRIEF_SMTP_CA_FILE=str(cert), BRIEF_SMTP_PASSWORD=PASSWORD)
        r = cli("make", str(seeds), "-q", "--send", "--to", A, "--from", "brief@example.org", env=env)
        outputs += [r.stdout, r.stderr]
        assert r.exit_code == EXIT_NOT_SENT and "refused the login for brief: 535 5.7.8 bad password ***" in r.stderr
        for args in (["outbox"], ["outbox", "--send"]):
            r = cli(*args, env=env)
            outputs += [r.stdout, r.stderr]
        box = outbox.Outbox()
        [o] = box.flush()
        outputs += [repr(o), repr(box.entries()), repr(mail.EmailSettings.from_mapping({}, env=env))]
    assert server.handler.logins and not any(ok for _, ok in server.handler.logins)
    files = [p.read_bytes() for p in outbox.user_dir().rglob("*") if p.is_file()]
    assert any(p.suffix == ".sqlite" for p in outbox.user_dir().rglob("*")) and len(files) >= 3
    blob = "\n".join(outputs).encode() + b"\n".join(files)
    for form in secret_forms():
        assert form.encode() not in blob, form


def test_the_password_file_is_read_at_login(certificate, tmp_path):
    cert, key = certificate
    (tmp_path / "pw").write_text(PASSWORD + "\n")
    with Server(tls_context=server_tls_context(cert, key), require_starttls=True, auth_required=True,
                authenticator=password_authenticator(b"brief", PASSWORD.encode())) as server:
        s = settings(server.port, security="starttls", ca_file=str(cert), username="brief",
                     password_file=str(tmp_path / "pw"))
        [o] = queue(s)[0].flush()
    assert o.done and server.handler.logins == [(b"brief", True)]
    assert PASSWORD.encode() not in b"".join(p.read_bytes() for p in outbox.user_dir().rglob("*") if p.is_file())


def test_cli_outbox_send_uses_the_server_configured_now(seeds, fast_model):
    wrong = free_port()
    r = cli("make", str(seeds), "-q", "--send", "--to", A, "--from", "brief@example.org", env=smtp_env(wrong))
    assert r.exit_code == EXIT_NOT_SENT
    with Server() as server:  # the user fixes the server's port, then retries
        r = cli("outbox", "--send", env=smtp_env(server.port))
    assert r.exit_code == EXIT_OK, r.stderr
    assert [m.rcpt_tos for m in server.received] == [[A]]


def test_non_ascii_address_is_refused_before_sending():
    with pytest.raises(mail.EmailError, match="is not an email address"):
        mail.EmailSettings.from_mapping({"to": ["jürgen@example.org"]})


def test_a_process_killed_mid_run_loses_nothing_and_sends_nothing_twice(tmp_path):
    """A real SIGKILL, not an exception: A has the message, B was deferred, the run dies in its backoff wait."""
    import os
    import signal
    import subprocess
    import sys
    import time

    with Server() as server:
        server.handler.rcpt_plan = {B: ["450 4.2.1 Mailbox busy"]}
        box, entry = queue(settings(server.port, backoff=60))
        child = subprocess.Popen([sys.executable, "-c", "from briefing.deliver import outbox; outbox.Outbox().flush()"],
                                 cwd=Path(__file__).resolve().parent.parent, env=dict(os.environ))
        try:
            deadline = time.monotonic() + 30
            while not server.received and time.monotonic() < deadline and child.poll() is None:
                time.sleep(0.05)
            assert [r.rcpt_tos for r in server.received] == [[A]]
            while not box.log.done(entry.message_id) and time.monotonic() < deadline:
                time.sleep(0.05)
            time.sleep(0.1)  # the child is in its 60 s backoff wait (or about to be: either way, mid-run)
        finally:
            child.send_signal(signal.SIGKILL)
            child.wait(timeout=30)
        assert child.returncode == -signal.SIGKILL
        [waiting] = box.entries()
        assert waiting.pending == [B]  # A was recorded the moment the server took it
        [o] = box.flush()  # the next run: the dead run's lock is gone with it
    assert o.done and o.delivered == [B]
    assert [r.rcpt_tos for r in server.received] == [[A], [B]]


def test_daily_config_with_an_email_section_sends_without_the_flag(seeds, fast_model, tmp_path, no_waiting):
    port = free_port()
    cfg = tmp_path / "briefing.toml"
    cfg.write_text(f'''[sources]
paths = ["{seeds}"]
[output]
dir = "{tmp_path / 'out'}"
formats = ["md"]
[email]
host = "127.0.0.1"
port = {port}
security = "none"
from = "brief@example.org"
to = ["{A}", "{B}"]
''')
    r = cli("make", "--config", str(cfg), "-q")
    assert r.exit_code == EXIT_NOT_SENT, r.stderr  # no server yet: it waits
    with Server(port=port) as server:
        r = cli("outbox", "--send", "--config", str(cfg))
        assert r.exit_code == EXIT_OK, r.stderr
    [got] = server.received
    assert sorted(got.rcpt_tos) == sorted([A, B])
    assert list((tmp_path / "out").glob("*.md"))

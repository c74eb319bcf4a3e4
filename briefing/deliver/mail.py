"""Email: settings from the [email] section, the digest as a message, and SMTP delivery with retries.

The password is never held by a settings object: it is read from the environment variable or the file
that the settings name, at the moment of login, and scrubbed from any text that leaves this module.
Everything the server says is untrusted too: it is flattened to one bounded line before it is shown.
"""
from __future__ import annotations

import base64
import dataclasses
import ipaddress
import math
import os
import re
import smtplib
import socket
import ssl
import string
import time
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import parseaddr
from pathlib import Path
from typing import Callable, Iterable, Mapping

from briefing import tuning
from briefing.deliver.email_message import DEFAULT_SUBJECT, build_message, parse_addresses, subject_for
from briefing.errors import BriefError
from briefing.safe_text import clip

SECURITY = ("starttls", "tls", "none")
DEFAULT_PORTS = {"starttls": 587, "tls": 465, "none": 25}
DEFAULT_PASSWORD_ENV = "BRIEF_SMTP_PASSWORD"
SUBJECT_FIELDS = ("title", "date")
# The keys of the [email] section, in the order `brief init` documents them.
KEYS = ("host", "port", "security", "username", "password_env", "password_file", "from", "to", "subject",
        "ca_file", "timeout", "attempts", "backoff", "helo", "max_age_days")
# The environment overrides the config file (and flags override both): handy for cron and containers.
ENV = {"host": "BRIEF_SMTP_HOST", "port": "BRIEF_SMTP_PORT", "security": "BRIEF_SMTP_SECURITY",
       "username": "BRIEF_SMTP_USERNAME", "from": "BRIEF_SMTP_FROM", "ca_file": "BRIEF_SMTP_CA_FILE"}
# The most days [email] max_age_days may keep a waiting message: ten years is a typo, not a wish (a bound).
MAX_AGE_DAYS = 3650
_sleep = time.sleep  # tests replace it, so that backoff costs no time


class EmailError(BriefError):
    """Bad [email] settings: a one-line message that never contains the password."""


@dataclass(frozen=True)
class EmailSettings:
    """Where and how to send. Holds the *name* of the password's variable or file, never the password."""

    host: str | None = None
    port: int = DEFAULT_PORTS["starttls"]
    security: str = "starttls"
    username: str | None = None
    password_env: str | None = None
    password_file: str | None = None
    sender: str | None = None  # the [email] key "from"
    to: tuple[str, ...] = ()
    subject: str = DEFAULT_SUBJECT
    ca_file: str | None = None
    timeout: float = 30.0
    attempts: int = 3
    backoff: float = 10.0  # seconds before the second try; doubled before each further one
    helo: str | None = None
    max_age_days: int = tuning.OUTBOX_MAX_AGE_DAYS  # a message waiting longer in the outbox expires, reported

    @classmethod
    def from_mapping(cls, mapping: Mapping | None, env: Mapping[str, str] | None = None,
                     base_dir: str | Path | None = None) -> "EmailSettings":
        """Settings from a parsed [email] section, then the BRIEF_SMTP_* environment; EmailError if wrong."""
        mapping = dict(mapping or {})
        if "password" in mapping:
            # Say where the password must go; never repeat what was written.
            raise EmailError("the [email] section must not hold the password",
                             "name an environment variable with password_env, or a file with password_file")
        unknown = sorted(k for k in mapping if k not in KEYS)
        if unknown:
            raise EmailError(f"unknown [email] key {str(unknown[0])[:40]!r}; valid keys: {', '.join(KEYS)}")
        for key, var in ENV.items():
            if env and env.get(var, "").strip():
                mapping[key] = env[var].strip()
        return _build(mapping, base_dir)

    def to_mapping(self) -> dict:
        """The settings as an [email] mapping (no password: there is none to give)."""
        out = {}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if value is None:
                continue
            out["from" if f.name == "sender" else f.name] = list(value) if f.name == "to" else value
        return out

    def with_overrides(self, sender: str | None = None, to: Iterable[str] | None = None) -> "EmailSettings":
        """Flags (--from, --to) over the config and environment."""
        mapping = self.to_mapping()
        if sender:
            mapping["from"] = sender
        if to:
            # "--to a@x,b@x" and "--to a@x --to b@x" alike; each address is then checked on its own.
            mapping["to"] = [one for item in to for one in _split_addresses(item)]
        return _build(mapping, None)

    @property
    def envelope_sender(self) -> str:
        return parseaddr(self.sender or "")[1]

    def check_sendable(self, need_server: bool = True) -> None:
        """What a message needs before it can be built (from, to) and sent (host)."""
        if not self.sender:
            raise EmailError("no sender address", "give --from, or set from in the [email] section")
        if not self.to:
            raise EmailError("no recipient", "give --to (once per address), or set to in the [email] section")
        if need_server and not self.host:
            raise EmailError("no mail server", f"set host in the [email] section, or {ENV['host']}")

    def password(self) -> str | None:
        """The password, read now from the environment variable or file the settings name."""
        if not self.username:
            return None
        if self.password_file:
            path = Path(self.password_file)
            try:
                secret = path.read_text(encoding="utf-8").rstrip("\r\n")
            except OSError as e:
                raise EmailError(f"cannot read the password file {path}: {e.strerror or type(e).__name__}") from None
            if not secret:
                raise EmailError(f"the password file {path} is empty")
            return secret
        var = self.password_env or DEFAULT_PASSWORD_ENV
        secret = os.environ.get(var)
        if not secret:
            raise EmailError(f"the environment variable {var} (the SMTP password) is not set",
                             "export it before running brief, or name a file with password_file")
        return secret


def _build(m: dict, base_dir: str | Path | None) -> EmailSettings:
    security = _text(m, "security", "starttls").lower()
    if security not in SECURITY:
        raise EmailError(f"[email] security must be one of {', '.join(SECURITY)}, not {security[:40]!r}")
    host = _text(m, "host", None)
    if host is not None and (not re.fullmatch(r"[A-Za-z0-9._:\[\]-]+", host) or len(host) > 255):
        raise EmailError(f"[email] host {host[:80]!r} is not a host name or address")
    port = _number(m, "port", DEFAULT_PORTS[security], int, 1, 65535)
    username = _text(m, "username", None)
    password_env = _text(m, "password_env", None)
    password_file = _text(m, "password_file", None)
    if password_env and password_file:
        raise EmailError("[email] names both password_env and password_file; keep one")
    if password_env and not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", password_env):
        raise EmailError(f"[email] password_env must be an environment variable's name, like {DEFAULT_PASSWORD_ENV}")
    if (password_env or password_file) and not username:
        raise EmailError("[email] names a password but no username")
    if username and not (password_env or password_file):
        password_env = DEFAULT_PASSWORD_ENV
    if password_file:
        password_file = str(_resolve(password_file, base_dir))
    if username and security == "none" and not _is_loopback(host):
        raise EmailError("[email] security = \"none\" would send the password unencrypted",
                         "use security = \"starttls\" or \"tls\" (only a server on this machine may go without)")
    sender = m.get("from")
    if sender is not None:
        sender = check_address(sender, "[email] from")
    to = m.get("to", [])
    if isinstance(to, str):
        to = [to]
    if not isinstance(to, (list, tuple)):
        raise EmailError("[email] to must be a list of addresses")
    recipients = []
    for address in to:
        bare = parseaddr(check_address(address, "[email] to"))[1]
        if bare not in recipients:
            recipients.append(bare)
    subject = _text(m, "subject", DEFAULT_SUBJECT)
    check_subject_template(subject)
    ca_file = _text(m, "ca_file", None)
    if ca_file is not None:
        ca_file = str(_resolve(ca_file, base_dir))
        if not Path(ca_file).is_file():
            raise EmailError(f"[email] ca_file {ca_file}: no such file")
    helo = _text(m, "helo", None)
    if helo is not None and not re.fullmatch(r"[A-Za-z0-9.\[\]:-]{1,255}", helo):
        raise EmailError("[email] helo must be a host name")
    return EmailSettings(
        host=host, port=port, security=security, username=username, password_env=password_env,
        password_file=password_file, sender=sender, to=tuple(recipients), subject=subject, ca_file=ca_file,
        timeout=_number(m, "timeout", 30.0, float, 0.1, 600), attempts=_number(m, "attempts", 3, int, 1, 10),
        backoff=_number(m, "backoff", 10.0, float, 0, 3600), helo=helo,
        max_age_days=_number(m, "max_age_days", tuning.OUTBOX_MAX_AGE_DAYS, int, 1, MAX_AGE_DAYS))


def _split_addresses(item: str) -> list[str]:
    """'a@x, Bo <b@x>' -> ['a@x', 'Bo <b@x>']; one address (or one that won't parse) comes back as it was,
    so that check_address names it."""
    import unicodedata
    from email.headerregistry import Address
    from email.utils import getaddresses

    if not isinstance(item, str) or any(unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") for ch in item):
        return [item]  # check_address refuses it whole (a line break is an injection, not a separator)
    pairs = getaddresses([item])
    if len(pairs) < 2:
        return [item]
    try:
        return [str(Address(display_name=name, addr_spec=addr)) for name, addr in pairs]
    except (ValueError, IndexError, TypeError):
        return [item]


def _text(m: dict, key: str, default):
    value = m.get(key, default)
    if value is None or value is default:
        return value
    if not isinstance(value, str) or not value.strip():
        raise EmailError(f"[email] {key} must be a non-empty string")
    if any(ch in value for ch in "\r\n\0"):
        raise EmailError(f"[email] {key} must not contain a line break")
    return value.strip()


def _number(m: dict, key: str, default, kind, low, high):
    value = m.get(key, default)
    if isinstance(value, str):
        try:
            value = kind(value.strip())
        except ValueError:
            raise EmailError(f"[email] {key} must be a number, not {value[:40]!r}") from None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or (
            kind is int and not (math.isfinite(value) and value == int(value))):
        raise EmailError(f"[email] {key} must be {'a whole number' if kind is int else 'a number'}")
    if not low <= value <= high:  # nan too: it compares false
        raise EmailError(f"[email] {key} must be between {low} and {high}, not {value}")
    return kind(value)


def _resolve(path: str, base_dir) -> Path:
    p = Path(path).expanduser()
    return p if p.is_absolute() or base_dir is None else Path(base_dir) / p


def _is_loopback(host: str | None) -> bool:
    if host in (None, "localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_address(value, what: str) -> str:
    """One address, 'me@example.org' or 'Me <me@example.org>', by email_message's one address check."""
    try:
        found = parse_addresses(value, what)
    except BriefError as e:
        raise EmailError(e.message, e.hint) from None
    if len(found) != 1:
        raise EmailError(f"{what}: {value.strip()[:80]!r} is not one email address (give each address separately)")
    return value.strip()


def check_subject_template(template: str) -> None:
    """Only {title} and {date}: a template must not reach into objects or fail at send time."""
    try:
        parts = list(string.Formatter().parse(template))
    except ValueError as e:
        raise EmailError(f"[email] subject {template[:80]!r}: {e} (write a literal brace as {{{{ or }}}})") from None
    for _, name, spec, conversion in parts:
        if name is None:
            continue
        if name not in SUBJECT_FIELDS or spec or conversion:
            raise EmailError(f"[email] subject {template[:80]!r}: unknown field {{{name[:40]}}}; "
                             f"valid fields: {{title}}, {{date}}")


def one_line(text: str, limit: int) -> str:
    """Untrusted text (a title, a server's reply) as one bounded line with no control characters."""
    return clip(text, limit)


# ---- the message -------------------------------------------------------------------------------------------


def compose(briefing, settings: EmailSettings, templates_dir: str | Path | None = None) -> EmailMessage:
    """The digest as an email to settings.to, with the configured Subject (email_message builds the message)."""
    settings.check_sendable(need_server=False)
    subject = subject_for(briefing, settings.subject, date=briefing.generated_at[:10])
    return build_message(briefing, settings.sender, list(settings.to), templates_dir, subject=subject)


# ---- delivery --------------------------------------------------------------------------------------------


@dataclass
class Attempt:
    """What one or more SMTP sessions achieved for one message."""

    delivered: list[str] = field(default_factory=list)
    deferred: dict[str, str] = field(default_factory=dict)  # recipient -> why (temporary: try again later)
    rejected: dict[str, str] = field(default_factory=dict)  # recipient -> the server's words (permanent)
    error: str | None = None  # a failure of the whole session, if any
    permanent: bool = False  # that failure won't pass by itself (auth, certificate, sender refused)
    tries: int = 0


def tls_context(settings: EmailSettings) -> ssl.SSLContext:
    """Certificate and host name checked; ca_file replaces the system's trusted authorities."""
    try:
        return ssl.create_default_context(cafile=settings.ca_file)
    except (OSError, ssl.SSLError) as e:
        raise EmailError(f"[email] ca_file {settings.ca_file}: not a usable certificate file ({e})") from None


def _words(code, reply) -> str:
    if isinstance(reply, bytes):
        reply = reply.decode("utf-8", "replace")
    return one_line(f"{code} {reply}" if code not in (None, -1) else str(reply), 300)


def _temporary(code) -> bool:
    return not (isinstance(code, int) and 500 <= code <= 599)


def send_once(data: bytes, sender: str, recipients: list[str], settings: EmailSettings,
              on_delivered: Callable[[list[str]], None] = lambda rs: None) -> Attempt:
    """One SMTP session. `on_delivered` runs as soon as the server has taken the message, before QUIT."""
    out = Attempt(tries=1)
    secret = None
    smtp = None
    body_sent: list[bool] = []
    where = f"{settings.host}:{settings.port}"

    def session_error(text: str, permanent: bool):
        out.error, out.permanent = text, permanent
        out.deferred = {r: text for r in recipients}

    try:
        if not settings.host:
            raise EmailError("no mail server", f"set host in the [email] section, or {ENV['host']}")
        context = tls_context(settings) if settings.security != "none" else None
        if settings.security == "tls":
            smtp = smtplib.SMTP_SSL(settings.host, settings.port, local_hostname=settings.helo,
                                    timeout=settings.timeout, context=context)
        else:
            smtp = smtplib.SMTP(settings.host, settings.port, local_hostname=settings.helo, timeout=settings.timeout)
        smtp.ehlo_or_helo_if_needed()
        if settings.security == "starttls":
            if not smtp.has_extn("starttls"):
                # Never fall back to plain text: that is exactly what an attacker in the middle would arrange.
                raise smtplib.SMTPNotSupportedError(f"{where} does not offer STARTTLS")
            smtp.starttls(context=context)
            smtp.ehlo()
        if settings.username:
            secret = settings.password()
            if not (secret.isascii() and settings.username.isascii()):
                # smtplib's AUTH encodes as ASCII; a UnicodeEncodeError would be a traceback, not a reason.
                raise EmailError("the SMTP username or password has non-ASCII characters, which SMTP AUTH "
                                 "cannot send", "use an ASCII password (an app password) for the mail server")
            smtp.login(settings.username, secret)
        options = ["BODY=8BITMIME"] if any(b > 127 for b in data) and smtp.has_extn("8bitmime") else []
        _watch_body(smtp, body_sent)
        refused = smtp.sendmail(sender, recipients, data, mail_options=options)
        accepted = [r for r in recipients if r not in refused]
        out.delivered = accepted
        on_delivered(accepted)
        for r, (code, reply) in refused.items():
            (out.deferred if _temporary(code) else out.rejected)[r] = _words(code, reply)
    except EmailError as e:
        session_error(e.message + (f" ({e.hint})" if e.hint else ""), True)
    except smtplib.SMTPRecipientsRefused as e:
        for r in recipients:
            code, reply = e.recipients.get(r, (421, "the server closed the session before this recipient"))
            (out.deferred if _temporary(code) else out.rejected)[r] = _words(code, reply)
    except smtplib.SMTPDataError as e:
        words = _words(e.smtp_code, e.smtp_error)
        if _temporary(e.smtp_code):
            out.deferred = {r: words for r in recipients}
        else:
            out.rejected = {r: words for r in recipients}
    except smtplib.SMTPAuthenticationError as e:
        session_error(f"{where} refused the login for {settings.username}: {_words(e.smtp_code, e.smtp_error)}",
                      not _temporary(e.smtp_code))
    except smtplib.SMTPSenderRefused as e:
        session_error(f"{where} refused the sender {sender}: {_words(e.smtp_code, e.smtp_error)}",
                      not _temporary(e.smtp_code))
    except smtplib.SMTPNotSupportedError as e:
        session_error(f"{one_line(str(e), 200)}; no mail was sent unencrypted" if "STARTTLS" in str(e)
                      else f"{where}: {one_line(str(e), 200)}", True)
    except smtplib.SMTPResponseException as e:
        session_error(f"{where}: {_words(e.smtp_code, e.smtp_error)}", not _temporary(e.smtp_code))
    except smtplib.SMTPServerDisconnected as e:
        if body_sent:
            # The whole message reached the server, which then hung up before saying whether it took it.
            # Sending again now may deliver it twice; it waits for the next run (or `brief outbox --send`).
            session_error(f"{where} closed the connection after receiving the whole message, without saying "
                          "whether it took it; not sent again in this run", True)
        elif isinstance(e.__context__, (TimeoutError, socket.timeout)):  # smtplib wraps a read timeout
            session_error(f"{where} did not answer within {settings.timeout:g} s", False)
        else:
            session_error(f"{where} closed the connection ({one_line(str(e), 120) or 'no reason given'})",
                          False)
    except ssl.SSLCertVerificationError as e:
        session_error(f"the certificate of {where} is not trusted: {one_line(e.verify_message or str(e), 200)} "
                      f"(set ca_file to trust a private authority)", True)
    except ssl.SSLError as e:
        session_error(f"TLS with {where} failed: {one_line(e.reason or str(e), 200)}", True)
    except (TimeoutError, socket.timeout):
        session_error(f"{where} did not answer within {settings.timeout:g} s", False)
    except ConnectionRefusedError:
        session_error(f"{where} refused the connection (is the mail server down?)", False)
    except OSError as e:
        session_error(f"cannot reach {where}: {one_line(e.strerror or str(e), 200)}", False)
    finally:
        if smtp is not None:
            try:
                smtp.quit()
            except Exception:  # the message is taken or not by now; a failed goodbye changes nothing
                smtp.close()
    return _scrubbed(out, secret, settings.username)


def secret_forms(secret: str, username: str | None = None) -> list[str]:
    """Every form in which a password can come back from a server: as typed, as AUTH PLAIN and AUTH LOGIN
    send it (base64 of the password, of "\\0user\\0password"), and the part of its base64 that does not depend
    on what precedes it, at each of the three byte alignments, so any framing of it is caught. Longest first."""
    raw = secret.encode("utf-8")
    forms = {secret, base64.b64encode(raw).decode()}
    for framing in (f"\0{username or ''}\0", f"{username or ''}\0{username or ''}\0", "\0\0"):
        forms.add(base64.b64encode(framing.encode("utf-8") + raw).decode())
    for pad in range(3):
        enc = base64.b64encode(b"\0" * pad + raw).decode()
        start, end = -(-8 * pad // 6), 8 * (pad + len(raw)) // 6  # characters made of the password's bits only
        if end - start >= 4:
            forms.add(enc[start:end])
    return sorted((f for f in forms if f), key=len, reverse=True)


SCRUB_MIN = tuning.DELIVER_SCRUB_MIN  # a run this long of a secret's form is a leak: see tuning.py


def scrub(text: str, forms: list[str]) -> str:
    """`text` with every form of the secret, and every run of SCRUB_MIN or more of its characters (a reply
    cut short mid-password, or one that quotes part of it), replaced by ***."""
    for f in forms:
        text = text.replace(f, "***")
    for f in forms:
        for size in range(len(f) - 1, SCRUB_MIN - 1, -1):
            for i in range(len(f) - size + 1):
                if f[i:i + size] in text:
                    text = text.replace(f[i:i + size], "***")
    body = text[:-1] if text.endswith("…") else text
    for f in forms:
        for n in range(min(len(f), len(body), SCRUB_MIN - 1), 2, -1):  # a cut-short tail of 3 to 5
            if body.endswith(f[:n]):
                return body[:-n] + "***"
    return text


def _watch_body(smtp: smtplib.SMTP, flag: list[bool]) -> None:
    """Set `flag` once the message body has been sent (smtplib sends it ending in CRLF.CRLF)."""
    send = smtp.send

    def watched(s):
        send(s)
        if isinstance(s, bytes) and s.endswith(b"\r\n.\r\n"):
            flag.append(True)

    smtp.send = watched


def _scrubbed(out: Attempt, secret: str | None, username: str | None = None) -> Attempt:
    """A server may echo what it got; the password (plain or base64, as AUTH sends it) must not come back."""
    if not secret:
        return out
    forms = secret_forms(secret, username)

    def clean(text):
        return scrub(text, forms)

    out.error = clean(out.error) if out.error else out.error
    out.deferred = {r: clean(t) for r, t in out.deferred.items()}
    out.rejected = {r: clean(t) for r, t in out.rejected.items()}
    return out


def send(data: bytes, sender: str, recipients: list[str], settings: EmailSettings,
         sleep: Callable[[float], None] | None = None,
         on_delivered: Callable[[list[str]], None] = lambda rs: None) -> Attempt:
    """Up to settings.attempts sessions, waiting backoff, 2×backoff, … between them; only temporary
    failures are tried again, and only for the recipients still waiting."""
    sleep = sleep or _sleep
    total = Attempt()
    pending = list(recipients)
    for i in range(settings.attempts):
        if i:
            sleep(settings.backoff * 2 ** (i - 1))
        got = send_once(data, sender, pending, settings, on_delivered)
        total.tries += 1
        total.delivered += got.delivered
        total.rejected.update(got.rejected)
        total.deferred = got.deferred
        total.error, total.permanent = got.error, got.permanent
        pending = list(got.deferred)
        if not pending or got.permanent:
            break
    return total

"""A briefing as an RFC 5322 email: multipart/alternative with a text/plain and an inlined-CSS HTML part.

build_message() is what both `--format email` (an .eml file) and mail delivery use. Article text
reaches the headers only through the Subject, and only as one clipped line: no CR or LF, no
control characters. Addresses come from the user, and are checked before they become headers.
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, getaddresses, make_msgid
from pathlib import Path
from typing import Iterable

from briefing import render, tuning
from briefing.errors import BriefError
from briefing.safe_text import clip, human_date
from briefing.types import Briefing

# Characters of the title in the Subject, and of the whole Subject: see tuning.py.
SUBJECT_TITLE_LIMIT, SUBJECT_LIMIT = tuning.DELIVER_SUBJECT_TITLE_LIMIT, tuning.DELIVER_SUBJECT_LIMIT
DEFAULT_SUBJECT = "{title} — {date}"
# An addr-spec as people write one (dot-atom local part, ASCII domain); no quoted local parts.
_ADDR = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
                   r"@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$")
HINT = "for example ann@example.org"


def parse_addresses(value: str | Iterable[str], what: str) -> list[Address]:
    """'a@x.org', 'Ann <a@x.org>', or several separated by commas -> Addresses; BriefError if any is bad.
    The one address check: flags, the [email] settings (mail.check_address) and the message all use it."""
    values = [value] if isinstance(value, str) else list(value)
    out: list[Address] = []
    for v in values:
        if not isinstance(v, str) or not v.strip():
            raise BriefError(f"{what}: an address must be a non-empty string")
        shown = v.strip()[:80]
        if any(unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") for ch in v):
            raise BriefError(f"{what}: {shown!r} contains a line break or a control character")
        pairs = getaddresses([v])
        if not pairs or any(not addr for _, addr in pairs):
            raise BriefError(f"{what}: {shown!r} is not an email address", hint=HINT)
        for name, addr in pairs:
            if len(addr) > 254 or not _ADDR.match(addr):
                raise BriefError(f"{what}: {addr[:80]!r} is not an email address", hint=HINT)
            local, domain = addr.rsplit("@", 1)
            out.append(Address(display_name=clip(name, 100), username=local, domain=domain))
    if not out:
        raise BriefError(f"{what}: no address given")
    return out


def subject_line(template: str, title: str, date: str) -> str:
    """The one Subject builder: `template` with {title} and {date}, each and the whole on one bounded line."""
    return clip(template.format(title=clip(title, SUBJECT_TITLE_LIMIT), date=clip(date, 40)), SUBJECT_LIMIT)


def subject_for(b: Briefing, template: str = DEFAULT_SUBJECT, date: str | None = None) -> str:
    """'<title> — <day>' (or a user's template), on one line and bounded, whatever the title holds."""
    return subject_line(template, b.title, human_date(b.generated_at, with_time=False) if date is None else date)


def inline_css(html: str) -> str:
    import css_inline

    # Remote stylesheets are never fetched: the templates link none, and article text can't add one.
    inliner = css_inline.CSSInliner(load_remote_stylesheets=False, keep_style_tags=False)
    try:
        return inliner.inline(html)
    except css_inline.InlineError as e:  # a user's template with CSS the inliner can't take
        raise BriefError(f"template email.html.j2: its CSS could not be inlined: {e}") from None


def build_message(b: Briefing, sender: str, recipients: str | Iterable[str],
                  templates_dir: str | Path | None = None, subject: str | None = None) -> EmailMessage:
    """The briefing as one email, ready to write to an .eml file or to send; `subject`: subject_for's by default."""
    from_addr = parse_addresses(sender, "--from")
    if len(from_addr) != 1:
        raise BriefError(f"--from {sender!r}: give exactly one sender")
    to_addrs = parse_addresses(recipients, "--to")
    text = render.render_template(b, "email.txt.j2", "text", templates_dir)
    html = inline_css(render.render_template(b, "email.html.j2", "email", templates_dir))
    try:
        when = dt.datetime.fromisoformat(b.generated_at)
    except ValueError:
        when = dt.datetime.now(dt.timezone.utc)
    if when.tzinfo is None:
        when = when.astimezone()

    msg = EmailMessage(policy=policy.SMTP)
    msg["Subject"] = subject if subject is not None else subject_for(b)
    msg["From"] = from_addr[0]
    msg["To"] = to_addrs
    msg["Date"] = format_datetime(when)
    # The one Message-ID: the sender's domain, not this machine's name (no DNS lookup, nothing about the host leaks).
    msg["Message-ID"] = make_msgid(idstring="brief", domain=from_addr[0].domain)
    msg["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation auto-replies to a digest
    msg.set_content(text, subtype="plain", charset="utf-8", cte="quoted-printable")
    msg.add_alternative(html, subtype="html", charset="utf-8", cte="quoted-printable")
    return msg


def message_bytes(msg: EmailMessage) -> bytes:
    """The message as an .eml file holds it: CRLF line ends, 7-bit clean."""
    return msg.as_bytes(policy=policy.SMTP)

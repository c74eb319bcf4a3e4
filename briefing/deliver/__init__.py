"""Delivery: files written atomically (files.py), the email message (email_message.py), SMTP and the
[email] settings (mail.py), and the outbox that holds what could not be sent yet (outbox.py).

The functions here are what the CLI calls; they print nothing and return what happened (an exit code
and the lines to tell the user), and the CLI says it. The mail modules load on first use.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from briefing.deliver.files import replace_atomically, write_atomic
from briefing.errors import EXIT_NOT_SENT, EXIT_OK, EXIT_REJECTED

__all__ = ["Delivery", "check_addresses", "email_text", "email_settings", "email_digest", "flush_outbox", "held_line",
           "queue_digest", "replace_atomically", "write_atomic"]


@dataclass
class Delivery:
    """What a delivery did: its exit code, what to tell the user (line, is it an error), and bytes for stdout."""

    code: int = EXIT_OK
    lines: list[tuple[str, bool]] = field(default_factory=list)
    stdout: bytes | None = None

    def say(self, line: str, error: bool = False) -> None:
        self.lines.append((line, error))


def check_addresses(sender, to) -> None:
    """A bad --from or --to is an error now, before the slow work."""
    from briefing.deliver import email_message

    email_message.parse_addresses(sender, "--from")
    email_message.parse_addresses(to, "--to")


def email_text(result, sender, to, templates) -> str:
    """The briefing as a whole email message (--format email), not sent."""
    from briefing.deliver import email_message

    return email_message.message_bytes(email_message.build_message(result, sender, to, templates)).decode("ascii")


def email_settings(section, to, sender, need_server: bool | None, base_dir=None):
    """The [email] settings: config section < BRIEF_SMTP_* environment < --to/--from flags.
    need_server None: only the server part is wanted (brief outbox --send), so nothing is checked."""
    import os

    from briefing.deliver import mail

    settings = mail.EmailSettings.from_mapping(section, env=os.environ, base_dir=base_dir)
    settings = settings.with_overrides(sender=sender, to=to)
    if need_server is not None:
        settings.check_sendable(need_server=need_server)
    return settings


def email_digest(result, settings, output: str | None, dry_run: bool, templates, quiet: bool) -> Delivery:
    """Build the digest's email; write it (-o), hold it (--dry-run), or queue and send it."""
    from email import policy

    from briefing.deliver import mail, outbox

    msg = mail.compose(result, settings, templates)
    done = Delivery()
    if dry_run and output:
        data = msg.as_bytes(policy=policy.SMTP)
        if output == "-":
            done.stdout = data
            return done
        write_atomic(output, data.decode("ascii", "surrogateescape"))
        if not quiet:
            done.say(f"wrote {output} (not sent: --dry-run)")
        return done
    box = outbox.Outbox()
    entry = box.add(msg, settings, status=outbox.HELD if dry_run else outbox.WAITING)
    if dry_run:
        done.say(held_line(entry))
        return done
    # Older messages still waiting go first: the next daily run is also the retry. Today's server settings
    # apply to them too, so a fixed config also unblocks what waits.
    return report(box.flush(override=settings), box, quiet)


def queue_digest(result, settings, dry_run: bool, templates):
    """Compose the digest's email and put it in the outbox (held for --dry-run), unsent; the outbox entry.
    The daily job calls it before it records the day, so a digest is never recorded and not queued."""
    from briefing.deliver import mail, outbox

    msg = mail.compose(result, settings, templates)
    return outbox.Outbox().add(msg, settings, status=outbox.HELD if dry_run else outbox.WAITING)


def held_line(entry) -> str:
    return (f"not sent (--dry-run): held in the outbox as {entry.id}; "
            f"`brief outbox --send` sends it, `brief outbox --drop {entry.id}` discards it")


def flush_outbox(override, quiet: bool, include_held: bool = False) -> Delivery:
    """Try again what waits in the outbox (with `override`'s server, where given)."""
    from briefing.deliver import outbox

    box = outbox.Outbox()
    return report(box.flush(include_held=include_held, override=override), box, quiet)


def report(outcomes, box, quiet: bool) -> Delivery:
    """What was sent, what waits and what was refused; the exit code for the worst of it."""
    done = Delivery()
    for e in box.problems:
        done.say(f"error: {e.message}" + (f" ({e.hint})" if e.hint else ""), error=True)
        done.code = EXIT_NOT_SENT
    for o in outcomes:
        label = f"{o.entry.id} \u201c{o.entry.subject}\u201d"
        if o.delivered and not quiet:
            done.say(f"sent {label} to {', '.join(o.delivered)}")
        if o.expired:
            done.say(f"error: {label} was never delivered to {', '.join(o.waiting)}: {o.error}; dropped",
                     error=True)
            if done.code != EXIT_REJECTED:
                done.code = EXIT_NOT_SENT
            continue
        for rcpt, words in o.rejected.items():
            done.say(f"error: {rcpt} was refused by the mail server: {words}", error=True)
            done.code = EXIT_REJECTED
        if o.waiting:
            who = ", ".join(o.waiting)
            done.say(f"not sent {label} to {who}: {o.entry.reason or o.error}; it waits in the outbox "
                     f"(retried by `brief outbox --send` and the next run)", error=True)
            if done.code != EXIT_REJECTED:
                done.code = EXIT_NOT_SENT
    return done

"""The outbox: every message is written here before it is sent, and leaves only once each recipient has it.

Layout, under the user folder (BRIEF_HOME, else the platform's data folder):

    outbox/<id>.eml    the message exactly as it will be sent (CRLF line ends)
    outbox/<id>.json   who it goes to, through which server (the password's *name* only), and why it waits
    state.sqlite       table mail_deliveries: which Message-ID went to which recipient, or was rejected

Writing first and sending second means a run that dies at any point loses nothing; recording each recipient
the moment the server takes the message means the next run sends only to those still waiting.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import os
import re
import sqlite3
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from pathlib import Path
from typing import Callable

from briefing import tuning
from briefing.config import home
from briefing.deliver import mail
from briefing.deliver.files import replace_atomically
from briefing.errors import EXIT_NOT_SENT, BriefError
from briefing.store import Lock

HELD = "held"  # a --dry-run copy: listed, sent only by an explicit `brief outbox --send`
WAITING = "waiting"
MAX_AGE = dt.timedelta(days=tuning.OUTBOX_MAX_AGE_DAYS)  # then it expires, and the run says so: see tuning.py
ENTRY_ID = re.compile(r"[0-9a-f]{16}")  # sha256 prefix, as add() makes it: never a path


# The user folder (BRIEF_HOME, else the platform's data folder) has one definition: config.home.
user_dir = home


def now() -> str:
    return dt.datetime.now(dt.timezone.utc).astimezone().isoformat(timespec="seconds")


class DeliveryLog:
    """Per Message-ID and recipient: sent or rejected. The first record wins, so nothing flips back."""

    def __init__(self, path: Path):
        self.path = path

    @contextmanager
    def _db(self):
        # Made on first use, so that merely listing an empty outbox leaves nothing behind.
        self.path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(self.path, timeout=30)
        try:
            db.execute("""CREATE TABLE IF NOT EXISTS mail_deliveries (
                            message_id TEXT NOT NULL, recipient TEXT NOT NULL,
                            status TEXT NOT NULL CHECK (status IN ('sent', 'rejected')),
                            at TEXT NOT NULL, detail TEXT,
                            PRIMARY KEY (message_id, recipient))""")
            with db:  # one transaction, committed on success
                yield db
        finally:
            db.close()

    def done(self, message_id: str) -> dict[str, tuple[str, str | None]]:
        with self._db() as db:
            rows = db.execute("SELECT recipient, status, detail FROM mail_deliveries WHERE message_id = ?",
                              (message_id,)).fetchall()
        return {r: (s, d) for r, s, d in rows}

    def mark(self, message_id: str, recipients: dict[str, str | None] | list[str], status: str) -> None:
        items = recipients.items() if isinstance(recipients, dict) else ((r, None) for r in recipients)
        at = now()
        with self._db() as db:
            db.executemany("INSERT OR IGNORE INTO mail_deliveries VALUES (?, ?, ?, ?, ?)",
                           [(message_id, r, status, at, d) for r, d in items])


@dataclass
class Entry:
    id: str
    message_id: str
    subject: str
    sender: str
    recipients: list[str]
    settings: dict  # an [email] mapping, without a password (there is none to store)
    created: str
    status: str = WAITING
    tries: int = 0
    last_try: str | None = None
    reason: str | None = None
    pending: list[str] = field(default_factory=list)  # filled from the delivery log when listed


@dataclass
class Outcome:
    """What one flush did for one entry."""

    entry: Entry
    delivered: list[str] = field(default_factory=list)
    waiting: dict[str, str] = field(default_factory=dict)
    rejected: dict[str, str] = field(default_factory=dict)
    error: str | None = None
    permanent: bool = False
    expired: bool = False  # waited longer than the outbox's max_age: dropped unsent

    @property
    def done(self) -> bool:
        return not self.waiting


class Busy(BriefError):
    exit_code = EXIT_NOT_SENT


class Outbox:
    def __init__(self, home: str | Path | None = None, db_path: str | Path | None = None,
                 max_age: dt.timedelta = MAX_AGE):
        self.max_age = max_age
        self.home = Path(home) if home else user_dir()
        self.folder = self.home / "outbox"
        self.log = DeliveryLog(Path(db_path) if db_path else self.home / "state.sqlite")
        self.problems: list[BriefError] = []  # damaged entries met by the last entries()

    # -- adding and listing ---------------------------------------------------------------------------

    def add(self, msg: EmailMessage, settings: mail.EmailSettings, status: str = WAITING) -> Entry:
        """Write the message and its envelope; the same Message-ID twice is one entry."""
        message_id = str(msg["Message-ID"] or "").strip()
        if not message_id:
            raise BriefError("the message has no Message-ID")
        settings.check_sendable(need_server=False)
        entry_id = hashlib.sha256(message_id.encode()).hexdigest()[:16]
        existing = self._load(self.folder / f"{entry_id}.json")
        if existing:
            return existing
        entry = Entry(id=entry_id, message_id=message_id, subject=mail.one_line(msg["Subject"] or "", 250),
                      sender=settings.envelope_sender, recipients=list(settings.to),
                      settings={k: v for k, v in settings.to_mapping().items() if k not in ("to", "from")},
                      created=now(), status=status)
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)  # digests and addresses are private
        _write(self.folder / f"{entry_id}.eml", msg.as_bytes(policy=policy.SMTP))
        self._save(entry)  # last: an entry exists only once its message is safely on disk
        return entry

    def entries(self) -> list[Entry]:
        """What waits, oldest first, each with the recipients that still need it."""
        if not self.folder.is_dir():
            return []
        out = []
        self.problems = []
        for path in sorted(self.folder.glob("*.json")):
            try:
                entry = self._load(path)
            except BriefError as e:  # one damaged entry must not hold back the others
                self.problems.append(e)
                continue
            if entry is None:
                continue
            done = self.log.done(entry.message_id)
            entry.pending = [r for r in entry.recipients if r not in done]
            out.append(entry)
        return sorted(out, key=lambda e: (e.created, e.id))

    def message(self, entry: Entry) -> bytes:
        return (self.folder / f"{entry.id}.eml").read_bytes()

    def drop(self, entry_id: str) -> Entry:
        for entry in self.entries():
            if entry.id == entry_id or (len(entry_id) >= 4 and entry.id.startswith(entry_id)):
                self._remove(entry)
                return entry
        raise BriefError(f"no outbox entry {entry_id[:40]!r}", "`brief outbox` lists them")

    # -- sending --------------------------------------------------------------------------------------

    def flush(self, sleep: Callable[[float], None] | None = None, include_held: bool = False,
              override: mail.EmailSettings | None = None) -> list[Outcome]:
        """Send what waits, oldest first. `override` (a config's [email]) replaces the stored server settings."""
        outcomes = []
        with self._lock():
            down: dict[tuple, str] = {}  # a server that stayed unreachable is not tried again in this flush
            for entry in self.entries():
                if entry.status == HELD and not include_held:
                    continue
                outcomes.append(self._send(entry, sleep, override, down))
        return outcomes

    def _send(self, entry: Entry, sleep, override, down) -> Outcome:
        out = Outcome(entry)
        max_age = self._max_age(entry, override)
        if self._expired(entry, max_age):
            out.expired = True
            out.error = f"expired unsent after {max_age.days} days in the outbox"
            out.waiting = {r: out.error for r in entry.pending}
            self._remove(entry)
            return out
        done = self.log.done(entry.message_id)
        out.rejected = {r: d or "rejected" for r, (s, d) in done.items() if s == "rejected" and r in entry.recipients}
        if not entry.pending:
            self._remove(entry)
            return out
        try:
            stored = {**entry.settings, "from": entry.sender, "to": entry.recipients}
            settings = mail.EmailSettings.from_mapping(stored)
            if override is not None:
                settings = _server_of(override, settings)
            if entry.tries:
                # Tried in an earlier run already: once per run now, no backoff, so a stuck digest can't
                # add minutes to every run (it expires after max_age).
                settings = dataclasses.replace(settings, attempts=1)
        except mail.EmailError as e:
            out.error, out.permanent = e.message, True
            out.waiting = {r: e.message for r in entry.pending}
            self._note(entry, 0, out.error)
            return out
        server = (settings.host, settings.port, settings.security)
        if server in down:
            out.error = f"not tried: {down[server]}"
            out.waiting = {r: out.error for r in entry.pending}
            self._note(entry, 0, out.error)
            return out
        result = mail.send(self.message(entry), entry.sender, entry.pending, settings, sleep=sleep,
                           on_delivered=lambda rs: self.log.mark(entry.message_id, rs, "sent"))
        if result.rejected:
            self.log.mark(entry.message_id, result.rejected, "rejected")
        out.delivered = result.delivered
        out.rejected.update(result.rejected)
        out.waiting = result.deferred
        out.error, out.permanent = result.error, result.permanent
        if result.error and not result.permanent and not result.delivered:
            down[server] = result.error
        if out.waiting:
            reasons = sorted(set(out.waiting.values()))
            self._note(entry, result.tries, reasons[0] if len(reasons) == 1 else "; ".join(reasons)[:500])
        else:
            self._remove(entry)
        return out

    # -- files ----------------------------------------------------------------------------------------

    def _note(self, entry: Entry, tries: int, reason: str) -> None:
        entry.tries += tries
        entry.last_try = now() if tries else entry.last_try
        entry.reason = reason
        entry.status = WAITING
        self._save(entry)

    def _save(self, entry: Entry) -> None:
        data = {k: v for k, v in entry.__dict__.items() if k != "pending"}
        _write(self.folder / f"{entry.id}.json", (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode())

    def _load(self, path: Path) -> Entry | None:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            data.pop("pending", None)
            entry = Entry(**data)
        except FileNotFoundError:
            return None
        except (OSError, ValueError, TypeError) as e:
            raise BriefError(f"the outbox entry {path} is damaged ({type(e).__name__})",
                             "move it away, then run brief again") from None
        if not isinstance(entry.id, str) or not ENTRY_ID.fullmatch(entry.id) or entry.id != path.stem:
            raise BriefError(f"the outbox entry {path} is damaged (its id is not its own)",
                             "move it away, then run brief again")
        if not (self.folder / f"{entry.id}.eml").is_file():
            raise BriefError(f"the outbox entry {path} has lost its message {entry.id}.eml",
                             f"remove it with `brief outbox --drop {entry.id}`")
        return entry

    def _max_age(self, entry: Entry, override: mail.EmailSettings | None) -> dt.timedelta:
        """How long `entry` may wait: today's [email] max_age_days (`override`) as for the server, else the
        value of the config that queued it, else the outbox's own."""
        if override is not None:
            return dt.timedelta(days=override.max_age_days)
        days = entry.settings.get("max_age_days") if isinstance(entry.settings, dict) else None
        if isinstance(days, int) and not isinstance(days, bool) and 1 <= days <= mail.MAX_AGE_DAYS:
            return dt.timedelta(days=days)
        return self.max_age

    def _expired(self, entry: Entry, max_age: dt.timedelta) -> bool:
        try:
            created = dt.datetime.fromisoformat(entry.created)
        except (TypeError, ValueError):
            return False
        if created.tzinfo is None:
            created = created.replace(tzinfo=dt.timezone.utc)
        return dt.datetime.now(dt.timezone.utc) - created > max_age

    def _remove(self, entry: Entry) -> None:
        (self.folder / f"{entry.id}.json").unlink(missing_ok=True)
        (self.folder / f"{entry.id}.eml").unlink(missing_ok=True)

    @contextmanager
    def _lock(self):
        """One sender at a time: two overlapping runs must not both send the same waiting message."""
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        busy = Busy("another brief is sending mail right now; the message waits in the outbox",
                    "it is sent by that run, the next one, or `brief outbox --send`")
        with Lock(self.folder / ".lock", busy=busy):
            yield


def _server_of(server: mail.EmailSettings, entry: mail.EmailSettings) -> mail.EmailSettings:
    """The entry's sender and recipients, through another configuration's server."""
    import dataclasses

    return dataclasses.replace(server, sender=entry.sender, to=entry.to, subject=entry.subject)


def _write(path: Path, data: bytes) -> None:
    replace_atomically(path, data, private=True)  # the outbox is the user's alone

"""State in SQLite: the articles seen, the stories and claims published, each day's digest.

One run at a time holds the lock file beside the database; a second run waits up to `wait` seconds,
then stops with a message (StateBusy). Every write is one transaction, so a crash leaves the last
complete state behind.
"""
from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

from briefing import tuning
from briefing.errors import EXIT_USAGE, BriefError
from briefing.types import RawDocument

SCHEMA = """
CREATE TABLE IF NOT EXISTS articles (
    url TEXT PRIMARY KEY,          -- or the input's name for a file
    hash TEXT NOT NULL,            -- sha256 of the text
    fetched_at TEXT NOT NULL,      -- ISO time, UTC
    first_seen TEXT NOT NULL,      -- the day (YYYY-MM-DD) this text was first read
    title TEXT, publisher TEXT, published TEXT, note TEXT,
    text TEXT NOT NULL             -- the page's main text (extracted), so a re-run need not fetch it again
);
CREATE TABLE IF NOT EXISTS stories (
    id INTEGER PRIMARY KEY,
    day TEXT NOT NULL,             -- the digest's date (YYYY-MM-DD) that published it
    headline TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS stories_day ON stories(day);
CREATE TABLE IF NOT EXISTS story_articles (story INTEGER NOT NULL REFERENCES stories(id) ON DELETE CASCADE,
                                           key TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS claims (story INTEGER NOT NULL REFERENCES stories(id) ON DELETE CASCADE,
                                   text TEXT NOT NULL,
                                   evidence TEXT NOT NULL);  -- JSON list of the cited sentences
CREATE TABLE IF NOT EXISTS vectors (
    key TEXT PRIMARY KEY,          -- sha256 of model name and sentence
    vec BLOB NOT NULL,             -- float32
    used TEXT NOT NULL             -- last day it was used; old ones are pruned
);
CREATE TABLE IF NOT EXISTS runs (
    day TEXT PRIMARY KEY,
    inputs TEXT NOT NULL,          -- fingerprint of the day's articles
    outputs TEXT NOT NULL,         -- JSON {format: text} as written
    exit_code INTEGER NOT NULL,
    finished_at TEXT NOT NULL
);
"""
VERSION = 1
MAX_TEXT = tuning.STORE_MAX_TEXT  # characters of one article kept in the state: see tuning.py


class StateBusy(BriefError):
    """Another run holds the state."""


# text -> its content_hash: the daily job asks for each text's three times (storing it, the run's fingerprint,
# triage's keys), serially on the driver. A bound on memory (the texts are held anyway while a run lasts), not
# tuned; the oldest go first.
_HASHES: dict[str, str] = {}
_HASHES_MAX = 100_000


def content_hash(text: str) -> str:
    got = _HASHES.get(text)
    if got is None:
        got = hashlib.sha256(" ".join(text.split()).encode("utf-8")).hexdigest()
        if len(_HASHES) >= _HASHES_MAX:
            del _HASHES[next(iter(_HASHES))]
        _HASHES[text] = got
    return got


@dataclass
class Published:
    id: int
    day: str
    headline: str
    keys: set[str]  # article URLs and content hashes
    claims: list[tuple[str, list[str]]]  # (text, evidence sentences)


class Lock:
    """An exclusive lock on a file beside the state; released when the process ends, even by a crash."""

    def __init__(self, path: Path, wait: float = 0.0, busy: BriefError | None = None):
        self.path = path
        self.wait = wait
        self.busy = busy  # what to raise when the lock stays taken; by default, that the state is busy
        self.fd: int | None = None

    def __enter__(self):
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as e:
            raise BriefError(f"cannot use the lock file {self.path}: {e.strerror or e}") from None
        give_up = time.monotonic() + self.wait
        while True:
            if _try_lock(self.fd):
                return self
            if time.monotonic() >= give_up:
                os.close(self.fd)
                self.fd = None
                raise self.busy or StateBusy(f"another brief run is using the state {self.path.with_suffix('')}",
                                             hint="wait for it to finish, or set [state] lock_wait",
                                             exit_code=EXIT_USAGE)
            time.sleep(0.1)

    def __exit__(self, *exc):
        if self.fd is not None:
            _unlock(self.fd)
            os.close(self.fd)
            self.fd = None


try:
    import fcntl

    def _try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            return False

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)
except ImportError:  # Windows
    import msvcrt

    def _try_lock(fd: int) -> bool:
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
            return True
        except OSError:
            return False

    def _unlock(fd: int) -> None:
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)


class Store:
    def __init__(self, path: str | Path):
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise BriefError(f"cannot use the state {self.path}: {e.strerror or e}") from None
        try:
            self.db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            self.db.execute("PRAGMA foreign_keys = ON")
            version = self.db.execute("PRAGMA user_version").fetchone()[0]
            if version > VERSION:
                raise BriefError(f"the state {self.path} was written by a newer brief (schema {version})")
            with self.tx():
                for statement in _statements(SCHEMA):  # executescript would commit our transaction
                    self.db.execute(statement)
                self.db.execute(f"PRAGMA user_version = {VERSION}")
        except sqlite3.DatabaseError as e:
            raise BriefError(f"the state {self.path} is not usable: {e}",
                             hint="move it aside; a fresh one is made on the next run") from None

    def close(self):
        self.db.close()

    def tx(self):
        return _Tx(self.db)

    # articles seen
    def recent(self, since: str) -> dict[str, RawDocument]:
        """Every stored web page fetched at or after `since` (ISO time, UTC), by URL."""
        rows = self.db.execute("SELECT url, title, publisher, published, note, text FROM articles "
                               "WHERE fetched_at >= ? AND url LIKE 'http%'", (since,)).fetchall()
        return {r[0]: RawDocument(input=r[0], text=r[5], kind="text", url=r[0], title=r[1], publisher=r[2],
                                  published=r[3], note=r[4]) for r in rows}

    def texts_of(self, publishers: set[str], per_publisher: int) -> list[tuple[str, str, str]]:
        """(publisher, url, text) of the stored articles of these publishers, the latest `per_publisher` each."""
        out = []
        for p in sorted(publishers):
            out += self.db.execute("SELECT publisher, url, text FROM articles WHERE publisher = ? "
                                   "ORDER BY fetched_at DESC LIMIT ?", (p, per_publisher)).fetchall()
        return out

    def remember(self, docs: list[RawDocument], now: str, day: str) -> None:
        """Record fetched (extracted, kind="text") documents; a changed text replaces the old one, as new."""
        with self.tx():
            for d in docs:
                key = d.url or d.input
                h = content_hash(d.text)
                row = self.db.execute("SELECT hash FROM articles WHERE url = ?", (key,)).fetchone()
                if row is not None and row[0] == h:
                    # A text first read on a day whose run never finished (killed, disk full) was never
                    # briefed: it is first read today, so it is still news.
                    self.db.execute("UPDATE articles SET fetched_at = ?, first_seen = CASE WHEN first_seen < ? "
                                    "AND first_seen NOT IN (SELECT day FROM runs) THEN ? ELSE first_seen END "
                                    "WHERE url = ?", (now, day, day, key))
                    continue
                self.db.execute(
                    "INSERT OR REPLACE INTO articles (url, hash, fetched_at, first_seen, title, publisher, published, "
                    "note, text) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (key, h, now, day, d.title, d.publisher, d.published, d.note, d.text[:MAX_TEXT]))

    def seen_before(self, day: str) -> set[str]:
        """The hashes of the texts first read on an earlier day whose run finished (a killed run read nothing)."""
        return {h for (h,) in self.db.execute("SELECT hash FROM articles WHERE first_seen < ? AND first_seen IN "
                                              "(SELECT day FROM runs)", (day,))}

    # stories published
    def published_before(self, day: str) -> list[Published]:
        out = []
        for sid, d, headline in self.db.execute("SELECT id, day, headline FROM stories WHERE day < ? ORDER BY id",
                                                (day,)).fetchall():
            keys = {k for (k,) in self.db.execute("SELECT key FROM story_articles WHERE story = ?", (sid,))}
            claims = [(t, json.loads(e)) for t, e in
                      self.db.execute("SELECT text, evidence FROM claims WHERE story = ? ORDER BY rowid", (sid,))]
            out.append(Published(sid, d, headline, keys, claims))
        return out

    def publish(self, day: str, stories: list[tuple[str, set[str], list[tuple[str, list[str]]]]],
                fingerprint: str, outputs: dict[str, str], exit_code: int, now: str) -> None:
        """Record the day's digest, replacing an earlier run of the same day: a re-run is not news twice."""
        with self.tx():
            self.db.execute("DELETE FROM stories WHERE day = ?", (day,))
            for headline, keys, claims in stories:
                sid = self.db.execute("INSERT INTO stories (day, headline) VALUES (?, ?)", (day, headline)).lastrowid
                self.db.executemany("INSERT INTO story_articles (story, key) VALUES (?, ?)",
                                    [(sid, k) for k in sorted(keys)])
                self.db.executemany("INSERT INTO claims (story, text, evidence) VALUES (?, ?, ?)",
                                    [(sid, t, json.dumps(e, ensure_ascii=False)) for t, e in claims])
            self.db.execute("INSERT OR REPLACE INTO runs (day, inputs, outputs, exit_code, finished_at) "
                            "VALUES (?, ?, ?, ?, ?)", (day, fingerprint, json.dumps(outputs, ensure_ascii=False),
                                                       exit_code, now))

    def prune(self, day: str, keep_days: int) -> None:
        """Forget what is older than `keep_days` before `day`: articles not read since, stories, their
        claims, and the runs, so the state stays the size of its window."""
        import datetime as dt

        cutoff = (dt.date.fromisoformat(day) - dt.timedelta(days=keep_days)).isoformat()
        with self.tx():
            self.db.execute("DELETE FROM articles WHERE fetched_at < ?", (cutoff,))
            self.db.execute("DELETE FROM stories WHERE day < ?", (cutoff,))  # cascades to claims, keys
            # A run's record stays (it says the day finished, so what it read is not news again); its copy
            # of the outputs goes.
            self.db.execute("UPDATE runs SET outputs = '{}' WHERE day < ?", (cutoff,))

    def run_of(self, day: str) -> tuple[str, dict[str, str], int] | None:
        row = self.db.execute("SELECT inputs, outputs, exit_code FROM runs WHERE day = ?", (day,)).fetchone()
        return (row[0], json.loads(row[1]), row[2]) if row else None


class CachedEmbedder:
    """An embedder that remembers each sentence's vector in the state, so a day's run embeds only new text."""

    KEEP_DAYS = 14

    # Rows a write() step puts in the state at most (one transaction): a few milliseconds, so that a step done
    # while the Ray engine's workers run (RayEngine.behind) keeps the driver from their results that long at most.
    # Not tuned; bench/scale_bench.py prints the seconds written behind.
    STEP = 1024

    def __init__(self, inner, store: Store, day: str, later: bool = False):
        self.inner = inner
        self.store = store
        self.day = day
        self.name = getattr(inner, "name", type(inner).__name__)
        # The hybrid's table (models.coarse_of): it reads every sentence at next to no cost, so its vectors are not
        # kept; the state keeps what the transformer reads.
        self.coarse = getattr(inner, "coarse", None)
        self.hits = 0
        self.misses = 0
        # later: what embed() learns is written by write()/flush(), not at once (the Ray engine writes it while
        # its workers run). Until then the vectors made are answered from here, and the state gets, in the end,
        # the rows writing at once gives.
        self.later = later
        self._fresh: dict = {}  # vectors made (float32 rows), not yet in the state
        self._used: dict[str, None] = {}  # keys found in the state, their `used` day not yet set to today

    def _key(self, text: str) -> str:
        return hashlib.sha256(f"{self.name}\0{text}".encode("utf-8")).hexdigest()

    def embed(self, texts: list[str]):
        import numpy as np

        keys = [self._key(t) for t in texts]
        found: dict = {k: self._fresh[k] for k in keys if k in self._fresh}  # a row, or a stored vector's bytes
        db = self.store.db
        asked = [k for k in dict.fromkeys(keys) if k not in found]
        for start in range(0, len(asked), 500):
            chunk = asked[start:start + 500]
            found.update(db.execute(f"SELECT key, vec FROM vectors WHERE key IN ({','.join('?' * len(chunk))})",
                                    chunk).fetchall())
        missing = list(dict.fromkeys(k for k in keys if k not in found))
        self.hits += len(keys) - len([k for k in keys if k not in found])
        self.misses += len(missing)
        if missing:
            first = {k: t for k, t in zip(keys, texts)}
            parts = getattr(self.inner, "embed_parts", None) if self.later else None
            if parts is None:
                fresh = dict(zip(missing, np.asarray(self.inner.embed([first[k] for k in missing]), dtype=np.float32)))
                self._fresh.update(fresh)
            else:  # each part is noted as it comes, so that write() can put it in the state while the rest is made
                key_of = dict(zip(texts, keys))
                fresh = {}
                for part, vecs in parts([first[k] for k in missing]):
                    made = dict(zip(map(key_of.__getitem__, part), np.asarray(vecs, dtype=np.float32)))
                    fresh.update(made)
                    self._fresh.update(made)  # (not again after the loop: a part written meanwhile is written)
            found.update(fresh)
        self._used.update(dict.fromkeys(k for k in set(keys) - set(missing) if k not in self._fresh))
        if not self.later:
            self.flush()
        if not texts:
            return self.inner.embed([])
        return np.stack([v if isinstance(v, np.ndarray) else np.frombuffer(v, dtype=np.float32)
                         for v in map(found.__getitem__, keys)])

    def write(self, rows: int | None = None) -> bool:
        """Put up to `rows` (None: all) of the vectors made, and the used days, in the state, in one transaction;
        whether any are left to write."""
        rows = len(self._fresh) + len(self._used) if rows is None else rows
        fresh = [(k, self._fresh[k].tobytes(), self.day) for k in list(self._fresh)[:rows]]
        used = [(self.day, k, self.day) for k in list(self._used)[:rows - len(fresh)]]
        if fresh or used:
            with self.store.tx() as db:
                db.executemany("INSERT OR REPLACE INTO vectors (key, vec, used) VALUES (?, ?, ?)", fresh)
                db.executemany("UPDATE vectors SET used = ? WHERE key = ? AND used < ?", used)
            for k, _, _ in fresh:
                del self._fresh[k]
            for _, k, _ in used:
                del self._used[k]
        return bool(self._fresh or self._used)

    def step(self) -> bool:
        """write() of at most STEP rows (the piece of work RayEngine.behind asks for); whether there were any."""
        if not (self._fresh or self._used):
            return False
        self.write(self.STEP)
        return True

    def flush(self) -> None:
        """Everything not yet written, written now."""
        self.write()

    def prune(self) -> None:
        import datetime as dt

        self.flush()  # the rows it keeps or deletes are the rows writing at once would have left
        cutoff = (dt.date.fromisoformat(self.day) - dt.timedelta(days=self.KEEP_DAYS)).isoformat()
        with self.store.tx():
            self.store.db.execute("DELETE FROM vectors WHERE used < ?", (cutoff,))


def _statements(script: str) -> list[str]:
    """The schema's statements, comments dropped first (a comment may hold a semicolon)."""
    import re

    script = re.sub(r"--[^\n]*", "", script)
    return [s.strip() for s in script.split(";") if s.strip()]


class _Tx:
    def __init__(self, db: sqlite3.Connection):
        self.db = db

    def __enter__(self):
        self.db.execute("BEGIN IMMEDIATE")
        return self.db

    def __exit__(self, exc_type, *rest):
        self.db.execute("ROLLBACK" if exc_type else "COMMIT")


def digests(store: Store) -> list[tuple[str, str, dict[str, str], list[str]]]:
    """Every day that made a digest, newest first: (day, finished_at, outputs by format, headlines)."""
    out = []
    for day, outputs, finished in store.db.execute(
            "SELECT day, outputs, finished_at FROM runs ORDER BY day DESC").fetchall():
        outputs = json.loads(outputs)
        if not outputs:
            continue
        heads = [h for (h,) in store.db.execute("SELECT headline FROM stories WHERE day = ? ORDER BY id", (day,))]
        out.append((day, finished, outputs, heads))
    return out

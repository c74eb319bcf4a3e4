"""What a model wrote for an article, kept in SQLite under the user folder so a re-run generates nothing.

The key is a hash of the article's text, the model's fingerprint, the prompt templates and the
generation settings: change any of them and the article is condensed afresh.
"""
from __future__ import annotations

import hashlib
import json
import sqlite3
import time
from pathlib import Path

from briefing.models.locate import user_dir

SCHEMA = """CREATE TABLE IF NOT EXISTS generations (
    key TEXT PRIMARY KEY, model TEXT NOT NULL, value TEXT NOT NULL, created REAL NOT NULL)"""


def key_of(article_text: str, model: str, prompt: str, settings: dict) -> str:
    h = hashlib.sha256()
    for part in (hashlib.sha256(article_text.encode()).hexdigest(), model, prompt,
                 json.dumps(settings, sort_keys=True)):
        h.update(part.encode())
        h.update(b"\0")
    return h.hexdigest()


class GenerationCache:
    def __init__(self, path: Path | None = None):
        self.path = Path(path) if path else user_dir() / "cache.sqlite"
        self._db: sqlite3.Connection | None = None

    def _conn(self) -> sqlite3.Connection:
        if self._db is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path, timeout=10)
            self._db.execute(SCHEMA)
        return self._db

    def get(self, key: str) -> dict | None:
        try:
            row = self._conn().execute("SELECT value FROM generations WHERE key = ?", (key,)).fetchone()
        except sqlite3.DatabaseError:
            return None  # a damaged cache costs a re-generation, never a briefing
        return json.loads(row[0]) if row else None

    def put(self, key: str, model: str, value: dict) -> None:
        try:
            with self._conn() as db:
                db.execute("INSERT OR REPLACE INTO generations VALUES (?, ?, ?, ?)",
                           (key, model, json.dumps(value, ensure_ascii=False), time.time()))
        except sqlite3.DatabaseError:
            pass

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

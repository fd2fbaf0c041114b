"""The laptop's append-only event log in SQLite.

WAL with synchronous=FULL: an append that returned has survived power loss. Triggers
refuse UPDATE and DELETE on events, so the log can only grow. Seqs are assigned inside
the appending transaction (BEGIN IMMEDIATE), so they are gapless 1, 2, 3, ...
The `state` table holds the laptop's small mutable settings (device id, acked mark).

One process owns the file (the field app), so the last seq is read once at open and
kept in memory: an append is one INSERT and one durable COMMIT, nothing else.
"""

import json
import sqlite3
import threading
from pathlib import Path

import orjson

SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
    seq INTEGER PRIMARY KEY,
    event_id TEXT NOT NULL UNIQUE,
    type TEXT NOT NULL,
    body TEXT NOT NULL
);
CREATE TRIGGER IF NOT EXISTS events_refuse_update BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
CREATE TRIGGER IF NOT EXISTS events_refuse_delete BEFORE DELETE ON events
BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
CREATE TABLE IF NOT EXISTS state (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


def _parse(body: str):
    """A stored body: orjson (a backlog's push reads thousands), json for what orjson refuses
    (an integer past 64 bits, which json.dumps stored)."""
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError:
        return json.loads(body)


class EventLog:
    def __init__(self, path: str | Path):
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
        self._lock = threading.RLock()  # build_event may read state inside append
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.executescript(SCHEMA)
        self._last_seq = self._db.execute("SELECT coalesce(max(seq), 0) FROM events").fetchone()[0]

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def append(self, build_event, on_commit=None) -> dict:
        """Append `build_event(seq)` at the next seq, durably. If `build_event` raises,
        nothing is stored and the seq is not used. `on_commit(event)` runs after the
        commit, still under the lock, so in-memory views follow the log's order."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                seq = self._last_seq + 1
                event = build_event(seq)
                self._db.execute(
                    "INSERT INTO events (seq, event_id, type, body) VALUES (?, ?, ?, ?)",
                    (seq, event["event_id"], event["type"], json.dumps(event, ensure_ascii=False)),
                )
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._last_seq = seq
            if on_commit is not None:
                on_commit(event)
            return event

    def _bodies(self, sql: str, args=()) -> list[dict]:
        with self._lock:
            return [_parse(row[0]) for row in self._db.execute(sql, args)]

    def events_after(self, seq: int, limit: int) -> list[dict]:
        return self._bodies("SELECT body FROM events WHERE seq > ? ORDER BY seq LIMIT ?", (seq, limit))

    def recent(self, limit: int) -> list[dict]:
        return self._bodies("SELECT body FROM events ORDER BY seq DESC LIMIT ?", (limit,))

    def get(self, event_id: str) -> dict | None:
        found = self._bodies("SELECT body FROM events WHERE event_id = ?", (event_id,))
        return found[0] if found else None

    def last_seq(self) -> int:
        return self._last_seq

    def get_state(self, key: str, default=None):
        with self._lock:
            row = self._db.execute("SELECT value FROM state WHERE key = ?", (key,)).fetchone()
        return json.loads(row[0]) if row else default

    def set_state(self, key: str, value) -> None:
        with self._lock:
            self._db.execute(
                "INSERT INTO state (key, value) VALUES (?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (key, json.dumps(value, ensure_ascii=False)),
            )

    def acked_seq(self) -> int:
        return self.get_state("acked_seq", 0)

    def mark_acked(self, seq: int) -> None:
        """Store the server's high-water mark; it only moves forward."""
        if seq > self.acked_seq():
            self.set_state("acked_seq", seq)

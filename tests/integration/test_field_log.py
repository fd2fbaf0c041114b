import sqlite3

import pytest

from field_app.event_log import EventLog
from tests.factories import make_event


def test_seqs_are_gapless_and_survive_reopen(tmp_path):
    log = EventLog(tmp_path / "f.sqlite3")
    for _ in range(5):
        log.append(lambda seq: make_event(seq))
    with pytest.raises(RuntimeError):
        log.append(lambda seq: (_ for _ in ()).throw(RuntimeError("refused")))
    log.append(lambda seq: make_event(seq))
    log.close()
    reopened = EventLog(tmp_path / "f.sqlite3")
    assert [e["seq"] for e in reopened.events_after(0, 100)] == [1, 2, 3, 4, 5, 6]


def test_events_cannot_be_updated_or_deleted(tmp_path):
    path = tmp_path / "f.sqlite3"
    EventLog(path).append(lambda seq: make_event(seq))
    db = sqlite3.connect(path)
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        db.execute("UPDATE events SET body = '{}'")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        db.execute("DELETE FROM events")
    assert db.execute("SELECT count(*) FROM events").fetchone()[0] == 1


def test_log_is_wal_with_full_sync(tmp_path):
    log = EventLog(tmp_path / "f.sqlite3")
    assert log._db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert log._db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL


def test_acked_mark_only_moves_forward(tmp_path):
    log = EventLog(tmp_path / "f.sqlite3")
    log.mark_acked(7)
    log.mark_acked(3)
    assert log.acked_seq() == 7


def test_bodies_orjson_cannot_read_come_back_whole(tmp_path):
    """Pending bodies are read with orjson; an integer past 64 bits (json wrote it) still
    comes back exactly, through json."""
    log = EventLog(tmp_path / "f.sqlite3")
    log.append(lambda seq: {**make_event(seq), "note": 2**70})
    log.append(lambda seq: make_event(seq))
    bodies = log.events_after(0, 10)
    assert bodies[0]["note"] == 2**70 and [b["seq"] for b in bodies] == [1, 2]

"""Closed days leave Redis: archived to compressed, checksummed files, read back from them,
restored on demand.

OPENDAY_ARCHIVE_DIR/<day_id>/ holds
  log.jsonl.gz       one [stream id, {e, d, rt, off}] per line, in log order
  summary.jsonl.gz   the summary versions, each exactly the JSON Redis held
  state.json.gz      every other key of the day (acked, seq ids, projection, closing ...)
  manifest.json      day, entries, when, and the sha256 and size of each file above
A day is archived only when it is closed and its latest summary version reflects its whole
log, so the summary and exports read from the files are the ones Redis served. The files
are written and checked first; then a marker key refuses pushes; then the keys go.
"""

import gzip
import hashlib
import json
from pathlib import Path

from central import keys

FILES = ("log.jsonl.gz", "summary.jsonl.gz", "state.json.gz")
SKIPPED = ("fold-requested", "summary:requested", "archived")  # flags with a TTL, and the marker itself


class ArchiveRefused(Exception):
    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason


def archive_folder(config: dict) -> Path:
    folder = config.get("ARCHIVE_DIR")
    if not folder:
        raise ArchiveRefused("no_archive_dir", "未设置 OPENDAY_ARCHIVE_DIR / OPENDAY_ARCHIVE_DIR is not set.")
    return Path(folder)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class DayArchive:
    """One archived day's files: reading them, checking them."""

    def __init__(self, root: Path, day_id: str):
        self.day_id, self.folder = day_id, Path(root) / day_id

    def exists(self) -> bool:
        return (self.folder / "manifest.json").exists()

    def manifest(self) -> dict:
        return json.loads((self.folder / "manifest.json").read_text(encoding="utf-8"))

    def check(self) -> list[str]:
        """Files whose checksum or size differs from the manifest (empty: intact)."""
        def intact(path: Path, meta: dict) -> bool:
            return path.exists() and path.stat().st_size == meta["bytes"] and file_sha256(path) == meta["sha256"]
        return [name for name, meta in self.manifest()["files"].items() if not intact(self.folder / name, meta)]

    def log_entries(self, start: str = "-", until: str = "+"):
        """(stream id, fields) in log order, as XRANGE start..until would give them."""
        from central.chunk import position

        low = (0, 0) if start == "-" else position(start.lstrip("("))
        high = None if until == "+" else position(until)
        with gzip.open(self.folder / "log.jsonl.gz", "rt", encoding="utf-8") as lines:
            for line in lines:
                sid, fields = json.loads(line)
                here = position(sid)
                if here < low or (start.startswith("(") and here == low):
                    continue
                if high is not None and here > high:
                    return
                yield sid, fields

    def summary_versions(self) -> list[str]:
        with gzip.open(self.folder / "summary.jsonl.gz", "rt", encoding="utf-8") as lines:
            return [line.rstrip("\n") for line in lines]

    def state(self) -> dict:
        with gzip.open(self.folder / "state.json.gz", "rt", encoding="utf-8") as handle:
            return json.load(handle)

    def hash(self, key: str) -> dict:
        entry = self.state().get(key)
        return dict(entry["value"]) if entry and entry["type"] == "hash" else {}


def archived_day(redis, day_id: str, config: dict | None = None) -> DayArchive | None:
    """The day's archive when the day lives there (its marker is in Redis), else None."""
    if not redis.exists(keys.archived(day_id)):
        return None
    from central.config import load_config

    return DayArchive(archive_folder(config or load_config()), day_id)


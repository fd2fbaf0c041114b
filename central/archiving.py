"""`openday archive DAY` / `openday restore DAY` and archiving days closed long ago.
The file layout and reading are in archive.py."""

import gzip
import json
import os
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

from central import keys
from central.archive import FILES, SKIPPED, ArchiveRefused, DayArchive, file_sha256
from central.summary.build import content_sha256
from shared.clock import now_utc, to_rfc3339

BATCH = 1000


def _day_keys(redis, day_id: str) -> list[str]:
    """Every key of the day (its slot's keys by pattern, and its device registry)."""
    found = {key for key in redis.scan_iter(match=f"od:{{{day_id}}}:*", count=1000)}
    found.add(keys.devices(day_id))
    return sorted(key for key in found if not key.endswith(SKIPPED) and ":rebuild-" not in key
                  and ":verify-" not in key and ":summary-" not in key)


def _read_value(redis, key: str):
    kind = redis.type(key)
    read = {"hash": redis.hgetall, "string": redis.get, "list": lambda k: redis.lrange(k, 0, -1),
            "set": lambda k: sorted(redis.smembers(k))}
    return (kind, read[kind](key)) if kind in read else (kind, None)


def _write_log(redis, day_id: str, path: Path) -> tuple[int, str]:
    from central.summary.store import read_log_raw

    count, last = 0, "0-0"
    with gzip.open(path, "wt", encoding="utf-8") as out:
        for sid, fields in read_log_raw(redis, day_id):
            out.write(json.dumps([sid, fields], ensure_ascii=False, sort_keys=True) + "\n")
            count, last = count + 1, sid
    return count, last


def _write_files(redis, day_id: str, folder: Path) -> dict:
    folder.mkdir(parents=True)
    entries, last = _write_log(redis, day_id, folder / "log.jsonl.gz")
    with gzip.open(folder / "summary.jsonl.gz", "wt", encoding="utf-8") as out:
        for raw in redis.lrange(keys.summary_versions(day_id), 0, -1):
            out.write(raw + "\n")
    state = {}
    for key in _day_keys(redis, day_id):
        if key in (keys.log(day_id), keys.summary_versions(day_id)):
            continue
        kind, value = _read_value(redis, key)
        if value is not None and value != {}:
            state[key] = {"type": kind, "value": value}
    with gzip.open(folder / "state.json.gz", "wt", encoding="utf-8") as out:
        json.dump(state, out, ensure_ascii=False, sort_keys=True)
    files = {name: {"sha256": file_sha256(folder / name), "bytes": (folder / name).stat().st_size} for name in FILES}
    manifest = {"day_id": day_id, "entries": entries, "last_position": last, "archived_at": to_rfc3339(now_utc()),
                "files": files}
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    return manifest


def _check_archivable(redis, day_id: str) -> None:
    from central.summary.store import get_version, log_end

    if redis.exists(keys.archived(day_id)):
        raise ArchiveRefused("archived", f"{day_id} 已归档 / {day_id} is archived already.")
    if not redis.hexists(keys.closed(day_id), "position"):
        raise ArchiveRefused("not_closed", f"{day_id} 尚未结束,不能归档 / {day_id} is not closed; only closed days "
                             "are archived.")
    latest = get_version(redis, day_id)
    if latest is None or latest["position"] != log_end(redis, day_id):
        raise ArchiveRefused("summary_behind", f"{day_id} 的总结尚未包含全部记录,请稍后再试 / The summary of "
                             f"{day_id} does not cover its whole log yet; try again when the summary job is done.")


def archive_day(redis, day_id: str, root: Path) -> dict:
    """Write the day's files, check them, mark the day archived, remove its keys."""
    from central.summary.store import log_end

    _check_archivable(redis, day_id)
    archive = DayArchive(root, day_id)
    staging = archive.folder.with_name(f".{day_id}.partial")
    shutil.rmtree(staging, ignore_errors=True)
    manifest = _write_files(redis, day_id, staging)
    _fsync_folder(staging)
    if archive.folder.exists():  # a restored day archived again: the new files replace the old
        shutil.rmtree(archive.folder)
    os.replace(staging, archive.folder)
    if DayArchive(root, day_id).check():
        raise ArchiveRefused("bad_files", f"{archive.folder} 校验失败 / {archive.folder} failed its checksums.")
    redis.set(keys.archived(day_id), json.dumps({k: manifest[k] for k in ("archived_at", "entries")}))
    if log_end(redis, day_id) != manifest["last_position"]:  # a push came between the files and the marker
        redis.delete(keys.archived(day_id))
        raise ArchiveRefused("changed", f"{day_id} 归档时有新记录,请重试 / {day_id} took entries while being "
                             "archived; try again.")
    for key in _day_keys(redis, day_id):
        redis.delete(key)
    redis.srem(keys.DAYS, day_id)
    return manifest


def _fsync_folder(folder: Path) -> None:
    for path in [*folder.iterdir(), folder]:
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _restore_log(redis, day_id: str, archive: DayArchive) -> int:
    count, batch = 0, []
    for sid, fields in archive.log_entries():
        batch.append((sid, fields))
        if len(batch) == BATCH:
            count += _xadd_all(redis, day_id, batch)
            batch = []
    return count + _xadd_all(redis, day_id, batch)


def _xadd_all(redis, day_id: str, batch: list) -> int:
    with redis.pipeline(transaction=False) as pipe:
        for sid, fields in batch:
            pipe.xadd(keys.log(day_id), fields, id=sid)
        pipe.execute()
    return len(batch)


RESTORE = {"hash": lambda pipe, key, value: pipe.hset(key, mapping=value),
           "string": lambda pipe, key, value: pipe.set(key, value),
           "list": lambda pipe, key, value: pipe.rpush(key, *value),
           "set": lambda pipe, key, value: pipe.sadd(key, *value)}


def restore_day(redis, day_id: str, root: Path) -> dict:
    """Put an archived day back into Redis exactly as it was; the files stay."""
    archive = DayArchive(root, day_id)
    if not redis.exists(keys.archived(day_id)) or not archive.exists():
        raise ArchiveRefused("not_archived", f"{day_id} 未归档 / {day_id} is not archived.")
    if bad := archive.check():
        raise ArchiveRefused("bad_files", f"校验失败 / checksums differ: {', '.join(bad)}")
    if redis.exists(keys.log(day_id)):
        redis.delete(keys.log(day_id))  # a restore cut short earlier: start again
    entries = _restore_log(redis, day_id, archive)
    versions = archive.summary_versions()
    with redis.pipeline(transaction=False) as pipe:
        pipe.delete(keys.summary_versions(day_id))
        if versions:
            pipe.rpush(keys.summary_versions(day_id), *versions)
        for key, entry in archive.state().items():
            pipe.delete(key)
            RESTORE[entry["type"]](pipe, key, entry["value"])
        pipe.execute()
    redis.sadd(keys.DAYS, day_id)
    redis.delete(keys.archived(day_id))  # pushes are taken again
    return {"day_id": day_id, "entries": entries, "summary_versions": len(versions)}


def days_to_archive(redis, after_days: int, now: datetime | None = None) -> list[str]:
    """Days closed more than `after_days` days ago (OPENDAY_ARCHIVE_AFTER_DAYS; 0 = none)."""
    if after_days <= 0:
        return []
    cutoff = (now or datetime.now(UTC)) - timedelta(days=after_days)
    due = []
    for day_id in sorted(redis.smembers(keys.DAYS)):
        closed_at = redis.hget(keys.closed(day_id), "closed_at")
        if closed_at and datetime.fromisoformat(closed_at) < cutoff:
            due.append(day_id)
    return due


def archive_problems(archive: DayArchive) -> list[str]:
    """What is wrong with an archive: damaged files, a log of another length than the
    manifest says, a summary version whose content is not its checksum. Empty: sound."""
    if bad := archive.check():
        return [f"checksum: {name}" for name in bad]
    problems = []
    if (entries := sum(1 for _ in archive.log_entries())) != archive.manifest()["entries"]:
        problems.append(f"log holds {entries} entries, the manifest says {archive.manifest()['entries']}")
    for raw in archive.summary_versions():
        version = json.loads(raw)
        if content_sha256(version["content"]) != version["sha256"]:
            problems.append(f"summary version {version['version']}: content differs from its sha256")
    return problems

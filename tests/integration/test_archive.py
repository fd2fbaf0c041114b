"""A closed day leaves Redis for compressed, checksummed files and comes back: the summary
and every export read from the archive are the same bytes as before; a push to the
archived day is refused; `openday restore` puts it back and a rebuild gives the same totals."""

import gzip
import json
import subprocess
from datetime import UTC, datetime, timedelta

import pytest

from central import keys
from central.archive import DayArchive
from central.archiving import days_to_archive
from central.projection import fold_to_end, read_totals
from central.rebuild import rebuild
from tests.helpers import DAY, openday
from tests.integration.test_summary import AUTH, _append, _run_jobs, api  # noqa: F401 - fixture
from tests.summary_day import as_events, generate_day

EXPORTS = ["summary", "summary?version=1", "exports/events.csv", "exports/totals.csv", "exports/summary.md",
           "exports/summary.md?lang=en", "exports/summary.html", "exports/charts/materials.png", "summary/versions"]


@pytest.fixture
def archive_env(tmp_path, monkeypatch, redis_url):
    monkeypatch.setenv("OPENDAY_ARCHIVE_DIR", str(tmp_path / "archive"))
    monkeypatch.setenv("REDIS_URL", redis_url)
    return tmp_path / "archive"


def _documents(api) -> dict[str, bytes]:  # noqa: F811
    answers = {path: api.get(f"/api/v1/days/{DAY}/{path}", headers=AUTH) for path in EXPORTS}
    assert all(answer.status_code == 200 for answer in answers.values()), \
        {p: a.status_code for p, a in answers.items()}
    return {path: answer.get_data() for path, answer in answers.items()}


def _closed_day(api, redis, redis_url):  # noqa: F811
    _append(redis, as_events(generate_day(seed=5)))
    api.post(f"/api/v1/days/{DAY}/close", headers=AUTH)
    _run_jobs(redis_url)
    fold_to_end(redis, DAY, api.application.extensions["openday"]["plans"][DAY])


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(openday(*args), capture_output=True, text=True, timeout=120)


def test_archive_serves_the_same_bytes_refuses_pushes_and_restores(api, redis, redis_url, archive_env):  # noqa: F811
    _closed_day(api, redis, redis_url)
    before, totals_before, entries = _documents(api), read_totals(redis, DAY), redis.xlen(keys.log(DAY))
    now = datetime.now(UTC)
    assert days_to_archive(redis, 1, now) == [] and days_to_archive(redis, 1, now + timedelta(days=2)) == [DAY]
    assert days_to_archive(redis, 0, now + timedelta(days=400)) == []  # 0: never
    archived = _cli("archive", DAY)
    assert archived.returncode == 0, archived.stderr
    assert redis.keys(f"od:{{{DAY}}}:*") == [keys.archived(DAY)] and not redis.exists(keys.devices(DAY))
    assert DAY not in redis.smembers(keys.DAYS)
    archive = DayArchive(archive_env, DAY)
    assert archive.check() == [] and archive.manifest()["entries"] == entries
    with gzip.open(archive.folder / "log.jsonl.gz", "rt") as lines:
        assert sum(1 for _ in lines) == entries
    assert _documents(api) == before  # summary and exports read from the files, byte for byte
    pushed = redis.xlen(keys.log(DAY))
    from central.central_log import CentralLog, DayArchived

    with pytest.raises(DayArchived):
        CentralLog(redis).append_batch(DAY, "laptop-z", [{"seq": 1, "event_id": "x", "day_id": DAY}], 0)
    assert redis.xlen(keys.log(DAY)) == pushed == 0
    assert _cli("verify", "--day", DAY).returncode == 0  # checks the archive's files

    restored = _cli("restore", DAY)
    assert restored.returncode == 0, restored.stderr
    assert json.loads(restored.stdout)["entries"] == entries and not redis.exists(keys.archived(DAY))
    assert _documents(api) == before
    rebuilt = rebuild(redis, DAY, api.application.extensions["openday"]["plans"][DAY])
    assert rebuilt["entries"] == entries and read_totals(redis, DAY) == totals_before


def test_an_open_day_and_a_damaged_archive_are_refused(api, redis, redis_url, archive_env):  # noqa: F811
    _append(redis, as_events(generate_day(seed=6)))
    refused = _cli("archive", DAY)
    assert refused.returncode == 1 and "not_closed" in refused.stderr and "尚未结束" in refused.stderr
    assert redis.xlen(keys.log(DAY)) > 0 and not redis.exists(keys.archived(DAY))
    api.post(f"/api/v1/days/{DAY}/close", headers=AUTH)
    _run_jobs(redis_url)
    assert _cli("archive", DAY).returncode == 0
    log_file = DayArchive(archive_env, DAY).folder / "log.jsonl.gz"
    log_file.write_bytes(log_file.read_bytes()[:-8])
    damaged = _cli("restore", DAY)
    assert damaged.returncode == 1 and "log.jsonl.gz" in damaged.stderr
    assert _cli("verify", "--day", DAY).returncode == 1

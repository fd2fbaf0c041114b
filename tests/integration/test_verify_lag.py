"""`openday verify` tells the truth (issue 12): with the worker stopped while entries are
unfolded it fails saying how many; after a real worker catches up it passes."""

import json
import subprocess

from central import keys
from central.central_log import CentralLog
from central.projection import fold_chunk, read_totals
from tests.factories import make_event
from tests.helpers import DAY, PLAN_PATH, openday


def _run(redis_url, *args):
    env = {"REDIS_URL": redis_url, "OPENDAY_PLAN_DIR": str(PLAN_PATH.parent), "PATH": "/usr/bin:/bin",
           "OPENDAY_CATCHUP_SECONDS": "0"}
    return subprocess.run(openday(*args), env=env, capture_output=True, text=True, timeout=90)


def test_verify_fails_while_entries_are_unfolded_and_passes_once_the_worker_caught_up(redis, redis_url, plan):
    events = [make_event(s, "visitor.received") for s in range(1, 6)]
    CentralLog(redis).append_batch(DAY, "laptop-a", events, received_ms=1_652_580_000_000)
    assert fold_chunk(redis, DAY, plan, chunk=3) == 3  # then the worker stopped
    behind = _run(redis_url, "verify", "--day", DAY)
    assert behind.returncode == 1, behind.stdout
    assert "2 entries not folded yet" in behind.stderr and "2 条记录尚未计入统计" in behind.stderr
    result = json.loads(behind.stdout)
    assert (result["unfolded"], result["differences"]) == (2, 0)  # what is folded is right, just behind
    worker = _run(redis_url, "worker", "--burst")
    assert worker.returncode == 0, worker.stderr
    assert read_totals(redis, DAY)["visitors"] == 15
    caught_up = _run(redis_url, "verify", "--day", DAY)
    assert caught_up.returncode == 0, caught_up.stderr
    assert json.loads(caught_up.stdout)["unfolded"] == 0
    assert not [k for k in redis.keys("*verify-*")], "scratch keys are removed"


def test_verify_of_an_untouched_day_counts_every_entry_as_unfolded(redis, redis_url):
    CentralLog(redis).append_batch(DAY, "laptop-a", [make_event(1)], received_ms=0)
    assert redis.get(keys.checkpoint(DAY)) is None
    behind = _run(redis_url, "verify", "--day", DAY)
    assert behind.returncode == 1 and json.loads(behind.stdout)["unfolded"] == 1

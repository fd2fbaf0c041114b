"""Rebuild and verify against a real Redis, through the real `openday` command."""

import json
import subprocess

from central import keys
from central.central_log import CentralLog
from central.projection import fold_to_end, read_totals
from tests.factories import make_event, void_of
from tests.helpers import DAY, PLAN_PATH, openday


def _day(redis, plan):
    events = [make_event(s, t) for s, t in enumerate(
        ["visitor.received", "inquiry.answered", "material.restocked", "material.distributed",
         "feedback.collected"] * 20, start=1)]
    events.append(void_of(events[4], len(events) + 1))
    CentralLog(redis).append_batch(DAY, "laptop-a", events, received_ms=1_652_580_000_000)
    fold_to_end(redis, DAY, plan)


def _run(redis_url, *args):
    env = {"REDIS_URL": redis_url, "OPENDAY_PLAN_DIR": str(PLAN_PATH.parent), "PATH": "/usr/bin:/bin"}
    return subprocess.run(openday(*args), env=env, capture_output=True, text=True, timeout=60)


def test_verify_passes_on_a_true_projection_and_fails_on_a_tampered_one(redis, redis_url, plan):
    _day(redis, plan)
    ok = _run(redis_url, "verify", "--day", DAY)
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["differences"] == 0
    redis.hincrby(keys.totals(DAY), "booth:shashan|visitors", 1)
    redis.hdel(keys.hot_issues(DAY), next(iter(redis.hkeys(keys.hot_issues(DAY)))))
    bad = _run(redis_url, "verify", "--day", DAY)
    assert bad.returncode == 1
    assert json.loads(bad.stdout)["differences"] == 2
    assert "booth:shashan|visitors" in bad.stderr
    assert not [k for k in redis.keys("*verify-*")], "scratch keys are removed"


def test_rebuild_swaps_in_exact_totals_and_the_fold_carries_on(redis, redis_url, plan):
    _day(redis, plan)
    before = read_totals(redis, DAY)
    redis.hincrby(keys.totals(DAY), "visitors", 1000)  # a corrupted projection
    done = _run(redis_url, "rebuild", "--day", DAY)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["entries"] == 101
    assert read_totals(redis, DAY) == before
    assert int(redis.get(keys.projection_epoch(DAY))) == 1
    assert not [k for k in redis.keys("*rebuild-*")]
    CentralLog(redis).append_batch(DAY, "laptop-a", [make_event(102, "visitor.received")], received_ms=0)
    fold_to_end(redis, DAY, plan)
    assert read_totals(redis, DAY)["visitors"] == before["visitors"] + 3
    assert _run(redis_url, "verify", "--day", DAY).returncode == 0


def test_a_fold_read_before_a_swap_cannot_commit_after_it(redis, plan):
    from central.chunk import ChunkChanges
    from central.projection_store import ProjectionStore

    log = CentralLog(redis)
    log.append_batch(DAY, "laptop-a", [make_event(1, "visitor.received")], received_ms=0)
    fold_to_end(redis, DAY, plan)
    log.append_batch(DAY, "laptop-a", [make_event(2, "visitor.received")], received_ms=0)
    store = ProjectionStore(redis, DAY)
    checkpoint, epoch, flat, _ = store.read_chunk(10)
    redis.incr(keys.projection_epoch(DAY))  # what a rebuild swap does; the checkpoint may be the same
    assert store.commit(checkpoint, epoch, flat[0], ChunkChanges(increments={"visitors": 3}), publish=False) is False
    assert read_totals(redis, DAY)["visitors"] == 3
    fold_to_end(redis, DAY, plan)
    assert read_totals(redis, DAY)["visitors"] == 6

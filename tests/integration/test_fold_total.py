"""The fold is total (issue 12): a log that already holds poison entries, written straight
into the Redis stream as an older version would have, folds to its end at every chunk
size, rejects the same entries with the same reasons, and rebuild equals live."""

import json
import subprocess

import orjson
import pytest

from central import keys
from central.central_log import CentralLog
from central.projection import fold_to_end, read_totals
from central.rebuild import rebuild
from shared.rejects import reject_reason
from tests.factories import make_event, void_of
from tests.helpers import DAY, PLAN_PATH, openday

RT = 1_652_580_000_000
GOOD_AT = "2022-05-15T09:15:00.000+08:00"


def _raw(redis, body, off: int | str = 0, rt: int | str = RT, event_id: str | None = None, fields=None) -> str:
    """XADD as an old sync service would have, bypassing today's schema."""
    sid = redis.xadd(keys.log(DAY), fields or {"e": body, "d": "laptop-p", "rt": rt, "off": off})
    if event_id:
        redis.hset(keys.event_index(DAY), event_id, sid)
    redis.sadd(keys.DAYS, DAY)
    return sid


def _poisoned_log(redis) -> dict:
    """Good entries around every kind of poison; returns reason -> count expected."""
    log = CentralLog(redis)
    good = [make_event(s, t, recorded_at=GOOD_AT) for s, t in enumerate(
        ["visitor.received", "inquiry.answered", "feedback.collected", "material.restocked"], start=1)]
    log.append_batch(DAY, "laptop-a", good[:2], received_ms=RT)
    year0 = make_event(1, "visitor.received", device_id="laptop-p", recorded_at="0001-01-01T00:00:00+14:00")
    poison = [
        (json.dumps(year0), 0, year0["event_id"]),  # the push: year 0 after the offset
        (json.dumps(make_event(2, "visitor.received", device_id="laptop-p")), -(10 ** 15), None),  # 9999 sent_at
        ("not json {", 0, None),
        (json.dumps([1, 2]), 0, None),
        (json.dumps({k: v for k, v in make_event(5, device_id="laptop-p").items() if k != "event_id"}), 0, None),
        (json.dumps({**make_event(6, device_id="laptop-p"), "event_id": 7}), 0, None),
        (json.dumps({**make_event(7, device_id="laptop-p"), "v": 9}), 0, None),
        (json.dumps(make_event(8, "feedback.collected", device_id="laptop-p",
                               payload={"rating": "satisfied", "hot_issue": 1})), 0, None),
        (json.dumps(make_event(9, "visitor.received", device_id="laptop-p", payload={"party_size": "3"})), 0, None),
        (json.dumps(make_event(10, "visitor.received", device_id="laptop-p", recorded_at="1999-12-31T23:59:59Z")),
         0, None),
    ]
    for body, off, event_id in poison:
        _raw(redis, body, off, event_id=event_id)
    _raw(redis, None, fields={"d": "laptop-p", "rt": RT})  # no body at all
    _raw(redis, json.dumps(make_event(11, device_id="laptop-p")), off="soon")
    _raw(redis, json.dumps(void_of(year0, 12)), 0)  # a void of a rejected entry is ignored
    log.append_batch(DAY, "laptop-a", good[2:], received_ms=RT)
    return {"bad_time": 3, "unreadable": 3, "bad_envelope": 3, "unknown_version": 1, "bad_payload": 2}


@pytest.mark.parametrize("chunk", [1, 3, 7, 5000])
def test_an_old_poisoned_log_folds_on_at_every_chunk_size(redis, plan, chunk):
    expected = _poisoned_log(redis)
    fold_to_end(redis, DAY, plan, chunk=chunk)
    totals = read_totals(redis, DAY)
    assert totals["position"] == redis.xrevrange(keys.log(DAY), count=1)[0][0], "the checkpoint reached the end"
    assert totals["rejected_by_reason"] == dict(sorted(expected.items()))
    assert totals["rejected"] == sum(expected.values()) == 12
    assert totals["voids_ignored"] == 1 and totals["voided"] == 0
    assert totals["visitors"] == 3 and totals["inquiries"]["total"] == 1  # the good ones after the poison count
    assert totals["feedback"]["total"] == 1 and totals["materials"]["restocked"] == {"handbook": 500}
    # a rejected entry counts nowhere, not even as its laptop's event: laptop-p has only its (ignored) void
    assert totals["by_device"]["laptop-p"]["events"] == 1 and totals["by_device"]["laptop-a"]["events"] == 4
    listed = [json.loads(v) for v in redis.hgetall(keys.rejected(DAY)).values()]
    assert sorted(r["reason"] for r in listed) == sorted(r for r, n in expected.items() for _ in range(n))
    year0 = next(r for r in listed if r["recorded_at"] == "0001-01-01T00:00:00+14:00")
    assert (year0["device_id"], year0["seq"], year0["reason"]) == ("laptop-p", 1, "bad_time")


def test_every_chunk_size_and_a_rebuild_agree_byte_for_byte(redis, plan):
    _poisoned_log(redis)
    fold_to_end(redis, DAY, plan, chunk=2)
    live = {k: redis.hgetall(k) for k in keys.projection(DAY) if redis.type(k) == "hash"}
    rebuild(redis, DAY, plan, chunk=5000)
    assert {k: redis.hgetall(k) for k in keys.projection(DAY) if redis.type(k) == "hash"} == live


def test_the_laptop_and_the_central_fold_share_the_verdict(redis):
    _poisoned_log(redis)
    reasons = []
    for _, f in redis.xrange(keys.log(DAY)):
        try:
            event, off = orjson.loads(f["e"]), int(f["off"])
        except (KeyError, ValueError):
            reasons.append("unreadable")
            continue
        if reason := reject_reason(event, off):
            reasons.append(reason)
    assert len(reasons) == 12


def test_openday_rebuild_and_verify_finish_on_a_poisoned_log(redis, redis_url, plan):
    _poisoned_log(redis)
    env = {"REDIS_URL": redis_url, "OPENDAY_PLAN_DIR": str(PLAN_PATH.parent), "PATH": "/usr/bin:/bin"}
    done = subprocess.run(openday("rebuild", "--day", DAY), env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert read_totals(redis, DAY)["rejected"] == 12
    verified = subprocess.run(openday("verify", "--day", DAY), env=env, capture_output=True, text=True, timeout=60)
    assert verified.returncode == 0, verified.stderr
    assert json.loads(verified.stdout)["differences"] == 0


def test_the_summary_and_the_events_export_of_a_poisoned_log(redis, plan):
    from central.summary.exports import events_csv
    from central.summary.store import log_end
    from central.summary.versions import content_at

    _poisoned_log(redis)
    content = content_at(redis, DAY, plan, log_end(redis, DAY))
    assert content["figures"]["totals"]["rejected"] == 12
    assert content["figures"]["totals"]["visitors"] == 3
    assert content["figures"]["log_entries"] == 5, "the good four and the ignored void"
    rows = b"".join(events_csv(redis, DAY, plan)).decode("utf-8-sig").strip().splitlines()
    assert len(rows) == 1 + 5

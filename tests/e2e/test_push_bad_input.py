"""Issue 12 at the door of the real sync service (gunicorn, real Redis, a real worker):
times that cannot be true, non-canonical or reused ids, edited re-sends and loose types
are refused per field in zh/en and change nothing in Redis (log, acked marks, seq ids,
health, clock, totals); device health is exact under concurrent pushes with one token."""

import json
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
import requests

from central import keys
from shared.clock import now_utc, to_rfc3339
from sync_service.devices.tokens import Device, register_device
from tests.factories import make_event
from tests.helpers import DAY, central_totals, wait_until

PUSH = "/api/v1/sync/push"
NOW = to_rfc3339(now_utc())


def _batch(events, device="laptop-a", sent_at=None, **extra):
    return {"device_id": device, "sent_at": sent_at or to_rfc3339(now_utc()), "events": events, **extra}


def _event(seq, **changes):
    return {**make_event(seq, recorded_at=NOW), **changes}


def _snapshot(redis, central):
    day_hashes = [keys.acked(DAY), keys.event_index(DAY), keys.seq_ids(DAY), keys.device_health(DAY),
                  keys.device_clock(DAY)]
    seq_records = [redis.get(keys.seq_records(DAY, device, 0)) for device in ("laptop-a", "laptop-b")]
    return (redis.xrange(keys.log(DAY)), [redis.hgetall(k) for k in day_hashes], seq_records, central_totals(central))


@pytest.fixture
def world(central, redis):
    """Two laptops; laptop-a's seqs 1-2 and laptop-b's seq 1 are in and folded."""
    tokens = {d: register_device(redis, Device(d, b, DAY)) for d, b in [("laptop-a", "shashan"), ("laptop-b", "bayi")]}
    first = [_event(1), _event(2)]
    other = make_event(1, device_id="laptop-b", booth_id="bayi", recorded_at=NOW)
    for token, device, events in [(tokens["laptop-a"], "laptop-a", first), (tokens["laptop-b"], "laptop-b", [other])]:
        response = requests.post(f"{central}{PUSH}", json=_batch(events, device), timeout=5,
                                 headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 200, response.text
    wait_until(lambda: central_totals(central)["log_entries"] == 3, message="first batches folded")
    return {"tokens": tokens, "first": first, "other": other}


def _cases(world):
    first, other = world["first"], world["other"]
    far_future = to_rfc3339(now_utc() + timedelta(days=365 * 73))  # in the window; corrected, today is 1953
    return [
        ("year 0 after the offset", _batch([_event(3, recorded_at="0001-01-01T00:00:00+14:00")]), 422,
         "invalid", ["events", "0", "recorded_at"]),
        ("recorded in 1999", _batch([_event(3, recorded_at="1999-12-31T23:59:59Z")]), 422, "invalid",
         ["events", "0", "recorded_at"]),
        ("sent in 9999", _batch([_event(3)], sent_at="9999-01-01T00:00:00Z"), 422, "invalid", ["sent_at"]),
        ("a clock 73 years fast", _batch([_event(3)], sent_at=far_future), 422, "invalid",
         ["events", "0", "recorded_at"]),
        ("a clock exchange in year 0", _batch([_event(3)], clock={
            "sent_at": "0001-01-01T00:00:00+14:00", "received_at": NOW, "server_time": NOW, "answered_at": NOW}),
         422, "invalid", ["clock", "sent_at"]),
        ("hot_issue 1", _batch([make_event(3, "feedback.collected", {"rating": "satisfied", "hot_issue": 1},
                                           recorded_at=NOW)]), 422, "invalid", ["events", "0", "payload", "hot_issue"]),
        ("a staff code with U+202E", _batch([_event(3, staff="s01\u202e")]), 422, "invalid",
         ["events", "0", "staff"]),
        ("a staff code with NUL", _batch([_event(3, staff="s\x0001")]), 422, "invalid", ["events", "0", "staff"]),
        ("an uppercase copy of laptop-b's id", _batch([_event(3, event_id=other["event_id"].upper())]), 409,
         "conflict: event_id", None),
        ("one id twice in a batch", _batch([_event(3), _event(4)]), None, None, None),  # filled in below
        ("an edited re-send of acked seq 2", _batch([first[1] | {"payload": {"material": "leaflet",
                                                                           "quantity": 21}}]),
         409, "conflict: content", None),
    ]


def test_impossible_times_ids_and_types_are_refused_per_field_and_change_nothing(central, redis, world):
    before = _snapshot(redis, central)
    headers = {"Authorization": f"Bearer {world['tokens']['laptop-a']}"}
    for name, body, status, error, path in _cases(world):
        if status is None:  # one id twice in a batch
            body["events"][1]["event_id"] = body["events"][0]["event_id"]
            status, error = 409, "conflict: event_id"
        response = requests.post(f"{central}{PUSH}", json=body, headers=headers, timeout=10)
        assert response.status_code == status, (name, response.text[:400])
        answer = response.json()
        assert answer["error"] == error, (name, answer)
        node = answer.get("errors", {})
        for part in path or ():
            assert part in node, (name, answer)
            node = node[part]
        if path:
            assert " / " in node[0] or node[0].endswith("."), (name, node)  # a reason, zh/en where ours
        assert _snapshot(redis, central) == before, name
    edited = requests.post(f"{central}{PUSH}", json=_cases(world)[-1][1], headers=headers, timeout=10).json()
    assert edited["seq"] == 2 and "seq 2" in edited["message"] and "第 2 条" in edited["message"]
    year0 = requests.post(f"{central}{PUSH}", json=_cases(world)[0][1], headers=headers, timeout=10).json()
    assert "2000-01-01" in year0["errors"]["events"]["0"]["recorded_at"][0]
    assert "时间须在" in year0["errors"]["events"]["0"]["recorded_at"][0]


def test_an_exact_resend_and_an_uppercase_resend_of_an_own_id_are_harmless(central, redis, world):
    headers = {"Authorization": f"Bearer {world['tokens']['laptop-a']}"}
    again = requests.post(f"{central}{PUSH}", json=_batch(world["first"]), headers=headers, timeout=10)
    assert again.status_code == 200 and again.json()["duplicates"] == 2
    shouting = [{**e, "event_id": e["event_id"].upper()} for e in world["first"]]
    upper = requests.post(f"{central}{PUSH}", json=_batch(shouting), headers=headers, timeout=10)
    assert upper.status_code == 200 and upper.json()["duplicates"] == 2, upper.text
    assert redis.xlen(keys.log(DAY)) == 3


def test_an_out_of_order_clock_exchange_is_ignored(central, redis, world):
    headers = {"Authorization": f"Bearer {world['tokens']['laptop-a']}"}
    before = json.loads(redis.hget(keys.device_clock(DAY), "laptop-a"))
    later = to_rfc3339(now_utc() + timedelta(hours=5))
    backwards = {"sent_at": later, "received_at": NOW, "server_time": NOW, "answered_at": NOW}  # answer before send
    response = requests.post(f"{central}{PUSH}", json=_batch([_event(3)], clock=backwards), headers=headers,
                             timeout=10)
    assert response.status_code == 200, response.text
    held = json.loads(redis.hget(keys.device_clock(DAY), "laptop-a"))
    assert abs(held["offset_ms"]) < 60_000 and abs(before["offset_ms"]) < 60_000, "not a 5-hour offset"
    assert held["rtt_ms"] is None, "only the one-way sample of the push itself"


def test_four_concurrent_pushes_with_one_token_lose_no_health_update(central, redis):
    """Each push sends the laptop's log from seq 1 to a point of its own (as a laptop
    re-sending after a lost answer does): every event is accepted by exactly one push,
    and each far-off one must be counted once in the health record, whatever the order."""
    token = register_device(redis, Device("laptop-c", "shashan", DAY))
    headers = {"Authorization": f"Bearer {token}"}
    long_ago = to_rfc3339(now_utc() - timedelta(days=3))  # far off: more than a day from receipt
    threads, rounds = 4, 12  # 48 pushes: under the per-token rate limit (50 a second) whatever the speed
    events = [make_event(seq, device_id="laptop-c", recorded_at=long_ago) for seq in range(1, threads * rounds + 1)]

    def push(thread: int) -> list[int]:
        session = requests.Session()
        return [session.post(f"{central}{PUSH}", json=_batch(events[:threads * n + thread + 1], "laptop-c"),
                             headers=headers, timeout=20).status_code for n in range(rounds)]

    with ThreadPoolExecutor(threads) as pool:
        statuses = [s for answer in pool.map(push, range(threads)) for s in answer]
    assert statuses == [200] * threads * rounds
    assert redis.hget(keys.acked(DAY), "laptop-c") == str(threads * rounds)
    health = json.loads(redis.hget(keys.device_health(DAY), "laptop-c"))
    assert health["far_off_events"] == threads * rounds
    assert health["booth_id"] == "shashan" and health["last_seen"]

"""The property behind issue 12, on the real system: whatever envelopes a laptop pushes
(extreme datetimes and offsets, skewed clocks, odd unicode, unknown keys, voids), each
push is stored (200) or refused with reasons (400/422) and nothing else, a refused push
stores nothing, the real worker's fold reaches the end of the log, and the live totals
equal an independent reference fold (openday/simulate/truth.py) of the stored entries.
One sync service, worker and Redis serve every example (module scope); each example is
a new laptop."""

import contextlib
import itertools
import json
from collections import Counter
from datetime import UTC, datetime, timedelta, timezone

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from redis import Redis

from central import keys
from openday.simulate.truth import figures_of
from shared.clock import now_utc, to_rfc3339
from shared.events import OUTCOMES, RATINGS
from shared.ids import new_event_id
from shared.plan import load_plan
from sync_service.devices.tokens import Device, register_device
from tests.helpers import DAY, PLAN_PATH, running_central, wait_until

PLAN = load_plan(PLAN_PATH)
KNOWN = {name: sorted(PLAN.keys(name)) for name in ("booths", "topics", "departments", "materials")}
ODD = ["\u202e", "\x00", "\u200b", "\ufeff", "\ud800", "𝕏", "汉字", "\n", "'", '"', "<b>", "=1+1"]
laptops = itertools.count(1)


@pytest.fixture(scope="module")
def system(redis_server, tmp_path_factory):
    Redis.from_url(redis_server.url).flushall()
    redis = Redis.from_url(redis_server.url, decode_responses=True)
    with running_central(redis_server.url, tmp_path_factory.mktemp("property")) as url:
        yield url, redis
    redis.close()


def key(known):
    return st.one_of(st.sampled_from(known), st.from_regex(r"[a-z0-9][a-z0-9_\-]{0,8}", fullmatch=True))


text = st.lists(st.one_of(st.sampled_from(ODD), st.text(max_size=8)), max_size=6).map("".join)
payloads = {
    "visitor.received": st.fixed_dictionaries({"party_size": st.integers(1, 50)}),
    "inquiry.answered": st.fixed_dictionaries(
        {"topic": key(KNOWN["topics"]), "department": key(KNOWN["departments"]), "outcome": st.sampled_from(OUTCOMES)},
        optional={"note": text.map(lambda t: t[:200])}),
    "material.distributed": st.fixed_dictionaries({"material": key(KNOWN["materials"]),
                                                   "quantity": st.integers(1, 10_000)}),
    "material.restocked": st.fixed_dictionaries({"material": key(KNOWN["materials"]),
                                                 "quantity": st.integers(1, 10_000)}),
    "feedback.collected": st.fixed_dictionaries(
        {"rating": st.sampled_from(RATINGS)},
        optional={"topic": key(KNOWN["topics"]), "comment": text.map(lambda t: t[:500]), "hot_issue": st.booleans()}),
}


@st.composite
def times(draw) -> str:
    """Mostly around the day, one in eight anywhere datetime reaches, in any offset and shape."""
    if draw(st.integers(0, 7)):
        moment = datetime(2022, 5, 15, 9, tzinfo=UTC) + timedelta(seconds=draw(st.integers(-86_400, 86_400)))
    else:
        moment = draw(st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30))).replace(tzinfo=UTC)
    minutes = draw(st.integers(-14 * 60, 14 * 60))
    with contextlib.suppress(OverflowError):  # year 1 or 9999 in a far offset: keep UTC
        moment = moment.astimezone(timezone(timedelta(minutes=minutes)))
    text = moment.isoformat(timespec=draw(st.sampled_from(["seconds", "milliseconds", "microseconds"])))
    return text.replace("+00:00", "Z") if draw(st.booleans()) else text


@st.composite
def sent_at(draw) -> str:
    skew = draw(st.sampled_from([0, 0, 0, 1, 1, 1, 1, 2]))  # right, a few days off, up to 80 years off
    skew = draw([st.just(0), st.integers(-3 * 86_400, 3 * 86_400), st.integers(-80 * 365 * 86_400,
                                                                               80 * 365 * 86_400)][skew])
    return to_rfc3339(now_utc() + timedelta(seconds=skew))


@st.composite
def batches(draw):
    booth = draw(st.sampled_from(KNOWN["booths"]))
    device = f"laptop-{next(laptops)}"
    events = []
    for seq in range(1, draw(st.integers(1, 6)) + 1):
        countable = [e for e in events if e["type"] != "event.voided"]
        if countable and draw(st.integers(0, 4)) == 0:
            type_, payload = "event.voided", {"target_event_id": draw(st.sampled_from(countable))["event_id"],
                                              "reason": draw(text) or "录入错误"}
        else:
            type_ = draw(st.sampled_from(sorted(payloads)))
            payload = draw(payloads[type_])
        event = {"event_id": new_event_id(), "device_id": device, "seq": seq, "day_id": DAY, "booth_id": booth,
                 "type": type_, "v": 1, "recorded_at": draw(times()), "payload": payload}
        if draw(st.booleans()):
            event["staff"] = draw(st.one_of(st.from_regex(r"[a-z0-9]{1,6}", fullmatch=True), text))
        events.append(event)
    return Device(device, booth, DAY), {"device_id": device, "sent_at": draw(sent_at()), "events": events}


def reference(redis) -> Counter:
    """The whole-day figures of every stored entry, folded by the reference's own rules."""
    figures, seen = Counter(), {}
    for _, fields in redis.xrange(keys.log(DAY)):
        event = json.loads(fields["e"])
        figures["log.entries"] += 1
        if event["type"] != "event.voided":
            seen[event["event_id"]] = [event["device_id"], figures_of(event, PLAN), False]
            figures.update(seen[event["event_id"]][1])
            continue
        target = seen.get(event["payload"]["target_event_id"])
        if target is None or target[0] != event["device_id"] or target[2]:
            figures["voids_ignored"] += 1
        else:
            figures.subtract(target[1])
            figures["voided"] += 1
            target[2] = True
    return Counter({k: v for k, v in figures.items() if v})


def whole_day(redis) -> Counter:
    return Counter({k: int(v) for k, v in redis.hgetall(keys.totals(DAY)).items() if "|" not in k})


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(pushed=batches())
def test_any_push_is_stored_or_refused_and_the_fold_keeps_up_with_the_reference(system, pushed):
    url, redis = system
    device, batch = pushed
    token = register_device(redis, device)
    before = redis.xlen(keys.log(DAY))
    response = requests.post(f"{url}/api/v1/sync/push", data=json.dumps(batch), timeout=20,
                             headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    assert response.status_code in (200, 400, 422), response.text[:500]  # 400: a lone surrogate is not JSON
    if response.status_code != 200:
        assert response.json().get("errors") or response.status_code == 400, response.text
        assert redis.xlen(keys.log(DAY)) == before and redis.hget(keys.acked(DAY), device.device_id) is None
        assert redis.hget(keys.device_health(DAY), device.device_id) is None
    else:
        assert response.json()["accepted"] == len(batch["events"])
    end = redis.xrevrange(keys.log(DAY), count=1)
    wait_until(lambda: not end or redis.get(keys.checkpoint(DAY)) == end[0][0], timeout=30, message="fold lag 0")
    assert whole_day(redis) == reference(redis)
    ACCEPTED.append(response.status_code == 200)


ACCEPTED: list[bool] = []


def test_the_property_saw_pushes_stored_and_refused():
    """Run after the property (file order): it must have exercised both outcomes."""
    if not ACCEPTED:
        pytest.skip("the property test did not run in this session")
    assert sum(ACCEPTED) >= 5 and len(ACCEPTED) - sum(ACCEPTED) >= 3, ACCEPTED

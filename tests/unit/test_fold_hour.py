"""The fold's local hour (worker/fold.py PlanKeys.hour) against shared.clock.local_hour:
the laptops' own timestamp shape takes a cached-minute path, any other RFC 3339 text is
parsed; both must agree with the plain datetime arithmetic to the millisecond, at the
edges of quarter hours and hours, whatever the device clock offset."""

import random
from datetime import UTC, datetime, timedelta, timezone

from shared.clock import local_hour, parse_rfc3339, to_rfc3339
from shared.fold import FoldView, PlanKeys, plan_keys

ZONES = [timezone(timedelta(hours=8)), UTC, timezone(timedelta(hours=-5)), timezone(timedelta(hours=5, minutes=45)),
         timezone(timedelta(hours=-3, minutes=-30))]
OFFSETS_MS = [0, 1, -1, -1500, 999, 60_000, -5_400_000, 7_300_000]


def _texts(rng: random.Random):
    """Times near the hour and quarter-hour edges, written in the shapes laptops and others use."""
    for _ in range(3000):
        moment = datetime(2022, 5, 15, rng.randint(0, 23), rng.choice([0, 14, 15, 29, 30, 44, 45, 59]),
                          rng.choice([0, 59, rng.randint(0, 59)]), rng.choice([0, 999_000, rng.randint(0, 999_999)]),
                          tzinfo=rng.choice(ZONES))
        yield to_rfc3339(moment)  # 2022-05-15T09:37:07.250+08:00: the cached-minute path
        yield moment.isoformat()  # microseconds, or none at all
        yield moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_the_hour_agrees_with_plain_datetime_arithmetic_to_the_millisecond(plan):
    keys, rng = PlanKeys(plan), random.Random(6)
    for text in _texts(rng):
        offset_ms = rng.choice(OFFSETS_MS)
        moment = parse_rfc3339(text)
        floored = moment - timedelta(microseconds=moment.microsecond % 1000)  # the fold counts whole ms
        assert keys.hour(text, offset_ms) == local_hour(floored, plan.timezone, offset_ms), (text, offset_ms)


def test_the_last_millisecond_of_an_hour_stays_in_it(plan):
    keys = PlanKeys(plan)
    assert keys.hour("2022-05-15T09:59:59.999+08:00", 0) == "09"
    assert keys.hour("2022-05-15T10:00:00.000+08:00", 0) == "10"
    assert keys.hour("2022-05-15T10:00:00.000+08:00", 1) == "09"  # the device was 1 ms ahead
    assert keys.hour("2022-05-15T01:59:59.999Z", 0) == "09"


def test_alike_events_share_one_effect_but_a_resolution_gets_its_own(plan):
    from tests.factories import make_event

    view = FoldView(plan)
    first, second = make_event(1, "visitor.received"), make_event(2, "visitor.received")
    assert view.effect(first, 0) is view.effect(second, 0)
    balloon = make_event(3, payload={"material": "balloon", "quantity": 5})
    assert view.effect(balloon, 0).sig == ("quarantined",)
    mapped = view.with_resolution("material", "balloon", "leaflet")
    assert mapped.effect(balloon, 0).sig == ("material.distributed", "leaflet")
    assert view.effect(balloon, 0).sig == ("quarantined",)  # the first view's memo is its own
    assert plan_keys(plan) is view.keys

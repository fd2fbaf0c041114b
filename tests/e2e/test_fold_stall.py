"""Issue 12 on the real system (gunicorn sync service, rq worker, Redis): entries the fold
rejects are listed for coordinators (API and day page, zh/en); a fold that keeps failing
backs off instead of looping, is counted in /metrics and shown on the day page, and
carries on by itself once the cause is gone."""

import json
import re
import time

import pytest
import requests

from central import keys
from shared.clock import now_utc, to_rfc3339
from sync_service.coordinators import add_coordinator
from sync_service.devices.tokens import Device, register_device
from tests.factories import make_event, void_of
from tests.helpers import DAY, central_totals, running_central, wait_until
from tests.signin import sign_in_requests

LEAD = ("lead", "lead-password")
PUSH = "/api/v1/sync/push"
METRICS_TOKEN = "stall-scraper-token"


@pytest.fixture
def central(redis_url, tmp_path):
    """The conftest's central, with a /metrics token to scrape with."""
    with running_central(redis_url, tmp_path, OPENDAY_METRICS_TOKEN=METRICS_TOKEN) as url:
        yield url


@pytest.fixture
def day(central, redis):
    add_coordinator(redis, *LEAD, [DAY])
    token = register_device(redis, Device("laptop-a", "shashan", DAY))
    return {"Authorization": f"Bearer {token}"}


def _push(central, headers, events):
    body = {"device_id": "laptop-a", "sent_at": to_rfc3339(now_utc()), "events": events}
    response = requests.post(f"{central}{PUSH}", json=body, headers=headers, timeout=10)
    assert response.status_code == 200, response.text
    return response.json()


def _report(central) -> dict:
    response = requests.get(f"{central}/api/v1/days/{DAY}/rejected", auth=LEAD, timeout=10)
    response.raise_for_status()
    return response.json()


def _metric(central, name: str) -> float:
    text = requests.get(f"{central}/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"}, timeout=10).text
    match = re.search(rf"^{name}(?:{{[^}}]*}})? (\S+)$", text, re.M)
    assert match, name
    return float(match.group(1))


def _day_page(central, lang: str) -> str:
    session = requests.Session()
    sign_in_requests(session, central, *LEAD)
    return session.get(f"{central}/dashboard/days/{DAY}", params={"lang": lang}, timeout=10).text


def test_an_old_poison_entry_is_listed_for_coordinators_and_the_day_goes_on(central, redis, day):
    poison = make_event(1, "visitor.received", recorded_at="0001-01-01T00:00:00+14:00")
    redis.xadd(keys.log(DAY), {"e": json.dumps(poison), "d": "laptop-old", "rt": 1_652_580_000_000, "off": 0})
    redis.sadd(keys.DAYS, DAY)
    _push(central, day, [make_event(1, "visitor.received", recorded_at=to_rfc3339(now_utc()))])
    wait_until(lambda: central_totals(central)["log_entries"] == 2, message="both entries folded")
    totals = central_totals(central)
    assert (totals["visitors"], totals["rejected"], totals["rejected_by_reason"]) == (3, 1, {"bad_time": 1})
    report = _report(central)
    assert report["count"] == 1 and report["stalled"] is None
    entry = report["entries"][0]
    assert (entry["device_id"], entry["seq"], entry["reason"]) == ("laptop-a", 1, "bad_time")
    assert "2000" in entry["reason_zh"] and "2000" in entry["reason_en"]
    assert "记录时间不可能" in _day_page(central, "zh") and "impossible time" in _day_page(central, "en")


def test_a_failing_fold_backs_off_is_counted_shown_and_recovers(central, redis, day):
    now = to_rfc3339(now_utc())
    first = make_event(1, "visitor.received", recorded_at=now)
    _push(central, day, [first])
    wait_until(lambda: central_totals(central)["visitors"] == 3, message="first entry folded")
    redis.set(keys.voided(DAY), "not a hash")  # a projection key of the wrong type: every fold of a void fails
    _push(central, day, [void_of(first, 2) | {"recorded_at": now}, make_event(3, "visitor.received", recorded_at=now)])
    stalled = wait_until(lambda: _report(central)["stalled"], timeout=30, message="the stall recorded")
    assert "WRONGTYPE" in stalled["reason"] and re.fullmatch(r"\d\d:\d\d", stalled["since"])
    observed_until = time.monotonic() + 3
    while time.monotonic() < observed_until:  # backoff, not a busy loop: 2 s, then 4 s ...
        assert _report(central)["stalled"]["failures"] <= 3
        time.sleep(0.2)
    assert _metric(central, "openday_fold_failures_total") >= 1
    assert _metric(central, "openday_fold_oldest_unfolded_age_seconds") > 1
    assert f"统计自 {stalled['since']} 起停滞" in _day_page(central, "zh")
    assert f"Totals stalled since {stalled['since']}" in _day_page(central, "en")
    redis.delete(keys.voided(DAY))  # the cause is gone: the next fold after the backoff carries on
    wait_until(lambda: central_totals(central)["visitors"] == 3 and central_totals(central)["voided"] == 1
               and central_totals(central)["log_entries"] == 3, timeout=60, message="the fold carried on")
    assert _report(central)["stalled"] is None
    assert _metric(central, "openday_fold_oldest_unfolded_age_seconds") == 0
    assert "fold-stalled" not in _day_page(central, "en")

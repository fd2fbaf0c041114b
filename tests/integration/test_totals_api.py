"""Totals (?booth=), quarantine listing and resolution over the HTTP API, against a real
Redis; the fold runs in-process here (tests/e2e runs it in a real worker)."""

import pytest

from central import keys
from central.central_log import CentralLog
from central.projection import fold_to_end, read_totals
from shared.events import COORDINATOR_DEVICE
from sync_service.app import create_app
from sync_service.coordinators import add_coordinator
from sync_service.devices.tokens import Device, register_device, revoke_device
from tests.factories import make_event, void_of
from tests.helpers import DAY

COORDINATOR = ("gu", "correct horse")


@pytest.fixture
def api(redis_url, redis):
    add_coordinator(redis, *COORDINATOR, [DAY])
    add_coordinator(redis, "other", "correct horse", ["other-day-2023"])
    return create_app({"REDIS_URL": redis_url}).test_client()


def _push(redis, device, booth, events):
    CentralLog(redis).append_batch(DAY, device, events, received_ms=1_652_580_000_000, offset_ms=0)


def test_totals_narrow_to_a_booth(api, redis, plan):
    _push(redis, "laptop-a", "shashan", [make_event(1, "visitor.received", {"party_size": 4}),
                                         make_event(2, "feedback.collected")])
    _push(redis, "laptop-b", "bayi", [make_event(1, "visitor.received", {"party_size": 2}, device_id="laptop-b",
                                                 booth_id="bayi")])
    fold_to_end(redis, DAY, plan)
    whole = api.get(f"/api/v1/days/{DAY}/totals", auth=COORDINATOR).json
    assert whole["visitors"] == 6 and set(whole["by_booth"]) == {"shashan", "bayi"}
    assert whole["by_device"]["laptop-a"]["acked_seq"] == 2
    assert whole["feedback"]["hot_issue_list"][0]["text"] == "希望多办"
    bayi = api.get(f"/api/v1/days/{DAY}/totals?booth=bayi", auth=COORDINATOR).json
    assert bayi["booth_id"] == "bayi" and bayi["visitors"] == 2 and bayi["position"] == whole["position"]
    assert list(bayi["by_device"]) == ["laptop-b"] and bayi["feedback"]["hot_issue_list"] == []
    assert bayi["by_hour"]["09"]["visitors"] == 2
    missing = api.get(f"/api/v1/days/{DAY}/totals?booth=nowhere", auth=COORDINATOR)
    assert missing.status_code == 404 and missing.json["errors"]["booth"]
    assert api.get("/api/v1/days/no-such-day/totals", auth=COORDINATOR).status_code == 404


def _quarantined_day(redis, plan):
    balloon = make_event(1, payload={"material": "balloon", "quantity": 30})
    events = [balloon, make_event(2, payload={"material": "balloon", "quantity": 5}),
              make_event(3, "inquiry.answered", {"topic": "yiliao", "department": "jiuzhu", "outcome": "referred"}),
              void_of(balloon, 4)]
    _push(redis, "laptop-a", "shashan", events)
    fold_to_end(redis, DAY, plan)


def test_coordinator_maps_and_rejects_quarantined_keys(api, redis, plan):
    _quarantined_day(redis, plan)
    assert read_totals(redis, DAY)["quarantined"] == 2
    listing = api.get(f"/api/v1/days/{DAY}/quarantine", auth=COORDINATOR).json
    assert [(p["field"], p["key"], p["events"]) for p in listing["quarantine"]] == [
        ("material", "balloon", 1), ("topic", "yiliao", 1)]
    assert "poster" in listing["options"]["material"]

    mapped = api.post(f"/api/v1/days/{DAY}/quarantine/resolve", auth=COORDINATOR,
                      json={"field": "material", "key": "balloon", "action": "map", "to": "poster"})
    assert mapped.status_code == 202, mapped.json
    rejected = api.post(f"/api/v1/days/{DAY}/quarantine/resolve", auth=COORDINATOR,
                        json={"field": "topic", "key": "yiliao", "action": "reject"})
    assert rejected.status_code == 202
    fold_to_end(redis, DAY, plan)
    totals = read_totals(redis, DAY)
    assert totals["materials"]["distributed"] == {"poster": 5}  # the voided 30 stays out
    assert (totals["quarantined"], totals["rejected"], totals["voided"]) == (0, 1, 1)
    assert totals["inquiries"]["total"] == 0
    # the resolutions are events of the log, from the reserved coordinator device
    assert CentralLog(redis).acked_seq(DAY, COORDINATOR_DEVICE) == 2
    listing = api.get(f"/api/v1/days/{DAY}/quarantine", auth=COORDINATOR).json
    assert listing["quarantine"] == []
    assert {(r["key"], r["action"], r["to"]) for r in listing["resolved"]} == {
        ("balloon", "map", "poster"), ("yiliao", "reject", None)}
    again = api.post(f"/api/v1/days/{DAY}/quarantine/resolve", auth=COORDINATOR,
                     json={"field": "material", "key": "balloon", "action": "reject"})
    assert again.status_code == 409


def test_resolution_requests_are_checked_and_change_nothing_when_bad(api, redis, plan):
    _quarantined_day(redis, plan)
    url = f"/api/v1/days/{DAY}/quarantine/resolve"
    good = {"field": "material", "key": "balloon", "action": "map", "to": "poster"}
    assert api.post(url, json=good).status_code == 401
    assert api.post(url, json=good, auth=("other", "correct horse")).status_code == 403
    assert api.get(f"/api/v1/days/{DAY}/quarantine").status_code == 401
    cases = [
        ({**good, "action": "merge"}, "action"),
        ({**good, "to": None}, "to"),
        ({"field": "colour", "key": "red", "action": "reject"}, "field"),
        ({**good, "to": "umbrella"}, "to"),
        ({"field": "material", "key": "balloon", "action": "reject", "to": "poster"}, "to"),
    ]
    for body, field in cases:
        response = api.post(url, json=body, auth=COORDINATOR)
        assert response.status_code == 422, (body, response.json)
        assert field in response.json["errors"], response.json
    assert api.post(url, data="{", content_type="application/json", auth=COORDINATOR).status_code == 400
    unknown = api.post(url, json={"field": "material", "key": "kite", "action": "reject"}, auth=COORDINATOR)
    assert unknown.status_code == 404
    assert CentralLog(redis).acked_seq(DAY, COORDINATOR_DEVICE) == 0
    assert redis.xlen(keys.log(DAY)) == 4


def test_totals_and_live_need_a_reader_of_that_day(api, redis):
    """Hot issues are citizens' own words: only the day's coordinators and laptops read them."""
    own = register_device(redis, Device("laptop-a", "shashan", DAY))
    foreign = register_device(redis, Device("laptop-x", "shashan", "other-day-2023"))
    for path in (f"/api/v1/days/{DAY}/totals", f"/api/v1/days/{DAY}/live"):
        anonymous = api.get(path)
        assert anonymous.status_code == 401 and anonymous.json["error"] == "unauthorized"
        assert "协调员" in anonymous.json["message"]
        assert api.get(path, auth=("gu", "wrong password")).status_code == 401
        assert api.get(path, auth=("other", "correct horse")).status_code == 403
        refused = api.get(path, headers={"Authorization": f"Bearer {foreign}"})
        assert refused.status_code == 403 and "other-day-2023" in refused.json["message"]
        assert api.get(path, headers={"Authorization": "Bearer not-a-token"}).status_code == 401
    assert api.get(f"/api/v1/days/{DAY}/totals", auth=COORDINATOR).status_code == 200
    assert api.get(f"/api/v1/days/{DAY}/totals", headers={"Authorization": f"Bearer {own}"}).json["day_id"] == DAY
    revoke_device(redis, DAY, "laptop-a")
    revoked = api.get(f"/api/v1/days/{DAY}/totals", headers={"Authorization": f"Bearer {own}"})
    assert revoked.status_code == 401 and revoked.json["error"] == "revoked"


def test_live_streams_leave_threads_for_pushes(redis_url, redis):
    """Past OPENDAY_LIVE_STREAMS open streams a viewer gets 503 busy (with Retry-After); a closed
    stream frees its slot."""
    add_coordinator(redis, *COORDINATOR, [DAY])
    api = create_app({"REDIS_URL": redis_url, "LIVE_STREAMS": 2, "LIVE_MAX_SECONDS": 30}).test_client()
    path = f"/api/v1/days/{DAY}/live"
    streams = [api.get(path, auth=COORDINATOR, buffered=False) for _ in range(2)]
    assert [s.status_code for s in streams] == [200, 200]
    assert next(streams[0].response).startswith(b"retry: 2000\nid: ")
    busy = api.get(path, auth=COORDINATOR)
    assert busy.status_code == 503 and busy.json["error"] == "busy" and busy.headers["Retry-After"] == "5"
    assert "实时连接已满" in busy.json["message"]
    streams[0].close()
    again = api.get(path, auth=COORDINATOR, buffered=False)
    assert again.status_code == 200
    for stream in (streams[1], again):
        stream.close()

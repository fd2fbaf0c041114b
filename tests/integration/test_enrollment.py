"""Enrollment codes, device tokens, revocation and the devices list, against a real Redis
(Flask's test client stands in for the HTTP hop; tests/e2e drives real processes)."""

import base64
import json
from datetime import timedelta

import pytest

from central import keys
from shared.clock import now_utc, to_rfc3339
from sync_service.app import create_app
from sync_service.coordinators import add_coordinator
from sync_service.devices.enrollment import ALPHABET, code_field, normalize_code
from tests.factories import make_event
from tests.helpers import DAY

CODES = f"/api/v1/days/{DAY}/enrollment-codes"


def _basic(user, password):
    """A script's Basic credentials; X-Requested-With: a body-less POST with Basic needs it (CSRF)."""
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode(),
            "X-Requested-With": "script"}


@pytest.fixture
def client(redis_url, redis):
    add_coordinator(redis, "lead", "lead-password", [DAY])
    add_coordinator(redis, "elsewhere", "other-password", ["other-day-2023"])
    return create_app({"REDIS_URL": redis_url}).test_client()


LEAD = _basic("lead", "lead-password")


def _code(client, booth="shashan", **body):
    response = client.post(CODES, json={"booth_id": booth, **body}, headers=LEAD)
    assert response.status_code == 201, response.json
    return response.json


def _enroll(client, code, device_id="laptop-a", **extra):
    return client.post("/api/v1/enroll", json={"code": code, "device_id": device_id, **extra})


def _push(client, token, events, device_id="laptop-a"):
    return client.post("/api/v1/sync/push", headers={"Authorization": f"Bearer {token}"},
                       json={"device_id": device_id, "sent_at": to_rfc3339(now_utc()), "events": events})


def test_code_shape_and_typing():
    assert not set("0O1I") & set(ALPHABET)
    assert normalize_code("abcd-efgh") == normalize_code("ABCDEFGH") == "ABCDEFGH"
    assert normalize_code(" k7qx m4zp ") == "K7QXM4ZP"
    assert normalize_code("ABCD-EFG0") is None  # 0 is not in the alphabet
    assert normalize_code("ABC") is None


def test_code_enrols_a_laptop_whose_token_writes_only_its_booth(client, redis):
    code = _code(client, uses=1, ttl_minutes=30)
    assert code["booth_id"] == "shashan" and code["uses_left"] == 1
    assert len(code["code"]) == 9 and code["code"][4] == "-"
    typed = code["code"].replace("-", "").lower()  # typed without the dash, in lower case
    enrolled = _enroll(client, typed, label="沙山 1号机")
    assert enrolled.status_code == 201, enrolled.json
    assert {k: enrolled.json[k] for k in ("device_id", "booth_id", "day_id")} == \
        {"device_id": "laptop-a", "booth_id": "shashan", "day_id": DAY}
    token = enrolled.json["token"]
    assert len(base64.urlsafe_b64decode(token + "==")) >= 16  # >= 128 random bits
    assert token not in json.dumps(redis.hgetall(keys.DEVICE_TOKENS)) + json.dumps(redis.hgetall(keys.devices(DAY)))
    assert _push(client, token, [make_event(1)]).status_code == 200
    assert _push(client, token, [make_event(1, booth_id="bayi")]).status_code == 403
    assert client.get(f"/api/v1/days/{DAY}/plan", headers={"Authorization": f"Bearer {token}"}).json["day_id"] == DAY

    listed = client.get(CODES, headers=LEAD).json["codes"]
    assert [(c["id"], c["uses_left"], c["active"]) for c in listed] == [(code["id"], 0, False)]
    used = _enroll(client, code["code"], device_id="laptop-b")
    assert (used.status_code, used.json["error"]) == (400, "used_code")


def test_refusals_say_why_and_change_nothing(client, redis):
    code = _code(client, uses=2)["code"]
    _enroll(client, code, device_id="laptop-a")
    before = redis.hgetall(keys.devices(DAY)), redis.hgetall(keys.DEVICE_TOKENS)
    cases = [
        ({"code": code, "device_id": "laptop-a"}, 409, "device_exists"),  # no taking over an enrolled id
        ({"code": "ZZZZ-ZZZZ", "device_id": "laptop-c"}, 400, "invalid_code"),
        ({"code": "not a code", "device_id": "laptop-c"}, 400, "invalid_code"),
        ({"code": code, "device_id": "Laptop C!"}, 422, "invalid"),
        ({"code": code}, 422, "invalid"),
    ]
    for body, status, error in cases:
        response = client.post("/api/v1/enroll", json=body)
        assert (response.status_code, response.json["error"]) == (status, error), body
        assert response.json["errors"], response.json
    assert (redis.hgetall(keys.devices(DAY)), redis.hgetall(keys.DEVICE_TOKENS)) == before
    assert client.get(CODES, headers=LEAD).json["codes"][0]["uses_left"] == 1


def test_expired_and_deleted_codes_do_not_enrol(client, redis):
    expired = _code(client)["code"]
    raw = json.loads(redis.hget(keys.ENROLLMENT_CODES, code_field(normalize_code(expired))))
    raw["expires_at"] = to_rfc3339(now_utc() - timedelta(minutes=1))
    redis.hset(keys.ENROLLMENT_CODES, code_field(normalize_code(expired)), json.dumps(raw))
    assert _enroll(client, expired).json["error"] == "expired_code"
    deleted = _code(client)["code"]
    assert client.delete(f"{CODES}/{deleted.lower()}", headers=LEAD).status_code == 204
    assert client.delete(f"{CODES}/{deleted}", headers=LEAD).status_code == 404
    assert _enroll(client, deleted).json["error"] == "invalid_code"
    assert redis.hlen(keys.devices(DAY)) == 0


def test_coordinator_actions_need_credentials_for_the_day(client):
    body = {"booth_id": "shashan"}
    assert client.post(CODES, json=body).status_code == 401
    assert client.post(CODES, json=body, headers=_basic("lead", "wrong-password")).status_code == 401
    assert client.post(CODES, json=body, headers=_basic("elsewhere", "other-password")).status_code == 403
    assert client.get(CODES, headers=_basic("elsewhere", "other-password")).status_code == 403
    assert client.get(f"/api/v1/days/{DAY}/devices").status_code == 401
    assert client.post(f"/api/v1/days/{DAY}/devices/laptop-a/revoke").status_code == 401
    assert client.get(f"/api/v1/days/{DAY}/plan").status_code == 401
    bad = client.post(CODES, json={"booth_id": "moon", "uses": 0}, headers=LEAD)
    assert bad.status_code == 422 and set(bad.json["errors"]) == {"uses"}
    unknown_booth = client.post(CODES, json={"booth_id": "moon"}, headers=LEAD)
    assert unknown_booth.status_code == 422 and "booth_id" in unknown_booth.json["errors"]


def test_revoked_laptop_gets_401_revoked_and_is_listed(client, redis):
    token = _enroll(client, _code(client)["code"], label="A").json["token"]
    assert _push(client, token, [make_event(1)]).status_code == 200
    revoked = client.post(f"/api/v1/days/{DAY}/devices/laptop-a/revoke", headers=LEAD)
    assert revoked.status_code == 200 and revoked.json["revoked"] is True
    log_length = redis.xlen(keys.log(DAY))
    refused = _push(client, token, [make_event(2)])
    assert (refused.status_code, refused.json["error"]) == (401, "revoked")
    assert redis.xlen(keys.log(DAY)) == log_length
    assert client.post(f"/api/v1/days/{DAY}/devices/nobody/revoke", headers=LEAD).status_code == 404
    row, = client.get(f"/api/v1/days/{DAY}/devices", headers=LEAD).json["devices"]
    assert (row["device_id"], row["label"], row["acked_seq"], row["revoked"]) == ("laptop-a", "A", 1, True)
    every_day = client.get("/api/v1/devices", headers=LEAD).json["devices"]
    assert every_day == [{"day_id": DAY, **row}]
    assert client.get("/api/v1/devices", headers=_basic("elsewhere", "other-password")).json["devices"] == []
    assert client.get("/api/v1/devices").status_code == 401


def test_devices_list_shows_health_and_clock(client, redis):
    token = _enroll(client, _code(client)["code"]).json["token"]
    events = [make_event(s, recorded_at=to_rfc3339(now_utc())) for s in range(1, 6)]
    ahead = now_utc() + timedelta(minutes=10)  # this laptop's clock is ten minutes fast
    body = {"device_id": "laptop-a", "sent_at": to_rfc3339(ahead), "pending": 5, "events": events[:3]}
    first = client.post("/api/v1/sync/push", json=body, headers={"Authorization": f"Bearer {token}"})
    assert first.status_code == 200
    assert abs(first.json["clock_offset_ms"] - 600_000) < 5_000
    answered = now_utc() + timedelta(minutes=10)
    exchange = {"sent_at": body["sent_at"], "received_at": first.json["received_at"],
                "server_time": first.json["server_time"], "answered_at": to_rfc3339(answered)}
    second = client.post("/api/v1/sync/push", headers={"Authorization": f"Bearer {token}"}, json={
        **body, "sent_at": to_rfc3339(now_utc() + timedelta(minutes=10)), "pending": 2, "events": events[3:],
        "clock": exchange})
    assert second.status_code == 200 and abs(second.json["clock_offset_ms"] - 600_000) < 5_000
    row, = client.get(f"/api/v1/days/{DAY}/devices", headers=LEAD).json["devices"]
    assert (row["acked_seq"], row["pending"], row["skewed"], row["far_off_events"]) == (5, 0, True, 0)
    assert row["clock_rtt_ms"] is not None and row["last_seen"]
    offsets = {int(fields["off"]) for _, fields in redis.xrange(keys.log(DAY))}
    assert all(abs(off - 600_000) < 5_000 for off in offsets)  # each log entry carries its device's offset


def test_recorded_at_more_than_a_day_off_is_flagged(client):
    token = _enroll(client, _code(client)["code"]).json["token"]
    assert _push(client, token, [make_event(1, recorded_at="2022-05-15T09:15:00+08:00")]).status_code == 200
    row, = client.get(f"/api/v1/days/{DAY}/devices", headers=LEAD).json["devices"]
    assert row["far_off_events"] == 1 and row["skewed"] is True


def test_a_revoked_laptop_may_enrol_again_at_its_own_booth_only(client, redis):
    token = _enroll(client, _code(client)["code"]).json["token"]
    assert _push(client, token, [make_event(1)]).status_code == 200
    client.post(f"/api/v1/days/{DAY}/devices/laptop-a/revoke", headers=LEAD)
    other_booth = _enroll(client, _code(client, booth="bayi")["code"])
    assert (other_booth.status_code, other_booth.json["error"]) == (409, "device_exists")
    again = _enroll(client, _code(client)["code"])
    assert again.status_code == 201
    assert _push(client, token, [make_event(2)]).json["error"] == "revoked"  # the old token stays dead
    assert _push(client, again.json["token"], [make_event(2)]).json["acked_seq"] == 2


def test_code_guessing_is_throttled_per_address(redis_url, redis):
    client = create_app({"REDIS_URL": redis_url, "ENROLL_TRIES_PER_MINUTE": 3}).test_client()
    answers = [client.post("/api/v1/enroll", json={"code": "ZZZZ-ZZZZ", "device_id": f"guess-{i}"}) for i in range(5)]
    assert [a.status_code for a in answers[:3]] == [400, 400, 400]
    assert answers[3].status_code == 429 and 1 <= int(answers[3].headers["Retry-After"]) <= 60
    assert redis.hlen(keys.devices(DAY)) == 0

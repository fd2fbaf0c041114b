"""The push API against a real Redis (Flask's test client stands in for the HTTP hop;
tests/e2e runs the same over real processes)."""

import json

import pytest

from central import keys
from sync_service.app import create_app
from sync_service.devices.tokens import Device, register_device
from tests.factories import make_event
from tests.helpers import DAY


@pytest.fixture
def api(redis_url, redis):
    app = create_app({"REDIS_URL": redis_url})
    token = register_device(redis, Device("laptop-a", "shashan", DAY))
    client = app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return client


def _batch(events, device="laptop-a"):
    return {"device_id": device, "sent_at": "2022-05-15T09:00:00+08:00", "events": events}


def _stored(redis):
    return redis.xlen(keys.log(DAY)), redis.hgetall(keys.acked(DAY))


def test_push_acks_and_resend_is_harmless(api, redis):
    events = [make_event(s) for s in (1, 2, 3)]
    first = api.post("/api/v1/sync/push", json=_batch(events))
    assert first.status_code == 200
    assert (first.json["acked_seq"], first.json["accepted"]) == (3, 3)
    assert first.json["server_time"]
    again = api.post("/api/v1/sync/push", json=_batch(events))
    assert (again.json["acked_seq"], again.json["accepted"], again.json["duplicates"]) == (3, 0, 3)
    assert redis.xlen(keys.log(DAY)) == 3


@pytest.mark.parametrize(
    ("body", "status", "reason_path"),
    [
        ("not json", 400, None),
        (_batch([{**make_event(1), "seq": "one"}]), 422, ("events", "0", "seq")),
        (_batch([{k: v for k, v in make_event(1).items() if k != "payload"}]), 422, ("events", "0", "payload")),
        (_batch([{**make_event(1), "type": "visitor.teleported"}]), 422, ("events", "0", "type")),
        (_batch([make_event(1, payload={"material": "leaflet", "quantity": -1})]), 422,
         ("events", "0", "payload", "quantity")),
        ({"device_id": "laptop-a"}, 422, ("events",)),
    ],
)
def test_malformed_batches_say_why_and_store_nothing(api, redis, body, status, reason_path):
    before = _stored(redis)
    if isinstance(body, str):
        response = api.post("/api/v1/sync/push", data=body, content_type="application/json")
    else:
        response = api.post("/api/v1/sync/push", json=body)
    assert response.status_code == status
    assert response.json["message"]
    node = response.json.get("errors", {})
    for part in reason_path or ():
        assert part in node, response.json
        node = node[part]
    assert _stored(redis) == before


def test_auth_and_scope(api, redis):
    event = make_event(1)
    anonymous = api.post("/api/v1/sync/push", json=_batch([event]), headers={"Authorization": ""})
    assert anonymous.status_code == 401
    wrong = api.post("/api/v1/sync/push", json=_batch([event]), headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401
    as_other = api.post("/api/v1/sync/push", json=_batch([make_event(1, device_id="laptop-b")], "laptop-b"))
    assert as_other.status_code == 403
    other_booth = api.post("/api/v1/sync/push", json=_batch([make_event(1, booth_id="bayi")]))
    assert other_booth.status_code == 403
    assert _stored(redis) == (0, {})


def test_conflict_and_gap_are_409(api):
    api.post("/api/v1/sync/push", json=_batch([make_event(1)]))
    conflict = api.post("/api/v1/sync/push", json=_batch([make_event(1)]))
    assert conflict.status_code == 409 and conflict.json["error"] == "seq_conflict"
    assert conflict.json["held_event_id"] != conflict.json["sent_event_id"]
    gap = api.post("/api/v1/sync/push", json=_batch([make_event(5)]))
    assert gap.status_code == 409 and gap.json["expected_seq"] == 2


def test_totals_and_health(api):
    assert api.get("/healthz").json["status"] == "ok"
    assert api.get("/api/v1/days/nosuch-day/totals").status_code == 404
    assert api.get(f"/api/v1/days/{DAY}/totals").json["visitors"] == 0


class _SchemaSpy:
    """The push schema, noting how many events each load was given (it still validates)."""

    def __init__(self, schema):
        self.schema, self.loaded = schema, []

    def load(self, data):
        self.loaded.append(len(data["events"]))
        return self.schema.load(data)


def test_resends_are_recognised_before_validation(api, redis, monkeypatch):
    import sync_service.push.api as push_api

    events = [make_event(s) for s in (1, 2, 3, 4)]
    assert api.post("/api/v1/sync/push", json=_batch(events[:3])).status_code == 200
    spy = _SchemaSpy(push_api.PUSH_BATCH)
    monkeypatch.setattr(push_api, "PUSH_BATCH", spy)
    mixed = api.post("/api/v1/sync/push", json=_batch(events))
    assert (mixed.status_code, mixed.json["accepted"], mixed.json["duplicates"]) == (200, 1, 3)
    again = api.post("/api/v1/sync/push", json=_batch(events))
    assert (again.status_code, again.json["acked_seq"], again.json["duplicates"]) == (200, 4, 4)
    assert spy.loaded == [1, 1]  # the new event, then the batch's head with one event: not the re-sends
    assert redis.xlen(keys.log(DAY)) == 4


def test_a_resend_unlike_what_is_held_gets_the_answer_it_always_got(api, redis):
    events = [make_event(s) for s in (1, 2)]
    assert api.post("/api/v1/sync/push", json=_batch(events)).status_code == 200
    invalid = [events[0], make_event(2, payload={"material": "leaflet", "quantity": -1}), make_event(3)]
    refused = api.post("/api/v1/sync/push", json=_batch(invalid))
    assert refused.status_code == 422 and "quantity" in refused.json["errors"]["events"]["1"]["payload"]
    edited = [events[0], {**events[1], "payload": {"material": "leaflet", "quantity": 7}}]
    conflict = api.post("/api/v1/sync/push", json=_batch(edited))
    assert (conflict.status_code, conflict.json["error"]) == (409, "conflict: content")
    bad_new = api.post("/api/v1/sync/push", json=_batch([*events, {**make_event(3), "seq": "three"}]))
    assert bad_new.status_code == 422 and "2" in bad_new.json["errors"]["events"]
    assert redis.xlen(keys.log(DAY)) == 2


def _scripts_run(redis) -> int:
    stats = redis.info("commandstats")
    return sum(stats.get(f"cmdstat_{name}", {}).get("calls", 0) for name in ("eval", "evalsha"))


def test_a_push_is_one_script_that_also_notes_the_device_health(api, redis):
    """The append and the health note are one Lua step: one round trip and, with
    appendfsync always, one fsync per push (issue 19); a refusal notes nothing."""
    events = [make_event(s) for s in (1, 2)]
    redis.config_resetstat()
    pushed = api.post("/api/v1/sync/push", json={**_batch(events), "pending": 3})
    assert pushed.status_code == 200 and _scripts_run(redis) == 1
    health = json.loads(redis.hget(keys.device_health(DAY), "laptop-a"))
    assert (health["booth_id"], health["pending"], health["far_off_events"]) == ("shashan", 1, 0)
    assert health["last_seen"] == pushed.json["received_at"]
    assert redis.hget(keys.device_clock(DAY), "laptop-a")
    redis.hdel(keys.device_health(DAY), "laptop-a")
    assert api.post("/api/v1/sync/push", json=_batch([make_event(4)])).status_code == 409  # a gap
    assert redis.hget(keys.device_health(DAY), "laptop-a") is None

"""Bad actors against the real sync service (gunicorn, real Redis, real HTTP): every
refusal has the right status and reasons, and leaves the central log and totals as they were."""

import gzip
import json

import pytest
import requests

from central import keys
from shared.clock import now_utc, to_rfc3339
from sync_service.coordinators import add_coordinator
from sync_service.devices.tokens import Device, register_device
from tests.factories import make_event
from tests.helpers import DAY, central_totals, wait_until

PUSH = "/api/v1/sync/push"


def _batch(events, device="laptop-a", **extra):
    return {"device_id": device, "sent_at": to_rfc3339(now_utc()), "events": events, **extra}


def _snapshot(redis, central):
    totals = central_totals(central)
    return (redis.xlen(keys.log(DAY)), redis.hgetall(keys.acked(DAY)), redis.hgetall(keys.event_index(DAY)),
            totals)


@pytest.fixture
def world(central, redis):
    """Two enrolled laptops, a coordinator, and one batch already in."""
    tokens = {d: register_device(redis, Device(d, b, DAY)) for d, b in [("laptop-a", "shashan"), ("laptop-b", "bayi")]}
    add_coordinator(redis, "lead", "lead-password", [DAY])
    first = requests.post(f"{central}{PUSH}", json=_batch([make_event(1), make_event(2)]), timeout=5,
                          headers={"Authorization": f"Bearer {tokens['laptop-a']}"})
    assert first.status_code == 200
    wait_until(lambda: central_totals(central)["log_entries"] == 2,
               message="first batch folded")
    return tokens


def _bearer(token):
    return {"Authorization": f"Bearer {token}"}


def _cases(tokens):
    a = _bearer(tokens["laptop-a"])
    big_comment = "希望多办" * 125
    return [
        ("no token", dict(json=_batch([make_event(3)])), 401, "unauthorized", None),
        ("bad token", dict(json=_batch([make_event(3)]), headers=_bearer("x" * 43)), 401, "unauthorized", None),
        ("basic auth instead", dict(json=_batch([make_event(3)]), auth=("lead", "lead-password")), 401,
         "unauthorized", None),
        ("as another device", dict(json=_batch([make_event(3, device_id="laptop-b")], "laptop-b"), headers=a),
         403, "forbidden", None),
        ("for another booth", dict(json=_batch([make_event(3, booth_id="bayi")]), headers=a), 403, "forbidden", None),
        ("for another day", dict(json=_batch([{**make_event(3), "day_id": "other-day-2023"}]), headers=a), 403,
         "forbidden", None),
        ("501 events", dict(json=_batch([make_event(s) for s in range(3, 504)]), headers=a), 413, "too_large", None),
        ("over 1 MiB", dict(json=_batch([make_event(s, "feedback.collected", {"rating": "satisfied",
                                                                               "comment": big_comment})
                                         for s in range(3, 503)]), headers=a), 413, "too_large", None),
        ("gzip bomb", dict(data=gzip.compress(b"[" + b" " * (8 << 20) + b"]"),
                           headers={**a, "Content-Encoding": "gzip", "Content-Type": "application/json"}),
         413, "too_large", None),
        ("not JSON", dict(data=b'{"device_id": ', headers={**a, "Content-Type": "application/json"}), 400,
         "malformed", None),
        ("JSON but not an object", dict(json=[1, 2], headers=a), 400, "malformed", None),
        ("seq as text", dict(json=_batch([{**make_event(3), "seq": "3"}]), headers=a), 422, "invalid",
         ["events", "0", "seq"]),
        ("quantity as text", dict(json=_batch([make_event(3, payload={"material": "leaflet", "quantity": "20"})]),
                                  headers=a), 422, "invalid", ["events", "0", "payload", "quantity"]),
        ("unknown type", dict(json=_batch([{**make_event(3), "type": "visitor.teleported"}]), headers=a), 422,
         "invalid", ["events", "0", "type"]),
        ("unknown field", dict(json=_batch([{**make_event(3), "admin": True}]), headers=a), 422, "invalid",
         ["events", "0", "admin"]),
        ("one bad among good", dict(json=_batch([make_event(3), {**make_event(4), "recorded_at": "yesterday"}]),
                                    headers=a), 422, "invalid", ["events", "1", "recorded_at"]),
        ("no events", dict(json=_batch([]), headers=a), 422, "invalid", ["events"]),
    ]


def test_refusals_have_reasons_and_change_nothing(central, redis, world):
    before = _snapshot(redis, central)
    for name, kwargs, status, error, path in _cases(world):
        response = requests.post(f"{central}{PUSH}", timeout=10, **kwargs)
        assert response.status_code == status, (name, response.text[:300])
        body = response.json()
        assert body["error"] == error and body["message"], name
        node = body.get("errors", {})
        for part in path or ():
            assert part in node, (name, body)
            node = node[part]
        assert _snapshot(redis, central) == before, name


def test_revoked_token_is_401_revoked_and_changes_nothing(central, redis, world):
    lead = ("lead", "lead-password")
    revoke = requests.post(f"{central}/api/v1/days/{DAY}/devices/laptop-a/revoke", auth=lead, timeout=10,
                           headers={"X-Requested-With": "script"})
    assert revoke.status_code == 200 and revoke.json()["revoked"] is True
    before = _snapshot(redis, central)
    response = requests.post(f"{central}{PUSH}", json=_batch([make_event(3)]), headers=_bearer(world["laptop-a"]),
                             timeout=5)
    assert response.status_code == 401 and response.json()["error"] == "revoked"
    assert _snapshot(redis, central) == before
    other = requests.post(f"{central}{PUSH}", json=_batch([make_event(1, device_id="laptop-b", booth_id="bayi")],
                                                          "laptop-b"), headers=_bearer(world["laptop-b"]), timeout=5)
    assert other.status_code == 200  # revoking one laptop leaves the others alone
    devices = requests.get(f"{central}/api/v1/days/{DAY}/devices", auth=lead, timeout=10).json()["devices"]
    assert {d["device_id"]: d["revoked"] for d in devices} == {"laptop-a": True, "laptop-b": False}
    assert "lead-password" not in json.dumps(redis.hgetall(keys.COORDINATORS))

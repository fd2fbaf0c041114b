"""Push body handling: gzip, size caps, the rate limit, Redis going away."""

import gzip
import json

import pytest

from central import keys
from openday.embedded_redis import free_port
from shared.protocol import MAX_BATCH_BYTES
from sync_service.app import create_app
from sync_service.devices.tokens import Device, register_device
from tests.factories import make_event
from tests.helpers import DAY


def _body(events):
    return {"device_id": "laptop-a", "sent_at": "2022-05-15T09:00:00+08:00", "events": events}


@pytest.fixture
def make_client(redis_url, redis):
    def make(**config):
        client = create_app({"REDIS_URL": redis_url, **config}).test_client()
        token = register_device(redis, Device("laptop-a", "shashan", DAY))
        client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token}"
        return client
    return make


def _post(client, raw: bytes, **headers):
    return client.post("/api/v1/sync/push", data=raw, headers={"Content-Type": "application/json", **headers})


def test_gzip_bodies_are_accepted(make_client, redis):
    client = make_client()
    raw = gzip.compress(json.dumps(_body([make_event(s) for s in range(1, 301)])).encode())
    response = _post(client, raw, **{"Content-Encoding": "gzip"})
    assert response.status_code == 200 and response.json["acked_seq"] == 300
    assert redis.xlen(keys.log(DAY)) == 300


def test_oversized_batches_are_413_and_store_nothing(make_client, redis):
    client = make_client()
    too_many = _post(client, json.dumps(_body([make_event(s) for s in range(1, 502)])).encode())
    assert (too_many.status_code, too_many.json["limit_events"]) == (413, 500)
    comment = "希望多办" * 125  # 500 characters, 3000 bytes once \u-escaped
    heavy = [make_event(s, "feedback.collected", {"rating": "satisfied", "comment": comment})
             for s in range(1, 501)]
    raw = json.dumps(_body(heavy)).encode()
    assert len(raw) > MAX_BATCH_BYTES
    assert _post(client, raw).status_code == 413
    bomb = gzip.compress(json.dumps(_body(heavy)).encode() + b" " * (4 * MAX_BATCH_BYTES))
    assert len(bomb) < MAX_BATCH_BYTES  # small on the wire, too big inflated
    assert _post(client, bomb, **{"Content-Encoding": "gzip"}).status_code == 413
    assert _post(client, b"\x1f\x8b garbage", **{"Content-Encoding": "gzip"}).status_code == 400
    assert _post(client, b"{}", **{"Content-Encoding": "br"}).status_code == 415
    assert redis.xlen(keys.log(DAY)) == 0 and redis.hgetall(keys.acked(DAY)) == {}


def test_rate_limit_answers_429_with_retry_after(make_client):
    client = make_client(PUSH_RATE_PER_S=2)
    answers = [client.post("/api/v1/sync/push", json=_body([make_event(1)])) for _ in range(6)]
    limited = [a for a in answers if a.status_code == 429]
    assert limited, [a.status_code for a in answers]
    assert limited[0].headers["Retry-After"] == "1" and limited[0].json["error"] == "rate_limited"


def test_redis_unavailable_is_503_with_retry_after(redis):
    token = register_device(redis, Device("laptop-a", "shashan", DAY))
    nowhere = f"redis://127.0.0.1:{free_port()}/0"
    client = create_app({"REDIS_URL": nowhere, "SECRET_KEY": "test"}).test_client()
    response = client.post("/api/v1/sync/push", json=_body([make_event(1)]),
                           headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 503 and response.headers["Retry-After"]

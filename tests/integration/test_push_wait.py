"""Acked means replicated: with OPENDAY_WAIT_REPLICAS=1 a push is answered acked_seq only
once WAIT saw a replica take it. A primary with no replica answers 503 not_replicated with
Retry-After (zh/en); once a replica is attached the same batch is acked, counted once."""

import pytest
from redis import Redis

from central import keys
from openday.embedded_redis import EmbeddedRedis
from sync_service.app import create_app
from sync_service.devices.tokens import Device, register_device
from tests.factories import make_event
from tests.helpers import DAY, wait_until


@pytest.fixture
def replica(tmp_path):
    with EmbeddedRedis(tmp_path / "replica") as server:
        yield server


def _client(redis_url: str, redis):
    app = create_app({"REDIS_URL": redis_url, "WAIT_REPLICAS": 1, "WAIT_TIMEOUT_MS": 200})
    client = app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {register_device(redis, Device('laptop-a', 'shashan', DAY))}"
    return client


def test_a_push_no_replica_confirmed_is_not_acked_and_the_retry_is(redis_url, redis, redis_server, replica):
    api = _client(redis_url, redis)
    batch = {"device_id": "laptop-a", "sent_at": "2022-05-15T09:00:00+08:00",
             "events": [make_event(s) for s in (1, 2, 3)]}
    refused = api.post("/api/v1/sync/push", json=batch)
    assert refused.status_code == 503 and refused.headers["Retry-After"] == "1"
    assert refused.json["error"] == "not_replicated" and (refused.json["replicas"], refused.json["wanted"]) == (0, 1)
    assert "副本" in refused.json["message"] and "replicas" in refused.json["message"]
    redis.config_set("repl-diskless-sync-delay", 0)  # the first sync starts at once, not after 5 s
    follower = Redis.from_url(replica.url, decode_responses=True)
    follower.replicaof("127.0.0.1", redis_server.port)
    try:
        wait_until(lambda: follower.info("replication")["master_link_status"] == "up", message="replica synced")
        acked = api.post("/api/v1/sync/push", json=batch)
        assert acked.status_code == 200, acked.json
        assert (acked.json["acked_seq"], acked.json["accepted"], acked.json["duplicates"]) == (3, 0, 3)
        assert follower.xlen(keys.log(DAY)) == 3  # what was acked is on the replica
    finally:
        follower.replicaof("no", "one")

"""Shared fixtures: a real redis-server on a free port for the whole run, flushed per test."""

import os
import secrets

import pytest
from redis import Redis

from openday.embedded_redis import EmbeddedRedis
from shared.plan import load_plan
from tests.helpers import PLAN_PATH

# Production takes the session-signing key from the environment (never from Redis): every
# app and process the tests start gets this run's key, as an operator's would.
os.environ.setdefault("OPENDAY_SECRET_KEY", "test-" + secrets.token_hex(16))


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory):
    with EmbeddedRedis(tmp_path_factory.mktemp("redis")) as server:
        yield server


@pytest.fixture
def redis_url(redis_server) -> str:
    Redis.from_url(redis_server.url).flushall()
    return redis_server.url


@pytest.fixture
def redis(redis_url) -> Redis:
    client = Redis.from_url(redis_url, decode_responses=True)
    yield client
    client.close()


@pytest.fixture(scope="session")
def plan():
    return load_plan(PLAN_PATH)

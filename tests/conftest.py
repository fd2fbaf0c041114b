"""Shared fixtures: a real redis-server on a free port for the whole run, flushed per test.

The run keeps every temporary file in one folder of its own (TMPDIR for this process and every
process it starts), removed at the end; anything an OpenDay process left there (`openday-*`)
fails the run, so a leak into /tmp shows up here and not on someone's laptop."""

import os
import secrets
import shutil
import tempfile
from pathlib import Path

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


def pytest_configure(config):
    if os.environ.get("OPENDAY_TEST_TMPDIR"):
        return  # a nested pytest: the outer run owns the folder
    folder = tempfile.mkdtemp(prefix="openday-test-run-")
    os.environ["TMPDIR"] = os.environ["OPENDAY_TEST_TMPDIR"] = folder
    tempfile.tempdir = None  # the next gettempdir() reads TMPDIR
    config.stash[_RUN_TMP] = folder


_RUN_TMP = pytest.StashKey[str]()


def pytest_sessionfinish(session, exitstatus):
    folder = session.config.stash.get(_RUN_TMP, None)
    if not folder:
        return
    left = sorted(p.name for p in Path(folder).glob("openday-*"))
    shutil.rmtree(folder, ignore_errors=True)
    if left and exitstatus == 0:
        print(f"\nleft behind by OpenDay processes in the run's TMPDIR: {left}")
        session.exitstatus = 1

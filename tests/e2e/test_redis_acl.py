"""Redis locked down as compose runs it (deploy/redis/start-redis.sh): a client without a
password, or with a wrong one, is refused; the sync service and a worker each work with
their own ACL user through a whole day (push, fold, totals, live, close, summary) and
Redis logs no refused command; a worker's user cannot read accounts or sessions."""

import pytest
import redis as redis_py
import requests
from redis import Redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from central import keys
from openday.embedded_redis import free_port, redis_server_binary
from sync_service.coordinators import add_coordinator
from sync_service.devices.tokens import Device, register_device
from tests.helpers import DAY, PLAN_PATH, READER, REPO, Process, central_totals, openday, wait_until
from tests.workload import record_workload

pytestmark = pytest.mark.e2e
START_REDIS = REPO / "deploy" / "redis" / "start-redis.sh"
PASSWORDS = {"sync": "sync-pass-1", "worker": "worker-pass-1", "admin": "admin-pass-1"}


def _client(port: int, **credentials) -> Redis:
    """No retries: redis-py retries a refused AUTH (a ConnectionError) with backoff."""
    return Redis(port=port, retry=Retry(NoBackoff(), 0), **credentials)


@pytest.fixture
def locked_redis(tmp_path):
    """The compose Redis: ACL users from secret files; yields (port, secret files)."""
    files = {}
    for user, password in PASSWORDS.items():
        files[user] = tmp_path / f"redis_{user}_password"
        files[user].write_text(f"{password}\nan-older-password\n")
    port = free_port()
    env = {"REDIS_SYNC_PASSWORD_FILE": str(files["sync"]), "REDIS_WORKER_PASSWORD_FILE": str(files["worker"]),
           "REDIS_ADMIN_PASSWORD_FILE": str(files["admin"]), "REDIS_ACL_FILE": str(tmp_path / "users.acl"),
           "REDIS_SERVER": redis_server_binary()}
    server = Process(["sh", str(START_REDIS), "--port", str(port), "--dir", str(tmp_path), "--save", "",
                      "--appendonly", "yes"], env, tmp_path / "redis.log")
    admin = Redis(port=port, username="openday-admin", password=PASSWORDS["admin"], decode_responses=True)
    try:
        wait_until(lambda: admin.ping(), message="locked Redis up")
        yield port, files, admin
    finally:
        admin.close()
        server.stop()


def _url(port: int, user: str) -> str:
    return f"redis://openday-{user}:{PASSWORDS[user]}@127.0.0.1:{port}/0"


def test_redis_refuses_a_client_without_its_password(locked_redis):
    port, _, admin = locked_redis
    with pytest.raises(redis_py.AuthenticationError):
        _client(port).ping()
    with pytest.raises(redis_py.AuthenticationError):
        _client(port, username="openday-sync", password="guessed").ping()
    assert _client(port, username="openday-sync", password="an-older-password").ping()  # rotation window
    worker = _client(port, username="openday-worker", password=PASSWORDS["worker"])
    with pytest.raises(redis_py.exceptions.NoPermissionError):
        worker.hgetall(keys.COORDINATORS)
    with pytest.raises(redis_py.exceptions.NoPermissionError):
        Redis.from_url(_url(port, "sync")).flushall()
    assert _client(port, username="healthcheck", password="any").ping()  # compose's healthcheck: PING only
    with pytest.raises(redis_py.exceptions.NoPermissionError):
        _client(port, username="healthcheck", password="any").get("od:days")


def test_each_service_works_with_its_own_user(locked_redis, tmp_path):
    port, files, admin = locked_redis
    admin.execute_command("ACL", "LOG", "RESET")
    sync_redis = Redis.from_url(_url(port, "sync"), decode_responses=True)  # what `openday ...` CLI commands use
    add_coordinator(sync_redis, *READER, [DAY])
    token = register_device(sync_redis, Device("acl-laptop", "shashan", DAY))
    sync_port, field_port = free_port(), free_port()
    base = {"REDIS_URL": f"redis://127.0.0.1:{port}/0", "OPENDAY_PLAN_DIR": str(PLAN_PATH.parent),
            "OPENDAY_LIVE_HEARTBEAT": "0.3"}  # the live stream's first line comes at once, and ends soon after
    users = {name: {**base, "OPENDAY_REDIS_USER": f"openday-{name}", "OPENDAY_REDIS_PASSWORD_FILE": str(files[name])}
             for name in ("sync", "worker")}
    sync_url = f"http://127.0.0.1:{sync_port}"
    processes = [
        Process(openday("sync-service", "--bind", f"127.0.0.1:{sync_port}", "--workers", "1"), users["sync"],
                tmp_path / "sync.log"),
        Process(openday("worker"), users["worker"], tmp_path / "worker.log"),
        Process(openday("field-app", "--port", str(field_port)), {
            "OPENDAY_FIELD_DB": str(tmp_path / "field.sqlite3"), "OPENDAY_PLAN": str(PLAN_PATH),
            "OPENDAY_SYNC_URL": sync_url, "OPENDAY_DEVICE_ID": "acl-laptop", "OPENDAY_BOOTH_ID": "shashan",
            "OPENDAY_DEVICE_TOKEN": token, "OPENDAY_PUSH_INTERVAL": "0.2"}, tmp_path / "field.log"),
    ]
    try:
        wait_until(lambda: requests.get(f"{sync_url}/healthz", timeout=1).ok, message="sync service up")
        wait_until(lambda: requests.get(f"http://127.0.0.1:{field_port}/api/status", timeout=1).ok, message="field")
        recorded = record_workload(f"http://127.0.0.1:{field_port}", 30, seed=14)
        wait_until(lambda: central_totals(sync_url)["log_entries"] == len(recorded), message="pushed and folded")
        with requests.get(f"{sync_url}/api/v1/days/{DAY}/live", auth=READER, stream=True, timeout=10) as live:
            assert live.status_code == 200 and next(live.iter_lines(decode_unicode=True)) is not None
        closed = Process(openday("close-day", "--day", DAY), users["sync"], tmp_path / "close.log")
        assert closed.popen.wait(60) == 0, closed.output()
        wait_until(lambda: sync_redis.llen(keys.summary_versions(DAY)) == 1, timeout=60, message="summary built")
    finally:
        for process in processes:
            process.stop()
    refused = admin.acl_log()
    assert refused == [], refused  # nothing either service did was refused

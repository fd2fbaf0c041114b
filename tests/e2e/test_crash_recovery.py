"""Crashes mid-day: the sync service SIGKILLed in the middle of a backlog push and
restarted; redis-server SIGKILLed and restarted from its AOF. Nothing a laptop was told
is acked goes missing, and the totals come out exact."""

import signal
import sqlite3
import threading

import pytest
import requests
from redis import Redis

from central import keys
from openday.embedded_redis import EmbeddedRedis, free_port
from sync_service.devices.tokens import Device, register_device
from tests.helpers import DAY, PLAN_PATH, Process, central_totals, grant_reader, openday, wait_until
from tests.workload import Workload, central_figures, ground_truth, merge

LAPTOPS = [("laptop-a", "shashan"), ("laptop-b", "bayi")]


class Central:
    """Its own redis-server (AOF, fsync always), sync service and worker, each restartable."""

    def __init__(self, tmp_path):
        self.tmp_path, self.port = tmp_path, free_port()
        self.redis_server = EmbeddedRedis(tmp_path / "redis").start()
        grant_reader(self.redis_server.url)
        # A SIGKILLed gunicorn master cannot remove its metrics folder: keep it in the test's own folder.
        self.env = {"REDIS_URL": self.redis_server.url, "OPENDAY_PLAN_DIR": str(PLAN_PATH.parent),
                    "TMPDIR": str(tmp_path)}
        self.url = f"http://127.0.0.1:{self.port}"
        self.sync = self.worker = None
        self.starts = 0

    def redis(self) -> Redis:
        return Redis.from_url(self.redis_server.url, decode_responses=True)

    def start_sync(self):
        self.starts += 1
        self.sync = Process(openday("sync-service", "--bind", f"127.0.0.1:{self.port}", "--workers", "1"),
                            self.env, self.tmp_path / f"sync-{self.starts}.log")
        wait_until(lambda: requests.get(f"{self.url}/healthz", timeout=1).ok, message="sync service up")

    def start_worker(self):
        self.worker = Process(openday("worker"), self.env, self.tmp_path / f"worker-{self.starts}.log")

    def worker_alive(self) -> bool:
        """The worker outlives Redis going away (worker/runner.py): no supervisor restarts it."""
        assert self.worker.alive(), self.worker.output()[-3000:]
        return True

    def stop(self):
        for process in (self.sync, self.worker):
            if process:
                process.stop()
        self.redis_server.stop()


@pytest.fixture
def crashable(tmp_path):
    central = Central(tmp_path)
    yield central
    central.stop()


def _status(url):
    return requests.get(f"{url}/api/status", timeout=5).json()


def _laptop_events(db_path) -> list[tuple[int, str]]:
    with sqlite3.connect(db_path) as db:
        return db.execute("SELECT seq, event_id FROM events ORDER BY seq").fetchall()


def _assert_acked_are_stored(redis, laptops):
    """Every event a laptop holds as acked is in the central log (DESIGN invariant 2)."""
    held = set(redis.hkeys(keys.event_index(DAY)))
    for url, db_path in laptops:
        acked = _status(url)["acked_seq"]
        missing = [eid for seq, eid in _laptop_events(db_path) if seq <= acked and eid not in held]
        assert not missing, f"{len(missing)} acked events missing centrally"


def _record(workloads, count):
    threads = [threading.Thread(target=w.record, args=(count,)) for w in workloads]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)


def test_sigkill_sync_service_and_redis_mid_day(crashable, tmp_path):
    central, redis = crashable, crashable.redis()
    started, laptops = [], []
    for device_id, booth_id in LAPTOPS:
        token = register_device(redis, Device(device_id, booth_id, DAY))
        port, db_path = free_port(), tmp_path / f"{device_id}.sqlite3"
        started.append(Process(openday("field-app", "--port", str(port)), {
            "OPENDAY_FIELD_DB": str(db_path), "OPENDAY_PLAN": str(PLAN_PATH), "OPENDAY_SYNC_URL": central.url,
            "OPENDAY_DEVICE_ID": device_id, "OPENDAY_BOOTH_ID": booth_id, "OPENDAY_DEVICE_TOKEN": token,
            "OPENDAY_PUSH_INTERVAL": "0.1", "OPENDAY_PUSH_BATCH": "10", "OPENDAY_SYNC_BACKOFF_CAP": "0.5",
            "OPENDAY_SYNC_READ_TIMEOUT": "3",
        }, tmp_path / f"field-{device_id}.log"))
        laptops.append((f"http://127.0.0.1:{port}", db_path))
    try:
        for url, _ in laptops:
            wait_until(lambda u=url: requests.get(f"{u}/api/status", timeout=1).ok, message="field app up")
        workloads = [Workload(url, seed=i) for i, (url, _) in enumerate(laptops)]
        _record(workloads, 300)  # the centre is down: a backlog builds up on each laptop

        central.start_sync()
        central.start_worker()
        wait_until(lambda: any(_status(u)["acked_seq"] > 0 for u, _ in laptops), message="backlog push under way")
        assert any(_status(u)["pending"] > 0 for u, _ in laptops)
        central.sync.stop(signal.SIGKILL)  # mid-push: batches in flight die with it
        _assert_acked_are_stored(redis, laptops)
        central.start_sync()

        _record(workloads, 100)
        wait_until(lambda: all(_status(u)["pending"] < 150 for u, _ in laptops), message="catching up")
        central.redis_server.process.kill()  # SIGKILL: only what the AOF holds survives
        central.redis_server.process.wait()
        _record(workloads, 50)  # the laptops keep working offline-from-the-centre
        central.redis_server.start()
        _assert_acked_are_stored(redis, laptops)

        for url, _ in laptops:
            wait_until(lambda u=url: _status(u)["pending"] == 0, timeout=60, message="laptop drained")
        _assert_acked_are_stored(redis, laptops)
        truth = merge(*(ground_truth(w.recorded) for w in workloads))
        totals = wait_until(lambda: central.worker_alive() and (t := central_totals(central.url))["log_entries"]
                            == truth["entries"] and t, timeout=60, message="everything folded")
        assert central_figures(totals) == truth
        assert redis.xlen(keys.log(DAY)) == truth["entries"] == 2 * 450
    finally:
        for process in started:
            process.stop()

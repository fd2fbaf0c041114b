"""The sync path end to end: a laptop's pusher (its SQLite log, gzip, HTTP) against the
real sync service (gunicorn, 2 workers, as `openday sync-service` runs it), a worker
folding alongside, and a redis-server with AOF and appendfsync always.

- sync.backlog10k: one laptop comes back online with 10,000 pending events; seconds
  until the centre has acked them all (zero pending), and events/s, beside marshmallow
  validation alone and pipelined XADD (bench/limits.py) measured in the same run.
- sync.concurrent50: 50 laptops with 200 pending events each push at once (batches of
  50, as a laptop that records steadily does); total events/s and the p95 latency of
  one push (request to answer).
"""

import json
import sqlite3
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bench.limits import MARSHMALLOW, XADD, figure, limit, sample_events  # noqa: E402

DAY = "heping-2022-05-15"
SIZES = {"backlog": (10_000, 10_000), "laptops": (50, 50), "per_laptop": (100, 200)}  # (quick, full)


class Centre:
    """redis-server, sync service and worker as separate processes, as in production."""

    def __init__(self, folder: Path):
        from openday.embedded_redis import EmbeddedRedis, free_port
        from tests.helpers import PLAN_PATH, Process, openday, wait_until

        self.redis_server = EmbeddedRedis(folder / "redis", appendfsync="always").start()
        env = {"REDIS_URL": self.redis_server.url, "OPENDAY_PLAN_DIR": str(PLAN_PATH.parent),
               "OPENDAY_PUSH_RATE_PER_S": "0"}
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        self.processes = [
            Process(openday("sync-service", "--bind", f"127.0.0.1:{port}"), env, folder / "sync.log"),
            Process(openday("worker"), env, folder / "worker.log"),
        ]
        wait_until(lambda: requests.get(f"{self.url}/healthz", timeout=1).ok, message="sync service up")

    def redis(self):
        from redis import Redis

        return Redis.from_url(self.redis_server.url, decode_responses=True)

    def stop(self):
        for process in self.processes:
            process.stop()
        self.redis_server.stop()


def _laptop(folder: Path, centre: Centre, device_id: str, backlog: int, batch: int):
    """A laptop's real log and pusher, enrolled at the centre, with `backlog` events pending."""
    from field_app.event_log import EventLog
    from field_app.pusher import Pusher
    from field_app.sync_client import SyncClient
    from sync_service.devices.tokens import Device, register_device

    path = folder / f"{device_id}.sqlite3"
    EventLog(path).close()  # the log's own schema
    with sqlite3.connect(path) as db:  # the backlog in one transaction: setup, not what is measured
        db.executemany("INSERT INTO events (seq, event_id, type, body) VALUES (?, ?, ?, ?)",
                       [(e["seq"], e["event_id"], e["type"], json.dumps(e, ensure_ascii=False))
                        for e in sample_events(backlog, device_id)])
    log = EventLog(path)
    token = register_device(centre.redis(), Device(device_id, "shashan", DAY))
    pusher = Pusher(log, lambda: SyncClient(centre.url, token), device_id, interval=0, batch=batch)
    log.set_state("sync_url", centre.url)
    log.set_state("device_token", token)
    return log, pusher


def backlog(folder: Path, n: int) -> float:
    """Seconds for one laptop's n pending events to be acked."""
    centre = Centre(folder / "backlog")
    try:
        log, pusher = _laptop(folder, centre, "bench-laptop", n, 500)
        start = time.perf_counter()
        drained = pusher.sync_now()
        seconds = time.perf_counter() - start
        assert drained and log.acked_seq() == n, log.get_state("last_error")
        assert centre.redis().xlen(f"od:{{{DAY}}}:log") == n
        return seconds
    finally:
        centre.stop()


class TimedClient:
    """The laptop's SyncClient, timing each push from request to answer."""

    def __init__(self, client, latencies: list):
        self.client, self.latencies = client, latencies

    def push(self, *args, **kwargs):
        start = time.perf_counter()
        try:
            return self.client.push(*args, **kwargs)
        finally:
            self.latencies.append(time.perf_counter() - start)


def concurrent(folder: Path, laptops: int, per_laptop: int) -> tuple[float, float]:
    """(total events/s, p95 push seconds) for `laptops` laptops pushing at once."""
    centre = Centre(folder / "concurrent")
    try:
        latencies = []
        pushers = []
        for i in range(laptops):
            log, pusher = _laptop(folder, centre, f"laptop-{i:02d}", per_laptop, 50)
            make = pusher.make_client
            pusher.make_client = lambda make=make: TimedClient(make(), latencies)
            pushers.append((log, pusher))
        barrier = threading.Barrier(laptops + 1)

        def run(pusher):
            barrier.wait()
            assert pusher.sync_now(), pusher.log.get_state("last_error")

        threads = [threading.Thread(target=run, args=(p,)) for _, p in pushers]
        for thread in threads:
            thread.start()
        barrier.wait()
        start = time.perf_counter()
        for thread in threads:
            thread.join()
        seconds = time.perf_counter() - start
        assert all(log.acked_seq() == per_laptop for log, _ in pushers)
        p95 = statistics.quantiles(latencies, n=20)[-1]
        return laptops * per_laptop / seconds, p95
    finally:
        centre.stop()


def run(quick: bool) -> list[dict]:
    size = 0 if quick else 1
    limit(MARSHMALLOW, quick), limit(XADD, quick)  # measured first, next to the figures they bound
    with tempfile.TemporaryDirectory(dir=REPO / "bench" / "results") as tmp:
        folder = Path(tmp)
        n = SIZES["backlog"][size]
        seconds = backlog(folder, n)
        per_s, p95 = concurrent(folder, SIZES["laptops"][size], SIZES["per_laptop"][size])
    return [
        figure("sync.backlog10k.seconds", seconds, "s", None, quick),
        figure("sync.backlog10k.per_s", n / seconds, "events/s", MARSHMALLOW, quick),
        figure("sync.backlog10k.per_s_vs_xadd", n / seconds, "events/s", XADD, quick),
        figure("sync.concurrent50.per_s", per_s, "events/s", MARSHMALLOW, quick),
        figure("sync.concurrent50.push_p95_ms", p95 * 1000, "ms", None, quick),
    ]


if __name__ == "__main__":
    for row in run(quick="--quick" in sys.argv):
        ratio = f"  ({row['ratio']:.0%} of {row['limit_name']})" if row["ratio"] else ""
        print(f"{row['name']:40} {row['value']:>12,.1f} {row['unit']}{ratio}")

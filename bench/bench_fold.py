"""The fold: throughput of one worker, rebuild of 10^6 events, and entry-to-totals latency.

- fold.per_s: a log of 20 laptops' events (every type, ~5 % voids, hours spread over the
  day) is appended with the real CentralLog Lua script to an embedded redis-server, then
  folded by `fold_to_end` in this process, as one worker's job does (chunks of 5,000).
  Beside pipelined XRANGE (the read it cannot beat) and XADD.
- fold.floor.read.per_s, fold.floor.read_decode.per_s: the same log read back as the fold
  reads it (chunks of CHUNK, the four fields central_log appends), then that read plus
  orjson.loads of every body: the most any fold that counts from the stored event JSON can
  do. Issue 19 asks fold.per_s for 0.40 of the XRANGE limit; when read_decode's own ratio is
  below that, no fold of this log can meet it.
- rebuild.1m.seconds: `openday rebuild`'s function over 10^6 log entries, into fresh keys
  and swapped in (`--quick`: 10^5 entries, named rebuild.100k.seconds).
- e2e.entry_to_totals.p95_ms: 20 real field app processes (push interval 0.1 s) record
  entries through their HTTP API while a real sync service (gunicorn) and one real worker
  run; the time from the 201 of an entry to the live update (Redis pub/sub, the /live
  feed) whose figures include it.
The fold benches run Redis with appendfsync everysec (the fold writes no acked data);
the e2e bench with appendfsync always, as production.
"""

import json
import random
import statistics
import tempfile
import threading
import time
from operator import itemgetter
from pathlib import Path

import orjson

from bench.limits import REPO, XADD, XRANGE, figure

DAY = "heping-2022-05-15"
TYPES = [
    ("visitor.received", lambda r: {"party_size": r.randint(1, 6)}),
    ("inquiry.answered", lambda r: {"topic": r.choice(["dibao", "jiuzhu", "hunyin", "weilao"]),
                                    "department": r.choice(["jiuzhu", "hunyin", "yanglao"]),
                                    "outcome": r.choice(["answered", "referred", "follow_up"])}),
    ("material.distributed", lambda r: {"material": r.choice(["leaflet", "handbook", "poster"]),
                                        "quantity": r.randint(1, 30)}),
    ("material.restocked", lambda r: {"material": r.choice(["leaflet", "handbook"]), "quantity": 500}),
    ("feedback.collected", lambda r: {"rating": r.choice(["satisfied", "basically_satisfied", "dissatisfied"]),
                                      "topic": "weilao", "comment": "希望多办", "hot_issue": r.random() < 0.2}),
]


def _load(url: str, n: int, prefix: str = "laptop-", devices: int = 20, batch: int = 500) -> None:
    """Append n events of `devices` laptops through the central log's Lua script."""
    from redis import Redis

    from central.central_log import CentralLog
    from shared.ids import new_event_id

    rng, log = random.Random(prefix), CentralLog(Redis.from_url(url, decode_responses=True))
    seqs = {f"{prefix}{i:02d}": 0 for i in range(devices)}
    recent = {d: [] for d in seqs}
    for first in range(0, n, batch):
        number = (first // batch) % devices
        device, mine = f"{prefix}{number:02d}", recent[f"{prefix}{number:02d}"]
        events = []
        for _ in range(min(batch, n - first)):
            seqs[device] += 1
            minute = 30 + (seqs[device] * 7) % 450  # 08:30 .. 16:00
            event = {"event_id": new_event_id(), "device_id": device, "seq": seqs[device], "day_id": DAY,
                     "booth_id": ("shashan", "bayi")[number % 2], "v": 1,
                     "recorded_at": f"2022-05-15T{8 + minute // 60:02d}:{minute % 60:02d}:07.250+08:00"}
            if mine and rng.random() < 0.05:
                event.update(type="event.voided", payload={"target_event_id": rng.choice(mine), "reason": "录入错误"})
            else:
                type_, payload = rng.choice(TYPES)
                event.update(type=type_, payload=payload(rng))
                mine.append(event["event_id"])
                if len(mine) > 4000:
                    del mine[:2000]
            events.append(event)
        log.append_batch(DAY, device, events, received_ms=1652577300000 + first, offset_ms=-1500)


def _fold_and_rebuild(n_fold: int, n_rebuild: int) -> tuple[float, float]:
    from redis import Redis

    from central.projection import fold_to_end
    from central.rebuild import rebuild
    from openday.embedded_redis import EmbeddedRedis
    from shared.plan import load_plan

    plan = load_plan(REPO / "examples" / f"{DAY}.json")
    with tempfile.TemporaryDirectory(dir=REPO / "bench" / "results") as folder, \
            EmbeddedRedis(folder, appendfsync="everysec") as server:
        redis = Redis.from_url(server.url, decode_responses=True)
        _load(server.url, n_fold)
        start = time.perf_counter()
        folded = fold_to_end(redis, DAY, plan)
        fold_rate = folded / (time.perf_counter() - start)
        floors = _read_floors(server.url)
        _load(server.url, n_rebuild - n_fold, prefix="laptop-x")
        done = rebuild(redis, DAY, plan)
        assert done["entries"] == n_rebuild, done
        redis.close()
    return fold_rate, done["seconds"], floors


def _read_floors(url: str) -> tuple[float, float]:
    """(entries/s of the log read as the fold reads it, of that read plus orjson.loads of
    each body), with the cyclic GC paused as the fold pauses it."""
    from redis import Redis

    from central import keys
    from central.projection import CHUNK, cyclic_gc_paused

    rates = []
    with Redis.from_url(url) as client, cyclic_gc_paused():
        for decode in (False, True):
            start, position, read = time.perf_counter(), "-", 0
            while rows := client.xrange(keys.log(DAY), position, "+", count=CHUNK):
                read += len(rows)
                position = "(" + rows[-1][0].decode()
                if decode:  # every body parsed and held for the chunk, as the fold holds them
                    list(map(orjson.loads, map(itemgetter(b"e"), map(itemgetter(1), rows))))
            rates.append(read / (time.perf_counter() - start))
    return rates[0], rates[1]


def _entry_to_totals(seconds: float, laptops: int = 20, per_second: float = 4.0) -> list[float]:
    """Latencies (ms) from an entry's 201 at a field app to the live update that shows it."""
    import requests
    from redis import Redis

    from central import keys
    from openday.embedded_redis import EmbeddedRedis, free_port
    from sync_service.devices.tokens import Device, register_device
    from tests.helpers import Process, openday, wait_until

    with tempfile.TemporaryDirectory(dir=REPO / "bench" / "results") as folder, EmbeddedRedis(folder) as server:
        redis = Redis.from_url(server.url, decode_responses=True)
        env = {"REDIS_URL": server.url, "OPENDAY_PLAN_DIR": str(REPO / "examples")}
        port = free_port()
        sync_url = f"http://127.0.0.1:{port}"
        logs = Path(folder)
        processes = [Process(openday("sync-service", "--bind", f"127.0.0.1:{port}"), env, logs / "sync.log"),
                     Process(openday("worker"), env, logs / "worker.log")]
        apps = []
        try:
            for n in range(laptops):
                device, booth = f"laptop-{n:02d}", ("shashan", "bayi")[n % 2]
                token = register_device(redis, Device(device, booth, DAY))
                app_port = free_port()
                processes.append(Process(openday("field-app", "--port", str(app_port)), {
                    **env, "OPENDAY_FIELD_DB": str(logs / f"{device}.sqlite3"),
                    "OPENDAY_PLAN": str(REPO / "examples" / f"{DAY}.json"), "OPENDAY_SYNC_URL": sync_url,
                    "OPENDAY_DEVICE_ID": device, "OPENDAY_BOOTH_ID": booth, "OPENDAY_DEVICE_TOKEN": token,
                    "OPENDAY_PUSH_INTERVAL": "0.1"}, logs / f"{device}.log"))
                apps.append((device, f"http://127.0.0.1:{app_port}"))
            wait_until(lambda: requests.get(f"{sync_url}/healthz", timeout=1).ok, timeout=60)
            for _, url in apps:
                wait_until(lambda u=url: requests.get(f"{u}/api/status", timeout=1).ok, timeout=60)

            shown: dict[str, list[tuple[float, int]]] = {d: [] for d, _ in apps}
            pubsub = redis.pubsub(ignore_subscribe_messages=True)
            pubsub.subscribe(keys.updates_channel(DAY))
            stop = threading.Event()

            def listen():
                while not stop.is_set():
                    message = pubsub.get_message(timeout=0.2)
                    if message:
                        at = time.perf_counter()
                        for name, value in json.loads(message["data"])["changed"].items():
                            if name.endswith("|acked_seq"):
                                shown[name[len("device:"):-len("|acked_seq")]].append((at, int(value)))

            saved: list[tuple[str, int, float]] = []
            lock = threading.Lock()

            def record(device: str, url: str):
                rng = random.Random(device)
                with requests.Session() as session:
                    end = time.perf_counter() + seconds
                    while time.perf_counter() < end:
                        response = session.post(f"{url}/api/events", timeout=10, json={
                            "type": "visitor.received", "payload": {"party_size": rng.randint(1, 4)}})
                        at = time.perf_counter()
                        response.raise_for_status()
                        with lock:
                            saved.append((device, response.json()["seq"], at))
                        time.sleep(rng.expovariate(per_second))

            listener = threading.Thread(target=listen, daemon=True)
            listener.start()
            threads = [threading.Thread(target=record, args=app) for app in apps]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            last = {d: max(s for dd, s, _ in saved if dd == d) for d, _ in apps}
            wait_until(lambda: all(shown[d] and shown[d][-1][1] >= s for d, s in last.items()), timeout=60,
                       message="every entry shown")
            stop.set()
            listener.join(5)
            return [1000 * (next(t for t, s in shown[d] if s >= seq) - at) for d, seq, at in saved]
        finally:
            for process in processes:
                process.stop()


def run(quick: bool) -> list[dict]:
    n_fold, n_rebuild = (50_000, 100_000) if quick else (200_000, 1_000_000)
    fold_rate, rebuild_seconds, (read_rate, decode_rate) = _fold_and_rebuild(n_fold, n_rebuild)
    latencies = _entry_to_totals(seconds=5 if quick else 20)
    p95 = statistics.quantiles(latencies, n=20)[18]
    rebuild_name = "rebuild.100k.seconds" if quick else "rebuild.1m.seconds"
    return [
        figure("fold.per_s", fold_rate, "events/s", XRANGE, quick),
        figure("fold.per_s.vs_xadd", fold_rate, "events/s", XADD, quick),
        figure("fold.floor.read.per_s", read_rate, "entries/s", XRANGE, quick),
        figure("fold.floor.read_decode.per_s", decode_rate, "entries/s", XRANGE, quick),
        figure(rebuild_name, rebuild_seconds, "s", None, quick),
        figure("e2e.entry_to_totals.p95_ms", p95, "ms", None, quick),
        figure("e2e.entry_to_totals.entries", len(latencies), "entries", None, quick),
    ]


if __name__ == "__main__":
    import sys

    for row in run(quick="--quick" in sys.argv):
        print(f"{row['name']:40} {row['value']:>12,.1f} {row['unit']}")

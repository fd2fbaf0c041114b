"""The limits of this machine, measured in the same run as the benchmarks.

Each figure in the table is divided by the limit that bounds it, so a reader sees how
far the system is from what the machine could do at best:

- raw SQLite durable append: WAL, synchronous=FULL, one INSERT + COMMIT per event;
- marshmallow validation alone: json.loads of 500-event batches + shared.events ENVELOPES;
- Redis XADD, pipelined x64, against an embedded redis-server with appendfsync always;
- Redis XRANGE, reading the same stream back in chunks of 2,000;
- a bare Flask JSON endpoint over real HTTP (gunicorn, 2 workers, gthread, as the sync
  service runs), driven by 8 client threads with keep-alive sessions.

Every limit is measured once per process (cached), so bench modules share them.
"""

import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from functools import cache
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

SQLITE = "limit.sqlite.durable_append.per_s"
MARSHMALLOW = "limit.marshmallow.validate.per_s"
XADD = "limit.redis.xadd_pipelined64_aof_always.per_s"
XRANGE = "limit.redis.xrange.per_s"
FLASK = "limit.flask.bare_json_post.per_s"
ALL = (SQLITE, MARSHMALLOW, XADD, XRANGE, FLASK)
UNITS = {SQLITE: "events/s", MARSHMALLOW: "events/s", XADD: "entries/s", XRANGE: "entries/s", FLASK: "req/s"}


def sample_events(n: int, device_id: str = "bench-laptop") -> list[dict]:
    """Realistic valid events (the shape a laptop pushes), seqs 1..n."""
    from shared.ids import new_event_id

    kinds = [
        ("material.distributed", {"material": "leaflet", "quantity": 20}),
        ("inquiry.answered",
         {"topic": "dibao", "department": "jiuzhu", "outcome": "answered", "note": "咨询低保申请条件"}),
        ("visitor.received", {"party_size": 2}),
        ("feedback.collected", {"rating": "satisfied", "topic": "weilao", "comment": "希望多办", "hot_issue": True}),
    ]
    events = []
    for seq in range(1, n + 1):
        type_, payload = kinds[seq % len(kinds)]
        events.append({
            "event_id": new_event_id(), "device_id": device_id, "seq": seq, "day_id": "heping-2022-05-15",
            "booth_id": "shashan", "type": type_, "v": 1, "recorded_at": "2022-05-15T09:15:00.000+08:00",
            "staff": "s01", "payload": dict(payload),
        })
    return events


def _rate(count: int, seconds: float) -> float:
    return count / seconds if seconds > 0 else float("inf")


def sqlite_durable_append(n: int) -> float:
    """Events/s appended one durable commit at a time (WAL, synchronous=FULL)."""
    bodies = [json.dumps(e, ensure_ascii=False) for e in sample_events(n)]
    with tempfile.TemporaryDirectory(dir=REPO / "bench" / "results") as folder:
        db = sqlite3.connect(str(Path(folder) / "limit.sqlite3"), isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=FULL")
        db.execute("CREATE TABLE events (seq INTEGER PRIMARY KEY, event_id TEXT UNIQUE, body TEXT)")
        start = time.perf_counter()
        for seq, body in enumerate(bodies, 1):
            db.execute("BEGIN IMMEDIATE")
            db.execute("INSERT INTO events VALUES (?, ?, ?)", (seq, str(seq), body))
            db.execute("COMMIT")
        elapsed = time.perf_counter() - start
        db.close()
    return _rate(n, elapsed)


def marshmallow_validation(n: int, batch: int = 500) -> float:
    """Events/s through json.loads + ENVELOPES.load on batches of `batch`."""
    from shared.events import ENVELOPES

    events = sample_events(batch)
    text = json.dumps(events, ensure_ascii=False)
    rounds = max(1, n // batch)
    start = time.perf_counter()
    for _ in range(rounds):
        ENVELOPES.load(json.loads(text))
    return _rate(rounds * batch, time.perf_counter() - start)


def redis_stream(n: int, pipeline: int = 64) -> tuple[float, float]:
    """(XADD entries/s pipelined x`pipeline`, XRANGE entries/s) on an embedded redis-server
    with AOF and appendfsync always."""
    from redis import Redis

    from openday.embedded_redis import EmbeddedRedis

    bodies = [json.dumps(e, ensure_ascii=False) for e in sample_events(min(n, 2000))]
    with tempfile.TemporaryDirectory(dir=REPO / "bench" / "results") as folder, \
            EmbeddedRedis(folder, appendfsync="always") as server:
        client = Redis.from_url(server.url)
        start = time.perf_counter()
        for first in range(0, n, pipeline):
            pipe = client.pipeline(transaction=False)
            for i in range(first, min(first + pipeline, n)):
                pipe.xadd("limit:log", {"e": bodies[i % len(bodies)], "d": "bench-laptop"})
            pipe.execute()
        xadd = _rate(n, time.perf_counter() - start)
        start, position, read = time.perf_counter(), "-", 0
        while entries := client.xrange("limit:log", position, "+", count=2000):
            read += len(entries)
            position = "(" + entries[-1][0].decode()
        xrange = _rate(read, time.perf_counter() - start)
        client.close()
    return xadd, xrange


BARE_APP = '''
from flask import Flask, jsonify, request
app = Flask(__name__)

@app.post("/echo")
def echo():
    body = request.get_json()
    return jsonify(ok=True, n=len(body))
'''


def flask_bare_json(n: int, clients: int = 8) -> float:
    """Requests/s of a bare Flask JSON POST under gunicorn (2 workers, gthread x8), over HTTP."""
    import requests

    from openday.embedded_redis import free_port

    with tempfile.TemporaryDirectory(dir=REPO / "bench" / "results") as folder:
        Path(folder, "bare_flask.py").write_text(BARE_APP)
        port = free_port()
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "2",
             "--worker-class", "gthread", "--threads", "8", "--chdir", folder, "bare_flask:app"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        try:
            url = f"http://127.0.0.1:{port}/echo"
            _wait_http(url)
            body = {"device_id": "bench-laptop", "sent_at": "2022-05-15T09:15:00+08:00", "events": [1, 2, 3]}
            per_client = max(1, n // clients)

            def client():
                with requests.Session() as session:
                    for _ in range(per_client):
                        session.post(url, json=body, timeout=10).raise_for_status()

            threads = [threading.Thread(target=client) for _ in range(clients)]
            start = time.perf_counter()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            return _rate(per_client * clients, time.perf_counter() - start)
        finally:
            server.terminate()
            server.wait(15)


def _wait_http(url: str, timeout: float = 30) -> None:
    import requests

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            requests.post(url, json={}, timeout=1)
            return
        except requests.RequestException:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer within {timeout} s")


SIZES = {  # (quick, full)
    SQLITE: (400, 3000),
    MARSHMALLOW: (5000, 50000),
    "redis": (40000, 300000),
    FLASK: (800, 5000),
}

_lock = threading.Lock()


@cache
def _measure_redis(quick: bool) -> tuple[float, float]:
    return redis_stream(SIZES["redis"][0 if quick else 1])


@cache
def _measure(name: str, quick: bool) -> float:
    size = SIZES.get(name, (0, 0))[0 if quick else 1]
    if name == SQLITE:
        return sqlite_durable_append(size)
    if name == MARSHMALLOW:
        return marshmallow_validation(size)
    if name == XADD:
        return _measure_redis(quick)[0]
    if name == XRANGE:
        return _measure_redis(quick)[1]
    if name == FLASK:
        return flask_bare_json(size)
    raise KeyError(f"unknown limit {name!r}; known: {', '.join(ALL)}")


def limit(name: str, quick: bool = True) -> float:
    """The measured value of one limit (measured once per process)."""
    with _lock:
        return _measure(name, quick)


def figure(name: str, value: float, unit: str, limit_name: str | None, quick: bool = True) -> dict:
    """A table row: a figure with the limit that bounds it and value/limit. For figures
    where lower is better (latencies), pass limit_name=None."""
    bound = limit(limit_name, quick) if limit_name else None
    return {"name": name, "value": value, "unit": unit, "limit_name": limit_name, "limit": bound,
            "ratio": (value / bound) if bound else None}


def run(quick: bool) -> list[dict]:
    """Every limit as a row of its own (ratio 1), so the table shows the machine's ceiling."""
    return [figure(name, limit(name, quick), UNITS[name], name, quick) for name in ALL]


if __name__ == "__main__":
    for row in run(quick="--quick" in sys.argv):
        print(f"{row['name']:50} {row['value']:>12,.0f} {row['unit']}")
    os._exit(0)

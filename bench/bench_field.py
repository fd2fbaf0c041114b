"""The booth laptop's record path: entries POSTed to a real field app process (waitress,
as a laptop runs it) over HTTP, each answered 201 only after its durable commit.

One client records back to back on a keep-alive connection, as the booth page does;
latency is per entry (request to 201) and field.record.per_s is that client's rate,
beside the raw SQLite durable append (bench/limits.py) measured in alternating rounds.
field.record.4_clients.per_s is four such clients at once (validation of one entry
overlaps the commit of another); field.record.raw_sqlite_append.p99_ms is the raw
append's own p99 in the same rounds, to read the field app's p99 against the disk's.
What separates the field app from the raw append: HTTP (waitress; the route itself is
answered by field_app/record_route.py in front of Flask), marshmallow validation of the
whole envelope, and this laptop's totals.
"""

import http.client
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

from bench.limits import SQLITE, figure, sample_events, sqlite_durable_append  # noqa: E402

SIZES = (1200, 4000)  # entries (quick, full)
ENTRIES = [
    {"type": "material.distributed", "payload": {"material": "leaflet", "quantity": 1}},
    {"type": "inquiry.answered", "payload": {"topic": "dibao", "department": "jiuzhu", "outcome": "answered",
                                             "note": "咨询低保申请条件"}},
    {"type": "visitor.received", "payload": {"party_size": 2}},
    {"type": "feedback.collected", "payload": {"rating": "satisfied", "topic": "weilao", "comment": "希望多办",
                                               "hot_issue": True}},
]


def _start_field_app(folder: str):
    from openday.embedded_redis import free_port
    from tests.helpers import PLAN_PATH, Process, openday, wait_until

    port = free_port()
    process = Process(openday("field-app", "--port", str(port)), {
        "OPENDAY_FIELD_DB": str(Path(folder) / "laptop.sqlite3"),
        "OPENDAY_PLAN": str(PLAN_PATH),
        "OPENDAY_DEVICE_ID": "bench-laptop",
        "OPENDAY_PUSH_INTERVAL": "0",
        "OPENDAY_PULL_INTERVAL": "0",
    }, Path(folder) / "field.log")
    url = f"http://127.0.0.1:{port}"
    wait_until(lambda: requests.get(f"{url}/api/status", timeout=1).ok, message="field app up")
    return process, url


class Recorder:
    """One keep-alive http.client connection to the field app, so the figure is the
    field app's and not the client library's."""

    def __init__(self, url: str):
        host, port = url.removeprefix("http://").split(":")
        self.connection = http.client.HTTPConnection(host, int(port), timeout=10)
        self.bodies = [json.dumps(entry, ensure_ascii=False).encode() for entry in ENTRIES]
        self.sent = 0

    def post(self) -> None:
        body = self.bodies[self.sent % len(self.bodies)]
        self.sent += 1
        self.connection.request("POST", "/api/events", body=body, headers={"Content-Type": "application/json"})
        response = self.connection.getresponse()
        answer = response.read()
        if response.status != 201:
            raise RuntimeError(f"entry {self.sent} refused: {response.status} {answer!r}")

    def record(self, n: int) -> tuple[list[float], float]:
        """Seconds per entry, and the wall time of the n entries."""
        latencies = []
        start = time.perf_counter()
        for _ in range(n):
            began = time.perf_counter()
            self.post()
            latencies.append(time.perf_counter() - began)
        return latencies, time.perf_counter() - start


def _concurrent(url: str, n: int, clients: int = 4) -> float:
    """Seconds for `clients` connections recording n entries in all (e.g. a page plus
    scripted imports): validation of one entry overlaps the commit of another."""
    recorders = [Recorder(url) for _ in range(clients)]
    threads = [threading.Thread(target=r.record, args=(n // clients,)) for r in recorders]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - start


def raw_append_latencies(n: int) -> list[float]:
    """Seconds per raw durable append: limits.sqlite_durable_append's loop, timed per
    commit, so the field app's p99 can be read beside the disk's own p99 under the same load."""
    bodies = [json.dumps(e, ensure_ascii=False) for e in sample_events(n)]
    with tempfile.TemporaryDirectory(dir=REPO / "bench" / "results") as folder:
        db = sqlite3.connect(str(Path(folder) / "raw.sqlite3"), isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=FULL")
        db.execute("CREATE TABLE events (seq INTEGER PRIMARY KEY, event_id TEXT UNIQUE, body TEXT)")
        latencies = []
        for seq, body in enumerate(bodies, 1):
            began = time.perf_counter()
            db.execute("BEGIN IMMEDIATE")
            db.execute("INSERT INTO events VALUES (?, ?, ?)", (seq, str(seq), body))
            db.execute("COMMIT")
            latencies.append(time.perf_counter() - began)
        db.close()
    return latencies


def _p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


def _versus_raw(name: str, n: int, seconds: float, raw_seconds: float) -> dict:
    rate, raw_rate = n / seconds, n / raw_seconds
    return {"name": name, "value": rate, "unit": "entries/s", "limit_name": SQLITE, "limit": raw_rate,
            "ratio": rate / raw_rate}


def run(quick: bool) -> list[dict]:
    """Rounds alternate the field app and the raw SQLite append (bench/limits.py's
    function) on the same disk, so both see the same load: on a shared machine a limit
    measured a minute apart can differ several-fold."""
    n, rounds = SIZES[0 if quick else 1], 6 if quick else 10
    per_round = n // rounds
    latencies, raw_latencies, ours, concurrent, raw = [], [], 0.0, 0.0, 0.0
    with tempfile.TemporaryDirectory(dir=REPO / "bench" / "results") as folder:
        process, url = _start_field_app(folder)
        try:
            recorder = Recorder(url)
            recorder.record(50)  # warm up: imports, first plan lookups, the connection
            for _ in range(rounds):
                raw += per_round / sqlite_durable_append(per_round)
                raw_latencies += raw_append_latencies(per_round // 2)
                round_latencies, elapsed = recorder.record(per_round)
                latencies += round_latencies
                ours += elapsed
                concurrent += _concurrent(url, per_round)
        finally:
            process.stop()
    ms = [x * 1000 for x in latencies]
    return [
        figure("field.record.p50_ms", statistics.median(ms), "ms", None, quick),
        figure("field.record.p99_ms", _p99(ms), "ms", None, quick),
        figure("field.record.raw_sqlite_append.p99_ms", _p99([x * 1000 for x in raw_latencies]), "ms", None, quick),
        _versus_raw("field.record.per_s", len(ms), ours, raw),
        _versus_raw("field.record.4_clients.per_s", len(ms), concurrent, raw),
    ]


if __name__ == "__main__":
    for row in run(quick="--quick" in sys.argv):
        ratio = f"  {row['ratio']:.0%} of {row['limit_name']} ({row['limit']:,.0f})" if row["ratio"] else ""
        print(f"{row['name']:28} {row['value']:>10,.2f} {row['unit']}{ratio}")

"""Export of the events CSV: 10^6 log entries streamed through the real Flask route in
bounded memory.

The log is loaded into an embedded redis-server with the central log's entry format
(pipelined XADD). A child process then GETs /api/v1/days/<day>/exports/events.csv with
Flask's test client, unbuffered, reads the streamed body chunk by chunk, and reports
its own peak RSS during the export (bench/memory.py): the whole process, interpreter and
libraries included.
`--quick` streams 10^5 entries and names the figures export.100k.* to say so.
"""

import json
import subprocess
import sys
import tempfile
import time

from bench.limits import REPO, XRANGE, figure, sample_events

DAY = "heping-2022-05-15"
CHILD = r'''
import json, sys, time
from bench.memory import peak_rss_kb, reset_peak, rss_kb
from flask import Flask
from sync_service.app import create_app
from sync_service.coordinators import add_coordinator
from redis import Redis
url, day = sys.argv[1], sys.argv[2]
add_coordinator(Redis.from_url(url, decode_responses=True), "bench", "bench-password", [day])
app = create_app({"REDIS_URL": url})
client = app.test_client()
reset_peak()
before = rss_kb()
start = time.perf_counter()
response = client.get(f"/api/v1/days/{day}/exports/events.csv", auth=("bench", "bench-password"), buffered=False)
assert response.status_code == 200 and response.is_streamed
size = lines = chunks = 0
for chunk in response.response:
    size += len(chunk); lines += chunk.count(b"\n"); chunks += 1
elapsed = time.perf_counter() - start
response.close()
peak = peak_rss_kb()
print(json.dumps({"seconds": elapsed, "bytes": size, "rows": lines - 1, "chunks": chunks,
                  "rss_before_kb": before, "peak_rss_kb": peak}))
'''


def _load_log(url: str, n: int, pipeline: int = 500) -> None:
    from redis import Redis

    from central import keys

    client = Redis.from_url(url)
    devices = [f"laptop-{i:02d}" for i in range(20)]
    template = sample_events(2000)
    for first in range(0, n, pipeline):
        pipe = client.pipeline(transaction=False)
        for i in range(first, min(first + pipeline, n)):
            event = dict(template[i % len(template)], seq=i // len(devices) + 1, device_id=devices[i % len(devices)])
            pipe.xadd(keys.log(DAY), {"e": json.dumps(event, ensure_ascii=False, sort_keys=True),
                                      "d": event["device_id"], "rt": 1652577300000 + i, "off": 0})
        pipe.execute()
    client.close()


def measure(n: int) -> dict:
    from openday.embedded_redis import EmbeddedRedis

    with tempfile.TemporaryDirectory(dir=REPO / "bench" / "results") as folder, \
            EmbeddedRedis(folder, appendfsync="everysec") as server:
        started = time.perf_counter()
        _load_log(server.url, n)
        load_seconds = time.perf_counter() - started
        out = subprocess.run([sys.executable, "-c", CHILD, server.url, DAY], cwd=REPO, capture_output=True,
                             text=True, timeout=3600, check=True)
        result = json.loads(out.stdout.strip().splitlines()[-1])
    if result["rows"] != n:
        raise RuntimeError(f"exported {result['rows']} rows of {n}")
    return {**result, "load_seconds": load_seconds}


def run(quick: bool) -> list[dict]:
    n, tag = (100_000, "100k") if quick else (1_000_000, "1m")
    result = measure(n)
    return [
        figure(f"export.{tag}.per_s", n / result["seconds"], "events/s", XRANGE, quick),
        figure(f"export.{tag}.peak_rss_mb", result["peak_rss_kb"] / 1024, "MB", None, quick),
        figure(f"export.{tag}.rss_before_export_mb", result["rss_before_kb"] / 1024, "MB", None, quick),
        figure(f"export.{tag}.csv_mb", result["bytes"] / 1e6, "MB", None, quick),
    ]


if __name__ == "__main__":
    # `python -m bench.bench_export` runs the full 10^6 export alone and keeps its figures, with the
    # machine and its load, in bench/results/export_1m.json (bench/run --quick only streams 10^5).
    from bench.report import machine

    started = machine()
    figures = run(quick="--quick" in sys.argv)
    result = {"machine": started, "figures": figures}
    (REPO / "bench" / "results" / "export_1m.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(figures, indent=2))

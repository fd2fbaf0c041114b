"""The after-the-day summary of a city's day: 10^5 log entries (20 laptops, every type,
some hot issues and voids) summarised by the summary job's own function, in a child
process that reports its time and its peak RSS during the summary (bench/memory.py:
interpreter and libraries included), and its RSS just before, to read the difference.

`content_at` folds the log into scratch keys (the projection's exact counts) and makes one
pass over the entries for what the summary adds (voids, hot issues by topic, laptops,
staff, late entries); that pass keeps each entry it has seen, so memory grows with the
day: this figure says by how much. `--quick` summarises 2·10^4 entries (summary.20k.*).
"""

import json
import subprocess
import sys
import tempfile

from bench.limits import REPO, XRANGE, figure, sample_events

DAY = "heping-2022-05-15"
CHILD = r'''
import json, sys, time
from bench.memory import peak_rss_kb, reset_peak, rss_kb
from redis import Redis
from shared.plan import load_plans
from central.config import load_config
from central.summary.versions import content_at
from central.summary.store import log_end
url, day = sys.argv[1], sys.argv[2]
redis = Redis.from_url(url, decode_responses=True)
plan = load_plans(load_config()["PLAN_DIR"])[day]
reset_peak()
before = rss_kb()
start = time.perf_counter()
content = content_at(redis, day, plan, log_end(redis, day))
elapsed = time.perf_counter() - start
peak = peak_rss_kb()
print(json.dumps({"seconds": elapsed, "entries": content["figures"]["log_entries"],
                  "rss_before_kb": before, "peak_rss_kb": peak}))
'''


def _load_day(url: str, n: int, laptops: int = 20, pipeline: int = 500) -> None:
    """n entries with unique ids from `laptops` laptops; 1 in 10 feedback cards is a hot
    issue and 1 in 50 entries voids the laptop's previous one."""
    from redis import Redis

    from central import keys

    client = Redis.from_url(url)
    events = sample_events(n)
    last = {}
    for first in range(0, n, pipeline):
        pipe = client.pipeline(transaction=False)
        for i in range(first, min(first + pipeline, n)):
            device = f"laptop-{i % laptops:02d}"
            event = dict(events[i], device_id=device, seq=i // laptops + 1)
            if event["type"] == "feedback.collected":
                event["payload"] = dict(event["payload"], hot_issue=i % 40 == 3)
            if i % 50 == 49 and device in last:
                event.update(type="event.voided", payload={"target_event_id": last[device], "reason": "录错了"})
            last[device] = event["event_id"]
            pipe.xadd(keys.log(DAY), {"e": json.dumps(event, ensure_ascii=False, sort_keys=True),
                                      "d": device, "rt": 1652577300000 + i, "off": 0})
        pipe.execute()
    client.close()


def measure(n: int) -> dict:
    from openday.embedded_redis import EmbeddedRedis

    with tempfile.TemporaryDirectory(dir=REPO / "bench" / "results") as folder, \
            EmbeddedRedis(folder, appendfsync="everysec") as server:
        _load_day(server.url, n)
        out = subprocess.run([sys.executable, "-c", CHILD, server.url, DAY], cwd=REPO, capture_output=True,
                             text=True, timeout=3600, check=True)
        result = json.loads(out.stdout.strip().splitlines()[-1])
    if result["entries"] != n:
        raise RuntimeError(f"summarised {result['entries']} entries of {n}")
    return result


def run(quick: bool) -> list[dict]:
    n, tag = (20_000, "20k") if quick else (100_000, "100k")
    result = measure(n)
    return [
        figure(f"summary.{tag}.seconds", result["seconds"], "s", None, quick),
        figure(f"summary.{tag}.per_s", n / result["seconds"], "events/s", XRANGE, quick),
        figure(f"summary.{tag}.peak_rss_mb", result["peak_rss_kb"] / 1024, "MB", None, quick),
        figure(f"summary.{tag}.rss_before_mb", result["rss_before_kb"] / 1024, "MB", None, quick),
    ]

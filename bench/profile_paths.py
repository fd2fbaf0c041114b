#!/usr/bin/env python3
"""cProfile of the two hot paths, in this process, against a real redis-server.

    .venv/bin/python bench/profile_paths.py push   # the 10k backlog: 20 gzip batches of 500, through the Flask app
    .venv/bin/python bench/profile_paths.py fold   # fold_to_end over bench_fold's 50,000-entry log

Prints the top entries by own time and by cumulative time; docs/performance.md quotes them
("where the time went"). The HTTP server (gunicorn) is left out on purpose: it is the
same for every design of the handler, and the profile is about the handler.
"""

import cProfile
import gzip
import pstats
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path = [p for p in sys.path if Path(p or ".").resolve() != REPO / "bench"]

from bench.limits import sample_events  # noqa: E402

DAY = "heping-2022-05-15"


def _batches(n: int, size: int) -> list[bytes]:
    from field_app.sync_client import encode_batch

    events = sample_events(n)
    return [gzip.compress(encode_batch("bench-laptop", events[i:i + size], n - i, None)[0], compresslevel=1)
            for i in range(0, n, size)]


def push(n: int = 10_000, size: int = 500) -> cProfile.Profile:
    from redis import Redis

    from openday.embedded_redis import EmbeddedRedis
    from sync_service.app import create_app
    from sync_service.devices.tokens import Device, register_device

    with tempfile.TemporaryDirectory() as folder, EmbeddedRedis(folder, appendfsync="always") as server:
        app = create_app({"REDIS_URL": server.url, "PLAN_DIR": str(REPO / "examples"), "PUSH_RATE_PER_S": 0})
        redis = Redis.from_url(server.url, decode_responses=True)
        token = register_device(redis, Device("bench-laptop", "shashan", DAY))
        client, bodies = app.test_client(), _batches(n, size)
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json", "Content-Encoding": "gzip"}
        profile, start = cProfile.Profile(), time.perf_counter()
        profile.enable()
        for body in bodies:
            answer = client.post("/api/v1/sync/push", data=body, headers=headers)
            assert answer.status_code == 200, answer.get_data(as_text=True)
        profile.disable()
        print(f"push: {n} events in {time.perf_counter() - start:.2f} s (profiled)")
    return profile


def fold(n: int = 50_000) -> cProfile.Profile:
    from redis import Redis

    from bench.bench_fold import _load
    from central.projection import fold_to_end
    from openday.embedded_redis import EmbeddedRedis
    from shared.plan import load_plan

    plan = load_plan(REPO / "examples" / f"{DAY}.json")
    with tempfile.TemporaryDirectory() as folder, EmbeddedRedis(folder, appendfsync="everysec") as server:
        _load(server.url, n)
        redis = Redis.from_url(server.url, decode_responses=True)
        profile, start = cProfile.Profile(), time.perf_counter()
        profile.enable()
        folded = fold_to_end(redis, DAY, plan)
        profile.disable()
        print(f"fold: {folded} entries in {time.perf_counter() - start:.2f} s (profiled)")
    return profile


if __name__ == "__main__":
    which = sys.argv[1] if len(sys.argv) > 1 else "push"
    stats = pstats.Stats({"push": push, "fold": fold}[which]())
    stats.strip_dirs().sort_stats("tottime").print_stats(18)
    stats.sort_stats("cumulative").print_stats(25)

"""A simulated day through the real processes (bench/scale.py, small): the push API
under gunicorn (2 workers), 2 RQ workers, one Redis with appendfsync always.

Ingest is compared with marshmallow validation alone (the sync service validates every
event), pushes per second with a bare Flask JSON endpoint; latencies have no ceiling to
divide by. --quick: the day of summary one on
4 laptops (~1,500 events); full: ten times that on 4 booths x 3 laptops.
"""

from bench.limits import FLASK, MARSHMALLOW, figure
from bench.scale import run_scale


def run(quick: bool) -> list[dict]:
    if quick:
        report = run_scale(booths=2, laptops_per_booth=2, size=1.0, push_every=120, out=lambda _: None)
    else:
        report = run_scale(booths=4, laptops_per_booth=3, size=10.0, push_every=120, out=lambda _: None)
    if not report["check"].startswith("passed"):
        raise AssertionError(report["check"])
    return [
        figure("day.ingest.per_s", report["ingest_events_per_s"], "events/s", MARSHMALLOW, quick),
        figure("day.pushes.per_s", report["push"]["pushes"] / report["push"]["seconds"], "req/s", FLASK, quick),
        figure("day.push.p95_ms", report["push"]["push_p95_ms"], "ms", None, quick),
        figure("day.append_to_totals.p95_ms", report["append_to_totals_p95_s"] * 1000, "ms", None, quick),
        figure("day.redis.mib_per_100k_events", report["redis_mib_per_100k_events"], "MiB", None, quick),
    ]

"""A whole day at scale through the real processes: an embedded redis-server (AOF,
appendfsync always), the sync service under gunicorn, RQ workers with metrics ports,
and the simulator playing every laptop against the push API. While it runs, a monitor
samples the log length, the entries folded and Redis memory; at the end it checks the
central totals against the ground truth.

Used by bench/scale_run (20 booths, 200 laptops, >= 200,000 events) and, small, by
bench/bench_day.py.
"""

import json
import os
import tempfile
import threading
import time
from pathlib import Path

import requests
from prometheus_client.parser import text_string_to_metric_families
from redis import Redis

from bench.limits import REPO
from bench.redis_keys import format_table, memory_by_pattern
from bench.report import machine
from openday.dev import wait_http
from openday.embedded_redis import EmbeddedRedis, free_port
from openday.simulate import check, truth
from openday.simulate.drivers import PushDriver
from openday.simulate.generator import generate_day, with_booths
from openday.simulate.run import register_laptops
from shared.plan import parse_plan
from sync_service.coordinators import add_coordinator
from tests.helpers import Process, openday

EXAMPLE = REPO / "examples" / "heping-2022-05-15.json"


class Monitor(threading.Thread):
    """Samples (seconds, log length, entries folded, Redis used_memory) every `every` s:
    the log and fold figures from a worker's /metrics, the memory from Redis INFO."""

    def __init__(self, metrics_url: str, redis: Redis, day_id: str, every: float = 0.25):
        super().__init__(daemon=True)
        self.metrics_url, self.redis, self.day_id, self.every = metrics_url, redis, day_id, every
        self.samples: list[tuple[float, int, int, int]] = []
        self.stopped = threading.Event()
        self.start_time = time.monotonic()
        self.session, self.lock = requests.Session(), threading.Lock()

    def sample(self) -> tuple[float, int, int, int]:
        with self.lock:
            return self._sample()

    def _sample(self) -> tuple[float, int, int, int]:
        text = self.session.get(self.metrics_url, timeout=5).text
        found = {s.name: s.value for family in text_string_to_metric_families(text) for s in family.samples
                 if s.labels.get("day") == self.day_id}
        memory = self.redis.info("memory")["used_memory"]
        row = (time.monotonic() - self.start_time, int(found.get("openday_log_entries", 0)),
               int(found.get("openday_folded_entries", 0)), memory)
        self.samples.append(row)
        return row

    def run(self) -> None:
        while not self.stopped.wait(self.every):
            self.sample()


def append_to_totals_seconds(samples) -> list[tuple[float, int]]:
    """(latency, entries) pairs: entries that reached the log by sample k were in the
    totals by the first later sample whose folded count covers them."""
    pairs, j, previous = [], 0, 0
    for k, (t, length, _, _) in enumerate(samples):
        new = length - previous
        previous = length
        if new <= 0:
            continue
        j = max(j, k)
        while j < len(samples) and samples[j][2] < length:
            j += 1
        if j == len(samples):
            break
        pairs.append((samples[j][0] - t, new))
    return pairs


def weighted_percentile(pairs, q: float) -> float:
    total = sum(n for _, n in pairs)
    if not total:
        return 0.0
    seen = 0
    for value, n in sorted(pairs):
        seen += n
        if seen >= q * total:
            return value
    return sorted(pairs)[-1][0]


def _metric_lines(url: str, prefixes=("openday_",)) -> list[str]:
    try:
        text = requests.get(url, timeout=5).text
    except requests.RequestException as exc:
        return [f"# {url}: {exc}"]
    return [line for line in text.splitlines() if line.startswith(prefixes) and "_created" not in line
            and "_bucket" not in line]


def run_scale(booths: int = 20, laptops_per_booth: int = 10, size: float = 135.0, web_workers: int = 2,
              workers: int = 2, push_every: float = 300, threads: int = 16, seed: int = 2026, duplicates: float = 0.02,
              speed_up: float = 0, out=print) -> dict:
    host = machine()
    with tempfile.TemporaryDirectory(prefix="openday-scale-") as folder:
        folder = Path(folder)
        raw = with_booths(json.loads(EXAMPLE.read_text(encoding="utf-8")), booths)
        (folder / "plans").mkdir()
        plan_path = folder / "plans" / "plan.json"
        plan_path.write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")
        plan = parse_plan(raw)
        started = time.perf_counter()
        scenario = generate_day(plan, seed=seed, size=size, laptops_per_booth=laptops_per_booth, offline=booths,
                                late=max(1, booths // 10), skew_hours=0, duplicates=duplicates, prefix="scale")
        out(f"generated {scenario.events():,} entries for {len(scenario.laptops)} laptops at {booths} booths "
            f"in {time.perf_counter() - started:.1f} s")
        with EmbeddedRedis(folder / "redis", appendfsync="always") as server:
            return _drive(server, plan, str(plan_path), scenario, folder, web_workers, workers, push_every, threads,
                          speed_up, out, host)


def _drive(server, plan, plan_path, scenario, folder, web_workers, workers, push_every, threads, speed_up, out, host):
    env = {"REDIS_URL": server.url, "OPENDAY_PLAN_DIR": str(Path(plan_path).parent)}
    sync_port, metric_ports = free_port(), [free_port() for _ in range(workers)]
    processes = [Process(openday("sync-service", "--bind", f"127.0.0.1:{sync_port}", "--workers", str(web_workers)),
                         {**env, "PROMETHEUS_MULTIPROC_DIR": ""}, folder / "sync.log")]
    processes += [Process(openday("worker"), {**env, "OPENDAY_METRICS_PORT": str(port)}, folder / f"worker{n}.log")
                  for n, port in enumerate(metric_ports)]
    sync_url = f"http://127.0.0.1:{sync_port}"
    redis = Redis.from_url(server.url, decode_responses=True)
    try:
        wait_http(f"{sync_url}/healthz", timeout=60)
        for port in metric_ports:
            wait_http(f"http://127.0.0.1:{port}/metrics", timeout=60)
        tokens = register_laptops(server.url, scenario)
        driver = PushDriver(sync_url, scenario, tokens, speed_up=speed_up, push_every=push_every, threads=threads)
        monitor = Monitor(f"http://127.0.0.1:{metric_ports[0]}/metrics", redis, scenario.day_id)
        memory_before = monitor.sample()[3]
        monitor.start()
        run = driver.run()
        pushed_at = monitor.sample()
        deadline = time.monotonic() + 600
        while monitor.samples[-1][2] < pushed_at[1] and time.monotonic() < deadline:
            time.sleep(0.25)
        monitor.stopped.set()
        monitor.join()
        final = monitor.samples[-1]
        expected = truth.reference_totals(driver.all_events(), plan)
        reader = ("scale-check", "scale-check-password")  # the totals are for the day's coordinators only
        add_coordinator(redis, *reader, [scenario.day_id])
        differences = check.compare(expected, check.settled_totals(sync_url, scenario.day_id,
                                                                   expected["log_entries"], 60, reader))
        metrics = {"sync": _metric_lines(f"{sync_url}/metrics"),
                   "workers": [_metric_lines(f"http://127.0.0.1:{p}/metrics") for p in metric_ports],
                   "redis_keys": memory_by_pattern(redis), "redis_stats": redis.memory_stats()}
    finally:
        for process in processes:
            process.stop()
        redis.close()
    return _report(scenario, run, monitor.samples, pushed_at, final, memory_before, differences, metrics,
                   web_workers, len(metric_ports), out, host)


def _report(scenario, run, samples, pushed_at, final, memory_before, differences, metrics, web_workers, workers,
            out, host) -> dict:
    events = final[1]
    pairs = append_to_totals_seconds(samples)
    lag_series = [(round(t, 1), length - folded) for t, length, folded, _ in samples[::max(1, len(samples) // 40)]]
    report = {
        "machine": {**host, "load_avg_1m_at_end": round(os.getloadavg()[0], 2)},
        "setup": {"booths": len({lt.booth_id for lt in scenario.laptops}), "laptops": len(scenario.laptops),
                  "gunicorn_workers": web_workers, "rq_workers": workers, "redis": "embedded, AOF appendfsync always"},
        "events": events,
        "push": run,
        "ingest_events_per_s": round(run["accepted"] / run["seconds"], 1),
        "fold_caught_up_after_push_s": round(final[0] - pushed_at[0], 2),
        "overall_events_per_s": round(events / final[0], 1),
        "append_to_totals_p50_s": round(weighted_percentile(pairs, 0.50), 2),
        "append_to_totals_p95_s": round(weighted_percentile(pairs, 0.95), 2),
        "max_fold_lag_entries": max(length - folded for _, length, folded, _ in samples),
        "fold_lag_over_time": lag_series,
        "redis_used_memory_mib": round(final[3] / 2**20, 1),
        "redis_mib_per_100k_events": round((final[3] - memory_before) / 2**20 / events * 100_000, 1),
        "check": "passed: every figure exact" if not differences else check.format_differences(differences),
        "metrics": metrics,
    }
    out(format_report(report))
    return report


def format_report(r: dict) -> str:
    lines = [
        f"setup: {r['setup']['booths']} booths, {r['setup']['laptops']} laptops, {r['setup']['gunicorn_workers']} "
        f"gunicorn workers, {r['setup']['rq_workers']} RQ workers, one redis ({r['setup']['redis']})",
        f"machine: {r['machine'].get('cpu', '?')}, {r['machine']['cores']} cores, {r['machine'].get('os', '')}, "
        f"Python {r['machine'].get('python', '?')}, redis-server {r['machine'].get('redis_server', '?')}; "
        f"load {r['machine'].get('load_avg_1m_at_start', '?')} at start, {r['machine']['load_avg_1m_at_end']} "
        f"at the end (shared with other work); {r['machine'].get('date', '')}",
        f"events in the log:            {r['events']:,}",
        f"pushes:                       {r['push']['pushes']:,} ({r['push']['duplicate_pushes']:,} sent twice, "
        f"{r['push']['duplicates']:,} duplicate events skipped, {r['push']['retries']} retries)",
        f"push latency p50 / p95:       {r['push']['push_p50_ms']} ms / {r['push']['push_p95_ms']} ms",
        f"ingested:                     {r['ingest_events_per_s']:,} events/s over {r['push']['seconds']} s",
        f"fold caught up:               {r['fold_caught_up_after_push_s']} s after the last push "
        f"(overall {r['overall_events_per_s']:,} events/s from first push to totals)",
        f"append-to-totals latency:     p50 {r['append_to_totals_p50_s']} s, p95 {r['append_to_totals_p95_s']} s "
        "(sampled every 0.25 s)",
        f"max fold lag:                 {r['max_fold_lag_entries']:,} entries",
        f"redis memory:                 {r['redis_used_memory_mib']} MiB used; "
        f"{r['redis_mib_per_100k_events']} MiB per 10^5 events",
        "redis memory by key (MEMORY USAGE):", *format_table(r["metrics"]["redis_keys"], r["events"]),
        "fold lag over time (s: entries): " + ", ".join(f"{t}: {lag:,}" for t, lag in r["fold_lag_over_time"]),
        f"check: {r['check']}",
        "sync service /metrics:", *[f"  {line}" for line in r["metrics"]["sync"]],
    ]
    for n, worker in enumerate(r["metrics"]["workers"]):
        lines += [f"worker {n} /metrics:", *[f"  {line}" for line in worker if "worker" in line]]
    return "\n".join(lines)

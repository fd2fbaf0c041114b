"""A provincial day on a local Redis Cluster (bench/scale_run --cluster): 30 or more days
at once, 10^6 entries or more in all, through the real processes — six redis-server nodes
(three primaries, three replicas, AOF everysec; pushes WAIT for one replica), RQ on its own
redis-server, the sync service under gunicorn and RQ workers with the cluster settings.

Reports cluster.ingest.per_s (accepted events / push seconds), cluster.fold_lag.p95_ms
(append-to-totals latency over every day, sampled), cluster.redis.mib_per_100k_events
(primaries' used_memory growth per 10^5 entries; the replicas hold as much again) and the
--check comparison of every day. Every byte of data stays in a temporary folder in /tmp.
"""

import json
import os
import shutil
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests
from prometheus_client.parser import text_string_to_metric_families

from bench.limits import REPO
from bench.report import machine
from bench.scale import append_to_totals_seconds, weighted_percentile
from openday.dev import wait_http
from openday.embedded_redis import EmbeddedRedis, free_port
from openday.local_cluster import LocalCluster
from openday.simulate import check, truth
from openday.simulate.drivers import PushDriver
from openday.simulate.generator import generate_day, with_booths
from openday.simulate.run import register_laptops
from shared.plan import parse_plan
from tests.helpers import Process, openday

EXAMPLE = REPO / "examples" / "heping-2022-05-15.json"
READER = ("scale-check", "scale-check-password")


class ClusterMonitor(threading.Thread):
    """(seconds, log entries, folded entries, primaries' used_memory) of every day together,
    every `every` s: log and fold from a worker's /metrics, memory from the primaries."""

    def __init__(self, metrics_url: str, cluster: LocalCluster, every: float = 0.5):
        super().__init__(daemon=True)
        self.metrics_url, self.cluster, self.every = metrics_url, cluster, every
        self.samples: list[tuple[float, int, int, int]] = []
        self.stopped, self.start_time, self.lock = threading.Event(), time.monotonic(), threading.Lock()

    def sample(self) -> tuple[float, int, int, int]:
        with self.lock:
            text = requests.get(self.metrics_url, timeout=10).text
            sums = {"openday_log_entries": 0, "openday_folded_entries": 0}
            for family in text_string_to_metric_families(text):
                for s in family.samples:
                    if s.name in sums:
                        sums[s.name] += int(s.value)
            row = (time.monotonic() - self.start_time, sums["openday_log_entries"], sums["openday_folded_entries"],
                   int(self.cluster.used_memory_mib() * 2**20))
            self.samples.append(row)
            return row

    def run(self) -> None:
        while not self.stopped.wait(self.every):
            try:
                self.sample()
            except (requests.RequestException, OSError):
                continue


def _plans(folder: Path, days: int, booths: int) -> dict:
    """day id -> parsed plan, one plan file per day in `folder`."""
    plans = {}
    folder.mkdir(parents=True)
    for n in range(days):
        raw = with_booths(json.loads(EXAMPLE.read_text(encoding="utf-8")), booths)
        raw["day_id"] = f"district{n:02d}-2026-05-15"
        (folder / f"{raw['day_id']}.json").write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")
        plans[raw["day_id"]] = parse_plan(raw)
    return plans


def _processes(env: dict, folder: Path, web_workers: int, workers: int):
    sync_port, metric_ports = free_port(), [free_port() for _ in range(workers)]
    processes = [Process(openday("sync-service", "--bind", f"127.0.0.1:{sync_port}", "--workers", str(web_workers)),
                         {**env, "PROMETHEUS_MULTIPROC_DIR": ""}, folder / "sync.log")]
    processes += [Process(openday("worker"), {**env, "OPENDAY_METRICS_PORT": str(port)}, folder / f"worker{n}.log")
                  for n, port in enumerate(metric_ports)]
    return processes, f"http://127.0.0.1:{sync_port}", metric_ports


def run_cluster_scale(days: int = 30, booths: int = 6, laptops_per_booth: int = 5, size: float = 22.0,
                      web_workers: int = 2, workers: int = 2, push_every: float = 300, seed: int = 2026,
                      out=print) -> dict:
    host = machine()
    folder = Path(tempfile.mkdtemp(prefix="openday-cluster-scale-", dir="/tmp"))
    try:
        plans = _plans(folder / "plans", days, booths)
        started = time.perf_counter()
        scenarios = {day: generate_day(plan, seed=seed + n, size=size, laptops_per_booth=laptops_per_booth,
                                       offline=booths // 2, late=1, skew_hours=0, duplicates=0.02, prefix=f"p{n:02d}")
                     for n, (day, plan) in enumerate(plans.items())}
        out(f"generated {sum(s.events() for s in scenarios.values()):,} entries for {days} days in "
            f"{time.perf_counter() - started:.1f} s")
        with LocalCluster(folder / "cluster", appendfsync="everysec") as cluster, \
                EmbeddedRedis(folder / "rq", appendfsync="everysec") as rq:
            env = {"OPENDAY_REDIS_CLUSTER": cluster.seeds, "OPENDAY_RQ_REDIS_URL": rq.url, "REDIS_URL": rq.url,
                   "OPENDAY_PLAN_DIR": str(folder / "plans"), "OPENDAY_WAIT_REPLICAS": "1"}
            os.environ.update(env)  # register_laptops and the reader account go to the cluster
            report = _drive(cluster, env, plans, scenarios, folder, web_workers, workers, push_every, out)
        return {"machine": {**host, "load_avg_1m_at_end": round(os.getloadavg()[0], 2)}, **report}
    finally:
        shutil.rmtree(folder, ignore_errors=True)  # nothing of the run stays on disk


def _drive(cluster, env, plans, scenarios, folder, web_workers, workers, push_every, out) -> dict:
    from central.config import load_config
    from central.redis_client import data_redis
    from sync_service.coordinators import add_coordinator

    processes, sync_url, metric_ports = _processes(env, folder, web_workers, workers)
    try:
        wait_http(f"{sync_url}/healthz", timeout=60)
        for port in metric_ports:
            wait_http(f"http://127.0.0.1:{port}/metrics", timeout=60)
        add_coordinator(data_redis(load_config()), *READER, list(plans))
        drivers = {day: PushDriver(sync_url, s, register_laptops(env["REDIS_URL"], s), push_every=push_every,
                                   threads=2) for day, s in scenarios.items()}
        monitor = ClusterMonitor(f"http://127.0.0.1:{metric_ports[0]}/metrics", cluster)
        memory_before = monitor.sample()[3]
        monitor.start()
        pushed = time.perf_counter()
        with ThreadPoolExecutor(len(drivers)) as pool:  # every day at once
            runs = dict(zip(drivers, pool.map(lambda d: d.run(), drivers.values()), strict=True))
        push_seconds, pushed_at = time.perf_counter() - pushed, monitor.sample()
        out(f"pushed {sum(r['accepted'] for r in runs.values()):,} events in {push_seconds:.1f} s")
        deadline = time.monotonic() + 900
        while monitor.samples[-1][2] < pushed_at[1] and time.monotonic() < deadline:
            time.sleep(0.5)
        monitor.stopped.set()
        monitor.join()
        differences = {day: check.compare(truth.reference_totals(d.all_events(), plans[day]),
                                          check.settled_totals(sync_url, day, d.scenario.events(), 120, READER))
                       for day, d in drivers.items()}
    finally:
        for process in processes:
            process.stop()
    laptops = sum(len(s.laptops) for s in scenarios.values())
    return _report(runs, push_seconds, monitor.samples, pushed_at, memory_before, differences, laptops, out)


def _report(runs, push_seconds, samples, pushed_at, memory_before, differences, laptops, out) -> dict:
    final, accepted = samples[-1], sum(r["accepted"] for r in runs.values())
    wrong = {day: check.format_differences(d) for day, d in differences.items() if d}
    report = {
        "setup": {"days": len(runs), "laptops": laptops,
                  "redis": "local cluster: 3 primaries + 3 replicas, AOF everysec, WAIT 1 replica per push",
                  "rq": "own redis-server"},
        "events": final[1],
        "push": {"pushes": sum(r["pushes"] for r in runs.values()), "accepted": accepted,
                 "retries": sum(r["retries"] for r in runs.values()), "seconds": round(push_seconds, 1)},
        "cluster.ingest.per_s": round(accepted / push_seconds, 1),
        "cluster.fold_lag.p95_ms": round(weighted_percentile(append_to_totals_seconds(samples), 0.95) * 1000),
        "cluster.fold_lag.p50_ms": round(weighted_percentile(append_to_totals_seconds(samples), 0.50) * 1000),
        "fold_caught_up_after_push_s": round(final[0] - pushed_at[0], 1),
        "cluster.redis.mib_per_100k_events": round((final[3] - memory_before) / 2**20 / max(final[1], 1) * 100_000, 1),
        "primaries_used_memory_mib": round(final[3] / 2**20, 1),
        "check": (f"passed: every figure of all {len(runs)} days exact" if not wrong
                  else json.dumps(wrong, ensure_ascii=False)[:4000]),
    }
    out(format_cluster_report(report))
    return report


def format_cluster_report(r: dict) -> str:
    m = r.get("machine", {})
    return "\n".join([
        f"setup: {r['setup']['days']} days at once, {r['setup']['laptops']} laptops; {r['setup']['redis']}; "
        f"RQ on its {r['setup']['rq']}",
        f"machine: {m.get('cpu', '?')}, {m.get('cores', '?')} cores, load {m.get('load_avg_1m_at_start', '?')} "
        f"at start, {m.get('load_avg_1m_at_end', '?')} at the end (shared with other work); {m.get('date', '')}",
        f"events in the logs:           {r['events']:,}",
        f"pushes:                       {r['push']['pushes']:,} ({r['push']['retries']} retries)",
        f"cluster.ingest.per_s:         {r['cluster.ingest.per_s']:,} events/s over {r['push']['seconds']} s",
        f"cluster.fold_lag.p95_ms:      {r['cluster.fold_lag.p95_ms']:,} ms (p50 {r['cluster.fold_lag.p50_ms']:,} ms, "
        "sampled every 0.5 s)",
        f"fold caught up:               {r['fold_caught_up_after_push_s']} s after the last push",
        f"cluster.redis.mib_per_100k_events: {r['cluster.redis.mib_per_100k_events']} MiB (primaries; "
        f"{r['primaries_used_memory_mib']} MiB used at the end)",
        f"check: {r['check']}",
    ])


def figures(report: dict) -> list[dict]:
    """The three figures as bench table rows (no limit measured beside them)."""
    units = {"cluster.ingest.per_s": "events/s", "cluster.fold_lag.p95_ms": "ms",
             "cluster.redis.mib_per_100k_events": "MiB"}
    return [{"name": name, "value": report[name], "unit": unit, "limit_name": None, "limit": None, "ratio": None}
            for name, unit in units.items()]

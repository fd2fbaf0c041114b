"""Prometheus metrics read from Redis at scrape time, and the worker's metrics port.

Gauges about the day come from Redis when scraped, so every process (each gunicorn
worker, each RQ worker) reports the same true values and nothing has to be shared
between processes: log length, entries folded, fold lag (log length - folded), devices
seen, the fold queue's depth. A worker also reports its own RQ job counts and busy time,
which RQ keeps in the worker's Redis hash (jobs run in forked children).
"""

import os
import time

from prometheus_client import CollectorRegistry, start_http_server
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

from central import keys
from central.fold_health import oldest_unfolded_ms
from central.queue import QUEUE_NAME

FOLDED = "log.entries"  # the totals figure the fold keeps: log entries folded so far


class DayCollector:
    """openday_log_entries, openday_folded_entries, openday_fold_lag_entries,
    openday_devices_seen and openday_fold_oldest_unfolded_age_seconds per day;
    openday_queue_depth of the fold queue; openday_fold_failures_total."""

    def __init__(self, redis, rq_redis=None):
        self.redis = redis  # decode_responses=True
        self.rq_redis = rq_redis if rq_redis is not None else redis  # the queue is on RQ's own Redis

    def collect(self):
        log = GaugeMetricFamily("openday_log_entries", "Entries in the day's central log.", labels=["day"])
        folded = GaugeMetricFamily("openday_folded_entries", "Log entries folded into the live totals.",
                                   labels=["day"])
        lag = GaugeMetricFamily("openday_fold_lag_entries", "Log entries not yet folded (log length - folded).",
                                labels=["day"])
        devices = GaugeMetricFamily("openday_devices_seen", "Devices that have pushed to the day.", labels=["day"])
        days = sorted(self.redis.smembers(keys.DAYS))
        with self.redis.pipeline(transaction=False) as pipe:
            for day in days:
                pipe.xlen(keys.log(day))
                pipe.hget(keys.totals(day), FOLDED)
                pipe.hlen(keys.acked(day))
            answers = pipe.execute()
        answers.append(self.rq_redis.llen(f"rq:queue:{QUEUE_NAME}"))
        for index, day in enumerate(days):
            length, done, seen = answers[index * 3:index * 3 + 3]
            done = int(done or 0)
            log.add_metric([day], length)
            folded.add_metric([day], done)
            lag.add_metric([day], max(length - done, 0))
            devices.add_metric([day], seen)
        yield from (log, folded, lag, devices)
        yield GaugeMetricFamily("openday_queue_depth", "Jobs waiting in the fold queue.", value=answers[-1])
        yield from self._fold_health(days)

    def _fold_health(self, days: list[str]):
        """openday_fold_failures_total and, per day, openday_fold_oldest_unfolded_age_seconds
        (0 when all is folded): a stuck fold shows as an age that only grows."""
        failures = int(self.redis.get(keys.FOLD_FAILURES_TOTAL) or 0)
        yield CounterMetricFamily("openday_fold_failures", "Fold jobs that failed (every day).", value=failures)
        age = GaugeMetricFamily("openday_fold_oldest_unfolded_age_seconds",
                                "Seconds since the centre received the oldest entry not yet folded.", labels=["day"])
        now_ms = time.time_ns() // 1_000_000
        for day in days:
            oldest = oldest_unfolded_ms(self.redis, day)
            age.add_metric([day], 0 if oldest is None else max(now_ms - oldest, 0) / 1000)
        yield age


class WorkerCollector:
    """This RQ worker's job counts and busy seconds, from its Redis hash."""

    def __init__(self, rq_redis, worker_key):
        self.rq_redis, self.worker_key = rq_redis, worker_key  # a callable: the worker may be replaced

    def collect(self):
        data = {k.decode(): v.decode() for k, v in self.rq_redis.hgetall(self.worker_key()).items()}
        jobs = CounterMetricFamily("openday_worker_jobs", "Jobs this worker finished, by outcome.", labels=["outcome"])
        jobs.add_metric(["successful"], int(data.get("successful_job_count") or 0))
        jobs.add_metric(["failed"], int(data.get("failed_job_count") or 0))
        yield jobs
        yield CounterMetricFamily("openday_worker_busy_seconds", "Seconds this worker spent running jobs.",
                                  value=float(data.get("total_working_time") or 0))


def serve_worker_metrics(port: int, redis, rq_redis, worker_key, host: str = "127.0.0.1"):
    """Serve /metrics for a worker on its own port (a daemon thread of the worker's main process);
    `worker_key()` names the RQ worker running now."""
    registry = CollectorRegistry()
    registry.register(DayCollector(redis, rq_redis))
    registry.register(WorkerCollector(rq_redis, worker_key))
    return start_http_server(port, addr=host, registry=registry)


def serve_metrics_if_configured(rq_redis, worker_key) -> None:
    """OPENDAY_METRICS_PORT (and OPENDAY_METRICS_HOST, default 127.0.0.1) give the worker a /metrics port."""
    from central.config import load_config
    from central.redis_client import data_redis

    port = int(os.environ.get("OPENDAY_METRICS_PORT") or 0)
    if port:
        redis = data_redis(load_config())
        host = os.environ.get("OPENDAY_METRICS_HOST", "127.0.0.1")
        serve_worker_metrics(port, redis, rq_redis, worker_key, host)

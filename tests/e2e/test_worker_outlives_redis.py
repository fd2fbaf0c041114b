"""`openday worker` outlives a Redis restart. rq quits its loop when Redis goes away while
a job runs; the worker process waits until Redis answers, starts a new RQ worker and folds
on, with no supervisor (before, it exited and the day's totals froze)."""

import os

from redis import Redis

from central.central_log import CentralLog
from central.projection import read_totals
from central.queue import queue, request_fold, rq_connection
from openday.embedded_redis import EmbeddedRedis
from tests.factories import make_event
from tests.helpers import DAY, PLAN_PATH, Process, openday, wait_until


def shut_down_redis() -> None:
    """A job during which Redis goes away (what the worker reports afterwards fails)."""
    Redis.from_url(os.environ["REDIS_URL"]).shutdown(nosave=True)  # the AOF keeps what was written


def test_the_worker_process_folds_on_after_redis_restarts(tmp_path):
    server = EmbeddedRedis(tmp_path / "redis").start()
    worker = Process(openday("worker"), {"REDIS_URL": server.url, "OPENDAY_PLAN_DIR": str(PLAN_PATH.parent),
                                         "OPENDAY_CATCHUP_SECONDS": "0.5"}, tmp_path / "worker.log")
    try:
        redis, rq = Redis.from_url(server.url, decode_responses=True), rq_connection(server.url)
        CentralLog(redis).append_batch(DAY, "laptop-a", [make_event(1, "visitor.received", {"party_size": 2})],
                                       received_ms=1_652_580_000_000)
        request_fold(redis, rq, DAY)
        wait_until(lambda: read_totals(redis, DAY)["visitors"] == 2, message="first fold")

        queue(rq).enqueue("tests.e2e.test_worker_outlives_redis.shut_down_redis")
        wait_until(lambda: server.process.poll() is not None, message="Redis shut down by the job")
        wait_until(lambda: "stopped on an error" in worker.output(), message="rq's loop quit; ours waits")
        assert worker.alive()
        server.start()

        redis, rq = Redis.from_url(server.url, decode_responses=True), rq_connection(server.url)
        CentralLog(redis).append_batch(DAY, "laptop-a", [make_event(2, "visitor.received", {"party_size": 5})],
                                       received_ms=1_652_580_000_000)
        request_fold(redis, rq, DAY)
        wait_until(lambda: read_totals(redis, DAY)["visitors"] == 7, timeout=30, message="folded after the restart")
        assert worker.alive()
        assert worker.stop() == 0  # SIGTERM still stops it (warm shutdown), not a restart
    finally:
        worker.stop()
        server.stop()

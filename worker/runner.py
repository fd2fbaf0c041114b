"""`openday worker`: one RQ worker on the openday queue, started again when it stops on an error.

rq's Worker retries a lost connection while it waits for a job, but quits its loop on a
Redis error anywhere else (Redis restarted mid-job: "found an unhandled exception,
quitting", and then its teardown raises ConnectionError). A worker process that exits
then leaves the day's totals frozen until somebody notices, so this loop waits until
Redis answers and starts a new Worker (a new name: the old one's registration may be
stale), after queueing a fold of every day in case a job died with the old one (folds
are idempotent). A stop asked for by SIGINT/SIGTERM ends the loop, as does --burst.
"""

import logging
import signal
import time

from redis.exceptions import RedisError
from rq import Worker
from rq.serializers import JSONSerializer

from central.metrics import serve_metrics_if_configured
from central.queue import queue
from central.redis_client import data_redis, rq_redis
from worker.catchup import queue_catch_up_folds, start_catchup
from worker.jobs import preload as preload_jobs

log = logging.getLogger(__name__)


class StoppableWorker(Worker):
    """rq's Worker that remembers whether it was asked to stop (SIGINT/SIGTERM)."""

    stop_asked = False

    def request_stop(self, signum, frame):
        self.stop_asked = True
        super().request_stop(signum, frame)

    def unsubscribe(self):
        """rq stops its pubsub listener thread and then closes the connection; redis-py's
        stop() waits for the thread, which may sit in a 60 s read (rq's sleep_time), so a
        SIGTERM right after a job hung the worker until it was killed. Wait a second at most:
        the thread closes its own connection when its read returns, and it is a daemon."""
        if self.pubsub_thread:
            self.pubsub_thread.stop(timeout=1)

def run_worker(config: dict, burst: bool = False, maintenance_seconds: int = 60,
               catchup_seconds: float = 2.0) -> None:
    redis, connection = data_redis(config), rq_redis(config)
    queue_catch_up_folds(redis, connection)
    start_catchup(config, catchup_seconds)
    preload_jobs()  # plans and job code loaded once, inherited by every work horse
    running: list[Worker] = []
    serve_metrics_if_configured(connection, lambda: running[-1].key)  # OPENDAY_METRICS_PORT
    while True:
        rq_worker = StoppableWorker([queue(connection)], connection=connection, serializer=JSONSerializer,
                                    maintenance_interval=maintenance_seconds)
        running[:] = [rq_worker]
        try:
            rq_worker.work(burst=burst)
        except RedisError:  # its teardown could not reach Redis either
            log.exception("the RQ worker lost Redis")
        if burst or rq_worker.stop_asked:
            return
        log.error("the RQ worker stopped on an error; a new one starts when Redis answers")
        _default_signals()  # rq's handlers belong to the stopped worker
        try:
            wait_for_redis(redis)
            queue_catch_up_folds(redis, connection)
        except KeyboardInterrupt:
            return


def wait_for_redis(redis, pause: float = 0.5, cap: float = 10.0) -> None:
    """Return once Redis answers PING, trying with a doubling pause up to `cap` seconds."""
    while True:
        time.sleep(pause)
        try:
            redis.ping()
            return
        except RedisError:
            pause = min(pause * 2, cap)


def _default_signals() -> None:
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)

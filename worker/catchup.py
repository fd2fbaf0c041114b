"""The catch-up loop: a fold is queued whenever a day's checkpoint lags its log.

Pushes queue folds themselves (coalesced by the fold-requested flag); this loop is the
safety net for a fold that never comes: a worker SIGKILLed mid-job leaves its job in RQ's
StartedJobRegistry until the heartbeat expires (~90 s) and its flag may still be set. The
loop runs in every `openday worker` (a daemon thread beside RQ's own loop, no scheduler
needed) every OPENDAY_CATCHUP_SECONDS (default 2). A lagging day without a flag gets a
fold; a lagging day whose checkpoint has not moved since the last tick gets one even if
its flag is set (the queued fold is lost or stuck). Extra folds are harmless: each chunk
commits only on top of the checkpoint it read.
"""

import logging
import threading

from central import keys
from central.chunk import position
from central.queue import FOLD_JOB, queue, request_fold
from central.redis_client import data_redis, rq_redis

log = logging.getLogger(__name__)


def queue_catch_up_folds(redis, rq_redis) -> list[str]:
    """At worker start: one fold per day with a log. A worker that died holding a fold job
    (Redis restarted under it, SIGKILL) leaves no one to fold what was appended before;
    the next worker to start picks it up. Folds are idempotent, so an extra one is free."""
    days = sorted(redis.smembers(keys.DAYS))
    for day_id in days:
        queue(rq_redis).enqueue("worker.jobs.fold_day", day_id, **FOLD_JOB)
    return days


def lagging_days(redis) -> dict[str, str]:
    """day id -> live checkpoint, for every day whose log is ahead of its checkpoint."""
    days = sorted(redis.smembers(keys.DAYS))
    with redis.pipeline(transaction=False) as pipe:
        for day_id in days:
            pipe.get(keys.checkpoint(day_id))
            pipe.xrevrange(keys.log(day_id), count=1)
        answers = pipe.execute()
    lagging = {}
    for day_id, checkpoint, last in zip(days, answers[::2], answers[1::2], strict=True):
        if last and position(last[0][0]) > position(checkpoint or "0-0"):
            lagging[day_id] = checkpoint or "0-0"
    return lagging


def catch_up_once(redis, rq_redis, seen: dict[str, str]) -> list[str]:
    """Queue folds for lagging days; returns the days it queued. `seen` is kept between calls."""
    queued = []
    lagging = lagging_days(redis)
    for day_id, checkpoint in lagging.items():
        if seen.get(day_id) == checkpoint:  # no progress for a whole tick: whatever was queued is lost
            redis.delete(keys.fold_requested(day_id))
        if request_fold(redis, rq_redis, day_id):
            queued.append(day_id)
    seen.clear()
    seen.update(lagging)
    return queued


def run_catchup(config: dict, interval: float, stop: threading.Event) -> None:
    redis, rq, seen = data_redis(config), rq_redis(config), {}
    while not stop.wait(interval):
        try:
            for day_id in catch_up_once(redis, rq, seen):
                log.info("catch-up queued a fold of %s", day_id)
        except Exception:  # Redis away for a moment: try again next tick
            log.exception("catch-up tick failed")


def start_catchup(config: dict, interval: float) -> threading.Event:
    """Start the loop in a daemon thread; set the returned event to stop it."""
    stop = threading.Event()
    if interval > 0:
        threading.Thread(target=run_catchup, args=(config, interval, stop), name="catch-up", daemon=True).start()
    return stop

"""A worker starting up queues one fold per day with a log. A worker that died holding a
fold job (Redis restarted under it, SIGKILL) leaves no one to fold what was appended
before; the next worker to start picks it up. Folds are idempotent, so an extra one is free."""

from sync_service import keys
from worker.queue import queue


def queue_catch_up_folds(redis, rq_redis) -> list[str]:
    days = sorted(redis.smembers(keys.DAYS))
    for day_id in days:
        queue(rq_redis).enqueue("worker.jobs.fold_day", day_id, job_timeout=600)
    return days

"""The RQ queue and how work is requested. Jobs take plain JSON arguments."""

import time
import uuid

from redis import Redis
from rq import Queue, Retry
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus
from rq.serializers import JSONSerializer

from central import keys

QUEUE_NAME = "openday"
# A fold job's return value (how many entries it folded) is read by no one, and RQ kept it
# with its job hash for 500 s: ~100 B of Redis per log entry on a simulated day (a job per
# few pushes). With 0 a finished fold job leaves nothing; a failed one is still kept.
FOLD_JOB = {"job_timeout": 600, "result_ttl": 0}


def rq_connection(redis_url: str) -> Redis:
    """RQ needs a connection that returns bytes; ours decode to str."""
    return Redis.from_url(redis_url)


def queue(rq_redis: Redis) -> Queue:
    return Queue(QUEUE_NAME, connection=rq_redis, serializer=JSONSerializer)


def request_fold(redis, rq_redis: Redis, day_id: str) -> bool:
    """Queue a fold of the day unless one is already queued (coalescing many pushes).
    The job clears the flag before it reads the log, so nothing appended is missed.
    The flag names its job and when it was set: a flag older than STALE_FLAG_S whose job
    is not waiting in the queue (the process died between the two steps, or a worker
    died holding the job) is taken back instead of blocking folds for its lifetime."""
    flag, mark = keys.fold_requested(day_id), f"{uuid.uuid4()} {time.time():.3f}"
    if not redis.set(flag, mark, nx=True, ex=300):
        held = redis.get(flag)
        if not held or not _stale(rq_redis, held) or not _take_back(redis, flag, held):
            return False
        if not redis.set(flag, mark, nx=True, ex=300):
            return False
    queue(rq_redis).enqueue("worker.jobs.fold_day", day_id, job_id=mark.split()[0], retry=Retry(max=3), **FOLD_JOB)
    return True


STALE_FLAG_S = 5.0


def _stale(rq_redis: Redis, held: str) -> bool:
    job_id, _, set_at = held.partition(" ")
    try:
        if time.time() - float(set_at or 0) < STALE_FLAG_S:
            return False
        return Job.fetch(job_id, connection=rq_redis, serializer=JSONSerializer).get_status() != JobStatus.QUEUED
    except NoSuchJobError:
        return True
    except ValueError:
        return True


_TAKE_BACK = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0"


def _take_back(redis, flag: str, held: str) -> bool:
    return bool(redis.eval(_TAKE_BACK, 1, flag, held))

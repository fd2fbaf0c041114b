"""The RQ queue and how work is requested. Jobs take plain JSON arguments."""

from redis import Redis
from rq import Queue, Retry
from rq.serializers import JSONSerializer

from sync_service import keys

QUEUE_NAME = "openday"


def rq_connection(redis_url: str) -> Redis:
    """RQ needs a connection that returns bytes; ours decode to str."""
    return Redis.from_url(redis_url)


def queue(rq_redis: Redis) -> Queue:
    return Queue(QUEUE_NAME, connection=rq_redis, serializer=JSONSerializer)


def request_fold(redis, rq_redis: Redis, day_id: str) -> bool:
    """Queue a fold of the day unless one is already queued (coalescing many pushes).
    The job clears the flag before it reads the log, so nothing appended is missed."""
    if not redis.set(keys.fold_requested(day_id), "1", nx=True, ex=300):
        return False
    queue(rq_redis).enqueue("worker.jobs.fold_day", day_id, retry=Retry(max=3), job_timeout=600)
    return True

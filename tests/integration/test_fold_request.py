"""Requesting a fold survives a process killed between setting the flag and queueing the job."""

from central import keys
from central.queue import queue, request_fold, rq_connection
from tests.helpers import DAY


def test_requests_coalesce_and_a_stale_flag_is_taken_back(redis, redis_url):
    rq_redis = rq_connection(redis_url)
    assert request_fold(redis, rq_redis, DAY) is True
    assert request_fold(redis, rq_redis, DAY) is False  # one queued fold is enough
    assert queue(rq_redis).count == 1
    queue(rq_redis).empty()  # the job is gone (a worker took it and died) but the flag stayed
    assert request_fold(redis, rq_redis, DAY) is False  # a fresh flag is trusted for a few seconds
    job_id, _, set_at = redis.get(keys.fold_requested(DAY)).partition(" ")
    redis.set(keys.fold_requested(DAY), f"{job_id} {float(set_at) - 6}")
    assert request_fold(redis, rq_redis, DAY) is True
    assert queue(rq_redis).count == 1
    redis.set(keys.fold_requested(DAY), "no-such-job 1")  # a pusher died after SET, before enqueue
    assert request_fold(redis, rq_redis, DAY) is True
    assert redis.get(keys.fold_requested(DAY)).split()[0] == queue(rq_redis).job_ids[-1]

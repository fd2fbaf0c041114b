"""The catch-up loop queues a fold when the checkpoint lags the log, even when a lost job
left the fold-requested flag set; an RQ SimpleWorker (burst) runs what it queued."""

import pytest
from rq import SimpleWorker
from rq.serializers import JSONSerializer

from central import keys
from central.central_log import CentralLog
from central.projection import read_totals
from central.queue import queue, request_fold, rq_connection
from tests.factories import make_event
from tests.helpers import DAY
from worker.catchup import catch_up_once, lagging_days


@pytest.fixture
def rq_redis(redis_url, monkeypatch):
    monkeypatch.setenv("REDIS_URL", redis_url)
    return rq_connection(redis_url)


def _run_jobs(rq_redis):
    SimpleWorker([queue(rq_redis)], connection=rq_redis, serializer=JSONSerializer).work(burst=True)


def test_a_lagging_day_gets_a_fold(redis, rq_redis):
    CentralLog(redis).append_batch(DAY, "laptop-a", [make_event(1, "visitor.received")], received_ms=0)
    assert lagging_days(redis) == {DAY: "0-0"}
    assert catch_up_once(redis, rq_redis, {}) == [DAY]
    _run_jobs(rq_redis)
    assert read_totals(redis, DAY)["visitors"] == 3
    assert lagging_days(redis) == {}
    assert catch_up_once(redis, rq_redis, {}) == []


def test_a_lost_fold_with_its_flag_still_set_is_replaced(redis, rq_redis):
    CentralLog(redis).append_batch(DAY, "laptop-a", [make_event(1, "visitor.received")], received_ms=0)
    assert request_fold(redis, rq_redis, DAY)
    queue(rq_redis).empty()  # the queued fold is lost (e.g. its worker was killed); the flag stays
    seen = {}
    assert catch_up_once(redis, rq_redis, seen) == []  # the first tick trusts the flag
    assert redis.get(keys.fold_requested(DAY))
    assert catch_up_once(redis, rq_redis, seen) == [DAY]  # no progress since: queue one anyway
    _run_jobs(rq_redis)
    assert read_totals(redis, DAY)["log_entries"] == 1

"""The summary RQ job and how it is requested. Jobs take plain JSON arguments."""

from rq import Retry

from shared.clock import now_utc, to_rfc3339
from shared.plan import load_plans
from sync_service import keys
from sync_service.config import load_config
from sync_service.redis_client import data_redis, rq_redis
from worker.queue import queue
from worker.summary.build import build_content
from worker.summary.figures import void_target_ids
from worker.summary.store import (
    append_version,
    close_day,
    closed_record,
    get_template,
    log_end,
    projected_totals,
    read_log,
    read_voids,
)

_plans = {}


def content_at(redis, day_id: str, plan, position: str) -> dict:
    """The summary content of the log up to `position`: the same bytes whenever it is made
    (for the same template and closing)."""
    closed = closed_record(redis, day_id)
    totals = projected_totals(redis, day_id, plan, position)
    targets = void_target_ids(read_voids(redis, day_id, until=position))  # a first pass, voids only
    entries = read_log(redis, day_id, until=position)  # read chunk by chunk while counting
    return build_content(entries, plan, get_template(redis, plan), closed and closed["position"], totals=totals,
                         void_targets=targets)


def make_version(redis, day_id: str, plan) -> tuple[dict, bool]:
    """Summarise the log as it is now; a new version only if something changed."""
    content = content_at(redis, day_id, plan, log_end(redis, day_id))
    return append_version(redis, day_id, content, to_rfc3339(now_utc()))


def summarize_day(day_id: str) -> int:
    """RQ job: the next summary version of a closed day; returns its version number."""
    config = load_config()
    if not _plans:
        _plans.update(load_plans(config["PLAN_DIR"]))
    redis = data_redis(config)
    redis.delete(keys.summary_requested(day_id))
    version, _ = make_version(redis, day_id, _plans[day_id])
    return version["version"]


def request_summary(redis, rq_redis, day_id: str) -> bool:
    """Queue a summary job unless one is queued; the job clears the flag before reading."""
    if not redis.set(keys.summary_requested(day_id), "1", nx=True, ex=600):
        return False
    queue(rq_redis).enqueue("worker.summary.job.summarize_day", day_id, retry=Retry(max=3), job_timeout=1800)
    return True


def request_summary_if_closed(redis, day_id: str) -> bool:
    """Called after a fold: events that arrive after closing make a new summary version."""
    if not redis.exists(keys.closed(day_id)):
        return False
    return request_summary(redis, rq_redis(load_config()), day_id)


def close_and_summarize(redis, rq_redis, day_id: str, closed_by: str) -> tuple[dict, bool]:
    """Close the day (once) and queue its summary; returns (closing record, newly closed)."""
    record, newly = close_day(redis, day_id, closed_by, to_rfc3339(now_utc()))
    request_summary(redis, rq_redis, day_id)
    return record, newly

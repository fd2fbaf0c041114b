"""Summary versions: what a version holds, and how one is requested (the RQ job itself is
worker.jobs.summarize_day). Jobs take plain JSON arguments."""

from rq import Retry

from central import keys
from central.config import load_config
from central.queue import queue
from central.redis_client import rq_redis
from central.summary.build import build_content
from central.summary.figures import void_target_ids
from central.summary.store import (
    append_version,
    close_day,
    closed_record,
    get_template,
    log_end,
    projected_totals,
    read_log,
    read_voids,
)
from shared.clock import now_utc, to_rfc3339


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


def request_summary(redis, rq_redis, day_id: str) -> bool:
    """Queue a summary job unless one is queued; the job clears the flag before reading."""
    if not redis.set(keys.summary_requested(day_id), "1", nx=True, ex=600):
        return False
    queue(rq_redis).enqueue("worker.jobs.summarize_day", day_id, retry=Retry(max=3), job_timeout=1800)
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

"""RQ job entry points: parse the JSON arguments, call one function."""

import json
import os

from redis import Redis

from shared.plan import load_plans
from sync_service import keys
from sync_service.config import load_config
from worker.projection import fold_to_end
from worker.summary.job import request_summary_if_closed

_plans = {}


def _context():
    config = load_config()
    if not _plans:
        _plans.update(load_plans(config["PLAN_DIR"]))
    return Redis.from_url(config["REDIS_URL"], decode_responses=True), _plans


def fold_day(day_id: str) -> int:
    """Fold everything appended to the day's log; safe to run twice or concurrently."""
    redis, plans = _context()
    redis.delete(keys.fold_requested(day_id))
    folded = fold_to_end(redis, day_id, plans[day_id])
    if folded:
        redis.publish(keys.updates_channel(day_id), json.dumps({"folded": folded, "pid": os.getpid()}))
        request_summary_if_closed(redis, day_id)  # a late event after closing: a new summary version
    return folded

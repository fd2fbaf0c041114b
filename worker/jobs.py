"""RQ job entry points: parse the JSON arguments, call one function."""

import os

from central import keys
from central.config import load_config
from central.plan_store import PlanCache
from central.projection import CHUNK, PlanBehind, fold_to_end
from central.redis_client import data_redis
from central.summary.versions import make_version, request_summary_if_closed

_context_cache = {}


def _context():
    """Redis and the plans (read from Redis, one LLEN a day per job: a new version is seen
    by the next fold)."""
    if not _context_cache:
        config = load_config()
        redis = data_redis(config)
        _context_cache.update(redis=redis, plans=PlanCache(redis, config["PLAN_DIR"]))
    return _context_cache["redis"], _context_cache["plans"]


def preload() -> None:
    """Import the job code and connect in the worker's main process, so each forked
    work horse starts with them (a fold's latency is then the fold, not imports)."""
    _context()


def fold_day(day_id: str) -> int:
    """Fold everything appended to the day's log; safe to run twice or concurrently (each
    chunk's commit publishes its changed figures to the day's updates channel)."""
    redis, plans = _context()
    redis.delete(keys.fold_requested(day_id))  # pushes from now on queue another fold: nothing is missed
    chunk, folded = int(os.environ.get("OPENDAY_FOLD_CHUNK", CHUNK)), 0
    for _ in range(10):  # a plan version saved while folding: fold on with it
        try:
            folded += fold_to_end(redis, day_id, plans[day_id], chunk=chunk)
            break
        except PlanBehind:
            continue
    if folded:
        request_summary_if_closed(redis, day_id)  # a late event after closing: a new summary version
    return folded


def summarize_day(day_id: str) -> int:
    """The next summary version of a closed day; returns its version number."""
    redis, plans = _context()
    redis.delete(keys.summary_requested(day_id))  # a request from now on makes another version
    version, _ = make_version(redis, day_id, plans[day_id])
    return version["version"]

"""RQ job entry points: parse the JSON arguments, call one function."""

import os

from central import keys
from central.config import load_config
from central.fold_health import clear_fold_failure, fold_due, note_fold_failure
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
    chunk's commit publishes its changed figures to the day's updates channel). While the
    day's fold keeps failing, waits out its backoff (central/fold_health.py)."""
    redis, plans = _context()
    redis.delete(keys.fold_requested(day_id))  # pushes from now on queue another fold: nothing is missed
    if not fold_due(redis, day_id):
        return 0
    try:
        folded = _fold_with_current_plan(redis, plans, day_id)
    except Exception as exc:
        note_fold_failure(redis, day_id, exc)
        raise
    clear_fold_failure(redis, day_id)
    if folded:
        request_summary_if_closed(redis, day_id)  # a late event after closing: a new summary version
    return folded


def _fold_with_current_plan(redis, plans, day_id: str) -> int:
    """fold_to_end with the day's current plan; a plan version saved while folding: on with it."""
    chunk, folded = int(os.environ.get("OPENDAY_FOLD_CHUNK", CHUNK)), 0
    for _ in range(10):
        try:
            return folded + fold_to_end(redis, day_id, plans[day_id], chunk=chunk)
        except PlanBehind:
            continue
    return folded


def summarize_day(day_id: str) -> int:
    """The next summary version of a closed day; returns its version number."""
    redis, plans = _context()
    redis.delete(keys.summary_requested(day_id))  # a request from now on makes another version
    version, _ = make_version(redis, day_id, plans[day_id])
    return version["version"]

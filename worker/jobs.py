"""RQ job entry points: parse the JSON arguments, call one function."""

import os

from central import keys
from central.config import load_config
from central.fold_health import clear_fold_failure, fold_due, note_fold_failure
from central.projection import CHUNK, fold_to_end
from central.redis_client import data_redis
from central.summary.versions import make_version, request_summary_if_closed
from shared.plan import load_plans

_plans = {}


def _context():
    config = load_config()
    if not _plans:
        _plans.update(load_plans(config["PLAN_DIR"]))
    return data_redis(config), _plans


def preload() -> None:
    """Import the job code and load the plans in the worker's main process, so each forked
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
        folded = fold_to_end(redis, day_id, plans[day_id], chunk=int(os.environ.get("OPENDAY_FOLD_CHUNK", CHUNK)))
    except Exception as exc:
        note_fold_failure(redis, day_id, exc)
        raise
    clear_fold_failure(redis, day_id)
    if folded:
        request_summary_if_closed(redis, day_id)  # a late event after closing: a new summary version
    return folded


def summarize_day(day_id: str) -> int:
    """The next summary version of a closed day; returns its version number."""
    redis, plans = _context()
    redis.delete(keys.summary_requested(day_id))  # a request from now on makes another version
    version, _ = make_version(redis, day_id, plans[day_id])
    return version["version"]

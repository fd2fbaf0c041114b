"""A stuck fold is loud, not a busy loop (issue 12).

When a day's fold job fails, the failure is recorded in Redis (since when, how many
times, the last reason) and counted in `openday_fold_failures_total`; the next fold of
that day waits a backoff that doubles from 2 s to 5 minutes (the job returns at once
until then: the catch-up loop and pushes keep asking every few seconds, but no
traceback storm). The dashboard's day page shows "totals stalled since HH:MM" with the
reason; /metrics shows the age of the oldest unfolded entry. A fold that succeeds
clears the record.
"""

import json
import time

from central import keys

BACKOFF_FIRST_S, BACKOFF_CAP_S = 2.0, 300.0
REASON_CHARS = 300


def backoff_seconds(failures: int) -> float:
    return min(BACKOFF_FIRST_S * 2 ** max(failures - 1, 0), BACKOFF_CAP_S)


def fold_failure(redis, day_id: str) -> dict | None:
    raw = redis.get(keys.fold_failure(day_id))
    return json.loads(raw) if raw else None


def fold_due(redis, day_id: str, now_ms: int | None = None) -> bool:
    """Whether a fold of the day may run now: no failure recorded, or its backoff is over."""
    failure = fold_failure(redis, day_id)
    now_ms = now_ms if now_ms is not None else time.time_ns() // 1_000_000
    return failure is None or now_ms - failure["last_ms"] >= backoff_seconds(failure["failures"]) * 1000


def note_fold_failure(redis, day_id: str, exc: BaseException, now_ms: int | None = None) -> dict:
    """Record one more failure of the day's fold (kept: since when it is stuck)."""
    now_ms = now_ms if now_ms is not None else time.time_ns() // 1_000_000
    held = fold_failure(redis, day_id) or {"since_ms": now_ms, "failures": 0}
    record = {**held, "last_ms": now_ms, "failures": held["failures"] + 1,
              "reason": f"{type(exc).__name__}: {exc}"[:REASON_CHARS]}
    with redis.pipeline(transaction=True) as pipe:
        pipe.set(keys.fold_failure(day_id), json.dumps(record, ensure_ascii=False))
        pipe.incr(keys.FOLD_FAILURES_TOTAL)
        pipe.execute()
    return record


def clear_fold_failure(redis, day_id: str) -> None:
    redis.delete(keys.fold_failure(day_id))


def oldest_unfolded_ms(redis, day_id: str) -> int | None:
    """When the centre received the oldest entry the live totals have not folded (None: none)."""
    checkpoint = redis.get(keys.checkpoint(day_id)) or "0-0"
    rows = redis.xrange(keys.log(day_id), f"({checkpoint}", "+", count=1)
    if not rows:
        return None
    sid, fields = rows[0]
    try:
        return int(fields.get("rt") or sid.split("-")[0])
    except ValueError:
        return int(sid.split("-")[0])

"""What coordinators see of entries the fold rejected and of a stalled fold (issue 12):
the list behind `rejected` (which laptop, which entry, why, in zh/en) and the notice
"totals stalled since HH:MM" with its reason."""

import json
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from central import keys
from central.fold_health import fold_failure
from shared.rejects import REASON_LABELS

LIST_LIMIT = 500  # a page shows the first ones; the count is always the whole


def _labelled(record: dict) -> dict:
    zh, en = REASON_LABELS.get(record.get("reason"), (record.get("reason"), record.get("reason")))
    return {**record, "reason_zh": zh, "reason_en": en}


def rejected_report(redis, day_id: str, limit: int = LIST_LIMIT) -> dict:
    """{count, by_reason, entries: [...in log order, at most `limit`]} of the live projection."""
    held = redis.hgetall(keys.rejected(day_id))
    records = [json.loads(raw) for _, raw in sorted(held.items(), key=lambda kv: _position(kv[0]))]
    by_reason = {}
    for record in records:
        by_reason[record["reason"]] = by_reason.get(record["reason"], 0) + 1
    return {"day_id": day_id, "count": len(records), "by_reason": dict(sorted(by_reason.items())),
            "entries": [_labelled(r) for r in records[:limit]]}


def rejected_for_page(redis, day_id: str, timezone: str, limit: int = 100) -> dict:
    """The report with each entry's receipt as 'HH:MM:SS' in the plan's zone."""
    report = rejected_report(redis, day_id, limit)
    zone = ZoneInfo(timezone)
    for entry in report["entries"]:
        if entry.get("received_ms"):
            entry["received"] = datetime.fromtimestamp(entry["received_ms"] / 1000, zone).strftime("%H:%M:%S")
    return report


def _position(sid: str) -> tuple[int, int]:
    ms, _, seq = sid.partition("-")
    return int(ms), int(seq or 0)


def stall_notice(redis, day_id: str, timezone: str) -> dict | None:
    """{since: 'HH:MM' in the plan's zone, failures, reason} while the day's fold is failing."""
    failure = fold_failure(redis, day_id)
    if failure is None:
        return None
    since = datetime.fromtimestamp(failure["since_ms"] / 1000, UTC).astimezone(ZoneInfo(timezone))
    return {"since": since.strftime("%H:%M"), "failures": failure["failures"], "reason": failure["reason"]}

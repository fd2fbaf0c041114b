"""What every summary route needs: the day's plan for a coordinator, the version asked for
(its citizens' texts masked, shared/masking.py)."""

import copy

from flask import request

from central.summary.store import closed_record, get_version
from shared.masking import mask_payload, mask_personal
from sync_service.context import ctx, plan_of
from sync_service.coordinators import require_coordinator
from sync_service.errors import ApiError


def coordinated_plan(day_id: str):
    coordinator = require_coordinator(day_id)
    return coordinator, plan_of(day_id)


def version_arg() -> int | None:
    raw = request.args.get("version")
    if raw is None or raw == "":
        return None
    if not raw.isdigit() or int(raw) < 1:
        raise ApiError(400, "invalid", "Bad query.", errors={"version": ["must be a version number (1, 2, …)"]})
    return int(raw)


def masked_record(record: dict | None) -> dict | None:
    """A summary version with the hot issues' texts masked (the stored version is untouched)."""
    if record is None:
        return None
    record = copy.deepcopy(record)
    for items in record["content"]["figures"]["hot_issues"].values():
        for item in items:
            item["text"] = mask_personal(item["text"])
    return record


def masked_rows(rows: list[dict]) -> list[dict]:
    """Drill-down rows with the free texts of their payloads masked."""
    return [{**row, "payload": mask_payload(row["payload"])} for row in rows]


def summary_version(day_id: str, version: int | None) -> dict:
    """The requested version (default: the latest), masked, or a 404 that says why there is none."""
    record = masked_record(get_version(ctx()["redis"], day_id, version))
    if record is None:
        if version is None:
            closed = closed_record(ctx()["redis"], day_id)
            message = ("The day is closed; the summary is being prepared." if closed
                       else "The day is not closed yet: close it to make the summary.")
            raise ApiError(404, "no_summary", message, closed=bool(closed))
        raise ApiError(404, "unknown_version", f"Day {day_id} has no summary version {version}.")
    return record

"""Totals, live updates and quarantine resolution. Each route: parse, call, map errors."""

import threading

from flask import Blueprint, Response, current_app, jsonify, request
from marshmallow import ValidationError

from central.projection import read_flat, read_totals
from central.queue import request_fold
from central.summary.store import closed_record
from shared.events import QUARANTINE_RESOLUTION
from shared.totals import known_booth
from sync_service.context import ctx, plan_of
from sync_service.coordinators import require_coordinator
from sync_service.devices.readers import readable_hot_issues, require_day_reader
from sync_service.errors import ApiError
from sync_service.totals.live import live_messages
from sync_service.totals.quarantine import (
    AlreadyResolved,
    NotQuarantined,
    UnknownTarget,
    quarantine_report,
    resolve_quarantined,
)
from sync_service.totals.rejected import rejected_report, stall_notice

bp = Blueprint("totals", __name__)
LIVE_RETRY_SECONDS = 5


@bp.get("/api/v1/days/<day_id>/totals")
def totals(day_id: str):
    plan = plan_of(day_id)
    redis = ctx()["redis"]
    reader = require_day_reader(redis, day_id)
    booth = request.args.get("booth")
    if booth is not None and booth not in plan.keys("booths") and not known_booth(read_flat(redis, day_id)[0], booth):
        raise ApiError(404, "unknown_booth", f"没有这个展位 / No booth {booth!r} in the plan or the log.",
                       errors={"booth": ["Not a booth of this day."]})
    document = read_totals(redis, day_id, booth=booth)
    feedback = document["feedback"]
    feedback["hot_issue_list"] = readable_hot_issues(feedback.get("hot_issue_list", []), reader)
    if record := closed_record(redis, day_id):  # laptops show that the day is closed (absent while open)
        document["closed"] = {"closed_at": record["closed_at"]}
    return jsonify(document)


def _live_slots() -> threading.BoundedSemaphore:
    """Open streams allowed in this process. Each holds a server thread for its whole life, so
    they may take all threads but a few: laptops' pushes must always find one free."""
    extensions = ctx()
    if "live_slots" not in extensions:
        config = current_app.config
        slots = int(config.get("LIVE_STREAMS") or max(1, int(config.get("WEB_THREADS", 16)) - 4))
        extensions.setdefault("live_slots", threading.BoundedSemaphore(slots))
    return extensions["live_slots"]


@bp.get("/api/v1/days/<day_id>/live")
def live(day_id: str):
    plan_of(day_id)
    require_day_reader(ctx()["redis"], day_id)
    slots = _live_slots()
    if not slots.acquire(blocking=False):
        raise ApiError(503, "busy", "实时连接已满,请稍后重试 / Too many live viewers here; try again shortly.",
                       retry_after=LIVE_RETRY_SECONDS)
    config = current_app.config
    stream = live_messages(ctx()["redis"], day_id, heartbeat=float(config.get("LIVE_HEARTBEAT", 15)),
                           max_seconds=float(config.get("LIVE_MAX_SECONDS", 300)))
    response = Response(stream, mimetype="text/event-stream",
                        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
    response.call_on_close(slots.release)
    return response


@bp.get("/api/v1/days/<day_id>/quarantine")
def quarantine(day_id: str):
    plan = plan_of(day_id)
    require_coordinator(day_id)
    return jsonify(quarantine_report(ctx()["redis"], plan, day_id))


@bp.get("/api/v1/days/<day_id>/rejected")
def rejected(day_id: str):
    """Log entries the fold could not interpret (shared/rejects.py), and whether the fold is stalled."""
    plan = plan_of(day_id)
    require_coordinator(day_id)
    redis = ctx()["redis"]
    return jsonify({**rejected_report(redis, day_id), "stalled": stall_notice(redis, day_id, plan.timezone)})


@bp.post("/api/v1/days/<day_id>/quarantine/resolve")
def resolve(day_id: str):
    plan = plan_of(day_id)
    coordinator = require_coordinator(day_id)
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ApiError(400, "malformed", "请求体必须是 JSON 对象 / The body must be a JSON object.")
    try:
        resolution = QUARANTINE_RESOLUTION.load(body)
    except ValidationError as exc:
        raise ApiError(422, "invalid", "处理意见无效,未作任何改动 / The resolution is not valid; nothing changed.",
                       errors=exc.messages) from exc
    try:
        event = resolve_quarantined(ctx()["log"], plan, day_id, resolution, coordinator.username)
    except NotQuarantined as exc:
        raise ApiError(404, "not_quarantined", f"没有待处理的 {exc} / No event is quarantined under {exc}.") from exc
    except AlreadyResolved as exc:
        raise ApiError(409, "already_resolved", f"{exc} 已处理 / {exc} is already resolved.") from exc
    except UnknownTarget as exc:
        raise ApiError(422, "invalid", "目标不在计划中 / The target key is not in the plan.",
                       errors={"to": [f"{exc} is not a key of this catalogue."]}) from exc
    request_fold(ctx()["redis"], ctx()["rq_redis"], day_id)
    return jsonify(event_id=event["event_id"], field=resolution["field"], key=resolution["key"],
                   action=resolution["action"], to=resolution["to"]), 202

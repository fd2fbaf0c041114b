"""HTTP routes of the sync service. Each: parse, call one function, map errors."""

from flask import Blueprint, current_app, jsonify, request
from marshmallow import ValidationError

from shared.clock import now_utc, to_rfc3339
from shared.protocol import PUSH_BATCH
from sync_service.central_log import SeqConflict, SeqGap
from sync_service.devices import Device, device_for_token
from sync_service.errors import ApiError
from worker.queue import request_fold

bp = Blueprint("sync", __name__)


def _ctx():
    return current_app.extensions["openday"]


def _authenticated_device() -> Device:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    device = device_for_token(_ctx()["redis"], token) if scheme.lower() == "bearer" else None
    if device is None:
        raise ApiError(401, "unauthorized", "A valid device token is required (Authorization: Bearer ...).")
    return device


def _json_body() -> dict:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ApiError(400, "malformed", "The body must be a JSON object.")
    return body


def _check_scope(device: Device, batch: dict) -> None:
    """A device writes only as itself, for its own booth and day."""
    if batch["device_id"] != device.device_id:
        raise ApiError(403, "forbidden", f"This token belongs to device {device.device_id}.")
    for index, event in enumerate(batch["events"]):
        if (event["booth_id"], event["day_id"]) != (device.booth_id, device.day_id):
            raise ApiError(403, "forbidden", f"Event {index} is not for this device's booth and day.")


@bp.post("/api/v1/sync/push")
def push():
    device = _authenticated_device()
    try:
        batch = PUSH_BATCH.load(_json_body())
    except ValidationError as exc:
        raise ApiError(422, "invalid", "The batch is not valid; nothing was stored.", errors=exc.messages) from exc
    _check_scope(device, batch)
    received = now_utc()
    try:
        appended = _ctx()["log"].append_batch(
            device.day_id, device.device_id, batch["events"], int(received.timestamp() * 1000)
        )
    except SeqConflict as exc:
        raise ApiError(409, "seq_conflict", str(exc), seq=exc.seq,
                       held_event_id=exc.held_id, sent_event_id=exc.sent_id) from exc
    except SeqGap as exc:
        raise ApiError(409, "seq_gap", str(exc), expected_seq=exc.expected) from exc
    if appended.accepted:
        request_fold(_ctx()["redis"], _ctx()["rq_redis"], device.day_id)
    return jsonify(
        acked_seq=appended.acked_seq,
        accepted=appended.accepted,
        duplicates=appended.duplicates,
        server_time=to_rfc3339(now_utc()),
    )


@bp.get("/healthz")
def healthz():
    try:
        _ctx()["redis"].ping()
    except Exception as exc:  # any Redis failure means not healthy
        raise ApiError(503, "redis_unavailable", str(exc)) from exc
    return jsonify(status="ok", days=sorted(_ctx()["plans"]))

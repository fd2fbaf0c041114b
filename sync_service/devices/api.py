"""Enrollment and devices over HTTP: coordinators make enrollment codes and watch or
revoke laptops; a laptop exchanges a code for its token and fetches the day plan.
Each route: parse, call one function, map errors."""

from flask import Blueprint, current_app, jsonify
from flask import request as flask_request
from marshmallow import ValidationError

from sync_service.api_schemas import ENROLL_REQUEST, NEW_ENROLLMENT_CODE
from sync_service.context import ctx, plan_of
from sync_service.coordinators import require_coordinator
from sync_service.devices.auth import (
    RateLimited,
    rate_limited_response,
    throttle_enrollment,
)
from sync_service.devices.enrollment import EnrollmentRefused, create_code, list_codes, redeem_code, revoke_code
from sync_service.devices.readers import require_day_reader
from sync_service.devices.tokens import DeviceExists, list_devices, revoke_device
from sync_service.errors import ApiError
from sync_service.request_body import read_json_object

bp = Blueprint("devices", __name__)
bp.register_error_handler(RateLimited, rate_limited_response)
BODY_LIMIT = 64 * 1024
ENROLL_TRIES_PER_MINUTE = 20  # per client address; OPENDAY_ENROLL_TRIES_PER_MINUTE overrides
SKEW_MS = 2 * 60 * 1000  # a laptop clock further off than this is shown as skewed


def _load(schema, body: dict) -> dict:
    try:
        return schema.load(body)
    except ValidationError as exc:
        raise ApiError(422, "invalid", "The request is not valid; nothing was changed.", errors=exc.messages) from exc


@bp.post("/api/v1/days/<day_id>/enrollment-codes")
def new_enrollment_code(day_id: str):
    coordinator = require_coordinator(day_id)
    plan = plan_of(day_id)
    request = _load(NEW_ENROLLMENT_CODE, read_json_object(BODY_LIMIT))
    if request["booth_id"] not in plan.keys("booths"):
        raise ApiError(422, "invalid", "The request is not valid; nothing was changed.",
                       errors={"booth_id": [f"Not a booth of {day_id}."]})
    code = create_code(ctx()["redis"], day_id, request["booth_id"], request["uses"], request["ttl_minutes"],
                       coordinator.username)
    return jsonify(code), 201


@bp.get("/api/v1/days/<day_id>/enrollment-codes")
def enrollment_codes(day_id: str):
    require_coordinator(day_id)
    plan_of(day_id)
    return jsonify(codes=list_codes(ctx()["redis"], day_id))


@bp.delete("/api/v1/days/<day_id>/enrollment-codes/<code>")
def delete_enrollment_code(day_id: str, code: str):
    require_coordinator(day_id)
    plan_of(day_id)
    if not revoke_code(ctx()["redis"], day_id, code):
        raise ApiError(404, "unknown_code", f"Day {day_id} has no enrollment code {code}.")
    return "", 204


@bp.post("/api/v1/enroll")
def enroll():
    throttle_enrollment(ctx()["redis"], flask_request.remote_addr,
                        int(current_app.config.get("ENROLL_TRIES_PER_MINUTE", ENROLL_TRIES_PER_MINUTE)))
    request = _load(ENROLL_REQUEST, read_json_object(BODY_LIMIT))
    try:
        device, token = redeem_code(ctx()["redis"], request["code"], request["device_id"], request["label"],
                                    request["expected_booth_id"], request["expected_day_id"])
    except EnrollmentRefused as exc:
        raise ApiError(400, exc.reason, exc.message, errors={"code": [exc.message]}, **exc.detail) from exc
    except DeviceExists as exc:
        message = f"Device id {request['device_id']} is already enrolled; the laptop must choose a new one."
        raise ApiError(409, "device_exists", message, errors={"device_id": [message]}) from exc
    return jsonify(device_id=device.device_id, booth_id=device.booth_id, day_id=device.day_id, token=token), 201


@bp.get("/api/v1/days/<day_id>/plan")
def day_plan(day_id: str):
    require_day_reader(ctx()["redis"], day_id)
    return jsonify(plan_of(day_id).raw)


@bp.get("/api/v1/days/<day_id>/devices")
def devices(day_id: str):
    require_coordinator(day_id)
    plan_of(day_id)
    return jsonify(devices=list_devices(ctx()["redis"], day_id, SKEW_MS))


@bp.get("/api/v1/devices")
def all_devices():
    """Every laptop of every day the coordinator is granted, each row naming its day."""
    coordinator = require_coordinator()
    days = [day_id for day_id in sorted(ctx()["plans"]) if coordinator.may_see(day_id)]
    rows = [{"day_id": day_id, **row} for day_id in days for row in list_devices(ctx()["redis"], day_id, SKEW_MS)]
    return jsonify(devices=rows)


@bp.post("/api/v1/days/<day_id>/devices/<device_id>/revoke")
def revoke(day_id: str, device_id: str):
    require_coordinator(day_id)
    plan_of(day_id)
    if revoke_device(ctx()["redis"], day_id, device_id) is None:
        raise ApiError(404, "unknown_device", f"Day {day_id} has no device {device_id}.")
    row = next(r for r in list_devices(ctx()["redis"], day_id, SKEW_MS) if r["device_id"] == device_id)
    return jsonify(row)

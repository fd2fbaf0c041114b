"""The sync API described as OpenAPI 3, generated from the same marshmallow schemas the
routes load with (apispec), and served at /api/v1/openapi.json."""

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Blueprint, current_app, jsonify

from shared.protocol import PushAnswer, PushBatch
from sync_service.api_schemas import (
    DeviceList,
    DeviceRow,
    Enrolled,
    EnrollmentCode,
    EnrollmentCodes,
    EnrollRequest,
    Error,
    NewEnrollmentCode,
)

bp = Blueprint("openapi", __name__)
DEVICE_AUTH = [{"device": []}]
COORDINATOR_AUTH = [{"coordinator": []}]
REASONS = {400: "Unreadable body (not JSON, bad gzip) or a bad enrollment code.",
           401: "No, unknown or revoked credentials ('error': 'revoked' for a revoked laptop).",
           403: "Credentials valid but not for this device, booth or day.",
           404: "No such day, code or device.",
           409: "seq_conflict (both event ids named), seq_gap (expected_seq named) or device_exists.",
           413: "Over 500 events or 1 MiB (after gzip decompression).",
           415: "A Content-Encoding other than gzip.",
           422: "Fields that do not validate, with per-field reasons; nothing was stored.",
           429: "Too many pushes from this token, or enrollment tries from this address; see Retry-After.",
           503: "The central store is unavailable; see Retry-After."}


def _json(schema):
    return {"content": {"application/json": {"schema": schema}}}


def _answers(ok: int, schema, *errors: int) -> dict:
    answers = {str(ok): {"description": "OK", **(_json(schema) if schema else {})}}
    for status in errors:
        answers[str(status)] = {"description": REASONS[status], **_json("Error")}
    return answers


def _operation(summary, answers, security=None, body=None, parameters=()):
    operation = {"summary": summary, "responses": answers, "parameters": list(parameters)}
    if security is not None:
        operation["security"] = security
    if body:
        operation["requestBody"] = {"required": True, **_json(body)}
    return operation


FORMATS = {  # checked by custom validators, which apispec cannot see
    "Envelope": {"event_id": "uuid", "recorded_at": "date-time"},
    "PushBatch": {"sent_at": "date-time"},
    "ClockExchange": {name: "date-time" for name in ("sent_at", "received_at", "server_time", "answered_at")},
}


def _add_formats(document: dict) -> dict:
    for schema, formats in FORMATS.items():
        for name, format_ in formats.items():
            document["components"]["schemas"][schema]["properties"][name]["format"] = format_
    return document


def build_spec(day_ids: list[str]) -> dict:
    """The document; path parameter day_id lists the days this service has plans for."""
    DAY = {"name": "day_id", "in": "path", "required": True, "schema": {"type": "string", "enum": day_ids}}
    spec = APISpec(title="OpenDay sync API", version="1", openapi_version="3.0.3", plugins=[MarshmallowPlugin()],
                   info={"description": "Laptops push their event logs; coordinators enrol and watch laptops."})
    spec.components.security_scheme("device", {"type": "http", "scheme": "bearer"})
    spec.components.security_scheme("coordinator", {"type": "http", "scheme": "basic"})
    for schema in (PushBatch, PushAnswer, NewEnrollmentCode, EnrollmentCode, EnrollmentCodes, EnrollRequest,
                   Enrolled, DeviceRow, DeviceList, Error):
        spec.components.schema(schema.__name__, schema=schema)
    spec.path("/api/v1/sync/push", operations={"post": _operation(
        "Append a batch of this device's events (gzip accepted)",
        _answers(200, "PushAnswer", 400, 401, 403, 409, 413, 415, 422, 429, 503), DEVICE_AUTH, "PushBatch")})
    spec.path("/api/v1/enroll", operations={"post": _operation(
        "Exchange an enrollment code for a device token", _answers(201, "Enrolled", 400, 409, 413, 415, 422, 429),
        [], "EnrollRequest")})
    codes = "/api/v1/days/{day_id}/enrollment-codes"
    spec.path(codes, operations={
        "post": _operation("Make an enrollment code for a booth",
                           _answers(201, "EnrollmentCode", 400, 401, 403, 404, 413, 415, 422), COORDINATOR_AUTH,
                           "NewEnrollmentCode", [DAY]),
        "get": _operation("List the day's enrollment codes", _answers(200, "EnrollmentCodes", 401, 403, 404),
                          COORDINATOR_AUTH, parameters=[DAY])})
    spec.path(codes + "/{code}", operations={"delete": _operation(
        "Revoke an enrollment code", _answers(204, None, 401, 403, 404), COORDINATOR_AUTH,
        parameters=[DAY, {"name": "code", "in": "path", "required": True, "schema": {"type": "string"},
                          "description": "The code, or its id from the list."}])})
    spec.path("/api/v1/days/{day_id}/devices", operations={"get": _operation(
        "The day's laptops with last seen, acked seq, pending, clock offset", _answers(200, "DeviceList", 401, 403,
                                                                                       404),
        COORDINATOR_AUTH, parameters=[DAY])})
    spec.path("/api/v1/devices", operations={"get": _operation(
        "Every laptop of every day the coordinator is granted", _answers(200, "DeviceList", 401),
        COORDINATOR_AUTH)})
    spec.path("/api/v1/days/{day_id}/devices/{device_id}/revoke", operations={"post": _operation(
        "Revoke a laptop: its tokens get 401 'revoked'", _answers(200, "DeviceRow", 401, 403, 404),
        COORDINATOR_AUTH, parameters=[DAY, {"name": "device_id", "in": "path", "required": True,
                                            "schema": {"type": "string"}}])})
    DAY_READER = [{"device": []}, {"coordinator": []}]  # sync_service/day_readers.py
    spec.path("/api/v1/days/{day_id}/plan", operations={"get": _operation(
        "The day plan (device token of that day, or coordinator)",
        _answers(200, {"type": "object"}, 401, 403, 404), DAY_READER, parameters=[DAY])})
    spec.path("/api/v1/days/{day_id}/totals", operations={"get": _operation(
        "The day's figures at a log position, whole day or ?booth= (device token of that day, or coordinator); "
        "the live feed of the same figures is Server-Sent Events at /api/v1/days/{day_id}/live",
        _answers(200, {"type": "object"}, 401, 403, 404), DAY_READER,
        parameters=[DAY, {"name": "booth", "in": "query", "required": False, "schema": {"type": "string"}}])})
    return _add_formats(spec.to_dict())


@bp.get("/api/v1/openapi.json")
def openapi_json():
    extensions = current_app.extensions["openday"]
    if "openapi" not in extensions:
        extensions["openapi"] = build_spec(sorted(extensions["plans"]))
    return jsonify(extensions["openapi"])

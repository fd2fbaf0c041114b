"""The booth page and the laptop's JSON API. Each route: parse, call, map errors."""

from flask import Blueprint, current_app, jsonify, render_template, request
from marshmallow import ValidationError

from shared.clock import now_utc, to_rfc3339
from shared.events import CURRENT_VERSION, VOID, load_event, unknown_catalogue_keys
from shared.ids import new_event_id

bp = Blueprint("field", __name__)


def _ctx():
    return current_app.extensions["openday"]


class EntryRefused(Exception):
    def __init__(self, errors: dict):
        self.errors = errors


@bp.errorhandler(EntryRefused)
def _refused(exc: EntryRefused):
    return jsonify(message="entry refused", errors=exc.errors), 422


def record(entry: dict) -> dict:
    """Validate an entry against the model and the plan and append it durably."""
    log, plan = _ctx()["log"], _ctx()["plan"]

    def build(seq: int) -> dict:
        event = {
            "event_id": new_event_id(),
            "device_id": log.get_state("device_id"),
            "seq": seq,
            "day_id": plan.day_id,
            "booth_id": log.get_state("booth_id"),
            "type": entry.get("type"),
            "v": CURRENT_VERSION.get(entry.get("type"), 1),
            "recorded_at": to_rfc3339(now_utc().astimezone()),
            "payload": entry.get("payload"),
        }
        if entry.get("staff"):
            event["staff"] = entry["staff"]
        try:
            event = load_event(event)
        except ValidationError as exc:
            raise EntryRefused(exc.messages) from exc
        if unknown := unknown_catalogue_keys(event, plan):
            raise EntryRefused({"payload": {k: [f"Not in the day plan: {v}"] for k, v in unknown.items()}})
        if event["type"] == VOID:
            target = log.get(event["payload"]["target_event_id"])
            if target is None:
                raise EntryRefused({"payload": {"target_event_id": ["No such entry on this laptop."]}})
        return event

    return log.append(build)


@bp.post("/api/events")
def post_event():
    entry = request.get_json(silent=True)
    if not isinstance(entry, dict):
        return jsonify(message="body must be a JSON object", errors={"_body": ["Not a JSON object."]}), 400
    unexpected = set(entry) - {"type", "payload", "staff"}
    if unexpected:
        raise EntryRefused({name: ["Unknown field."] for name in sorted(unexpected)})
    event = record(entry)
    return jsonify(event_id=event["event_id"], seq=event["seq"]), 201


@bp.get("/api/events")
def list_events():
    limit = min(request.args.get("limit", 50, type=int), 500)
    return jsonify(events=_ctx()["log"].recent(limit))


@bp.get("/api/status")
def status():
    log = _ctx()["log"]
    last, acked = log.last_seq(), log.acked_seq()
    return jsonify(
        device_id=log.get_state("device_id"),
        booth_id=log.get_state("booth_id"),
        day_id=_ctx()["plan"].day_id,
        last_seq=last,
        acked_seq=acked,
        pending=last - acked,
        enrolled=bool(log.get_state("device_token")),
        last_sync=log.get_state("last_sync"),
        last_error=log.get_state("last_error"),
    )


@bp.post("/api/sync")
def sync_now():
    _ctx()["pusher"].sync_now()
    return status()


@bp.get("/")
def booth_page():
    plan, log = _ctx()["plan"], _ctx()["log"]
    return render_template(
        "booth.html",
        plan=plan,
        booth=plan.label("booths", log.get_state("booth_id")),
        materials=plan.catalogue_labels("materials"),
    )

"""After the day: close it, read the summary (any version), trace a figure to its events,
edit the template, download exports, and the summary page. Coordinators only.
Each route: parse, call one function, map errors."""

from flask import Blueprint, current_app, jsonify, request

from shared.summary_text import TemplateError
from sync_service.coordinators import require_coordinator
from sync_service.errors import ApiError
from worker.summary.figures import events_behind
from worker.summary.job import close_and_summarize, request_summary
from worker.summary.store import closed_record, get_template, get_version, list_versions, put_template, read_log

bp = Blueprint("summary", __name__)


def _ctx():
    return current_app.extensions["openday"]


def _plan(day_id: str):
    plan = _ctx()["plans"].get(day_id)
    if plan is None:
        raise ApiError(404, "unknown_day", f"No day plan for {day_id}.")
    return plan


def _coordinated_plan(day_id: str):
    plan = _plan(day_id)
    return require_coordinator(day_id), plan


def _version_arg() -> int | None:
    raw = request.args.get("version")
    if raw is None or raw == "":
        return None
    if not raw.isdigit() or int(raw) < 1:
        raise ApiError(400, "invalid", "Bad query.", errors={"version": ["must be a version number (1, 2, …)"]})
    return int(raw)


def summary_version(day_id: str, version: int | None) -> dict:
    """The requested version (default: the latest), or a 404 that says why there is none."""
    record = get_version(_ctx()["redis"], day_id, version)
    if record is None:
        if version is None:
            closed = closed_record(_ctx()["redis"], day_id)
            message = ("The day is closed; the summary is being prepared." if closed
                       else "The day is not closed yet: close it to make the summary.")
            raise ApiError(404, "no_summary", message, closed=bool(closed))
        raise ApiError(404, "unknown_version", f"Day {day_id} has no summary version {version}.")
    return record


def _versions_index(day_id: str) -> list[dict]:
    return [{k: v[k] for k in ("version", "position", "sha256", "created_at")} | {"changes": v["changes"]}
            for v in list_versions(_ctx()["redis"], day_id)]


@bp.post("/api/v1/days/<day_id>/close")
def close(day_id: str):
    coordinator, _ = _coordinated_plan(day_id)
    record, newly = close_and_summarize(_ctx()["redis"], _ctx()["rq_redis"], day_id, coordinator.username)
    return jsonify(day_id=day_id, already_closed=not newly, **record,
                   summary_url=f"/api/v1/days/{day_id}/summary"), (202 if newly else 200)


@bp.get("/api/v1/days/<day_id>/summary")
def summary(day_id: str):
    _coordinated_plan(day_id)
    record = summary_version(day_id, _version_arg())
    return jsonify(**record, closed=closed_record(_ctx()["redis"], day_id), versions=_versions_index(day_id))


@bp.get("/api/v1/days/<day_id>/summary/versions")
def versions(day_id: str):
    _coordinated_plan(day_id)
    return jsonify(day_id=day_id, versions=_versions_index(day_id))


@bp.get("/api/v1/days/<day_id>/summary/events")
def drill_down(day_id: str):
    """The events behind one figure of a version: ?figure=materials.distributed.leaflet."""
    _, plan = _coordinated_plan(day_id)
    figure = request.args.get("figure", "")
    if not figure or len(figure) > 200:
        raise ApiError(400, "invalid", "Bad query.", errors={"figure": ["a figure name is required"]})
    record = summary_version(day_id, _version_arg())
    content = record["content"]
    entries = read_log(_ctx()["redis"], day_id, until=content["position"])
    rows = events_behind(entries, plan, figure, content["figures"]["closed_position"])
    counted = sum(r["amount"] for r in rows if r["voided_by"] is None)
    return jsonify(day_id=day_id, version=record["version"], position=content["position"], figure=figure,
                   value=counted, events=rows)


@bp.get("/api/v1/days/<day_id>/summary/template")
def template(day_id: str):
    _, plan = _coordinated_plan(day_id)
    return jsonify(get_template(_ctx()["redis"], plan))


@bp.put("/api/v1/days/<day_id>/summary/template")
def put_summary_template(day_id: str):
    _, plan = _coordinated_plan(day_id)
    body = request.get_json(silent=True)
    try:
        saved = put_template(_ctx()["redis"], plan, body)
    except TemplateError as exc:
        raise ApiError(422, "invalid", "The template is not valid; nothing was saved.", errors=exc.errors) from exc
    if closed_record(_ctx()["redis"], day_id):
        request_summary(_ctx()["redis"], _ctx()["rq_redis"], day_id)
    return jsonify(saved)

"""After the day: close it, read the summary (any version), trace a figure to its events,
edit the template, download exports, and the summary page. Coordinators only.
Each route: parse, call one function, map errors."""

from flask import Blueprint, jsonify, request

from central.summary.store import closed_record, events_behind_figure, get_template, list_versions, put_template
from central.summary.versions import close_and_summarize, request_summary
from shared.summary_text import TemplateError
from sync_service.context import ctx
from sync_service.errors import ApiError
from sync_service.summary.access import coordinated_plan, masked_rows, summary_version, version_arg
from sync_service.summary.exports import bp as exports_bp
from sync_service.summary.page import bp as page_bp

bp = Blueprint("summary", __name__)
bp.register_blueprint(exports_bp)
# The same exports below the page's own path: a browser that gave its Basic credentials for
# /days/<day>/summary sends them again, unasked, only for URLs under /days/<day>/.
bp.register_blueprint(exports_bp, name="page_exports", url_prefix="/days/<day_id>/summary/exports")
bp.register_blueprint(page_bp)


def _versions_index(day_id: str) -> list[dict]:
    return [{k: v[k] for k in ("version", "position", "sha256", "created_at")} | {"changes": v["changes"]}
            for v in list_versions(ctx()["redis"], day_id)]


@bp.post("/api/v1/days/<day_id>/close")
@bp.post("/days/<day_id>/summary/close")  # the page's path (see page_exports above)
def close(day_id: str):
    coordinator, _ = coordinated_plan(day_id)
    record, newly = close_and_summarize(ctx()["redis"], ctx()["rq_redis"], day_id, coordinator.username)
    return jsonify(day_id=day_id, already_closed=not newly, **record,
                   summary_url=f"/api/v1/days/{day_id}/summary"), (202 if newly else 200)


@bp.get("/api/v1/days/<day_id>/summary")
@bp.get("/days/<day_id>/summary/latest.json")
def summary(day_id: str):
    coordinated_plan(day_id)
    record = summary_version(day_id, version_arg())
    return jsonify(**record, closed=closed_record(ctx()["redis"], day_id), versions=_versions_index(day_id))


@bp.get("/api/v1/days/<day_id>/summary/versions")
def versions(day_id: str):
    coordinated_plan(day_id)
    return jsonify(day_id=day_id, versions=_versions_index(day_id))


@bp.get("/api/v1/days/<day_id>/summary/events")
def drill_down(day_id: str):
    """The events behind one figure of a version: ?figure=materials.distributed.leaflet."""
    _, plan = coordinated_plan(day_id)
    figure = request.args.get("figure", "")
    if not figure or len(figure) > 200:
        raise ApiError(400, "invalid", "Bad query.", errors={"figure": ["a figure name is required"]})
    record = summary_version(day_id, version_arg())
    content = record["content"]
    rows = masked_rows(events_behind_figure(ctx()["redis"], day_id, plan, figure, content))
    counted = sum(r["amount"] for r in rows if r["voided_by"] is None)
    return jsonify(day_id=day_id, version=record["version"], position=content["position"], figure=figure,
                   value=counted, events=rows)


@bp.get("/api/v1/days/<day_id>/summary/template")
@bp.get("/days/<day_id>/summary/template.json")
def template(day_id: str):
    _, plan = coordinated_plan(day_id)
    return jsonify(get_template(ctx()["redis"], plan))


@bp.put("/api/v1/days/<day_id>/summary/template")
@bp.put("/days/<day_id>/summary/template.json")
def put_summary_template(day_id: str):
    _, plan = coordinated_plan(day_id)
    body = request.get_json(silent=True)
    try:
        saved = put_template(ctx()["redis"], plan, body)
    except TemplateError as exc:
        raise ApiError(422, "invalid", "模板无效，未保存 / The template is not valid; nothing was saved.",
                       errors=exc.errors) from exc
    if closed_record(ctx()["redis"], day_id):
        request_summary(ctx()["redis"], ctx()["rq_redis"], day_id)
    return jsonify(saved)

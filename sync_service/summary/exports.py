"""Exports of a day: events CSV (streamed), totals CSV, the summary as .docx, Markdown,
HTML, and its charts as PNG. Coordinators only. Each route: parse, call, map errors."""

from flask import Blueprint, Response, request, stream_with_context

from central.projection import read_totals
from central.summary.charts import CHARTS, chart_png
from central.summary.documents import summary_docx, summary_html, summary_markdown
from central.summary.exports import events_csv, totals_csv
from central.summary.store import get_version
from sync_service.context import ctx
from sync_service.errors import ApiError
from sync_service.summary.access import coordinated_plan, summary_version, version_arg
from sync_service.summary.unmasked_exports import record_unmasked_export

bp = Blueprint("summary_exports", __name__, url_prefix="/api/v1/days/<day_id>/exports")
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _guarded(day_id: str):
    return coordinated_plan(day_id)[1]


def _lang() -> str:
    lang = request.args.get("lang", "zh")
    if lang not in ("zh", "en"):
        raise ApiError(400, "invalid", "Bad query.", errors={"lang": ["must be zh or en"]})
    return lang


def _record(day_id: str) -> dict:
    return summary_version(day_id, version_arg())


def _attachment(body, mimetype: str, filename: str) -> Response:
    return Response(body, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@bp.get("/events.csv")
def events(day_id: str):
    """Citizens' free texts masked; ?unmasked=1 (organisers only, and recorded) as written."""
    coordinator, plan = coordinated_plan(day_id)
    unmasked = request.args.get("unmasked") == "1"
    if unmasked:
        record_unmasked_export(ctx()["redis"], day_id, coordinator.username, "events.csv")
    chunks = stream_with_context(events_csv(ctx()["redis"], day_id, plan, unmasked=unmasked))
    return _attachment(chunks, "text/csv", f"{day_id}-events{'-unmasked' if unmasked else ''}.csv")


@bp.get("/totals.csv")
def totals(day_id: str):
    """The totals of a summary version (?version=, default the latest), or, before the day
    is closed, the live totals."""
    plan = _guarded(day_id)
    if request.args.get("version") or get_version(ctx()["redis"], day_id) is not None:
        content = _record(day_id)["content"]
        body = totals_csv(content["figures"]["totals"], plan, content["position"])
    else:
        live = read_totals(ctx()["redis"], day_id)
        body = totals_csv({k: v for k, v in live.items() if k not in ("day_id", "position", "log_entries")},
                          plan, live["position"])
    return _attachment(body, "text/csv", f"{day_id}-totals.csv")


@bp.get("/summary.docx")
def docx(day_id: str):
    plan, lang = _guarded(day_id), _lang()
    record = _record(day_id)
    return _attachment(summary_docx(record, plan, lang), DOCX, f"{day_id}-summary-v{record['version']}-{lang}.docx")


@bp.get("/summary.md")
def markdown(day_id: str):
    plan, lang = _guarded(day_id), _lang()
    record = _record(day_id)
    return _attachment(summary_markdown(record, plan, lang), "text/markdown",
                       f"{day_id}-summary-v{record['version']}-{lang}.md")


@bp.get("/summary.html")
def html(day_id: str):
    plan, lang = _guarded(day_id), _lang()
    return Response(summary_html(_record(day_id), plan, lang), mimetype="text/html")


@bp.get("/charts/<name>.png")
def chart(day_id: str, name: str):
    plan, lang = _guarded(day_id), _lang()
    if name not in CHARTS:
        raise ApiError(404, "unknown_chart", f"No chart {name}; charts: {', '.join(CHARTS)}.")
    return Response(chart_png(_record(day_id)["content"], plan, name, lang), mimetype="image/png")

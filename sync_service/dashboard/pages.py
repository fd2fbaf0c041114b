"""The pages a signed-in coordinator sees: the list of granted days and the day page.

The day page comes with its charts drawn (inline SVG, chart_svg.py) and its figures in
the boot JSON (page_figures.py), both read at one log position: its first render needs
no request. The browser then fetches the devices, quarantine and enrollment codes from
the JSON APIs and applies the changed figures that arrive on the live SSE stream. When a message changes
a chart's figures the page fetches that one chart again (`chart` below), which reads only
that chart's figures: a live update costs the server only what changed.
"""

from flask import Response, redirect, render_template, request, session, url_for
from markupsafe import Markup

from central.summary.store import closed_record
from shared.people_time import people_time
from shared.protocol import MAX_CODE_TTL_MINUTES as MAX_TTL_MINUTES
from shared.protocol import MAX_CODE_USES as MAX_USES
from sync_service.context import ctx
from sync_service.coordinators import Coordinator, get_coordinator
from sync_service.dashboard import bp
from sync_service.dashboard.chart_figures import CHARTS, read_charts
from sync_service.dashboard.chart_svg import render_svg
from sync_service.dashboard.i18n import STRINGS, current_lang
from sync_service.dashboard.page_figures import read_day_page
from sync_service.dashboard.setup_i18n import words
from sync_service.devices.readers import DayReader
from sync_service.errors import ApiError
from sync_service.totals.rejected import rejected_for_page, stall_notice

CATALOGUES = ("booths", "departments", "topics", "materials", "outcomes", "ratings")


def _signed_in() -> Coordinator | None:
    """The coordinator of the browser session. Pages open only with a session: a device
    token or Basic credentials do not open them."""
    username = session.get("coordinator")
    return get_coordinator(ctx()["redis"], username) if username else None


def _refuse_anonymous():
    if request.headers.get("Authorization"):
        raise ApiError(401, "unauthorized", "The dashboard needs a signed-in coordinator session.")
    return redirect(url_for("dashboard.signin", next=request.path))


def _message(lang, text, status):
    return render_template("dashboard/message.html", t=STRINGS[lang], lang=lang, message=text), status


@bp.get("/")
def days():
    coordinator = _signed_in()
    if coordinator is None:
        return _refuse_anonymous()
    lang = current_lang()
    granted = [plan for day_id, plan in sorted(ctx()["plans"].items()) if coordinator.may_see(day_id)]
    return render_template("dashboard/days.html", t=words(lang), lang=lang, plans=granted,
                           coordinator=coordinator)


def _catalogue(plan, name: str, lang: str) -> list[dict]:
    items = []
    for key in plan.keys(name):
        item = dict(plan.item(name, key) or {"id": key})
        item["label"] = plan.label(name, key, lang)
        items.append(item)
    return items


def page_boot(plan, lang: str) -> dict:
    """Everything the day page's script needs before its first fetch: words, catalogues, URLs."""
    raw, api = plan.raw, f"/api/v1/days/{plan.day_id}"
    return {
        "day_id": plan.day_id,
        "lang": lang,
        "t": words(lang),
        "title": (raw.get("title") or {}).get(lang, plan.day_id),
        "timezone": plan.timezone,
        "max_uses": MAX_USES, "max_ttl_minutes": MAX_TTL_MINUTES,  # the API's own bounds
        "summary_url": f"/days/{plan.day_id}/summary?lang={lang}",
        "close_url": f"{api}/close",
        "catalogues": {name: _catalogue(plan, name, lang) for name in CATALOGUES},
        "chart_url": url_for("dashboard.chart", day_id=plan.day_id, name="NAME"),
        "api": {name: f"{api}/{name}" for name in ("totals", "live", "devices", "quarantine", "enrollment-codes")},
    }


def _granted_plan(day_id: str, lang: str):
    """(coordinator, plan, None) for a day the signed-in coordinator may see, else
    (None, None, the refusal to send)."""
    coordinator = _signed_in()
    if coordinator is None:
        return None, None, _refuse_anonymous()
    plan = ctx()["plans"].get(day_id)
    if not coordinator.may_see(day_id):
        return None, None, _message(lang, STRINGS[lang]["day_forbidden"].format(day=day_id), 403)
    if plan is None:
        return None, None, _message(lang, STRINGS[lang]["day_unknown"].format(day=day_id), 404)
    return coordinator, plan, None


@bp.get("/days/<day_id>")
def day(day_id: str):
    lang = current_lang()
    coordinator, plan, refusal = _granted_plan(day_id, lang)
    if refusal:
        return refusal
    redis = ctx()["redis"]
    data = read_day_page(redis, plan, day_id, lang, DayReader(f"coordinator:{coordinator.username}"))
    closed = closed_record(redis, day_id)
    boot = {**page_boot(plan, lang), "charts_position": data.position,
            "first": {"position": data.position, "figures": data.figures, "hot_issues": data.hot_issues,
                      "hot_count": data.hot_count},
            "closed": {"at": people_time(closed["closed_at"], plan.timezone, lang), "by": closed.get("closed_by")}
            if closed else None}
    # chart_svg escapes every label it writes, so the text is safe inside the page
    svgs = {name: Markup(render_svg(chart)) for name, chart in data.charts.items()}
    return render_template("dashboard/day.html", t=STRINGS[lang], lang=lang, boot=boot, charts=svgs,
                           coordinator=coordinator, day_id=day_id,
                           rejected=rejected_for_page(redis, day_id, plan.timezone),
                           stalled=stall_notice(redis, day_id, plan.timezone))


@bp.get("/days/<day_id>/charts/<name>.svg")
def chart(day_id: str, name: str):
    """One chart of the day page, drawn from that chart's figures only (after a live message)."""
    lang = current_lang()
    _, plan, refusal = _granted_plan(day_id, lang)
    if refusal:
        return refusal
    if name not in CHARTS:
        raise ApiError(404, "unknown_chart", f"没有这个图表 / No chart {name!r}.",
                       errors={"name": [f"One of {', '.join(CHARTS)}."]})
    position, charts = read_charts(ctx()["redis"], plan, day_id, (name,), lang)
    response = Response(render_svg(charts[name]), mimetype="image/svg+xml")
    response.headers["X-Log-Position"] = position
    response.headers["Cache-Control"] = "no-store"  # the figures move all day
    return response

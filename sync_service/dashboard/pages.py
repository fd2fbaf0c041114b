"""The pages a signed-in coordinator sees: the list of granted days and the day page.

The day page is a shell: the browser fetches the totals, devices, quarantine and
enrollment codes from the JSON APIs and then applies the changed figures that arrive on
the live SSE stream, so a live update costs the server only what changed.
"""

import gzip
from functools import cache
from importlib import resources

from flask import Response, current_app, redirect, render_template, request, session, url_for

from sync_service.coordinators import Coordinator, get_coordinator
from sync_service.dashboard import bp
from sync_service.dashboard.i18n import STRINGS, current_lang
from sync_service.errors import ApiError

CATALOGUES = ("booths", "departments", "topics", "materials", "outcomes", "ratings")


def _ctx():
    return current_app.extensions["openday"]


def _signed_in() -> Coordinator | None:
    """The coordinator of the browser session. Pages open only with a session: a device
    token or Basic credentials do not open them."""
    username = session.get("coordinator")
    return get_coordinator(_ctx()["redis"], username) if username else None


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
    granted = [plan for day_id, plan in sorted(_ctx()["plans"].items()) if coordinator.may_see(day_id)]
    return render_template("dashboard/days.html", t=STRINGS[lang], lang=lang, plans=granted,
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
        "t": STRINGS[lang],
        "title": (raw.get("title") or {}).get(lang, plan.day_id),
        "timezone": plan.timezone,
        "opening_hours": raw.get("opening_hours") or {},
        "catalogues": {name: _catalogue(plan, name, lang) for name in CATALOGUES},
        "plotly_url": url_for("dashboard.plotly_js"),
        "api": {name: f"{api}/{name}" for name in ("totals", "live", "devices", "quarantine", "enrollment-codes")},
    }


@bp.get("/days/<day_id>")
def day(day_id: str):
    coordinator = _signed_in()
    if coordinator is None:
        return _refuse_anonymous()
    lang = current_lang()
    plan = _ctx()["plans"].get(day_id)
    if not coordinator.may_see(day_id):
        return _message(lang, STRINGS[lang]["day_forbidden"].format(day=day_id), 403)
    if plan is None:
        return _message(lang, STRINGS[lang]["day_unknown"].format(day=day_id), 404)
    return render_template("dashboard/day.html", t=STRINGS[lang], lang=lang, boot=page_boot(plan, lang),
                           coordinator=coordinator, day_id=day_id)


@cache
def _plotly_bundle() -> tuple[bytes, bytes]:
    """plotly.js as installed with the `plotly` package from PyPI (never a CDN), and gzipped once."""
    raw = (resources.files("plotly") / "package_data" / "plotly.min.js").read_bytes()
    return raw, gzip.compress(raw, 6)


@bp.get("/assets/plotly.min.js")
def plotly_js():
    raw, packed = _plotly_bundle()
    gzipped = "gzip" in request.headers.get("Accept-Encoding", "")
    response = Response(packed if gzipped else raw, mimetype="text/javascript")
    if gzipped:
        response.headers["Content-Encoding"] = "gzip"
    response.headers["Vary"] = "Accept-Encoding"
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response

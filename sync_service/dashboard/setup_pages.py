"""The day-setup pages: an organiser creates a day (form, Excel workbook, or a copy of a
past day); a coordinator of the day edits it as a new version, retires keys, sees the
versions and what each changed; both download the plan or an empty template as Excel.
Forms carry the session's CSRF token (guard.py checks every write)."""

import json

from flask import Response, redirect, render_template, request, url_for

from central.plan_store import StaleVersion, list_versions, read_version
from central.plan_workbook import COLUMNS, DAY_FIELDS, plan_to_workbook, workbook_to_plan
from central.queue import request_fold
from shared.plan_rules import PlanInvalid
from sync_service.context import ctx
from sync_service.dashboard import bp
from sync_service.dashboard.i18n import current_lang
from sync_service.dashboard.pages import _granted_plan, _message, _refuse_anonymous, _signed_in
from sync_service.dashboard.setup_form import form_day, form_rows, input_errors, plan_from_form
from sync_service.dashboard.setup_i18n import words
from sync_service.plans.changes import DayExists, create_day, replace_plan

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
UPLOAD_LIMIT = 1024 * 1024


def _render(lang: str, raw: dict, status: int = 200, **page):
    """The setup page for `raw`; page: day_id (None when new), version, versions, notice, errors."""
    coordinator = _signed_in()
    errors = page.pop("errors", {})
    return render_template(
        "dashboard/setup.html", t=words(lang), lang=lang, coordinator=coordinator, day=form_day(raw),
        rows=form_rows(raw), columns=COLUMNS, day_fields=[name for name, _ in DAY_FIELDS],
        field_errors=input_errors(errors, page.pop("rows", {})), error_list=errors,
        past_days=[d for d in ctx()["plans"].days() if coordinator.may_see(d)], **page), status


def _uploaded_plan() -> dict:
    upload = request.files.get("workbook")
    return workbook_to_plan(upload.read(UPLOAD_LIMIT + 1) if upload else b"")


# -- a new day (organisers) -----------------------------------------------------------------


def _organiser(lang: str):
    account = _signed_in()
    if account is None:
        return None, _refuse_anonymous()
    if not account.is_organiser:
        return None, _message(lang, words(lang)["organiser_only"], 403)
    return account, None


@bp.get("/days/new")
def new_day():
    lang = current_lang()
    account, refusal = _organiser(lang)
    if refusal:
        return refusal
    source = request.args.get("copy")
    raw = {}
    if source and account.may_see(source) and (record := read_version(ctx()["redis"], source)):
        raw = {**record["plan"], "day_id": "", "date": ""}  # the new day's id and date are the organiser's
    return _render(lang, raw, day_id=None, copied=source if raw else None)


def _create(lang: str, account, raw: dict, rows: dict):
    try:
        record = create_day(ctx()["redis"], raw, account.username)
    except PlanInvalid as exc:
        return _render(lang, raw, 422, day_id=None, errors=exc.errors, rows=rows)
    except DayExists as exc:
        return _render(lang, raw, 409, day_id=None, notice=words(lang)["exists"].format(day=exc))
    return redirect(url_for("dashboard.setup", day_id=raw["day_id"], created=record["version"]))


@bp.post("/days/new")
def create_from_form():
    lang = current_lang()
    account, refusal = _organiser(lang)
    if refusal:
        return refusal
    raw, rows = plan_from_form(request.form, {})
    return _create(lang, account, raw, rows)


@bp.post("/days/new/workbook")
def create_from_workbook():
    lang = current_lang()
    account, refusal = _organiser(lang)
    if refusal:
        return refusal
    try:
        raw = _uploaded_plan()
    except PlanInvalid as exc:
        return _render(lang, {}, 422, day_id=None, errors=exc.errors)
    return _create(lang, account, raw, {})


# -- a day's plan, as versions (its coordinators) ------------------------------------------------


def _edit_page(lang: str, day_id: str, raw: dict | None = None, status: int = 200, **page):
    record = read_version(ctx()["redis"], day_id)
    return _render(lang, raw or record["plan"], status, day_id=day_id, version=record["version"],
                   versions=list(reversed(list_versions(ctx()["redis"], day_id))), **page)


@bp.get("/days/<day_id>/setup")
def setup(day_id: str):
    lang = current_lang()
    _, _, refusal = _granted_plan(day_id, lang)
    if refusal:
        return refusal
    t = words(lang)
    notice = (t["saved"].format(version=request.args["saved"]) if request.args.get("saved", "").isdigit() else
              t["created"].format(version=request.args["created"]) if request.args.get("created", "").isdigit()
              else None)
    return _edit_page(lang, day_id, notice=notice)


def _save(lang: str, day_id: str, account, raw: dict, rows: dict):
    expected = int(request.form.get("version", "0") or 0)
    try:
        record, resolutions = replace_plan(ctx()["log"], day_id, {**raw, "day_id": day_id}, account.username,
                                           expected)
    except PlanInvalid as exc:
        return _edit_page(lang, day_id, raw, 422, errors=exc.errors, rows=rows)
    except StaleVersion as exc:
        return _edit_page(lang, day_id, raw, 409, notice=words(lang)["stale"].format(version=exc.current))
    if resolutions:
        request_fold(ctx()["redis"], ctx()["rq_redis"], day_id)
    return redirect(url_for("dashboard.setup", day_id=day_id, saved=record["version"]))


@bp.post("/days/<day_id>/setup")
def save_form(day_id: str):
    lang = current_lang()
    account, plan, refusal = _granted_plan(day_id, lang)
    if refusal:
        return refusal
    raw, rows = plan_from_form(request.form, plan.raw)
    return _save(lang, day_id, account, raw, rows)


@bp.post("/days/<day_id>/setup/workbook")
def save_workbook(day_id: str):
    lang = current_lang()
    account, plan, refusal = _granted_plan(day_id, lang)
    if refusal:
        return refusal
    try:
        uploaded = _uploaded_plan()
    except PlanInvalid as exc:
        return _edit_page(lang, day_id, status=422, errors=exc.errors)
    kept = {k: v for k, v in plan.raw.items() if k not in uploaded}  # summary template etc. stay
    return _save(lang, day_id, account, {**kept, **uploaded}, {})


@bp.get("/days/<day_id>/plan.<fmt>")
def download(day_id: str, fmt: str):
    lang = current_lang()
    _, plan, refusal = _granted_plan(day_id, lang)
    if refusal:
        return refusal
    if fmt not in ("xlsx", "json"):
        return _message(lang, f"{fmt}?", 404)
    name = f"{day_id}-v{plan.version}.{fmt}"
    if fmt == "xlsx":
        body, mimetype = plan_to_workbook(plan.raw), XLSX
    else:
        body, mimetype = json.dumps(plan.raw, ensure_ascii=False, indent=2), "application/json"
    return Response(body, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.get("/plan-template.xlsx")
def template():
    if _signed_in() is None:
        return _refuse_anonymous()
    return Response(plan_to_workbook({}), mimetype=XLSX,
                    headers={"Content-Disposition": 'attachment; filename="openday-plan-template.xlsx"'})

"""Days and their plans over HTTP: create a day (organiser), read the plan with its version
(ETag; 304 when a laptop already has it), replace it with If-Match (412 stale, 428 missing),
list the versions. Each route: parse, call one function, map errors."""

from flask import Blueprint, Response, jsonify, request

from central.plan_store import StaleVersion, list_versions, read_version
from central.queue import request_fold
from shared.plan_rules import PlanInvalid
from sync_service.context import ctx, plan_of
from sync_service.coordinators import require_coordinator, require_organiser
from sync_service.devices.readers import require_day_reader
from sync_service.errors import ApiError
from sync_service.plans.changes import DayExists, create_day, replace_plan

bp = Blueprint("plans", __name__)
BODY_LIMIT = 1024 * 1024  # a plan of a few thousand entries


def _invalid(exc: PlanInvalid) -> ApiError:
    return ApiError(422, "invalid", "计划无效,未作任何改动 / The plan is not valid; nothing changed.",
                    errors=exc.errors)


def plan_body() -> dict:
    """The plan document of a request: JSON, or an .xlsx workbook (Excel)."""
    from sync_service.plans.workbook_body import workbook_or_json

    body = workbook_or_json(BODY_LIMIT)
    body.pop("version", None)  # a document as GET gave it: the version is the header's business
    return body


def etag(version: int) -> str:
    return f'"{version}"'


@bp.post("/api/v1/days")
def new_day():
    account = require_organiser()
    try:
        record = create_day(ctx()["redis"], plan_body(), account.username)
    except PlanInvalid as exc:
        raise _invalid(exc) from exc
    except DayExists as exc:
        raise ApiError(409, "day_exists", f"{exc} 已存在 / Day {exc} already exists.",
                       errors={"day_id": [f"{exc} 已存在 / already exists"]}) from exc
    answer = jsonify(day_id=record["plan"]["day_id"], version=record["version"], changes=record["changes"])
    return answer, 201, {"ETag": etag(record["version"]), "Location": f"/api/v1/days/{record['plan']['day_id']}/plan"}


@bp.get("/api/v1/days/<day_id>/plan")
def day_plan(day_id: str):
    require_day_reader(ctx()["redis"], day_id)
    plan = plan_of(day_id)
    tag = etag(plan.version)
    if request.if_none_match.contains(str(plan.version)):
        return Response(status=304, headers={"ETag": tag})
    return jsonify({**plan.raw, "version": plan.version}), 200, {"ETag": tag, "Cache-Control": "no-cache"}


def _expected_version() -> int:
    if not request.headers.get("If-Match"):
        raise ApiError(428, "if_match_required", "请带上 If-Match(当前版本号)/ Send If-Match with the version you "
                       "edited, so nobody's change is overwritten.", errors={"If-Match": ["required"]})
    tags = [tag or "" for tag in request.if_match]  # werkzeug reads '""' as None
    if len(tags) != 1 or not (tags[0].isascii() and tags[0].isdigit()):  # '²' is a digit to str.isdigit
        raise ApiError(412, "stale", "If-Match 须为一个版本号 / If-Match must name one version.")
    return int(tags[0])


@bp.put("/api/v1/days/<day_id>/plan")
def replace_day_plan(day_id: str):
    account = require_coordinator(day_id)
    plan_of(day_id)
    expected, body = _expected_version(), plan_body()
    if body.get("day_id") != day_id:
        raise _invalid(PlanInvalid({"day_id": [f"须为 {day_id} / must be {day_id}"]}))
    try:
        record, resolutions = replace_plan(ctx()["log"], day_id, body, account.username, expected)
    except PlanInvalid as exc:
        raise _invalid(exc) from exc
    except StaleVersion as exc:
        raise ApiError(412, "stale", f"计划已被他人改为第 {exc.current} 版,请重新打开 / Someone saved version "
                       f"{exc.current} first; reload and edit that.", current_version=exc.current) from exc
    if resolutions:
        request_fold(ctx()["redis"], ctx()["rq_redis"], day_id)
    return jsonify(day_id=day_id, version=record["version"], changes=record["changes"],
                   resolutions=[e["payload"] for e in resolutions]), 200, {"ETag": etag(record["version"])}


@bp.get("/api/v1/days/<day_id>/plan/versions")
def plan_versions(day_id: str):
    require_coordinator(day_id)
    plan_of(day_id)
    return jsonify(day_id=day_id, versions=list_versions(ctx()["redis"], day_id))


@bp.get("/api/v1/days/<day_id>/plan/versions/<int:version>")
def plan_version(day_id: str, version: int):
    require_coordinator(day_id)
    plan_of(day_id)
    record = read_version(ctx()["redis"], day_id, version) if version > 0 else None
    if record is None:
        raise ApiError(404, "unknown_version", f"没有第 {version} 版 / No version {version}.")
    return jsonify(record), 200, {"ETag": etag(version)}

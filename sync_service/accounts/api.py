"""Accounts over HTTP, for organisers: list them, change a role, grant or revoke a day.
Each route: parse, call one function, map errors."""

from flask import Blueprint, jsonify

from sync_service.accounts.roles import AccountRefused, grant_day, list_accounts, revoke_day, set_role
from sync_service.context import ctx, plan_of
from sync_service.coordinators import require_organiser
from sync_service.errors import ApiError
from sync_service.request_body import read_json_object

bp = Blueprint("accounts", __name__)
BODY_LIMIT = 4096


def _refused(exc: AccountRefused) -> ApiError:
    return ApiError(exc.status, "refused", exc.message, errors={exc.field: [exc.message]})


@bp.get("/api/v1/accounts")
def accounts():
    require_organiser()
    return jsonify(accounts=list_accounts(ctx()["redis"]))


@bp.put("/api/v1/accounts/<username>/role")
def account_role(username: str):
    organiser = require_organiser()
    role = read_json_object(BODY_LIMIT).get("role")
    try:
        record = set_role(ctx()["redis"], username, role, organiser.username)
    except AccountRefused as exc:
        raise _refused(exc) from exc
    return jsonify(username=username, role=record["role"], days=record["days"])


@bp.put("/api/v1/days/<day_id>/coordinators/<username>")
def grant(day_id: str, username: str):
    require_organiser()
    plan_of(day_id)
    try:
        record = grant_day(ctx()["redis"], username, day_id)
    except AccountRefused as exc:
        raise _refused(exc) from exc
    return jsonify(username=username, role=record.get("role", "coordinator"), days=record["days"])


@bp.delete("/api/v1/days/<day_id>/coordinators/<username>")
def revoke(day_id: str, username: str):
    require_organiser()
    plan_of(day_id)
    try:
        revoke_day(ctx()["redis"], username, day_id)
    except AccountRefused as exc:
        raise _refused(exc) from exc
    return "", 204

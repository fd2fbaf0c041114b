"""HTTP routes of the sync service. Each: parse, call one function, map errors."""

from flask import Blueprint, jsonify

from sync_service.context import ctx
from sync_service.errors import ApiError

bp = Blueprint("sync", __name__)


@bp.get("/healthz")
def healthz():
    try:
        ctx()["redis"].ping()
    except Exception as exc:  # any Redis failure means not healthy
        raise ApiError(503, "redis_unavailable", str(exc)) from exc
    return jsonify(status="ok", days=sorted(ctx()["plans"]))

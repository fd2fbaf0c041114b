"""HTTP routes of the sync service. Each: parse, call one function, map errors."""

from flask import Blueprint, current_app, jsonify

from sync_service.errors import ApiError

bp = Blueprint("sync", __name__)


def _ctx():
    return current_app.extensions["openday"]


@bp.get("/healthz")
def healthz():
    try:
        _ctx()["redis"].ping()
    except Exception as exc:  # any Redis failure means not healthy
        raise ApiError(503, "redis_unavailable", str(exc)) from exc
    return jsonify(status="ok", days=sorted(_ctx()["plans"]))

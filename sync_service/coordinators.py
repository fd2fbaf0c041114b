"""Coordinator accounts: who may watch and run which days.

Passwords are hashed with werkzeug's scrypt. A request is a coordinator's when it
carries a signed-in session (the dashboard) or HTTP Basic credentials (API clients and
scripts). Each account is granted a list of days and sees no other day.
"""

import json
from dataclasses import dataclass

from flask import current_app, request, session
from werkzeug.security import check_password_hash, generate_password_hash

from central import keys
from sync_service.errors import ApiError


@dataclass(frozen=True)
class Coordinator:
    username: str
    days: tuple[str, ...]

    def may_see(self, day_id: str) -> bool:
        return day_id in self.days or "*" in self.days


def add_coordinator(redis, username: str, password: str, days: list[str]) -> Coordinator:
    """Create or replace an account; `days` may contain '*' for every day."""
    if len(password) < 8:
        raise ValueError("password must have at least 8 characters")
    record = {"password_hash": generate_password_hash(password), "days": sorted(set(days))}
    redis.hset(keys.COORDINATORS, username, json.dumps(record))
    return Coordinator(username, tuple(record["days"]))


def get_coordinator(redis, username: str) -> Coordinator | None:
    raw = redis.hget(keys.COORDINATORS, username)
    return Coordinator(username, tuple(json.loads(raw)["days"])) if raw else None


def check_credentials(redis, username: str, password: str) -> Coordinator | None:
    raw = redis.hget(keys.COORDINATORS, username or "")
    if raw is None:
        generate_password_hash(password or "")  # same cost for unknown users: no timing oracle
        return None
    record = json.loads(raw)
    if not check_password_hash(record["password_hash"], password or ""):
        return None
    return Coordinator(username, tuple(record["days"]))


def current_coordinator() -> Coordinator | None:
    """The signed-in coordinator (session) or the one named by HTTP Basic credentials."""
    redis = current_app.extensions["openday"]["redis"]
    if username := session.get("coordinator"):
        return get_coordinator(redis, username)
    auth = request.authorization
    if auth and auth.type == "basic":
        return check_credentials(redis, auth.username, auth.password)
    return None


def require_coordinator(day_id: str | None = None) -> Coordinator:
    """The calling coordinator, allowed on `day_id`; else 401 (who are you) or 403."""
    coordinator = current_coordinator()
    if coordinator is None:
        raise ApiError(401, "unauthorized", "需要协调员账号登录 / Coordinator credentials are required.")
    if day_id is not None and not coordinator.may_see(day_id):
        raise ApiError(403, "forbidden", f"账号 {coordinator.username} 无权查看 {day_id} / "
                       f"Coordinator {coordinator.username} is not granted day {day_id}.")
    return coordinator


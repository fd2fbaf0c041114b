"""What sync_service/app.py wired (Redis, the central log, the day plans), as routes read it."""

from flask import current_app

from sync_service.errors import ApiError


def ctx() -> dict:
    return current_app.extensions["openday"]


def plan_of(day_id: str):
    """The day's plan; 404 `unknown_day` if this service has none."""
    plan = ctx()["plans"].get(day_id)
    if plan is None:
        raise ApiError(404, "unknown_day", f"没有这一天的计划 / No day plan for {day_id}.")
    return plan

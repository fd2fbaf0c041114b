"""The day plan a command names with --day, or a clear error naming the days there are."""

import click


def plan_for_day(day_id: str, param_hint: str = "--day"):
    """The day's current plan version in Redis (imported from OPENDAY_PLAN_DIR if absent)."""
    from redis import Redis

    from sync_service.config import load_config
    from sync_service.plan_store import PlanCache

    config = load_config()
    plans = PlanCache(Redis.from_url(config["REDIS_URL"], decode_responses=True), config["PLAN_DIR"])
    plan = plans.get(day_id)
    if plan is None:
        known = ", ".join(plans.days()) or "none"
        raise click.BadParameter(f"没有 {day_id} 的计划 / no day plan for {day_id} in Redis or {config['PLAN_DIR']} "
                                 f"(days: {known})", param_hint=param_hint)
    return plan


def booth_of_day(day_id: str, booth_id: str) -> str:
    if booth_id not in plan_for_day(day_id).keys("booths"):
        raise click.BadParameter(f"{booth_id} 不是 {day_id} 的展位 / {booth_id} is not a booth of {day_id}",
                                 param_hint="--booth")
    return booth_id

"""The day plan a command names with --day, or a clear error naming the days there are."""

import click


def plan_for_day(day_id: str, param_hint: str = "--day"):
    """The day's current plan version in Redis (imported from OPENDAY_PLAN_DIR if absent);
    the plan files alone when Redis cannot be reached."""
    from redis.exceptions import ConnectionError as RedisDown

    from central.config import load_config
    from central.plan_store import PlanCache
    from central.redis_client import data_redis
    from shared.plan import load_plans

    config = load_config()
    plans = PlanCache(data_redis(config), config["PLAN_DIR"], imports=False)
    try:
        plan, known = plans.get(day_id), plans.days()
    except RedisDown:
        files = load_plans(config["PLAN_DIR"])
        plan, known = files.get(day_id), sorted(files)
    if plan is None:
        raise click.BadParameter(f"没有 {day_id} 的计划 / no day plan for {day_id} in Redis or {config['PLAN_DIR']} "
                                 f"(days: {', '.join(known) or 'none'})", param_hint=param_hint)
    return plan


def booth_of_day(day_id: str, booth_id: str) -> str:
    if booth_id not in plan_for_day(day_id).keys("booths"):
        raise click.BadParameter(f"{booth_id} 不是 {day_id} 的展位 / {booth_id} is not a booth of {day_id}",
                                 param_hint="--booth")
    return booth_id

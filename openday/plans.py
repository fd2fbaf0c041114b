"""The day plan a command names with --day, or a clear error naming the days there are."""

import click


def plan_for_day(day_id: str, param_hint: str = "--day"):
    from central.config import load_config
    from shared.plan import load_plans

    plan_dir = load_config()["PLAN_DIR"]
    plans = load_plans(plan_dir)
    if day_id not in plans:
        known = ", ".join(sorted(plans)) or "none"
        raise click.BadParameter(f"{plan_dir} 中没有 {day_id} 的计划 / no day plan for {day_id} in {plan_dir} "
                                 f"(days: {known})", param_hint=param_hint)
    return plans[day_id]


def booth_of_day(day_id: str, booth_id: str) -> str:
    if booth_id not in plan_for_day(day_id).keys("booths"):
        raise click.BadParameter(f"{booth_id} 不是 {day_id} 的展位 / {booth_id} is not a booth of {day_id}",
                                 param_hint="--booth")
    return booth_id

"""`openday plan import|export`: a day plan between Redis and a file (JSON or .xlsx, by the
file's extension). Each command parses its options and calls one function. The empty
workbook to fill in is on the dashboard (/dashboard/plan-template.xlsx)."""

import json
from pathlib import Path

import click


def _redis():
    from central.config import load_config
    from central.redis_client import data_redis

    return data_redis(load_config())


def read_plan_file(path: Path) -> dict:
    """The plan document of a .json or .xlsx file; errors name the field (sheet, row, column)."""
    from central.plan_workbook import workbook_to_plan
    from shared.plan_rules import PlanInvalid

    try:
        if path.suffix.lower() == ".xlsx":
            return workbook_to_plan(path.read_bytes())
        return json.loads(path.read_text(encoding="utf-8"))
    except PlanInvalid as exc:
        raise click.ClickException(_reasons(exc)) from exc
    except json.JSONDecodeError as exc:
        raise click.ClickException(f"{path} 不是 JSON / is not JSON: {exc}") from exc


def _reasons(exc) -> str:
    return "计划无效 / the plan is not valid:\n" + "\n".join(f"  {k}: {m}" for k, ms in exc.errors.items() for m in ms)


@click.group()
def plan() -> None:
    """Day plans: versions in Redis, files in and out."""


@plan.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--day", "day_id", help="Store it as this day (default: the file's day_id).")
@click.option("--by", default="cli", show_default=True, help="Who made the change (kept with the version).")
def import_(file: Path, day_id: str | None, by: str) -> None:
    """Create the day, or add a version of its plan; prints the version as JSON."""
    from central.central_log import CentralLog
    from central.plan_store import current_version
    from shared.plan_rules import PlanInvalid
    from sync_service.plans.changes import create_day, replace_plan

    redis = _redis()
    redis.ping()  # no Redis: the one-line refusal every command gives, before the file is read
    if not file.is_file():
        raise click.ClickException(f"没有文件 {file} / no file {file}")
    raw = read_plan_file(file)
    if day_id:
        raw["day_id"] = day_id
    try:
        version = current_version(redis, raw.get("day_id", ""))
        record = replace_plan(CentralLog(redis), raw["day_id"], raw, by, version)[0] if version \
            else create_day(redis, raw, by)
    except PlanInvalid as exc:
        raise click.ClickException(_reasons(exc)) from exc
    click.echo(json.dumps({"day_id": raw["day_id"], "version": record["version"], "changes": record["changes"]},
                          ensure_ascii=False))


@plan.command("export")
@click.argument("day_id")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--version", type=int, default=None, help="An older version (default: the current one).")
def export(day_id: str, file: Path, version: int | None) -> None:
    """Write the day's plan to FILE: .xlsx as a workbook, anything else as JSON."""
    from central.plan_store import read_version
    from central.plan_workbook import plan_to_workbook

    record = read_version(_redis(), day_id, version or -1)
    if record is None:
        raise click.ClickException(f"没有 {day_id} 的计划(版本 {version or '当前'})/ no plan for {day_id}"
                                   f" (version {version or 'current'})")
    if file.suffix.lower() == ".xlsx":
        file.write_bytes(plan_to_workbook(record["plan"]))
    else:
        file.write_text(json.dumps(record["plan"], ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    click.echo(f"{day_id} v{record['version']} -> {file}")

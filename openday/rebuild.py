"""`openday rebuild --day D` and `openday verify --day D`: recompute a day's projection
from the central log (swapping it in), or check the live one against a recomputation."""

import json
import sys

import click


def _context(day_id: str):
    from central.config import load_config
    from central.redis_client import data_redis
    from openday.plans import plan_for_day

    plan = plan_for_day(day_id)
    return data_redis(load_config()), plan


@click.command()
@click.option("--day", "day_id", required=True)
def rebuild(day_id: str) -> None:
    """Recompute every figure of the day from the log into fresh keys and swap them in."""
    from central.archive import archived_day
    from central.rebuild import rebuild as rebuild_day

    redis, plan = _context(day_id)
    if archived_day(redis, day_id):
        raise click.ClickException(f"{day_id} 已归档,请先 openday restore / {day_id} is archived: "
                                   f"`openday restore {day_id}` first.")
    click.echo(json.dumps(rebuild_day(redis, day_id, plan)))


@click.command()
@click.option("--day", "day_id", required=True)
@click.option("--show", default=50, show_default=True, help="Differences to print.")
def verify(day_id: str, show: int) -> None:
    """Recompute into scratch keys and compare with the live figures; exit 1 on any
    difference or when the live figures are behind the log."""
    from central.rebuild import verify as verify_day

    redis, plan = _context(day_id)
    if archive := _archived(redis, day_id):
        _verify_archive(archive)
    result = verify_day(redis, day_id, plan)
    for kind, field, live, recomputed in result["differences"][:show]:
        click.echo(f"DIFF {kind} {field}: live={live!r} recomputed={recomputed!r}", err=True)
    if result["unfolded"]:
        click.echo(f"{result['unfolded']} entries not folded yet (live totals at {result['position']}, "
                   f"log at {result['log_end']}) / {result['unfolded']} 条记录尚未计入统计", err=True)
    click.echo(json.dumps({**result, "differences": len(result["differences"])}))
    sys.exit(1 if result["differences"] or result["unfolded"] else 0)


def _archived(redis, day_id: str):
    from central.archive import archived_day

    return archived_day(redis, day_id)


def _verify_archive(archive) -> None:
    """An archived day is verified from its files: checksums, entry count, summary checksums."""
    from central.archiving import archive_problems

    problems = archive_problems(archive)
    for problem in problems:
        click.echo(f"ARCHIVE {problem}", err=True)
    click.echo(json.dumps({"day_id": archive.day_id, "archived": True, "entries": archive.manifest()["entries"],
                           "differences": len(problems)}))
    sys.exit(1 if problems else 0)

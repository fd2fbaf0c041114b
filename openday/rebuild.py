"""`openday rebuild --day D` and `openday verify --day D`: recompute a day's projection
from the central log (swapping it in), or check the live one against a recomputation."""

import json
import sys

import click


def _context(day_id: str):
    from redis import Redis

    from central.config import load_config
    from openday.plans import plan_for_day

    plan = plan_for_day(day_id)
    return Redis.from_url(load_config()["REDIS_URL"], decode_responses=True), plan


@click.command()
@click.option("--day", "day_id", required=True)
def rebuild(day_id: str) -> None:
    """Recompute every figure of the day from the log into fresh keys and swap them in."""
    from central.rebuild import rebuild as rebuild_day

    redis, plan = _context(day_id)
    click.echo(json.dumps(rebuild_day(redis, day_id, plan)))


@click.command()
@click.option("--day", "day_id", required=True)
@click.option("--show", default=50, show_default=True, help="Differences to print.")
def verify(day_id: str, show: int) -> None:
    """Recompute into scratch keys and compare with the live figures; exit 1 on any difference."""
    from central.rebuild import verify as verify_day

    redis, plan = _context(day_id)
    result = verify_day(redis, day_id, plan)
    for kind, field, live, recomputed in result["differences"][:show]:
        click.echo(f"DIFF {kind} {field}: live={live!r} recomputed={recomputed!r}", err=True)
    click.echo(json.dumps({**result, "differences": len(result["differences"])}))
    sys.exit(1 if result["differences"] else 0)

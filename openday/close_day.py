"""`openday close-day --day D`: close a day and queue its summary (as the page's button does)."""

import json

import click


@click.command("close-day")
@click.option("--day", "day_id", required=True, help="The day to close, e.g. heping-2022-05-15.")
@click.option("--by", "closed_by", default="cli", show_default=True, help="Who closes it (kept in the record).")
def close_day_command(day_id: str, closed_by: str) -> None:
    """Close a day: record the log position, queue the summary job. Late events still count."""
    from central.config import load_config
    from central.redis_client import data_redis, rq_redis
    from central.summary.versions import close_and_summarize
    from openday.plans import plan_for_day

    plan_for_day(day_id)
    config = load_config()
    redis = data_redis(config)
    record, newly = close_and_summarize(redis, rq_redis(config), day_id, closed_by)
    click.echo(json.dumps({"day_id": day_id, "already_closed": not newly, **record}, ensure_ascii=False))

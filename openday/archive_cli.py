"""`openday archive DAY`, `openday archive --due` and `openday restore DAY`: closed days out
of Redis into OPENDAY_ARCHIVE_DIR and back. Each command parses, calls one function, reports."""

import json

import click


def _context():
    from central.archive import archive_folder
    from central.config import load_config
    from central.redis_client import data_redis

    config = load_config()
    redis = data_redis(config)
    redis.ping()  # no Redis is said first, in the one line every command uses (openday/cli_group.py)
    return redis, archive_folder(config), config


@click.command("archive")
@click.argument("day_id", required=False)
@click.option("--due", is_flag=True, help="Every day closed more than OPENDAY_ARCHIVE_AFTER_DAYS days ago.")
def archive_command(day_id: str | None, due: bool) -> None:
    """Archive a closed day to compressed, checksummed files and remove it from Redis.

    把已结束的一天归档为压缩并带校验的文件,并从 Redis 中移除。"""
    from central.archive import ArchiveRefused
    from central.archiving import archive_day, days_to_archive

    if bool(day_id) == due:
        raise click.UsageError("name one DAY or give --due / 请指定一天或使用 --due")
    try:
        redis, root, config = _context()
        days = days_to_archive(redis, int(config["ARCHIVE_AFTER_DAYS"] or 0)) if due else [day_id]
        for day in days:
            manifest = archive_day(redis, day, root)
            click.echo(json.dumps({k: manifest[k] for k in ("day_id", "entries", "archived_at")}))
    except ArchiveRefused as exc:
        raise click.ClickException(f"{exc.reason}: {exc}") from exc


@click.command("restore")
@click.argument("day_id")
def restore_command(day_id: str) -> None:
    """Put an archived day back into Redis as it was (its files are kept).

    将已归档的一天恢复到 Redis。"""
    from central.archive import ArchiveRefused
    from central.archiving import restore_day

    try:
        redis, root, _ = _context()
        click.echo(json.dumps(restore_day(redis, day_id, root)))
    except ArchiveRefused as exc:
        raise click.ClickException(f"{exc.reason}: {exc}") from exc

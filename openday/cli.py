"""The `openday` command. Each subcommand parses its options and calls one function."""

import json
import os
import sys
from pathlib import Path

import click

from openday.cli_group import OpenDayGroup, find_redis
from openday.enrollment_cli import enrollment_code, revoke_device_command
from openday.rebuild import rebuild as rebuild_command
from openday.rebuild import verify as verify_command

REPO = Path(__file__).resolve().parent.parent
EXAMPLE_PLAN = str(REPO / "examples" / "heping-2022-05-15.json")


@click.group(cls=OpenDayGroup)
@click.pass_context
def main(ctx: click.Context) -> None:
    """OpenDay: tallies for Government Affairs Open Days (政务公开日).

    Without REDIS_URL, commands use the Redis of a running `openday dev` (found through
    $OPENDAY_DATA_DIR/redis.json, default .openday/redis.json)."""
    find_redis(ctx.invoked_subcommand)


@main.command()
@click.option("--data-dir", default=".openday", show_default=True, type=click.Path(path_type=Path),
              envvar="OPENDAY_DATA_DIR", help="Redis data, the field app's SQLite log, the dev device, logs.")
@click.option("--sync-port", default=8700, show_default=True, envvar="OPENDAY_SYNC_PORT")
@click.option("--field-port", default=8701, show_default=True, envvar="OPENDAY_FIELD_PORT")
@click.option("--plan", "plan_path", default=EXAMPLE_PLAN, show_default=True, envvar="OPENDAY_PLAN")
def dev(data_dir: Path, sync_port: int, field_port: int, plan_path: str) -> None:
    """Run Redis (embedded unless REDIS_URL is set), sync service, worker and one field app."""
    from openday.dev import run_dev

    run_dev(data_dir, sync_port, field_port, str(Path(plan_path).resolve()))


@main.command("sync-service")
@click.option("--bind", default="127.0.0.1:8700", show_default=True, envvar="OPENDAY_BIND")
@click.option("--workers", default=2, show_default=True, envvar="OPENDAY_WEB_WORKERS")
@click.option("--threads", default=16, show_default=True, envvar="OPENDAY_WEB_THREADS")
def sync_service(bind: str, workers: int, threads: int) -> None:
    """Serve the sync service under gunicorn (the production entry point)."""
    os.environ["OPENDAY_WEB_THREADS"] = str(threads)  # the app leaves pushes a few threads no live stream takes
    args = ["gunicorn", "--bind", bind, "--workers", str(workers), "--worker-class", "gthread",
            "--threads", str(threads), "--access-logfile", "-", "sync_service.wsgi:app",
            "--config", "python:sync_service.gunicorn_conf"]  # /metrics across gunicorn workers
    os.execvp(sys.executable, [sys.executable, "-m", *args])


@main.command()
@click.option("--burst", is_flag=True, help="Stop when the queue is empty.")
def worker(burst: bool) -> None:
    """Run one RQ worker on the openday queue (JSON serializer); it outlives a Redis restart."""
    from central.config import load_config
    from worker.runner import run_worker

    run_worker(load_config(), burst,
               maintenance_seconds=int(os.environ.get("OPENDAY_MAINTENANCE_SECONDS", 60)),
               catchup_seconds=float(os.environ.get("OPENDAY_CATCHUP_SECONDS", 2)))


@main.command("field-app")
@click.option("--host", default="127.0.0.1", show_default=True, envvar="OPENDAY_FIELD_HOST",
              help="Listen address; only loopback unless you say otherwise.")
@click.option("--port", default=8701, show_default=True, envvar="OPENDAY_FIELD_PORT")
@click.option("--open", "open_browser", is_flag=True, envvar="OPENDAY_OPEN_BROWSER",
              help="Open the booth page in the default browser once it answers.")
def field_app(host: str, port: int, open_browser: bool) -> None:
    """Serve the booth laptop's app with waitress (works on Windows, macOS and Linux)."""
    from waitress import serve

    from field_app.app import create_app
    from openday.field_console import announce

    loopback = host in ("127.0.0.1", "localhost")
    config = {} if loopback or os.environ.get("OPENDAY_TRUSTED_HOSTS") else {"TRUSTED_HOSTS": None}
    app = create_app(config)
    announce(host, port, open_browser)
    serve(app, host=host, port=port, threads=8)


@main.command()
@click.option("--port", default=6379, show_default=True)
@click.option("--data-dir", default=".openday/redis", show_default=True, type=click.Path(path_type=Path))
def redis(port: int, data_dir: Path) -> None:
    """Run the embedded redis-server in the foreground (AOF on, fsync always)."""
    from openday.embedded_redis import EmbeddedRedis

    server = EmbeddedRedis(data_dir, port=port).start()
    click.echo(server.url)
    try:
        server.process.wait()
    except KeyboardInterrupt:
        server.stop()


@main.group()
def device() -> None:
    """Device tokens."""


@device.command("register")
@click.option("--day", "day_id", required=True)
@click.option("--booth", "booth_id", required=True)
@click.option("--device-id", required=True)
def device_register(day_id: str, booth_id: str, device_id: str) -> None:
    """Issue a token for a laptop; prints JSON with the token (shown once)."""
    from central.config import load_config
    from central.redis_client import data_redis
    from openday.plans import booth_of_day
    from sync_service.devices.tokens import Device, register_device

    booth_of_day(day_id, booth_id)
    redis_client = data_redis(load_config())
    token = register_device(redis_client, Device(device_id, booth_id, day_id))
    click.echo(json.dumps({"device_id": device_id, "booth_id": booth_id, "day_id": day_id, "token": token}))


@main.group()
def coordinator() -> None:
    """Coordinator accounts."""


@coordinator.command("add")
@click.argument("username")
@click.option("--day", "days", multiple=True, required=True, help="A day the account may see ('*' for all).")
@click.password_option(envvar="OPENDAY_COORDINATOR_PASSWORD")
def coordinator_add(username: str, days: tuple[str, ...], password: str) -> None:
    """Create or replace a coordinator account granted the given days."""
    from central.config import load_config
    from central.redis_client import data_redis
    from openday.plans import plan_for_day
    from sync_service.coordinators import add_coordinator

    for day_id in days:
        if day_id != "*":
            plan_for_day(day_id)
    redis_client = data_redis(load_config())
    try:
        account = add_coordinator(redis_client, username, password, list(days))
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--password") from exc
    click.echo(f"coordinator {account.username}: days {', '.join(account.days)}")


from openday.archive_cli import archive_command, restore_command  # noqa: E402
from openday.close_day import close_day_command  # noqa: E402 - subcommands in their own modules
from openday.healthcheck import healthcheck_command  # noqa: E402
from openday.simulate.command import simulate  # noqa: E402 - subcommands registered after the group

main.add_command(simulate)
main.add_command(close_day_command)
main.add_command(archive_command)  # openday archive DAY | --due
main.add_command(restore_command)  # openday restore DAY
main.add_command(enrollment_code)
device.add_command(revoke_device_command)
main.add_command(rebuild_command)  # openday rebuild --day D
main.add_command(verify_command)  # openday verify --day D
main.add_command(healthcheck_command)  # openday healthcheck [--url U]: for the image's HEALTHCHECK

if __name__ == "__main__":
    main()

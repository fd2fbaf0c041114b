"""`openday enrollment-code ...` and `openday device revoke`: what a coordinator does
at the terminal. Each command parses its options and calls one function."""

import json

import click

from openday.plans import booth_of_day
from shared.protocol import MAX_CODE_TTL_MINUTES as MAX_TTL_MINUTES
from shared.protocol import MAX_CODE_USES as MAX_USES


def _redis():
    from central.config import load_config
    from central.redis_client import data_redis

    return data_redis(load_config())


@click.group("enrollment-code")
def enrollment_code() -> None:
    """Enrollment codes: a laptop exchanges one for its device token."""


@enrollment_code.command("create")
@click.option("--day", "day_id", required=True)
@click.option("--booth", "booth_id", required=True)
@click.option("--uses", default=1, show_default=True, type=click.IntRange(1, MAX_USES))
@click.option("--ttl-minutes", default=1440, show_default=True, type=click.IntRange(1, MAX_TTL_MINUTES))
@click.option("--by", "created_by", default="cli", show_default=True, help="Who made it (shown in the list).")
def create(day_id: str, booth_id: str, uses: int, ttl_minutes: int, created_by: str) -> None:
    """Make a code for a booth; prints it as JSON."""
    from sync_service.devices.enrollment import create_code

    booth_of_day(day_id, booth_id)
    click.echo(json.dumps(create_code(_redis(), day_id, booth_id, uses, ttl_minutes, created_by), ensure_ascii=False))


@enrollment_code.command("list")
@click.option("--day", "day_id", required=True)
def list_(day_id: str) -> None:
    """The day's codes, newest first, one JSON object a line."""
    from sync_service.devices.enrollment import list_codes

    for row in list_codes(_redis(), day_id):
        click.echo(json.dumps(row, ensure_ascii=False))


@enrollment_code.command("revoke")
@click.option("--day", "day_id", required=True)
@click.argument("code")
def revoke(day_id: str, code: str) -> None:
    """Delete a code so it can no longer enrol anything."""
    from sync_service.devices.enrollment import revoke_code

    if not revoke_code(_redis(), day_id, code):
        raise click.ClickException(f"day {day_id} has no enrollment code {code}")
    click.echo(f"revoked {code}")


@click.command("revoke")
@click.option("--day", "day_id", required=True)
@click.option("--device-id", required=True)
def revoke_device_command(day_id: str, device_id: str) -> None:
    """Revoke a laptop: every token it holds gets 401 "revoked" from now on."""
    from sync_service.devices.tokens import revoke_device

    if revoke_device(_redis(), day_id, device_id) is None:
        raise click.ClickException(f"day {day_id} has no device {device_id}")
    click.echo(f"revoked {device_id}")

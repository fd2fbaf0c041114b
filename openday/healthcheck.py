"""`openday healthcheck`: what the image's HEALTHCHECK and compose run inside a container.
Exit 0 when healthy; else exit 1 with one line saying why (the `openday` group words "cannot
reach Redis / the sync service" itself, zh/en)."""

import click
import requests


def check_url(url: str) -> str | None:
    """The sync service answers its /healthz (which pings Redis itself)."""
    try:
        response = requests.get(url, timeout=4)
    except requests.Timeout:
        return f"{url}: no answer within 4 s"
    return None if response.ok else f"{url}: HTTP {response.status_code}"


def check_redis() -> str | None:
    """Redis answers this service's own user (a worker's health); the cluster's, when clustered."""
    from central.config import load_config
    from central.redis_client import data_redis

    return None if data_redis(load_config(), socket_timeout=4).ping() else "redis: no PONG"


@click.command("healthcheck")
@click.option("--url", default=None, help="Check this URL (the sync service's /healthz) instead of Redis.")
def healthcheck_command(url: str | None) -> None:
    """Exit 0 if this container's service is healthy (compose and the image's HEALTHCHECK)."""
    problem = check_url(url) if url else check_redis()
    if problem:
        raise click.ClickException(f"unhealthy: {problem}")
    click.echo("healthy")

"""The `openday` group: finds dev's Redis before a command runs, and turns "cannot reach
Redis / the sync service" into one zh/en sentence and exit 1, for every command (a
traceback ending in "Error 111 connecting to 127.0.0.1:6379" tells a coordinator nothing)."""

import os

import click
import requests

from openday.dev_redis import use_dev_redis, where

# These start a Redis of their own rather than use a running one.
STARTS_ITS_OWN = {"dev", "redis"}
# Long-running services: the field app needs no Redis, the worker waits for its Redis by
# design (it outlives a Redis restart), the sync service answers 503 on /healthz until
# Redis is back. Every other command is one request to Redis and ends.
SERVICES = {"sync-service", "worker", "field-app"}


def _unreachable_redis() -> str:
    url = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
    return (f"无法连接 Redis（{where(url)}）：请先运行 openday dev，或设置 REDIS_URL / "
            f"Cannot reach Redis at {where(url)}: start `openday dev` or set REDIS_URL.")


def _unreachable_kinds() -> tuple[type[Exception], ...]:
    """The errors that mean "cannot reach": Redis's only where the centre's packages are
    installed (a laptop's install has no Redis client, and its commands never need one)."""
    kinds: list[type[Exception]] = [requests.ConnectionError]
    try:
        import redis.exceptions
    except ImportError:
        return tuple(kinds)
    return (*kinds, redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)


def _refusal(exc: Exception) -> str:
    if type(exc).__name__ == "AuthenticationError":  # redis.exceptions, a kind of ConnectionError
        return "Redis 拒绝了 REDIS_URL 中的密码 / Redis refused the credentials in REDIS_URL."
    if isinstance(exc, requests.ConnectionError):
        host = exc.request.url if exc.request is not None else "?"
        return f"无法连接同步服务（{host}） / Cannot reach the sync service at {host}."
    return _unreachable_redis()


class OpenDayGroup(click.Group):
    """Maps the errors above to one line, whichever subcommand (nested or not) raised them."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except Exception as exc:
            if not isinstance(exc, _unreachable_kinds()):
                raise
            click.echo(_refusal(exc), err=True)
        ctx.exit(1)


def find_redis(subcommand: str | None) -> None:
    """Before a subcommand runs: dev's Redis, unless it starts its own."""
    if subcommand not in STARTS_ITS_OWN:
        use_dev_redis()

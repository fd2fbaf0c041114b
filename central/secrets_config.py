"""Secrets the central services read at start: the session-signing key and the Redis
password. Each comes from an environment variable or, better for containers, a file
(a Docker secret) named by `<NAME>_FILE`, so no secret sits in Redis, its AOF or a
backup. Only `openday dev` (OPENDAY_SECRET_KEY_IN_REDIS=1) keeps a key in Redis.
"""

import os
import secrets
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

from central import keys

MISSING_SECRET_KEY = (
    "未设置会话签名密钥：请设置 OPENDAY_SECRET_KEY 或 OPENDAY_SECRET_KEY_FILE（见 docs/production.md）。"
    " / No session-signing key: set OPENDAY_SECRET_KEY or OPENDAY_SECRET_KEY_FILE (see docs/production.md)."
)


class MissingSecret(RuntimeError):
    """A secret production needs is not configured; the process must not start."""


def read_secret(name: str, environ=os.environ) -> str | None:
    """`name` from the environment, else the first line of the file `name`_FILE names (a
    Redis password file may hold more lines: the older passwords Redis still accepts
    while one is rotated, deploy/redis/start-redis.sh)."""
    if value := environ.get(name):
        return value
    if path := environ.get(f"{name}_FILE"):
        lines = [line.strip() for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]
        if not lines:
            raise MissingSecret(f"{name}_FILE ({path}) is empty")
        return lines[0]
    return None


def secret_key(config: dict, redis, environ=os.environ) -> str:
    """The key that signs session cookies: the app config's SECRET_KEY (from
    OPENDAY_SECRET_KEY), else OPENDAY_SECRET_KEY_FILE; for `openday dev` only, one made
    once and kept in Redis. Anything else refuses to start."""
    if key := config.get("SECRET_KEY") or read_secret("OPENDAY_SECRET_KEY", environ):
        return key
    if str(config.get("SECRET_KEY_IN_REDIS", "")).lower() in ("1", "true", "yes"):
        redis.set(keys.SECRET_KEY, secrets.token_hex(32), nx=True)
        return redis.get(keys.SECRET_KEY)
    raise MissingSecret(MISSING_SECRET_KEY)


def with_redis_credentials(url: str, environ=os.environ) -> str:
    """REDIS_URL with the ACL user and password added when the URL has none and
    OPENDAY_REDIS_PASSWORD(_FILE) is set (user: OPENDAY_REDIS_USER, default 'default')."""
    parts = urlsplit(url)
    password = read_secret("OPENDAY_REDIS_PASSWORD", environ)
    if parts.password or not password:
        return url
    user = quote(environ.get("OPENDAY_REDIS_USER") or parts.username or "default", safe="")
    host = parts.netloc.rpartition("@")[2]
    netloc = f"{user}:{quote(password, safe='')}@{host}"
    return urlunsplit(parts._replace(netloc=netloc))

"""Central settings, read once from the environment: the sync service and the worker
are built from the same config."""

import os
from pathlib import Path

from central.secrets_config import with_redis_credentials

REPO = Path(__file__).resolve().parent.parent
DEFAULTS = {
    "REDIS_URL": "redis://127.0.0.1:6379/0",  # REDIS_URL (no prefix), as every Redis tool reads it
    "PLAN_DIR": str(REPO / "examples"),  # OPENDAY_PLAN_DIR: every *.json in it is a day plan
    "MAX_CONTENT_LENGTH": 1024 * 1024 * 2,  # bytes of a request body (a batch is <= 1 MiB of events)
    "PROXY_HOPS": 0,  # OPENDAY_PROXY_HOPS: reverse proxies in front whose X-Forwarded-* are trusted
    "SESSION_COOKIE_SECURE": False,  # OPENDAY_SESSION_COOKIE_SECURE=true behind TLS (compose sets it)
}


def load_config(overrides: dict | None = None) -> dict:
    config = dict(DEFAULTS)
    if "REDIS_URL" in os.environ:
        config["REDIS_URL"] = os.environ["REDIS_URL"]
    if "OPENDAY_PLAN_DIR" in os.environ:
        config["PLAN_DIR"] = os.environ["OPENDAY_PLAN_DIR"]
    config["REDIS_URL"] = with_redis_credentials(config["REDIS_URL"])  # OPENDAY_REDIS_PASSWORD(_FILE)
    config.update(overrides or {})
    return config

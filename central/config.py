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
    "REDIS_CLUSTER": "",  # OPENDAY_REDIS_CLUSTER: seed nodes host:port,host:port; set = cluster mode
    "RQ_REDIS_URL": "",  # OPENDAY_RQ_REDIS_URL: RQ's own Redis (RQ has no Cluster); default REDIS_URL
    "WAIT_REPLICAS": None,  # OPENDAY_WAIT_REPLICAS: replicas a push waits for; default 1 clustered, 0 single
    "WAIT_TIMEOUT_MS": 500,  # OPENDAY_WAIT_TIMEOUT_MS: how long a push waits for them before a 503
    "ARCHIVE_DIR": "",  # OPENDAY_ARCHIVE_DIR: where archived days' files go (see docs/cluster.md)
    "ARCHIVE_AFTER_DAYS": 0,  # OPENDAY_ARCHIVE_AFTER_DAYS: archive days closed longer ago (0 = never)
}
FROM_ENV = {"REDIS_URL": "REDIS_URL", "PLAN_DIR": "OPENDAY_PLAN_DIR", "REDIS_CLUSTER": "OPENDAY_REDIS_CLUSTER",
            "RQ_REDIS_URL": "OPENDAY_RQ_REDIS_URL", "WAIT_REPLICAS": "OPENDAY_WAIT_REPLICAS",
            "WAIT_TIMEOUT_MS": "OPENDAY_WAIT_TIMEOUT_MS", "ARCHIVE_DIR": "OPENDAY_ARCHIVE_DIR",
            "ARCHIVE_AFTER_DAYS": "OPENDAY_ARCHIVE_AFTER_DAYS"}


def load_config(overrides: dict | None = None) -> dict:
    config = dict(DEFAULTS)
    config.update({name: os.environ[env] for name, env in FROM_ENV.items() if os.environ.get(env)})
    config["REDIS_URL"] = with_redis_credentials(config["REDIS_URL"])  # OPENDAY_REDIS_PASSWORD(_FILE)
    if config["RQ_REDIS_URL"]:
        config["RQ_REDIS_URL"] = with_redis_credentials(config["RQ_REDIS_URL"])
    config.update(overrides or {})
    return config


def rq_redis_url(config: dict) -> str:
    return config.get("RQ_REDIS_URL") or config["REDIS_URL"]


def wait_replicas(config: dict) -> int:
    """Replicas a push's WAIT asks for: the setting, else 1 with a cluster and 0 without."""
    value = config.get("WAIT_REPLICAS")
    return int(value) if value not in (None, "") else (1 if config.get("REDIS_CLUSTER") else 0)

"""Central settings, read once from the environment: the sync service and the worker
are built from the same config."""

import os
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULTS = {
    "REDIS_URL": "redis://127.0.0.1:6379/0",  # REDIS_URL (no prefix), as every Redis tool reads it
    "PLAN_DIR": str(REPO / "examples"),  # OPENDAY_PLAN_DIR: every *.json in it is a day plan
    "MAX_CONTENT_LENGTH": 1024 * 1024 * 2,  # bytes of a request body (a batch is <= 1 MiB of events)
}


def load_config(overrides: dict | None = None) -> dict:
    config = dict(DEFAULTS)
    if "REDIS_URL" in os.environ:
        config["REDIS_URL"] = os.environ["REDIS_URL"]
    if "OPENDAY_PLAN_DIR" in os.environ:
        config["PLAN_DIR"] = os.environ["OPENDAY_PLAN_DIR"]
    config.update(overrides or {})
    return config

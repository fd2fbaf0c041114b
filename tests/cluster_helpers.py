"""Central processes against a Redis Cluster: plans for several days, the coordinator who
reads them, the sync service and a worker with the cluster settings."""

import json
from contextlib import contextmanager
from pathlib import Path

from central.redis_client import data_redis
from sync_service.coordinators import add_coordinator
from tests.helpers import PLAN_PATH, READER, central_processes


def day_plans(folder: Path, names: list[str]) -> dict[str, Path]:
    """One copy of the example plan per day id (`<name>-2022-05-15`); day id -> plan file."""
    folder.mkdir(parents=True, exist_ok=True)
    plans = {}
    for name in names:
        plan = json.loads(PLAN_PATH.read_text(encoding="utf-8"))
        plan["day_id"] = f"{name}-2022-05-15"
        path = folder / f"{plan['day_id']}.json"
        path.write_text(json.dumps(plan, ensure_ascii=False), encoding="utf-8")
        plans[plan["day_id"]] = path
    return plans


def cluster_env(seeds: str, rq_url: str, plan_dir: Path, **extra: str) -> dict:
    return {"OPENDAY_REDIS_CLUSTER": seeds, "OPENDAY_RQ_REDIS_URL": rq_url, "REDIS_URL": rq_url,
            "OPENDAY_PLAN_DIR": str(plan_dir), **extra}


def grant_reader_on_cluster(seeds: str, days: list[str]) -> None:
    add_coordinator(data_redis({"REDIS_CLUSTER": seeds}), *READER, days)


@contextmanager
def central_on_cluster(env: dict, folder: Path, workers: int = 1):
    """Sync service (gunicorn) + `workers` rq workers with `env`; yields the sync service URL."""
    with central_processes(env, folder, sync_workers=2, rq_workers=workers) as url:
        yield url

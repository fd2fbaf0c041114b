"""docker-compose.yml stays true to the entry points: run each service's command here,
with the compose environment pointed at the test Redis, and check each comes up."""

import sys

import requests
import yaml
from redis import Redis
from rq import Worker

from openday.embedded_redis import free_port, redis_server_binary
from tests.helpers import REPO, Process, wait_until

COMPOSE = yaml.safe_load((REPO / "docker-compose.yml").read_text())["services"]


def _local(command: list[str]) -> list[str]:
    """`openday ...` in the container is this venv's `python -m openday ...` here."""
    if command[0] == "openday":
        return [sys.executable, "-m", "openday", *command[1:]]
    if command[0] == "redis-server":
        return [redis_server_binary(), *command[1:]]
    return command


def test_compose_services_use_our_entry_points():
    assert COMPOSE["sync_service"]["command"][:2] == ["openday", "sync-service"]
    assert COMPOSE["worker"]["command"] == ["openday", "worker"]
    assert COMPOSE["worker"]["deploy"]["replicas"] == 2
    assert "--appendonly" in COMPOSE["redis"]["command"]
    # A process that dies for any reason (out of memory, a bug) is started again.
    assert all(COMPOSE[name].get("restart") == "unless-stopped" for name in ("redis", "sync_service", "worker"))


def test_each_compose_service_comes_up(tmp_path, redis_url):
    port = free_port()
    redis_proc = Process(_local(COMPOSE["redis"]["command"]) + ["--port", str(port), "--dir", str(tmp_path)],
                         {}, tmp_path / "redis.log")
    try:
        wait_until(lambda: Redis(port=port).ping(), message="compose redis up")
        assert Redis(port=port).config_get("appendonly")["appendonly"] == "yes"
    finally:
        redis_proc.stop()

    web_port = free_port()
    env = {**COMPOSE["sync_service"]["environment"], "REDIS_URL": redis_url,
           "OPENDAY_PLAN_DIR": str(REPO / "examples"), "OPENDAY_BIND": f"127.0.0.1:{web_port}"}
    sync = Process(_local(COMPOSE["sync_service"]["command"]), env, tmp_path / "sync.log")
    worker_env = {**COMPOSE["worker"]["environment"], "REDIS_URL": redis_url,
                  "OPENDAY_PLAN_DIR": str(REPO / "examples")}
    workers = [Process(_local(COMPOSE["worker"]["command"]), worker_env, tmp_path / f"worker{i}.log")
               for i in range(COMPOSE["worker"]["deploy"]["replicas"])]
    try:
        health = wait_until(lambda: requests.get(f"http://127.0.0.1:{web_port}/healthz", timeout=1).json(),
                            message="sync service up")
        assert health["status"] == "ok"
        wait_until(lambda: len(Worker.all(connection=Redis.from_url(redis_url))) == 2, message="2 workers")
    finally:
        sync.stop()
        for worker in workers:
            worker.stop()

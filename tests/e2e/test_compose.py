"""docker-compose.yml stays true to the entry points and to the production promises: run
each service's command here with the compose environment (its /run/secrets files made in
a temporary folder, Redis through deploy/redis/start-redis.sh) and check each comes up
and passes its own healthcheck; only the proxy publishes ports."""

import os
import subprocess
import sys

import pytest
import redis as redis_py
import requests
import yaml
from redis import Redis
from redis.backoff import NoBackoff
from redis.retry import Retry
from rq import Worker

from openday.embedded_redis import free_port, redis_server_binary
from tests.helpers import REPO, Process, wait_until
from tests.tls_proxy import TEMPLATE

COMPOSE_FILE = yaml.safe_load((REPO / "docker-compose.yml").read_text())
COMPOSE = COMPOSE_FILE["services"]
DOCKERFILE = (REPO / "Dockerfile").read_text()


def _local(command: list[str], mounts: dict[str, str] | None = None) -> list[str]:
    """`openday ...` in the container is this venv's `python -m openday ...` here; files
    mounted into a container are the repository's."""
    command = [(mounts or {}).get(part, part) for part in command]
    if command[0] == "openday":
        return [sys.executable, "-m", "openday", *command[1:]]
    return command


def _mounts(service: str) -> dict[str, str]:
    """Container path -> repository path of the service's ./ bind mounts."""
    pairs = [volume.split(":")[:2] for volume in COMPOSE[service].get("volumes", [])]
    return {inside: str(REPO / outside.removeprefix("./")) for outside, inside in pairs if outside.startswith("./")}


@pytest.fixture
def secrets(tmp_path):
    """Each compose secret as a file, and the env mapping /run/secrets/NAME to it."""
    folder = tmp_path / "secrets"
    folder.mkdir()
    files = {}
    for name in COMPOSE_FILE["secrets"]:
        files[f"/run/secrets/{name}"] = folder / name
        files[f"/run/secrets/{name}"].write_text(f"{name}-value-for-tests\n")
    return {inside: str(path) for inside, path in files.items()}


def _env(service: str, secrets: dict[str, str], **extra: str) -> dict[str, str]:
    env = {key: secrets.get(str(value), str(value)) for key, value in COMPOSE[service]["environment"].items()}
    return {**env, "OPENDAY_PLAN_DIR": str(REPO / "examples"), **extra}


def test_compose_services_use_our_entry_points():
    assert COMPOSE["sync_service"]["command"][:2] == ["openday", "sync-service"]
    assert COMPOSE["worker"]["command"] == ["openday", "worker"]
    assert COMPOSE["worker"]["deploy"]["replicas"] == 2
    assert "--appendonly" in COMPOSE["redis"]["command"]
    assert _mounts("redis")[COMPOSE["redis"]["command"][1]] == str(REPO / "deploy" / "redis" / "start-redis.sh")
    # A process that dies for any reason (out of memory, a bug) is started again.
    assert all(service.get("restart") == "unless-stopped" for service in COMPOSE.values())


def test_only_the_proxy_is_published_and_every_service_is_checked():
    assert [name for name, service in COMPOSE.items() if "ports" in service] == ["proxy"]
    assert all("healthcheck" in service for service in COMPOSE.values())
    assert _mounts("proxy")["/etc/nginx/templates/openday.conf.template"] == str(TEMPLATE)  # the tested file
    sync = COMPOSE["sync_service"]["environment"]
    assert sync["OPENDAY_PROXY_HOPS"] == "1" and sync["OPENDAY_SESSION_COOKIE_SECURE"] == "true"
    # Secrets come from files, never from values in the compose file.
    for service in COMPOSE.values():
        env = service.get("environment", {})
        assert not {"OPENDAY_SECRET_KEY", "OPENDAY_METRICS_TOKEN", "OPENDAY_REDIS_PASSWORD"} & set(env)
        assert "@" not in env.get("REDIS_URL", "")
    assert "\nUSER openday" in DOCKERFILE and "\nHEALTHCHECK " in DOCKERFILE
    assert "--require-hashes -r requirements/central.lock" in DOCKERFILE


def test_each_compose_service_comes_up(tmp_path, secrets):
    port = free_port()
    redis_env = {"REDIS_SYNC_PASSWORD_FILE": secrets["/run/secrets/redis_sync_password"],
                 "REDIS_WORKER_PASSWORD_FILE": secrets["/run/secrets/redis_worker_password"],
                 "REDIS_ACL_FILE": str(tmp_path / "users.acl"), "REDIS_SERVER": redis_server_binary()}
    redis_proc = Process(_local(COMPOSE["redis"]["command"], _mounts("redis")) + ["--port", str(port), "--dir",
                         str(tmp_path)], redis_env, tmp_path / "redis.log")
    redis_url = f"redis://127.0.0.1:{port}/0"
    web_port = free_port()
    sync = worker_env = None
    processes = [redis_proc]
    try:
        cli, *options = COMPOSE["redis"]["healthcheck"]["test"][1:]
        health = [cli, "-p", str(port), *options]
        wait_until(lambda: subprocess.run(health, capture_output=True, text=True).stdout.strip() == "PONG",
                   message="compose redis healthy")
        with pytest.raises(redis_py.AuthenticationError):
            Redis(port=port, retry=Retry(NoBackoff(), 0)).ping()

        env = _env("sync_service", secrets, REDIS_URL=redis_url, OPENDAY_BIND=f"127.0.0.1:{web_port}")
        sync = Process(_local(COMPOSE["sync_service"]["command"]), env, tmp_path / "sync.log")
        worker_env = _env("worker", secrets, REDIS_URL=redis_url)
        processes += [sync] + [Process(_local(COMPOSE["worker"]["command"]), worker_env, tmp_path / f"worker{i}.log")
                               for i in range(COMPOSE["worker"]["deploy"]["replicas"])]
        answer = wait_until(lambda: requests.get(f"http://127.0.0.1:{web_port}/healthz", timeout=1).json(),
                            message="sync service up")
        assert answer["status"] == "ok"
        as_sync = Redis.from_url(f"redis://openday-sync:redis_sync_password-value-for-tests@127.0.0.1:{port}/0")
        wait_until(lambda: len(Worker.all(connection=as_sync)) == 2, message="2 workers")
        sync_check = [part.replace("127.0.0.1:8700", f"127.0.0.1:{web_port}")
                      for part in COMPOSE["sync_service"]["healthcheck"]["test"][1:]]
        assert subprocess.run(_local(sync_check), env={**os.environ, **env}, capture_output=True).returncode == 0
        assert subprocess.run(_local(COMPOSE["worker"]["healthcheck"]["test"][1:]), env={**os.environ, **worker_env},
                              capture_output=True).returncode == 0
    finally:
        for process in processes:
            process.stop()

"""`openday dev`: the whole system on one machine — Redis, sync service, worker and one
field app — as separate processes, the same entry points docker-compose.yml runs."""

import json
import os
import secrets
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import requests
from redis import Redis

from openday.dev_console import follow_all
from openday.dev_redis import remove_dev_redis, write_dev_redis
from openday.embedded_redis import EmbeddedRedis
from shared.plan import load_plan
from sync_service.coordinators import add_coordinator
from sync_service.devices.tokens import Device, register_device


def spawn(args: list[str], env: dict, log_path: Path | None = None) -> subprocess.Popen:
    """A child `openday` process; with `log_path`, its output goes to that file, not the console."""
    if log_path is None:
        return subprocess.Popen([sys.executable, "-m", "openday", *args], env=env, start_new_session=True)
    with open(log_path, "ab") as log:  # the child keeps its own copy of the descriptor
        return subprocess.Popen([sys.executable, "-m", "openday", *args], env=env, start_new_session=True,
                                stdout=log, stderr=subprocess.STDOUT)


def wait_http(url: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if requests.get(url, timeout=1).ok:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {timeout:.0f} s")


def stop_all(processes: list[subprocess.Popen]) -> None:
    for process in processes:
        if process.poll() is None:
            process.terminate()
    for process in processes:
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def dev_device(redis_url: str, data_dir: Path, plan) -> dict:
    """One enrolled laptop for the local run, kept across runs in the data folder."""
    path = data_dir / "dev-device.json"
    if path.exists():
        device = json.loads(path.read_text())
    else:
        device = {"device_id": "dev-laptop-1", "booth_id": plan.keys("booths")[0], "day_id": plan.day_id}
    device["token"] = register_device(
        Redis.from_url(redis_url, decode_responses=True),
        Device(device["device_id"], device["booth_id"], device["day_id"]),
    )
    path.write_text(json.dumps(device))
    return device


def dev_coordinator(redis_url: str, data_dir: Path, plan) -> dict:
    """A coordinator account for the local dashboard, its password kept in the data folder."""
    path = data_dir / "dev-coordinator.json"
    if path.exists():
        account = json.loads(path.read_text())
    else:
        account = {"username": "dev", "password": secrets.token_urlsafe(12)}
    add_coordinator(Redis.from_url(redis_url, decode_responses=True), account["username"], account["password"],
                    [plan.day_id])
    path.write_text(json.dumps(account))
    path.chmod(0o600)
    return account


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def _start_redis(data_dir: Path) -> tuple[EmbeddedRedis | None, str]:
    """REDIS_URL when set, else the embedded Redis (its URL recorded for the other commands)."""
    if url := os.environ.get("REDIS_URL"):
        return None, url
    server = EmbeddedRedis(data_dir / "redis", port=int(os.environ.get("OPENDAY_REDIS_PORT") or 0) or None)
    url = server.start().url
    write_dev_redis(data_dir, url)
    return server, url


def _field_env(env: dict, data_dir: Path, plan_path: str, sync_url: str, device: dict) -> dict:
    return {**env, "OPENDAY_FIELD_DB": str(data_dir / "field.sqlite3"), "OPENDAY_PLAN": plan_path,
            "OPENDAY_SYNC_URL": sync_url, "OPENDAY_DEVICE_ID": device["device_id"],
            "OPENDAY_BOOTH_ID": device["booth_id"], "OPENDAY_DEVICE_TOKEN": device["token"]}


def _print_urls(redis_url, sync_url, field_url, plan, device, account, logs: Path) -> None:
    print(f"redis         {redis_url}", flush=True)
    print(f"sync service  {sync_url}   (totals, for the coordinator below: "
          f"{sync_url}/api/v1/days/{plan.day_id}/totals)", flush=True)
    print(f"field app     {field_url}   (booth page for {device['booth_id']})", flush=True)
    print(f"dashboard     {sync_url}/dashboard/days/{plan.day_id}   "
          f"(coordinator {account['username']}, password {account['password']})", flush=True)
    print(f"logs          {logs}/   (this console shows syncs and errors only)", flush=True)
    print("Ctrl-C stops everything.", flush=True)


def run_dev(data_dir: Path, sync_port: int, field_port: int, plan_path: str) -> None:
    data_dir.mkdir(parents=True, exist_ok=True)
    (logs := data_dir / "logs").mkdir(exist_ok=True)
    signal.signal(signal.SIGTERM, _interrupt)  # a supervisor's stop is a Ctrl-C: clean up children
    redis_server, redis_url = _start_redis(data_dir)
    plan = load_plan(plan_path)
    device = dev_device(redis_url, data_dir, plan)
    account = dev_coordinator(redis_url, data_dir, plan)
    sync_url, field_url = f"http://127.0.0.1:{sync_port}", f"http://127.0.0.1:{field_port}"
    env = {**os.environ, "REDIS_URL": redis_url, "OPENDAY_PLAN_DIR": str(Path(plan_path).parent),
           "OPENDAY_SECRET_KEY_IN_REDIS": "1"}  # one machine, no secrets to manage: the key lives in Redis
    files = {name: logs / f"{name}.log" for name in ("sync-service", "worker", "field-app")}
    processes = [
        spawn(["sync-service", "--bind", f"127.0.0.1:{sync_port}"], env, files["sync-service"]),
        spawn(["worker"], env, files["worker"]),
        spawn(["field-app", "--port", str(field_port)], _field_env(env, data_dir, plan_path, sync_url, device),
              files["field-app"]),
    ]
    stop = threading.Event()
    try:
        follow_all(files, stop)
        wait_http(f"{sync_url}/healthz")
        wait_http(f"{field_url}/api/status")
        _print_urls(redis_url, sync_url, field_url, plan, device, account, logs)
        while all(p.poll() is None for p in processes):
            time.sleep(0.5)
        print("a process exited; stopping the rest", file=sys.stderr)
    except KeyboardInterrupt:
        print("\nstopping ...", flush=True)
    finally:
        stop.set()
        stop_all(processes)
        if redis_server:
            remove_dev_redis(data_dir)
            redis_server.stop()

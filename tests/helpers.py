"""Helpers for tests against real processes: start them, wait boundedly, stop them."""

import os
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import requests

REPO = Path(__file__).resolve().parent.parent
PLAN_PATH = REPO / "examples" / "heping-2022-05-15.json"
DAY = "heping-2022-05-15"
# A coordinator granted DAY: the central's totals and live feed are not public (citizens' words),
# so tests read them as this account (running_central() creates it).
READER = ("observer", "observer-password")
READER_ARGS = ("--user", READER[0], "--password", READER[1])  # for `openday simulate`


def wait_until(check, timeout: float = 20.0, interval: float = 0.05, message: str = "condition"):
    """Poll `check()` until it returns a truthy value; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            last = check()
            if last:
                return last
        except (requests.RequestException, ConnectionError, OSError):
            last = None
        time.sleep(interval)
    raise AssertionError(f"{message} not reached within {timeout} s (last: {last!r})")


class Process:
    """A real child process with its output in a log file, stopped for sure on exit."""

    def __init__(self, args: list[str], env: dict, log_path: Path):
        self.log_path = log_path
        self.log = open(log_path, "wb")  # noqa: SIM115 - closed in stop()
        self.popen = subprocess.Popen(args, env={**os.environ, **env}, stdout=self.log,
                                      stderr=subprocess.STDOUT, start_new_session=True)

    def alive(self) -> bool:
        return self.popen.poll() is None

    def stop(self, sig=signal.SIGTERM, timeout: float = 15) -> int:
        if self.alive():
            os.killpg(self.popen.pid, sig)
            try:
                self.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.popen.pid, signal.SIGKILL)
                self.popen.wait()
        self.log.close()
        return self.popen.returncode

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")


def openday(*args: str) -> list[str]:
    return [sys.executable, "-m", "openday", *args]


def grant_reader(redis_url: str, day_id: str = DAY) -> None:
    from redis import Redis

    from sync_service.coordinators import add_coordinator

    with Redis.from_url(redis_url, decode_responses=True) as redis:
        add_coordinator(redis, *READER, [day_id])


def central_totals(url: str, day_id: str = DAY, **params: str) -> dict:
    """The central totals document, read as READER."""
    response = requests.get(f"{url}/api/v1/days/{day_id}/totals", params=params, auth=READER, timeout=10)
    response.raise_for_status()
    return response.json()


@contextmanager
def running_central(redis_url: str, folder: Path, **env: str):
    """Sync service (gunicorn, one worker process) + one rq worker against `redis_url`,
    with extra OPENDAY_* settings in `env` and the READER account; yields the sync service
    URL, stops both after."""
    grant_reader(redis_url)
    env = {"REDIS_URL": redis_url, "OPENDAY_PLAN_DIR": str(PLAN_PATH.parent), **env}
    with central_processes(env, folder) as url:
        yield url


@contextmanager
def central_processes(env: dict, folder: Path, sync_workers: int = 1, rq_workers: int = 1):
    """The sync service (gunicorn, `sync_workers` processes) + `rq_workers` rq workers with
    `env`, logging into `folder`; yields the sync service URL, stops them all after."""
    from openday.embedded_redis import free_port

    port = free_port()
    processes = [Process(openday("sync-service", "--bind", f"127.0.0.1:{port}", "--workers", str(sync_workers)),
                         env, folder / "sync.log")]
    processes += [Process(openday("worker"), env, folder / f"worker-{n}.log") for n in range(rq_workers)]
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: requests.get(f"{url}/healthz", timeout=1).ok, message="sync service up")
        yield url
    finally:
        for process in processes:
            process.stop()

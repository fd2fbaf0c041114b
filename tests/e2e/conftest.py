"""The real system as processes: sync service (gunicorn), worker (rq) and field apps,
each started with the `openday` command exactly as a person or docker-compose runs it."""

import pytest
import requests

from openday.embedded_redis import free_port
from sync_service.devices.tokens import Device, register_device
from tests.helpers import DAY, PLAN_PATH, Process, openday, running_central, wait_until


@pytest.fixture
def central(redis_url, tmp_path):
    """Sync service + one worker against the test Redis; yields the sync service URL."""
    with running_central(redis_url, tmp_path) as url:
        yield url


@pytest.fixture
def field_app_factory(redis, tmp_path):
    """Start field apps enrolled at a sync service; all are stopped after the test."""
    started = []

    def start(sync_url: str, device_id: str = "laptop-a", booth_id: str = "shashan", **env) -> tuple[str, str]:
        token = register_device(redis, Device(device_id, booth_id, DAY))
        port = free_port()
        process = Process(openday("field-app", "--port", str(port)), {
            "OPENDAY_FIELD_DB": str(tmp_path / f"{device_id}.sqlite3"),
            "OPENDAY_PLAN": str(PLAN_PATH),
            "OPENDAY_SYNC_URL": sync_url,
            "OPENDAY_DEVICE_ID": device_id,
            "OPENDAY_BOOTH_ID": booth_id,
            "OPENDAY_DEVICE_TOKEN": token,
            "OPENDAY_PUSH_INTERVAL": "0.2",
            **env,
        }, tmp_path / f"field-{device_id}.log")
        started.append(process)
        url = f"http://127.0.0.1:{port}"
        wait_until(lambda: requests.get(f"{url}/api/status", timeout=1).ok, message="field app up")
        return url, token

    yield start
    for process in started:
        process.stop()

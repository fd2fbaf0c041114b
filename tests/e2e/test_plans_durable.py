"""Plans made through the CLI and the API survive Redis SIGKILLed and restarted from its AOF,
and a sync service and worker started afterwards with an empty OPENDAY_PLAN_DIR serve them."""

import json
import os
import signal
import subprocess

import pytest
import requests

from central.plan_workbook import plan_to_workbook
from openday.embedded_redis import EmbeddedRedis
from sync_service.app import create_app
from tests.helpers import PLAN_PATH, openday, running_central

pytestmark = pytest.mark.e2e
DAY = "heping-2024-05-15"
ORG = ("org", "organiser pass")


def _cli(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(openday(*args), env={**os.environ, **env}, capture_output=True, text=True, timeout=60)


def test_plans_survive_a_killed_redis_and_serve_from_an_empty_plan_dir(tmp_path):
    empty = tmp_path / "no-plans"
    empty.mkdir()
    raw = {**json.loads(PLAN_PATH.read_text(encoding="utf-8")), "day_id": DAY, "date": "2024-05-15"}
    workbook = tmp_path / "day.xlsx"
    workbook.write_bytes(plan_to_workbook(raw))
    redis = EmbeddedRedis(tmp_path / "redis").start()
    env = {"REDIS_URL": redis.url, "OPENDAY_PLAN_DIR": str(empty), "OPENDAY_COORDINATOR_PASSWORD": ORG[1]}
    try:
        assert "organiser org" in _cli(env, "coordinator", "add", "org", "--admin").stdout
        imported = _cli(env, "plan", "import", str(workbook))
        assert imported.returncode == 0, imported.stderr
        assert json.loads(imported.stdout)["version"] == 1
        api = create_app({"REDIS_URL": redis.url, "PLAN_DIR": str(empty)}).test_client()  # the same app, in-process
        plan = api.get(f"/api/v1/days/{DAY}/plan", auth=ORG).json
        plan["topics"].append({"id": "yanglao", "zh": "养老服务", "en": "Elderly care"})
        saved = api.put(f"/api/v1/days/{DAY}/plan", json=plan, auth=ORG, headers={"If-Match": '"1"'})
        assert saved.status_code == 200 and saved.json["version"] == 2
        redis.process.send_signal(signal.SIGKILL)  # no shutdown: what is in the AOF is all there is
        redis.process.wait(10)
        redis = EmbeddedRedis(tmp_path / "redis", port=redis.port).start()
        with running_central(redis.url, tmp_path, OPENDAY_PLAN_DIR=str(empty)) as url:
            after = requests.get(f"{url}/api/v1/days/{DAY}/plan", auth=ORG, timeout=10)
            assert after.headers["ETag"] == '"2"' and after.json()["topics"][-1]["id"] == "yanglao"
            versions = requests.get(f"{url}/api/v1/days/{DAY}/plan/versions", auth=ORG, timeout=10).json()["versions"]
            assert [(v["version"], v["by"]) for v in versions] == [(1, "cli"), (2, "org")]
            assert DAY in requests.get(f"{url}/healthz", timeout=10).json()["days"]
        exported = _cli(env, "plan", "export", DAY, str(tmp_path / "out.json"))
        assert exported.returncode == 0, exported.stderr
        assert json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))["topics"] == plan["topics"]
    finally:
        redis.stop()

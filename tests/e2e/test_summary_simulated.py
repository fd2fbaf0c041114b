"""The summary of a day made by `openday simulate` (offline spells, a laptop that syncs
only at the end, duplicate pushes): closed with `openday close-day`, its figures equal the
simulator's ground truth, and each figure's sentence is in the paragraph."""

import json
import os
import subprocess

import requests

from shared.plan import load_plan
from shared.summary_text import round_count
from sync_service.coordinators import add_coordinator
from tests.helpers import DAY, PLAN_PATH, openday, wait_until

AUTH = ("office", "correct horse")


def test_summary_of_a_simulated_day_equals_its_ground_truth(central, redis, redis_url, tmp_path):
    add_coordinator(redis, *AUTH, [DAY])
    truth_path = tmp_path / "truth.json"
    env = {**os.environ, "REDIS_URL": redis_url, "OPENDAY_COORDINATOR_USER": AUTH[0],
           "OPENDAY_COORDINATOR_PASSWORD": AUTH[1]}
    made = subprocess.run(openday("simulate", "--sync-url", central, "--truth", str(truth_path), "--seed", "15",
                                  "--size", "0.4", "--offline", "1", "--late", "1", "--duplicates", "0.2"),
                          capture_output=True, text=True, timeout=300, env=env)
    assert made.returncode == 0, made.stdout + made.stderr
    truth = json.loads(truth_path.read_text())["figures"]

    closed = subprocess.run(openday("close-day", "--day", DAY), capture_output=True, text=True, timeout=60, env=env)
    assert closed.returncode == 0, closed.stderr
    summary = wait_until(lambda: (r := requests.get(f"{central}/api/v1/days/{DAY}/summary", auth=AUTH, timeout=10))
                         .ok and r.json(), timeout=60, message="the summary")
    values = summary["content"]["values"]
    whole_day = {k: v for k, v in truth.items()
                 if k.split(".")[0] in ("visitors", "inquiries", "materials", "feedback") and "remaining" not in k}
    assert whole_day, truth
    for name, value in whole_day.items():
        assert values.get(name, 0) == value, name
    assert summary["content"]["figures"]["log_entries"] == truth["log_entries"]

    plan, zh = load_plan(PLAN_PATH), summary["content"]["text"]["zh"]
    for material in ("leaflet", "handbook", "poster"):
        count = truth.get(f"materials.distributed.{material}", 0)
        if count:
            measure = plan.item("materials", material)["measure"]["zh"]
            assert round_count(count).zh(measure) in zh, (material, count, zh)
    assert f"受理解答各类政策咨询{round_count(truth['inquiries.total']).zh('件')}" in zh
    assert f"接待现场咨询群众{round_count(truth['visitors']).zh('人')}" in zh

"""`openday simulate` drives a generated day through the real processes, and
`openday simulate --check` agrees with the central totals — and fails, with a readable
diff, when the fold counts one event twice."""

import json
import subprocess

from central import keys
from central.projection import fold_chunk
from shared.plan import load_plan
from tests.helpers import DAY, PLAN_PATH, READER_ARGS, openday


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(openday(*args), capture_output=True, text=True, timeout=180)


def _double_apply_one_distribution(redis) -> dict:
    """A deliberately broken fold: the last material hand-out in the log is folded again."""
    entries = redis.xrange(keys.log(DAY))
    index = max(i for i, (_, f) in enumerate(entries) if json.loads(f["e"])["type"] == "material.distributed")
    checkpoint = redis.get(keys.checkpoint(DAY))
    assert checkpoint == entries[-1][0], "the fold has caught up with the log"
    redis.set(keys.checkpoint(DAY), entries[index - 1][0])
    assert fold_chunk(redis, DAY, load_plan(PLAN_PATH), chunk=1) == 1
    redis.set(keys.checkpoint(DAY), checkpoint)
    return json.loads(entries[index][1]["e"])


def test_simulated_day_checks_exact_and_a_double_applied_event_fails_the_check(central, redis_url, redis, tmp_path):
    truth = tmp_path / "truth.json"
    made = _run("simulate", *READER_ARGS, "--sync-url", central, "--redis-url", redis_url, "--truth", str(truth),
                "--seed", "7", "--size", "0.3", "--laptops-per-booth", "3", "--offline", "2", "--late", "1",
                "--skew-hours", "0", "--duplicates", "0.3", "--push-every", "300", "--unknown-keys", "3")
    assert made.returncode == 0, made.stdout + made.stderr
    document = json.loads(truth.read_text())
    assert document["run"]["duplicate_pushes"] > 0 and document["run"]["duplicates"] > 0
    assert any(laptop["offline"] for laptop in document["laptops"])
    assert any(laptop["syncs_only_at_end"] for laptop in document["laptops"])
    assert document["figures"]["log_entries"] == redis.xlen(keys.log(DAY))
    assert document["figures"]["quarantined"] == 3  # kept, acked, not counted

    anonymous = _run("simulate", "--check", "--sync-url", central, "--truth", str(truth))
    assert anonymous.returncode == 1 and "--user" in anonymous.stderr and "Traceback" not in anonymous.stderr
    checked = _run("simulate", *READER_ARGS, "--check", "--sync-url", central, "--truth", str(truth))
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "every figure is exact" in checked.stdout

    event = _double_apply_one_distribution(redis)
    material, quantity = event["payload"]["material"], event["payload"]["quantity"]
    broken = _run("simulate", *READER_ARGS, "--check", "--sync-url", central, "--truth", str(truth), "--wait", "1")
    assert broken.returncode == 1, broken.stdout + broken.stderr
    lines = broken.stdout.splitlines()
    assert "figure(s) differ" in lines[0]
    row = next(line.split() for line in lines if line.split()[0] == f"materials.distributed.{material}")
    assert row[3] == f"{quantity:+,}"
    assert int(row[2].replace(",", "")) - int(row[1].replace(",", "")) == quantity
    assert any(line.split()[0] == f"by_booth.{event['booth_id']}.materials.distributed.{material}" for line in lines)

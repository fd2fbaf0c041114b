"""A laptop whose clock is hours off: its entries land in the right hours centrally."""

import json
import subprocess

from tests.helpers import READER_ARGS, openday


def test_a_laptop_clock_hours_off_is_corrected_in_the_hours(central, redis_url, tmp_path):
    truth = tmp_path / "truth.json"
    made = subprocess.run(openday("simulate", *READER_ARGS, "--sync-url", central, "--redis-url", redis_url,
                                  "--truth", str(truth),
                                  "--seed", "9", "--size", "0.3", "--skew-hours", "3", "--push-every", "300"),
                          capture_output=True, text=True, timeout=180)
    assert made.returncode == 0, made.stdout + made.stderr
    assert [lt["clock_skew_ms"] for lt in json.loads(truth.read_text())["laptops"]].count(3 * 3_600_000) == 1
    checked = subprocess.run(openday("simulate", *READER_ARGS, "--check", "--sync-url", central, "--truth", str(truth)),
                             capture_output=True, text=True, timeout=120)
    assert checked.returncode == 0, checked.stdout + checked.stderr

"""The acceptance day: the Open Day of summary one (two booths, nine departments,
~2,600 leaflets, ~1,000 handbooks, ~200 posters, ~400 inquiries, ~300 visitors),
recorded entry by entry on real field app processes, with a laptop offline for a spell,
one that syncs only at the end and re-sent pushes. The central totals must be exact."""

import json
import subprocess

from central import keys
from shared.plan import load_plan
from tests.helpers import DAY, PLAN_PATH, READER_ARGS, openday


def test_acceptance_day_through_field_apps_is_exact(central, redis_url, redis, tmp_path):
    truth = tmp_path / "truth.json"
    made = subprocess.run(openday(
        "simulate", *READER_ARGS, "--via", "field-app", "--sync-url", central, "--redis-url", redis_url,
        "--truth", str(truth),
        "--work-dir", str(tmp_path / "laptops"), "--seed", "2022", "--size", "1.0", "--laptops-per-booth", "2",
        "--offline", "1", "--late", "1", "--duplicates", "0.2", "--push-every", "300",
    ), capture_output=True, text=True, timeout=300)
    assert made.returncode == 0, made.stdout + made.stderr
    document = json.loads(truth.read_text())
    figures = document["figures"]

    # It is the day of summary one: 2600余份, 1000余册, 200余张, 近400件, 300余人, two booths, nine departments.
    assert 2600 <= figures["materials.distributed.leaflet"] < 2700
    assert 1000 <= figures["materials.distributed.handbook"] < 1100
    assert 200 <= figures["materials.distributed.poster"] < 300
    assert 350 < figures["inquiries.total"] < 400
    assert 300 <= figures["visitors"] < 400
    assert {k.split(".")[1] for k in figures if k.startswith("by_booth.")} == set(load_plan(PLAN_PATH).keys("booths"))
    assert len([k for k in figures if k.startswith("inquiries.by_department.")]) == 9
    assert figures["voided"] > 0 and figures["feedback.hot_issues"] > 0
    assert document["run"]["duplicate_pushes"] > 0
    assert sum(1 for lt in document["laptops"] if lt["offline"] or lt["syncs_only_at_end"]) == 2
    assert redis.xlen(keys.log(DAY)) == figures["log_entries"]

    checked = subprocess.run(openday("simulate", *READER_ARGS, "--check", "--sync-url", central, "--truth", str(truth)),
                             capture_output=True, text=True, timeout=120)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "every figure is exact" in checked.stdout

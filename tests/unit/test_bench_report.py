"""The bench table's contract: every bench module's figures are well formed, and the
performance table in docs/performance.md is exactly the one bench/run made from latest.json."""

import importlib

from bench import report


def test_readme_performance_table_matches_latest_json():
    assert report.readme_table() == report.markdown_table(report.load_latest())


def test_latest_json_has_the_shape_other_issues_build_to():
    latest = report.load_latest()
    assert {"machine", "figures"} <= set(latest)
    assert latest["machine"]["cores"] >= 1
    names = [f["name"] for f in latest["figures"]]
    assert len(names) == len(set(names)), "figure names must be unique"
    for figure in latest["figures"]:
        assert set(report.FIELDS) <= set(figure), figure
        if figure["limit"]:
            assert abs(figure["ratio"] - figure["value"] / figure["limit"]) < 1e-9


def test_every_bench_module_exposes_run():
    for name in report.bench_modules():
        assert callable(importlib.import_module(name).run), name


def test_readme_rewrite_replaces_only_the_marked_table(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text(f"# Title\nbefore\n{report.BEGIN}\nold table\n{report.END}\nafter\n", encoding="utf-8")
    result = {"machine": {"date": "2026-11-25T21:00:00+00:00", "cpu": "cpu", "cores": 2, "load_avg_1m_at_start": 1.0,
                          "python": "3.11", "sqlite": "3.40", "redis_server": "6.2"},
              "figures": [{"name": "fold.per_s", "value": 12345.6, "unit": "events/s",
                           "limit_name": "limit.redis.xrange.per_s", "limit": 100000.0, "ratio": 0.123456}]}
    assert report.rewrite_readme(result, readme)
    text = readme.read_text(encoding="utf-8")
    assert text.startswith("# Title\nbefore\n") and text.endswith("\nafter\n")
    assert "old table" not in text
    assert ("| `fold.per_s` | 12,346 | events/s | `limit.redis.xrange.per_s` | 100,000 | 0.12 "
            "| #6 ≥ 100,000: MISSED, #19 ≥ 0.4 ratio: MISSED |") in text
    assert not report.rewrite_readme(result, readme)  # idempotent


def test_goal_cells_say_met_or_missed_on_value_and_ratio():
    row = {"name": "sync.backlog10k.per_s", "value": 16_000.0, "ratio": 0.15}
    assert report.goal_cell(row) == "#5 ≥ 10,000: met, #5 ≥ 0.2 ratio: MISSED, #19 ≥ 0.7 ratio: MISSED"
    row = {"name": "sync.backlog10k.per_s", "value": 16_000.0, "ratio": 0.70}
    assert report.goal_cell(row).endswith("#19 ≥ 0.7 ratio: met")
    assert report.goal_cell({"name": "dashboard.load_100k_cold.ms", "value": 999.0, "ratio": None}) == \
        "#7 < 1,000: met, #19 ≤ 300: MISSED"
    assert report.goal_cell({"name": "day.redis.mib_per_100k_events", "value": 30.0, "ratio": None}) == "#19 ≤ 30: met"
    assert report.goal_cell({"name": "dashboard.load_100k_cold.ms", "value": 1000.0, "ratio": None}).endswith("MISSED")
    assert report.goal_cell({"name": "day.push.p95_ms", "value": 1.0, "ratio": None}) == "—"

"""`openday plan import|export|template` against a real Redis (click's runner in-process)."""

import json

from click.testing import CliRunner

from central.plan_store import list_versions
from central.plan_workbook import workbook_to_plan
from openday.cli import main
from tests.helpers import PLAN_PATH

DAY = "heping-2027-05-15"


def test_import_creates_then_versions_a_day_and_export_writes_json_or_excel(redis, redis_url, tmp_path, monkeypatch):
    monkeypatch.setenv("REDIS_URL", redis_url)
    monkeypatch.setenv("OPENDAY_PLAN_DIR", str(tmp_path))  # nothing to import from
    run = CliRunner().invoke
    created = run(main, ["plan", "import", str(PLAN_PATH), "--day", DAY, "--by", "office"])
    assert created.exit_code == 0, created.output
    assert json.loads(created.output)["version"] == 1
    edited = json.loads(PLAN_PATH.read_text(encoding="utf-8"))
    edited["materials"][0]["low_stock"] = 50
    (tmp_path / "edited.json").write_text(json.dumps(edited, ensure_ascii=False), encoding="utf-8")
    again = run(main, ["plan", "import", str(tmp_path / "edited.json"), "--day", DAY])
    assert again.exit_code == 0, again.output
    assert json.loads(again.output)["changes"] == [{"field": "materials", "key": "leaflet", "change": "changed"}]
    assert [(v["version"], v["by"]) for v in list_versions(redis, DAY)] == [(1, "office"), (2, "cli")]
    assert run(main, ["plan", "export", DAY, str(tmp_path / "out.xlsx")]).exit_code == 0
    assert workbook_to_plan((tmp_path / "out.xlsx").read_bytes())["materials"][0]["low_stock"] == 50
    assert run(main, ["plan", "export", DAY, str(tmp_path / "v1.json"), "--version", "1"]).exit_code == 0
    assert json.loads((tmp_path / "v1.json").read_text(encoding="utf-8"))["materials"][0]["low_stock"] == 200
    broken = run(main, ["plan", "import", str(tmp_path / "out.xlsx"), "--day", "Not A Day"])
    assert broken.exit_code == 1 and "day_id" in broken.output and " / " in broken.output
    missing = run(main, ["plan", "export", "no-such-day", str(tmp_path / "x.json")])
    assert missing.exit_code == 1 and "no plan for no-such-day" in missing.output

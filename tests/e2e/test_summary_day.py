"""After the day, end to end: a day modelled on summary one is recorded through real field
apps, synced, closed with `openday close-day`; the summary's figures equal the ground truth
and its paragraph reads like the seed's. A laptop that was offline syncs after the close
and makes a second version that says what changed. Exports are read back."""

import csv
import io
import json
import os
import subprocess

import requests
from docx import Document

from sync_service.coordinators import add_coordinator
from tests.helpers import DAY, openday, wait_until
from tests.summary_day import DEVICES, EXPECTED_EN_PHRASES, EXPECTED_ZH_PHRASES, generate_day, ground_truth

AUTH = ("office", "correct horse")
ON_TIME = ("laptop-a", "laptop-b", "laptop-c")


def _record(field_url: str, items: list[dict]) -> None:
    """Type the entries into a laptop, as staff do; voids name the event the laptop made."""
    made = []
    for item in items:
        entry = json.loads(json.dumps(item["entry"]))
        if item["void_of"] is not None:
            entry["payload"]["target_event_id"] = made[item["void_of"]]
        response = requests.post(f"{field_url}/api/events", json=entry, timeout=10)
        assert response.status_code == 201, response.text
        made.append(response.json()["event_id"])


def _summary(central: str, version: int | None = None) -> dict | None:
    response = requests.get(f"{central}/api/v1/days/{DAY}/summary", auth=AUTH, timeout=10,
                            params={"version": version} if version else None)
    return response.json() if response.ok else None


def _log_entries(central: str) -> int:
    return requests.get(f"{central}/api/v1/days/{DAY}/totals", auth=AUTH, timeout=10).json()["log_entries"]


def test_a_generated_day_is_closed_summarised_and_recomputed_when_a_late_laptop_syncs(
        central, field_app_factory, redis, redis_url, tmp_path):
    add_coordinator(redis, *AUTH, [DAY])
    day = generate_day()
    booth = dict(DEVICES)
    # laptop-d has no network all day: no background push; it syncs once, after the close
    quiet = {"OPENDAY_PUSH_INTERVAL": "0", "OPENDAY_PULL_INTERVAL": "0"}
    laptops = {d: field_app_factory(central, d, booth[d], **({} if d in ON_TIME else quiet))[0] for d in day}
    for device, items in day.items():
        _record(laptops[device], items)
    on_time = sum(len(day[d]) for d in ON_TIME)
    wait_until(lambda: _log_entries(central) == on_time, timeout=60, message="the three laptops synced")

    closed = subprocess.run(openday("close-day", "--day", DAY, "--by", "office"), capture_output=True, text=True,
                            timeout=60, env={**os.environ, "REDIS_URL": redis_url})
    assert closed.returncode == 0, closed.stderr
    assert json.loads(closed.stdout)["already_closed"] is False
    first = wait_until(lambda: _summary(central), timeout=60, message="summary version 1")
    partial = ground_truth({d: day[d] for d in ON_TIME})
    for name, value in partial["figures"].items():
        assert first["content"]["values"].get(name, 0) == value, name

    # laptop-d comes back online after the close: its events are accepted, a version 2 follows
    assert requests.get(f"{laptops['laptop-d']}/api/status", timeout=5).json()["pending"] == len(day["laptop-d"])
    assert requests.post(f"{laptops['laptop-d']}/api/sync", timeout=30).ok
    second = wait_until(lambda: (s := _summary(central)) and s["version"] == 2 and s, timeout=60,
                        message="summary version 2")
    truth = ground_truth(day)
    values = second["content"]["values"]
    for name, value in truth["figures"].items():
        assert values.get(name, 0) == value, name
    assert values["late"] == len(day["laptop-d"])
    zh, en = second["content"]["text"]["zh"], second["content"]["text"]["en"]
    assert "活动共" + "，".join(EXPECTED_ZH_PHRASES) + "。" in zh, zh
    for phrase in EXPECTED_EN_PHRASES:
        assert phrase in en, en
    assert zh.startswith("5月15日当天，和平区民政局派出两组宣传小分队，共9个业务科室，")
    for booth_id, staff in truth["staff_by_booth"].items():
        leader = {"shashan": "副局长古威", "bayi": "局长杨绪坤"}[booth_id]
        assert f"由{leader}带队，{staff}名工作人员参加" in zh
    changed = {c["figure"]: (c["before"], c["after"]) for c in second["changes"]["figures"]}
    assert changed["laptops"] == (3, 4)
    for name in ("visitors", "inquiries.total", "materials.distributed.leaflet"):
        assert changed.get(name, (values[name], values[name])) == (first["content"]["values"].get(name, 0),
                                                                    values[name])
    assert _summary(central, 1)["sha256"] == first["sha256"]

    # the exports, read the way the office reads them
    response = requests.get(f"{central}/api/v1/days/{DAY}/exports/events.csv", auth=AUTH, timeout=30, stream=True)
    raw = b"".join(response.iter_content(65536))
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert len(rows) == sum(len(items) for items in day.values())
    assert {r["booth"] for r in rows} == {"砂山新村社区小广场", "八一公园广场"}
    docx = requests.get(f"{central}/api/v1/days/{DAY}/exports/summary.docx", auth=AUTH, timeout=60)
    document = Document(io.BytesIO(docx.content))
    assert zh in [p.text for p in document.paragraphs]
    assert ["宣传品", "2,637", "2600余份"] in [[c.text for c in row.cells] for row in document.tables[0].rows]

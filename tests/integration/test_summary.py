"""The summary against a real Redis: close, the job, versions, drill-down, template."""

import base64
import json

import pytest
from rq import SimpleWorker
from rq.serializers import JSONSerializer

from central import keys
from central.central_log import CentralLog
from central.projection import fold_to_end, read_totals
from central.queue import queue, rq_connection
from central.summary.build import build_content, canonical_bytes
from central.summary.store import get_template, read_log
from central.summary.versions import content_at
from shared.totals import counts_only
from sync_service.app import create_app
from sync_service.coordinators import add_coordinator
from tests.helpers import DAY
from tests.summary_day import EXPECTED_EN_PHRASES, EXPECTED_ZH_PHRASES, as_events, generate_day, ground_truth

# a script's Basic credentials; X-Requested-With: a body-less POST with Basic needs it (CSRF)
AUTH = {"Authorization": "Basic " + base64.b64encode(b"gu:correct horse").decode(), "X-Requested-With": "script"}


@pytest.fixture
def api(redis_url, redis, monkeypatch):
    monkeypatch.setenv("REDIS_URL", redis_url)  # the RQ jobs read their config from the environment
    add_coordinator(redis, "gu", "correct horse", [DAY])
    return create_app({"REDIS_URL": redis_url}).test_client()


def _run_jobs(redis_url):
    connection = rq_connection(redis_url)
    SimpleWorker([queue(connection)], connection=connection, serializer=JSONSerializer).work(burst=True)


def _append(redis, events_by_device, only=None):
    log = CentralLog(redis)
    for device, events in events_by_device.items():
        if only is None or device in only:
            log.append_batch(DAY, device, events, received_ms=0)


def test_closing_makes_a_summary_with_true_figures_and_the_house_paragraph(api, redis, redis_url, plan):
    day = generate_day()
    truth = ground_truth(day)
    _append(redis, as_events(day))
    assert api.post(f"/api/v1/days/{DAY}/close").status_code == 401
    closed = api.post(f"/api/v1/days/{DAY}/close", headers=AUTH)
    assert closed.status_code == 202, closed.json
    assert closed.json["position"] == redis.xrevrange(keys.log(DAY), count=1)[0][0]
    _run_jobs(redis_url)

    summary = api.get(f"/api/v1/days/{DAY}/summary", headers=AUTH).json
    assert summary["version"] == 1
    values = summary["content"]["values"]
    for name, value in truth["figures"].items():
        assert values.get(name, 0) == value, name
    zh, en = summary["content"]["text"]["zh"], summary["content"]["text"]["en"]
    assert "活动共" + "，".join(EXPECTED_ZH_PHRASES) + "。" in zh
    for phrase in EXPECTED_EN_PHRASES:
        assert phrase in en
    assert zh.startswith("5月15日当天，和平区民政局派出两组宣传小分队，共9个业务科室，"
                         "宣传一队在砂山新村社区小广场上，由副局长古威带队，")
    assert "联心卡" not in zh  # zero, and the template omits it
    staff = truth["staff_by_booth"]
    assert f"由局长杨绪坤带队，{staff['bayi']}名工作人员参加" in zh
    # exact beside rounded
    leaflet = next(p for p in summary["content"]["phrases"] if p["figure"] == "materials.distributed.leaflet")
    assert (leaflet["exact"], leaflet["zh"], leaflet["en"]) == (2637, "2600余份", "more than 2,600")

    # the final totals equal the live projection folded to the same position
    fold_to_end(redis, DAY, plan)
    live = read_totals(redis, DAY)
    figures = summary["content"]["figures"]
    assert live["position"] == figures["position"]
    assert counts_only({k: v for k, v in live.items() if k not in ("day_id", "position", "log_entries")}) == \
        counts_only(figures["totals"])
    assert figures["late"]["count"] == 0
    assert sum(len(v) for v in figures["hot_issues"].values()) == 13
    assert all(h["text"] for v in figures["hot_issues"].values() for h in v)
    assert figures["laptops"]["count"] == 4 and figures["staff"]["count"] == truth["figures"]["staff"]
    assert len([v for v in figures["voided"] if v["took_effect"]]) == 4
    assert figures["satisfaction"]["total"] == 60


def test_each_figure_drills_down_to_its_events(api, redis, redis_url):
    day = generate_day(seed=7)
    _append(redis, as_events(day))
    api.post(f"/api/v1/days/{DAY}/close", headers=AUTH)
    _run_jobs(redis_url)
    values = api.get(f"/api/v1/days/{DAY}/summary", headers=AUTH).json["content"]["values"]
    for figure in ("materials.distributed.leaflet", "visitors", "inquiries.total", "feedback.hot_issues",
                   "inquiries.by_department.hunyin", "voided"):
        drill = api.get(f"/api/v1/days/{DAY}/summary/events", query_string={"figure": figure}, headers=AUTH).json
        assert drill["value"] == values[figure], figure
        counted = [e for e in drill["events"] if e["voided_by"] is None]
        assert sum(e["amount"] for e in counted) == values[figure]
    leaflets = api.get(f"/api/v1/days/{DAY}/summary/events", query_string={"figure": "materials.distributed.leaflet"},
                       headers=AUTH).json["events"]
    assert any(e["voided_by"] for e in leaflets)  # the voided 500 is listed, marked, not counted
    bad = api.get(f"/api/v1/days/{DAY}/summary/events", headers=AUTH)
    assert bad.status_code == 400 and "figure" in bad.json["errors"]
    bad = api.get(f"/api/v1/days/{DAY}/summary", query_string={"version": "x"}, headers=AUTH)
    assert bad.status_code == 400 and "version" in bad.json["errors"]
    assert api.get(f"/api/v1/days/{DAY}/summary", query_string={"version": 9}, headers=AUTH).status_code == 404


def test_late_laptop_after_close_makes_a_second_version_that_says_what_changed(api, redis, redis_url, plan):
    events = as_events(generate_day(seed=11))
    _append(redis, events, only={"laptop-a", "laptop-b", "laptop-c"})
    api.post(f"/api/v1/days/{DAY}/close", headers=AUTH)
    _run_jobs(redis_url)
    first = api.get(f"/api/v1/days/{DAY}/summary", headers=AUTH).json
    assert first["version"] == 1 and first["content"]["values"]["laptops"] == 3

    _append(redis, events, only={"laptop-d"})  # the laptop that was offline
    redis.set(keys.fold_requested(DAY), "1")
    queue(rq_connection(redis_url)).enqueue("worker.jobs.fold_day", DAY)  # as a push does
    _run_jobs(redis_url)
    second = api.get(f"/api/v1/days/{DAY}/summary", headers=AUTH).json
    assert second["version"] == 2
    assert second["content"]["figures"]["late"]["count"] == len(events["laptop-d"])
    changed = {c["figure"]: c for c in second["changes"]["figures"]}
    assert changed["laptops"] == {"figure": "laptops", "before": 3, "after": 4}
    assert changed["late"]["after"] == len(events["laptop-d"])
    before, after = first["content"]["values"], second["content"]["values"]
    assert changed["visitors"] == {"figure": "visitors", "before": before["visitors"], "after": after["visitors"]}
    assert [v["version"] for v in second["versions"]] == [1, 2]
    assert api.get(f"/api/v1/days/{DAY}/summary", query_string={"version": 1}, headers=AUTH).json["sha256"] == \
        first["sha256"]
    # a second close changes nothing
    again = api.post(f"/api/v1/days/{DAY}/close", headers=AUTH)
    assert again.status_code == 200 and again.json["already_closed"] is True
    assert again.json["position"] == first["content"]["figures"]["closed_position"]


def test_regenerating_at_the_same_position_is_byte_identical(api, redis, redis_url, plan):
    _append(redis, as_events(generate_day(seed=3)))
    api.post(f"/api/v1/days/{DAY}/close", headers=AUTH)
    _run_jobs(redis_url)
    stored = api.get(f"/api/v1/days/{DAY}/summary", headers=AUTH).json
    raw = json.loads(redis.lindex(keys.summary_versions(DAY), 0))["content"]
    assert canonical_bytes(content_at(redis, DAY, plan, stored["position"])) == canonical_bytes(raw)
    entries = list(read_log(redis, DAY, until=stored["position"]))  # the pure path counts the same figures
    own = build_content(entries, plan, get_template(redis, plan), stored["content"]["figures"]["closed_position"])
    assert own["values"] == raw["values"] and own["text"] == raw["text"]
    # the job run again at the same position adds no version
    redis.delete(keys.summary_requested(DAY))
    api.post(f"/api/v1/days/{DAY}/close", headers=AUTH)
    _run_jobs(redis_url)
    assert redis.llen(keys.summary_versions(DAY)) == 1
    late = (("laptop-x", "bayi"),)  # entries after the position do not change what it was
    _append(redis, {"laptop-x": as_events(generate_day(seed=4, devices=late), devices=late)["laptop-x"][:5]})
    assert canonical_bytes(content_at(redis, DAY, plan, stored["position"])) == canonical_bytes(raw)


def test_template_edits_are_validated_and_make_a_new_version(api, redis, redis_url):
    _append(redis, as_events(generate_day(seed=5)))
    api.post(f"/api/v1/days/{DAY}/close", headers=AUTH)
    _run_jobs(redis_url)
    template = api.get(f"/api/v1/days/{DAY}/summary/template", headers=AUTH).json
    bad = json.loads(json.dumps(template))
    bad["zh"]["paragraph"] = "{date}{nonsense}"
    bad["figures"][0]["figure"] = "materials.distributed.balloon"
    refused = api.put(f"/api/v1/days/{DAY}/summary/template", json=bad, headers=AUTH)
    assert refused.status_code == 422
    assert set(refused.json["errors"]) == {"zh.paragraph", "figures.0.figure"}
    assert api.get(f"/api/v1/days/{DAY}/summary/template", headers=AUTH).json == template

    template["zh"]["paragraph"] = "{date}，{organiser}组织开展政务公开日活动。活动共{figures}。"
    card = next(f for f in template["figures"] if f["figure"] == "materials.distributed.card")
    card.update(zero="state", zero_zh="未发放联心卡", zero_en="handed out no contact cards")
    assert api.put(f"/api/v1/days/{DAY}/summary/template", json=template, headers=AUTH).status_code == 200
    _run_jobs(redis_url)
    second = api.get(f"/api/v1/days/{DAY}/summary", headers=AUTH).json
    assert second["version"] == 2 and second["changes"]["template_changed"] and second["changes"]["figures"] == []
    assert second["content"]["text"]["zh"].startswith("5月15日，和平区民政局组织开展政务公开日活动。活动共印发")
    assert "未发放联心卡" in second["content"]["text"]["zh"]
    assert "handed out no contact cards" in second["content"]["text"]["en"]


def test_an_empty_day_closes_to_a_summary_of_nothing_and_access_is_checked(api, redis, redis_url):
    missing = api.get(f"/api/v1/days/{DAY}/summary", headers=AUTH)
    assert missing.status_code == 404 and missing.json["closed"] is False
    assert api.post(f"/api/v1/days/{DAY}/close", headers=AUTH).json["position"] == "0-0"
    _run_jobs(redis_url)
    summary = api.get(f"/api/v1/days/{DAY}/summary", headers=AUTH).json
    assert summary["content"]["text"]["zh"].endswith("活动共未记录任何数据。")
    assert summary["content"]["values"] == {"laptops": 0, "staff": 0, "late": 0}
    assert api.post("/api/v1/days/no-such-day-2030/close", headers=AUTH).status_code == 403
    add_coordinator(redis, "other", "correct horse", ["another-day-2023"])
    other = {"Authorization": "Basic " + base64.b64encode(b"other:correct horse").decode()}
    assert api.get(f"/api/v1/days/{DAY}/summary", headers=other).status_code == 403
    assert api.post(f"/api/v1/days/{DAY}/close", headers=other).status_code == 403


def test_a_quarantine_resolution_counts_in_the_summary_as_in_the_totals(api, redis, redis_url, plan):
    from tests.factories import make_event

    known = make_event(1, "inquiry.answered", {"topic": "qita", "department": "bangong", "outcome": "answered"})
    unknown = make_event(2, "inquiry.answered", {"topic": "xinzheng", "department": "bangong", "outcome": "answered"})
    _append(redis, {"laptop-a": [known, unknown]})
    fold_to_end(redis, DAY, plan)
    resolved = api.post(f"/api/v1/days/{DAY}/quarantine/resolve", headers=AUTH,
                        json={"field": "topic", "key": "xinzheng", "action": "map", "to": "qita"})
    assert resolved.status_code == 202, resolved.json
    api.post(f"/api/v1/days/{DAY}/close", headers=AUTH)
    _run_jobs(redis_url)
    values = api.get(f"/api/v1/days/{DAY}/summary", headers=AUTH).json["content"]["values"]
    assert values["inquiries.by_topic.qita"] == 2 and values["inquiries.total"] == 2
    assert "quarantined" not in values

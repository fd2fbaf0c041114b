"""Days and plan versions over the HTTP API against a real Redis: create, read with ETag,
replace with If-Match, the rules (retire not delete, labels, ids), a quarantined key added
by a version is counted (and a rebuild agrees), accounts and their roles."""

import copy
import json

import pytest

from central import keys
from central.central_log import CentralLog
from central.projection import fold_to_end, read_totals
from central.rebuild import verify
from sync_service.app import create_app
from sync_service.coordinators import ORGANISER, add_coordinator
from tests.factories import make_event
from tests.helpers import DAY, PLAN_PATH

ORG, GU = ("org", "organiser pass"), ("gu", "correct horse")
NEW_DAY = "heping-2023-05-15"


@pytest.fixture
def api(redis_url, redis, tmp_path):
    add_coordinator(redis, *ORG, [], ORGANISER)
    add_coordinator(redis, *GU, [DAY])
    return create_app({"REDIS_URL": redis_url, "PLAN_DIR": str(PLAN_PATH.parent)}).test_client()


def _plan(day_id: str = NEW_DAY) -> dict:
    raw = json.loads(PLAN_PATH.read_text(encoding="utf-8"))
    return {**raw, "day_id": day_id, "date": day_id[-10:]}


def _put(api, raw, version, auth=GU, day=DAY):
    return api.put(f"/api/v1/days/{day}/plan", json=raw, auth=auth, headers={"If-Match": f'"{version}"'})


def _current(api, day=DAY):
    answer = api.get(f"/api/v1/days/{day}/plan", auth=ORG)
    return answer.json, int(answer.headers["ETag"].strip('"'))


def test_an_organiser_creates_a_day_a_coordinator_cannot(api):
    assert api.post("/api/v1/days", json=_plan()).status_code == 401
    refused = api.post("/api/v1/days", json=_plan(), auth=GU)
    assert refused.status_code == 403 and "organiser" in refused.json["message"]
    made = api.post("/api/v1/days", json=_plan(), auth=ORG)
    assert made.status_code == 201 and made.json["version"] == 1 and made.headers["ETag"] == '"1"'
    again = api.post("/api/v1/days", json=_plan(), auth=ORG)
    assert again.status_code == 409 and "已存在" in again.json["errors"]["day_id"][0]
    plan, version = _current(api, NEW_DAY)
    assert version == 1 and plan["version"] == 1 and plan["day_id"] == NEW_DAY
    assert api.get(f"/api/v1/days/{NEW_DAY}/plan", auth=GU).status_code == 403  # not granted yet


def test_a_plan_is_read_with_its_version_and_304_when_unchanged(api):
    first = api.get(f"/api/v1/days/{DAY}/plan", auth=GU)
    assert first.status_code == 200 and first.headers["ETag"] == '"1"' and first.json["version"] == 1
    same = api.get(f"/api/v1/days/{DAY}/plan", auth=GU, headers={"If-None-Match": '"1"'})
    assert same.status_code == 304 and same.data == b""


def test_replace_needs_if_match_and_refuses_a_stale_one(api):
    raw, version = _current(api)
    raw["topics"].append({"id": "yanglao", "zh": "养老服务", "en": "Elderly care"})
    missing = api.put(f"/api/v1/days/{DAY}/plan", json=raw, auth=GU)
    assert missing.status_code == 428 and "If-Match" in missing.json["errors"]
    saved = _put(api, raw, version)
    assert saved.status_code == 200 and saved.json["version"] == 2
    assert {"field": "topics", "key": "yanglao", "change": "added"} in saved.json["changes"]
    other = copy.deepcopy(raw)
    other["title"]["zh"] = "另一位协调员的标题"
    stale = _put(api, other, version)  # edited version 1, but version 2 is current
    assert stale.status_code == 412 and stale.json["current_version"] == 2
    assert _current(api)[0]["title"]["zh"] != "另一位协调员的标题"
    versions = api.get(f"/api/v1/days/{DAY}/plan/versions", auth=GU).json["versions"]
    assert [(v["version"], v["by"]) for v in versions] == [(1, "import:heping-2022-05-15.json"), (2, "gu")]
    assert api.get(f"/api/v1/days/{DAY}/plan/versions/1", auth=GU).json["plan"]["topics"] != raw["topics"]


def test_every_refusal_names_its_field_in_chinese_and_english(api):
    raw, version = _current(api)
    raw["topics"].append({"id": "dibao", "zh": "重复", "en": "Repeat"})
    twin = f"topics[{len(raw['topics']) - 1}].id"
    raw["departments"][0]["en"] = ""
    raw["timezone"] = "Mars/Olympus"
    raw["opening_hours"] = {"start": "17:00", "end": "09:00"}
    raw["materials"][0]["low_stock"] = -5
    answer = _put(api, raw, version)
    assert answer.status_code == 422
    errors = answer.json["errors"]
    assert set(errors) == {twin, "departments[0].en", "timezone", "opening_hours.end",
                           "materials[0].low_stock"}
    assert all(" / " in message for messages in errors.values() for message in messages)
    assert "重复" in errors[twin][0] and "repeats" in errors[twin][0]
    assert _current(api)[1] == version  # nothing stored


def test_a_used_key_is_retired_never_deleted(api, redis):
    CentralLog(redis).append_batch(DAY, "laptop-a", [make_event(1, "inquiry.answered")], received_ms=1)  # dibao
    raw, version = _current(api)
    without = {**raw, "topics": [t for t in raw["topics"] if t["id"] != "dibao"]}
    refused = _put(api, without, version)
    assert refused.status_code == 422
    reason = refused.json["errors"]["topics.dibao"][0]
    assert "只能停用" in reason and "retire" in reason
    unused = {**raw, "topics": [t for t in raw["topics"] if t["id"] != "jiuzhu"]}
    assert _put(api, unused, version).status_code == 200  # nobody used topic jiuzhu: it may go
    raw, version = _current(api)
    retired = {**raw, "topics": [{**t, "retired": True} if t["id"] == "dibao" else t for t in raw["topics"]]}
    saved = _put(api, retired, version)
    assert saved.status_code == 200
    assert {"field": "topics", "key": "dibao", "change": "retired"} in saved.json["changes"]


def test_adding_a_quarantined_key_counts_its_entries_and_a_rebuild_agrees(api, redis):
    plans = api.application.extensions["openday"]["plans"]
    asked = make_event(1, "inquiry.answered", {"topic": "yanglao", "department": "jiuzhu", "outcome": "answered"})
    CentralLog(redis).append_batch(DAY, "laptop-a", [asked, make_event(2, "inquiry.answered")], received_ms=1)
    fold_to_end(redis, DAY, plans[DAY])
    assert read_totals(redis, DAY)["quarantined"] == 1
    raw, version = _current(api)
    raw["topics"].append({"id": "yanglao", "zh": "养老服务", "en": "Elderly care"})
    saved = _put(api, raw, version)
    assert saved.json["resolutions"] == [{"field": "topic", "key": "yanglao", "action": "added", "to": "yanglao",
                                          "version": 2}]
    fold_to_end(redis, DAY, plans[DAY])
    totals = read_totals(redis, DAY)
    assert totals["quarantined"] == 0 and totals["inquiries"]["by_topic"]["yanglao"] == 1
    assert totals["inquiries"]["total"] == 2
    assert verify(redis, DAY, plans[DAY])["differences"] == []
    refused = _put(api, {**raw, "topics": raw["topics"][:-1]}, 2)
    assert refused.status_code == 422 and "topics.yanglao" in refused.json["errors"]


def test_a_fold_meeting_a_newer_versions_resolution_asks_for_the_new_plan(api, redis):
    from central.projection import PlanBehind

    plans = api.application.extensions["openday"]["plans"]
    old = plans[DAY]
    CentralLog(redis).append_batch(DAY, "laptop-a", [make_event(1, "inquiry.answered", {
        "topic": "yanglao", "department": "jiuzhu", "outcome": "answered"})], received_ms=1)
    raw, version = _current(api)
    raw["topics"].append({"id": "yanglao", "zh": "养老服务", "en": "Elderly care"})
    _put(api, raw, version)
    with pytest.raises(PlanBehind):
        fold_to_end(redis, DAY, old)  # folds the entry (quarantined), then meets version 2's resolution
    assert read_totals(redis, DAY)["quarantined"] == 1
    fold_to_end(redis, DAY, plans[DAY])
    assert read_totals(redis, DAY)["inquiries"]["by_topic"]["yanglao"] == 1


def test_organisers_grant_revoke_and_cannot_lose_the_last_organiser(api, redis):
    api.post("/api/v1/days", json=_plan(), auth=ORG)
    assert api.get("/api/v1/accounts", auth=GU).status_code == 403
    assert api.put(f"/api/v1/days/{NEW_DAY}/coordinators/gu", auth=ORG).json["days"] == [DAY, NEW_DAY]
    assert api.get(f"/api/v1/days/{NEW_DAY}/plan", auth=GU).status_code == 200
    assert api.delete(f"/api/v1/days/{NEW_DAY}/coordinators/gu", auth=ORG).status_code == 204
    assert api.get(f"/api/v1/days/{NEW_DAY}/plan", auth=GU).status_code == 403
    self_demote = api.put("/api/v1/accounts/org/role", json={"role": "coordinator"}, auth=ORG)
    assert self_demote.status_code == 409 and "yourself" in self_demote.json["errors"]["role"][0]
    assert api.put("/api/v1/accounts/gu/role", json={"role": "organiser"}, auth=ORG).json["role"] == "organiser"
    assert api.put("/api/v1/accounts/org/role", json={"role": "coordinator"}, auth=GU).json["role"] == "coordinator"
    last = api.put("/api/v1/accounts/gu/role", json={"role": "coordinator"}, auth=ORG)
    assert last.status_code == 403  # org is a coordinator now
    rows = {a["username"]: a["role"] for a in api.get("/api/v1/accounts", auth=GU).json["accounts"]}
    assert rows == {"org": "coordinator", "gu": "organiser"}
    assert json.loads(redis.hget(keys.COORDINATORS, "gu"))["password_hash"]  # the password was kept


def test_a_service_with_an_empty_plan_dir_serves_days_made_through_the_api(api, redis_url, tmp_path):
    api.post("/api/v1/days", json=_plan(), auth=ORG)
    empty = create_app({"REDIS_URL": redis_url, "PLAN_DIR": str(tmp_path)}).test_client()
    assert empty.get(f"/api/v1/days/{NEW_DAY}/plan", auth=ORG).json["day_id"] == NEW_DAY
    assert NEW_DAY in empty.get("/healthz").json["days"]
    spec = empty.get("/api/v1/openapi.json").json
    assert NEW_DAY in spec["paths"]["/api/v1/days/{day_id}/plan"]["put"]["parameters"][0]["schema"]["enum"]


def test_a_day_is_created_from_an_uploaded_workbook_and_a_bad_one_is_refused_by_cell(api):
    from central.plan_workbook import plan_to_workbook

    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    made = api.post("/api/v1/days", data=plan_to_workbook(_plan()), content_type=xlsx, auth=ORG)
    assert made.status_code == 201 and made.json["day_id"] == NEW_DAY
    broken = _plan("heping-2025-05-15")
    broken["booths"][1]["zh"] = ""
    refused = api.post("/api/v1/days", data=plan_to_workbook(broken), content_type=xlsx, auth=ORG)
    assert refused.status_code == 422 and list(refused.json["errors"]) == ["booths!B3(zh)"]
    assert api.get("/api/v1/days/heping-2025-05-15/plan", auth=ORG).status_code == 404


def test_two_coordinators_saving_the_same_version_at_once_one_wins_one_gets_412(api):
    from concurrent.futures import ThreadPoolExecutor

    raw, version = _current(api)
    edits = []
    for n in range(8):
        edit = copy.deepcopy(raw)
        edit["title"]["zh"] = f"第 {n} 位协调员的标题"
        edits.append(edit)
    app = api.application
    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda edit: _put(app.test_client(), edit, version).status_code, edits))
    assert sorted(answers) == [200] + [412] * 7
    assert len(api.get(f"/api/v1/days/{DAY}/plan/versions", auth=GU).json["versions"]) == 2


def test_a_key_in_the_plan_with_entries_still_waiting_can_be_mapped_to_itself(redis, redis_url, plan, tmp_path):
    """A day whose plan file was edited to name a key its quarantine holds, the old way
    (file, restart): a coordinator maps the key to itself; the live fold and a rebuild agree."""
    asked = make_event(1, "inquiry.answered", {"topic": "yanglao", "department": "jiuzhu", "outcome": "answered"})
    CentralLog(redis).append_batch(DAY, "laptop-a", [asked], received_ms=1)
    fold_to_end(redis, DAY, plan)  # the file as it was: yanglao unknown
    edited = json.loads(PLAN_PATH.read_text(encoding="utf-8"))
    edited["topics"].append({"id": "yanglao", "zh": "养老服务", "en": "Elderly care"})
    (tmp_path / "plan.json").write_text(json.dumps(edited, ensure_ascii=False), encoding="utf-8")
    add_coordinator(redis, *GU, [DAY])
    app = create_app({"REDIS_URL": redis_url, "PLAN_DIR": str(tmp_path)})
    plans, api = app.extensions["openday"]["plans"], app.test_client()
    later = make_event(2, "inquiry.answered", {"topic": "yanglao", "department": "jiuzhu", "outcome": "answered"})
    CentralLog(redis).append_batch(DAY, "laptop-a", [later], received_ms=2)
    fold_to_end(redis, DAY, plans[DAY])
    assert read_totals(redis, DAY)["quarantined"] == 2  # both wait: the key is pending, not half counted
    mapped = api.post(f"/api/v1/days/{DAY}/quarantine/resolve", auth=GU,
                      json={"field": "topic", "key": "yanglao", "action": "map", "to": "yanglao"})
    assert mapped.status_code == 202, mapped.json
    fold_to_end(redis, DAY, plans[DAY])
    totals = read_totals(redis, DAY)
    assert totals["quarantined"] == 0 and totals["inquiries"]["by_topic"]["yanglao"] == 2
    assert verify(redis, DAY, plans[DAY])["differences"] == []


def test_an_if_match_that_is_no_version_number_is_412_not_a_crash(api):
    raw, _ = _current(api)
    for tag in ('"²"', '"1", "2"', "*", '"v1"', '""'):
        answer = api.put(f"/api/v1/days/{DAY}/plan", json=raw, auth=GU, headers={"If-Match": tag})
        assert answer.status_code == 412, (tag, answer.status_code)

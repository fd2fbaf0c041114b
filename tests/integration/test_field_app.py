"""The field app's API against a real SQLite file (Flask test client, no network)."""

import re
import sqlite3

import pytest

from field_app.app import create_app
from tests.helpers import PLAN_PATH

LEAFLET = {"type": "material.distributed", "payload": {"material": "leaflet", "quantity": 20}}


def make_app(tmp_path, **config):
    return create_app({"FIELD_DB": str(tmp_path / "laptop.sqlite3"), "PLAN": str(PLAN_PATH),
                       "DEVICE_ID": "laptop-t", "BOOTH_ID": "bayi", "PUSH_INTERVAL": 0, "PULL_INTERVAL": 0,
                       **config})


@pytest.fixture
def client(tmp_path):
    return make_app(tmp_path).test_client()


def stored(tmp_path) -> int:
    with sqlite3.connect(tmp_path / "laptop.sqlite3") as db:
        return db.execute("SELECT count(*) FROM events").fetchone()[0]


def post(client, entry, lang="zh"):
    return client.post("/api/events", json=entry, headers={"Accept-Language": "en" if lang == "en" else "zh-CN"})


def void(target_id, reason="录错了"):
    return {"type": "event.voided", "payload": {"target_event_id": target_id, "reason": reason}}


BAD = [  # entry, path to the field, zh message, en message
    ({"type": "material.distributed", "payload": {"material": "balloon", "quantity": 1}},
     ("payload", "material"), "当日方案中没有“balloon”。", "Not in the day plan: balloon"),
    ({"type": "inquiry.answered", "payload": {"topic": "weather", "department": "jiuzhu", "outcome": "answered"}},
     ("payload", "topic"), "当日方案中没有“weather”。", "Not in the day plan: weather"),
    ({"type": "material.distributed", "payload": {"material": "leaflet", "quantity": 0}},
     ("payload", "quantity"), "须在 1 到 10000 之间。", "Must be greater than or equal to 1"),
    ({"type": "material.distributed", "payload": {"material": "leaflet", "quantity": 10_001}},
     ("payload", "quantity"), "须在 1 到 10000 之间。", "less than or equal to 10000"),
    ({"type": "visitor.received", "payload": {"party_size": 51}},
     ("payload", "party_size"), "须在 1 到 50 之间。", "50"),
    ({"type": "inquiry.answered",
      "payload": {"topic": "dibao", "department": "jiuzhu", "outcome": "answered", "note": "长" * 201}},
     ("payload", "note"), "不能超过 200 个字。", "Longer than maximum length 200."),
    (void("0190f6a4-9d1e-7c2a-8b3c-4d5e6f708192"), ("payload", "target_event_id"),
     "本机没有这条记录。", "No such entry on this laptop."),
    (void("not-an-id"), ("payload", "target_event_id"), "不是有效的记录编号。", "Not a lowercase UUID."),
    ({"type": "visitor.received", "payload": {}},
     ("payload", "party_size"), "必填项。", "Missing data for required field."),
    ({"type": "visitor.received", "payload": {"party_size": 1}, "seq": 9}, ("seq",), "未知字段。", "Unknown field."),
]


@pytest.mark.parametrize("entry, path, zh, en", BAD)
def test_bad_entries_are_refused_per_field_in_the_users_language_and_nothing_is_stored(
        tmp_path, client, entry, path, zh, en):
    for lang, expected in (("zh", zh), ("en", en)):
        response = post(client, entry, lang)
        assert response.status_code == 422, response.json
        node = response.json["errors"]
        for part in path:
            node = node[part]
        assert any(expected in message for message in node), node
    assert stored(tmp_path) == 0


def test_every_wrong_field_is_named_in_one_answer(tmp_path, client):
    """An unknown material and an out-of-range quantity: both, not one now and one on the retry."""
    response = post(client, {"type": "material.distributed", "payload": {"material": "kite", "quantity": 0}})
    assert response.status_code == 422
    assert response.json["errors"]["payload"] == {"material": ["当日方案中没有“kite”。"],
                                                  "quantity": ["须在 1 到 10000 之间。"]}
    assert stored(tmp_path) == 0


def test_a_void_of_another_devices_event_is_refused(tmp_path):
    """The other laptop's event id is a valid UUID, but not in this laptop's log."""
    other = make_app(tmp_path / "other").test_client()
    foreign = post(other, LEAFLET).json["event_id"]
    client = make_app(tmp_path).test_client()
    response = post(client, void(foreign))
    assert response.status_code == 422
    assert response.json["errors"]["payload"]["target_event_id"] == ["本机没有这条记录。"]
    assert stored(tmp_path) == 0


def test_a_voided_entry_leaves_the_laptop_totals_and_cannot_be_voided_twice(tmp_path, client):
    first = post(client, LEAFLET).json
    post(client, {"type": "visitor.received", "payload": {"party_size": 3}})
    totals = client.get("/api/board").json["laptop"]
    assert totals["materials"]["distributed"] == {"leaflet": 20} and totals["visitors"] == 3

    undo = post(client, void(first["event_id"], "撤销"))
    assert undo.status_code == 201 and undo.json["seq"] == 3
    board = client.get("/api/board").json
    assert board["laptop"]["materials"]["distributed"] == {} and board["laptop"]["voided"] == 1
    assert board["laptop"]["visitors"] == 3
    assert [e["voided"] for e in board["recent"]] == [False, False, True]

    again = post(client, void(first["event_id"]))
    assert again.json["errors"]["payload"]["target_event_id"] == ["这条记录已经作废。"]
    of_void = post(client, void(undo.json["event_id"]), "en")
    assert of_void.json["errors"]["payload"]["target_event_id"] == ["A void cannot itself be voided."]
    empty_reason = post(client, void(board["recent"][1]["event_id"], ""))
    assert empty_reason.status_code == 422 and "reason" in empty_reason.json["errors"]["payload"]
    assert stored(tmp_path) == 3


def test_state_comes_back_from_sqlite_after_a_restart(tmp_path):
    client = make_app(tmp_path).test_client()
    first = post(client, LEAFLET).json
    post(client, {"type": "feedback.collected", "payload": {"rating": "dissatisfied", "hot_issue": True}})
    post(client, void(first["event_id"]))
    before = client.get("/api/board").json

    restarted = make_app(tmp_path, DEVICE_ID=None, BOOTH_ID=None).test_client()
    after = restarted.get("/api/board").json
    assert after["laptop"] == before["laptop"]
    assert after["recent"] == before["recent"]
    assert after["status"]["device_id"] == "laptop-t" and after["status"]["booth_id"] == "bayi"
    assert after["status"]["pending"] == 3
    assert post(restarted, void(first["event_id"])).status_code == 422  # still known as voided
    assert post(restarted, LEAFLET).json["seq"] == 4


def test_the_page_is_chinese_by_default_and_english_by_the_switch(client):
    page = client.get("/", headers={"Accept-Language": "en-US,en;q=0.9"}).get_data(as_text=True)
    assert '<html lang="zh-CN">' in page and "发放材料" in page and "便民手册" in page and "低保" in page
    english = client.get("/?lang=en")
    assert "lang=en" in english.headers["Set-Cookie"]
    text = english.get_data(as_text=True)
    assert '<html lang="en">' in text and "Materials handed out" in text and "Convenience handbooks" in text
    assert "Materials handed out" in client.get("/").get_data(as_text=True)  # the cookie remembers


def test_every_asset_is_served_by_the_app(client):
    """No CDN, no web font: every src/href/url() points back at this app."""
    page = client.get("/?lang=zh").get_data(as_text=True)
    links = re.findall(r'(?:src|href)="([^"]*)"', page)
    assert links and all(link.startswith(("/", "?")) for link in links), links
    for asset in ("/static/booth.js", "/static/booth.css"):
        response = client.get(asset)
        assert response.status_code == 200
        assert not re.search(rb"https?://|@import|url\(", response.data), asset


def test_bad_json_is_a_400_in_the_users_language(tmp_path, client):
    response = client.post("/api/events", data="{", headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.json["errors"] == {"_body": ["请求内容不是 JSON 对象。"]}
    assert stored(tmp_path) == 0


def test_enrolment_form_is_checked_per_field_before_any_network(client):
    response = client.post("/api/enroll", json={"sync_url": "ftp://centre", "code": "O0O0-1111"})
    assert response.status_code == 422
    assert set(response.json["errors"]) == {"sync_url", "code"}
    assert "https://" in response.json["errors"]["sync_url"][0]
    assert response.json["errors"]["code"] == ["登记码是 8 位字母或数字（可带短横线）。"]
    status = client.get("/api/status").json
    assert status["enrolled"] is False and status["sync_url"] is None


def test_recording_works_before_enrolment(tmp_path, client):
    assert post(client, LEAFLET).status_code == 201
    status = client.get("/api/status").json
    assert status["enrolled"] is False and status["pending"] == 1
    synced = client.post("/api/sync").json
    assert synced["last_error_text"] == "本机尚未登记，记录暂存本机。"


def test_the_booth_is_chosen_before_the_first_entry_and_then_fixed(tmp_path, client):
    assert client.post("/api/booth", json={"booth_id": "moon"}).json["errors"]["booth_id"] == ["当日方案中没有“moon”。"]
    assert client.post("/api/booth", json={"booth_id": "shashan"}).status_code == 200
    assert post(client, LEAFLET).status_code == 201
    assert client.get("/api/events").json["events"][0]["booth_id"] == "shashan"
    refused = client.post("/api/booth", json={"booth_id": "bayi"})
    assert refused.status_code == 422 and "不能再改" in refused.json["errors"]["booth_id"][0]
    assert client.get("/api/status").json["booth_id"] == "shashan"

"""POST /api/undo: the field app itself enforces "undo last within a few seconds", not
only the page. The window is timed by the laptop's clock (monotonic by default); these
tests give it a clock they move by hand, so nothing waits and nothing depends on speed."""

import pytest

from tests.integration.test_field_app import LEAFLET, make_app, post, stored


class HandClock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def laptop_app(tmp_path):
    app = make_app(tmp_path, UNDO_SECONDS=8)
    clock = app.extensions["openday"]["laptop"].clock = HandClock()
    return app.test_client(), clock


def undo(client, target_id, lang="zh", **extra):
    return client.post("/api/undo", json={"target_event_id": target_id, **extra},
                       headers={"Accept-Language": "en" if lang == "en" else "zh-CN"})


def test_undo_within_the_window_voids_the_latest_entry(tmp_path, laptop_app):
    client, clock = laptop_app
    entry = post(client, LEAFLET).json
    clock.now += 7.9
    answer = undo(client, entry["event_id"], staff="s07")
    assert answer.status_code == 201 and answer.json["seq"] == 2
    void = client.get("/api/events?limit=1").json["events"][0]
    assert void["type"] == "event.voided" and void["staff"] == "s07"
    assert void["payload"] == {"target_event_id": entry["event_id"], "reason": "撤销（录入后立即撤回）"}
    assert client.get("/api/board").json["laptop"]["materials"]["distributed"] == {}


def test_a_late_undo_is_refused_in_both_languages_and_stores_nothing(tmp_path, laptop_app):
    client, clock = laptop_app
    entry = post(client, LEAFLET).json
    clock.now += 8.5
    zh = undo(client, entry["event_id"])
    assert zh.status_code == 422
    assert zh.json["errors"] == {"target_event_id": ["已超过撤销时限（录入后 8 秒内）：请用“作废”并填写原因。"]}
    en = undo(client, entry["event_id"], "en")
    assert en.json["errors"]["target_event_id"] == [
        "Too late to undo: only within 8 s of the entry. Void it with a reason instead."]
    assert stored(tmp_path) == 1
    assert client.get("/api/board").json["laptop"]["materials"]["distributed"] == {"leaflet": 20}


def test_only_the_latest_entry_can_be_undone_and_only_once(tmp_path, laptop_app):
    client, _ = laptop_app
    first = post(client, LEAFLET).json
    second = post(client, {"type": "visitor.received", "payload": {"party_size": 2}}).json
    older = undo(client, first["event_id"], "en")
    assert older.status_code == 422
    assert older.json["errors"]["target_event_id"] == [
        "Only this laptop's latest entry can be undone; void others with a reason."]
    assert undo(client, second["event_id"]).status_code == 201
    again = undo(client, second["event_id"])
    assert again.status_code == 422 and again.json["errors"]["target_event_id"] == ["这条记录已经作废。"]
    assert stored(tmp_path) == 3


def test_bad_undo_requests_name_their_field(tmp_path, laptop_app):
    client, _ = laptop_app
    post(client, LEAFLET)
    assert undo(client, "not-a-uuid").json["errors"] == {"target_event_id": ["不是有效的记录编号。"]}
    unknown = undo(client, "0190a0b0-0000-7000-8000-000000000000", "en")
    assert unknown.json["errors"] == {"target_event_id": ["No such entry on this laptop."]}
    extra = client.post("/api/undo", json={"target_event_id": "x", "reason": "mine"})
    assert extra.status_code == 422 and extra.json["errors"] == {"reason": ["未知字段。"]}
    long_staff = undo(client, "0190a0b0-0000-7000-8000-000000000000", "en", staff="s" * 40)
    assert long_staff.status_code == 422 and list(long_staff.json["errors"]) == ["staff"]
    assert client.post("/api/undo", data="nope").status_code == 400
    assert stored(tmp_path) == 1


def test_the_page_offers_undo_for_the_same_window(tmp_path):
    page = make_app(tmp_path, UNDO_SECONDS=5).test_client().get("/").get_data(as_text=True)
    assert '"undo_seconds": 5.0' in page

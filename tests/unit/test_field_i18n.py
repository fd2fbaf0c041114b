"""The booth page's catalogue and message translation: pure functions."""

import pytest
from marshmallow import ValidationError

from field_app.enrollment import normalise_code
from field_app.i18n import TEXT, pick_language, plain_sync_error, t, translate_errors
from shared.events import load_event
from tests.factories import make_event


def test_every_string_has_both_languages_and_chinese_is_chinese():
    for key, (zh, en) in TEXT.items():
        assert zh and en, key
        if key not in ("switch_language", "none", "field._body"):
            assert any("\u4e00" <= ch <= "\u9fff" for ch in zh), key


@pytest.mark.parametrize("payload, field, zh", [
    ({"material": "leaflet", "quantity": 0}, "quantity", "须在 1 到 10000 之间。"),
    ({"material": "leaflet", "quantity": "many"}, "quantity", "请填整数。"),
    ({"material": "leaflet"}, "quantity", "必填项。"),
    ({"material": "Leaflet!", "quantity": 1}, "material", "不是当日方案中的编号。"),
    ({"material": "leaflet", "quantity": 1, "colour": "red"}, "colour", "未知字段。"),
])
def test_marshmallow_messages_come_out_in_chinese(payload, field, zh):
    with pytest.raises(ValidationError) as caught:
        load_event(make_event(1, payload=payload))
    assert translate_errors(caught.value.messages, "zh")["payload"][field] == [zh]
    assert translate_errors(caught.value.messages, "en") == caught.value.messages


def test_an_unknown_message_is_kept_rather_than_lost():
    assert translate_errors({"x": ["Something new."]}, "zh") == {"x": ["Something new."]}


def test_language_choice_query_then_cookie_then_browser_then_chinese():
    assert pick_language({"lang": "en"}, {"lang": "zh"}, "zh-CN") == "en"
    assert pick_language({}, {"lang": "en"}, "zh-CN") == "en"
    assert pick_language({}, {}, "en-GB,en;q=0.9") == "en"
    assert pick_language({"lang": "fr"}, {}, None) == "zh"


def test_sync_errors_in_plain_words():
    assert plain_sync_error(None, "zh") is None
    assert "连不上同步服务" in plain_sync_error("sync service unreachable: ConnectionError", "zh")
    assert "enrol again" in plain_sync_error({"message": "bad token", "status": 401}, "en")
    assert "重新登记" in plain_sync_error({"message": "seq 4 is held", "status": 409, "error": "seq_conflict"}, "zh")
    assert "revoked" in plain_sync_error({"message": "x", "status": 401, "error": "revoked"}, "en")
    assert "超时" in plain_sync_error({"message": "sync service timed out: ReadTimeout", "status": None}, "zh")
    assert "未登记" in plain_sync_error("未登记：没有配置同步服务 / not enrolled: no sync service configured", "zh")
    assert plain_sync_error({"message": "批次太大 / batch too big", "status": 422}, "en").endswith("batch too big")
    assert t("ago_s", "en", n=3) == "3 s ago"


@pytest.mark.parametrize("typed, code", [
    ("abcd-efgh", "ABCD-EFGH"), ("ABCDEFGH", "ABCD-EFGH"), (" k7m2 p9qx ", "K7M2-P9QX"),
    ("ABCD-EFG", None), ("ABCD-EFG0", None), ("OOOO-IIII", None), ("", None),
])
def test_enrolment_codes_are_typed_case_insensitively_with_or_without_the_dash(typed, code):
    assert normalise_code(typed) == code

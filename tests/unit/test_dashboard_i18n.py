from sync_service.dashboard.i18n import STRINGS, pick_lang


def test_every_word_has_both_languages():
    assert set(STRINGS["zh"]) == set(STRINGS["en"])
    assert all(STRINGS["zh"][key] or not STRINGS["en"][key] for key in STRINGS["zh"])


def test_chinese_unless_english_is_asked_for_or_remembered():
    assert pick_lang(None, None) == "zh"
    assert pick_lang("en", None) == "en"
    assert pick_lang(None, "en") == "en"
    assert pick_lang("zh", "en") == "zh"
    assert pick_lang("fr", None) == "zh"

"""The booth board faces the public (issue 15): a phone or ID-card number a citizen wrote
into a comment, a note or a void reason shows masked on the booth page in a real Chromium,
while the laptop's log keeps what was written."""

import pytest
import requests

from tests.e2e.test_booth_page import CHROMIUM, CHROMIUM_ARGS

pytestmark = [pytest.mark.e2e, pytest.mark.browser]
PHONE, ID_CARD = "13812345678", "11010119900307123X"


def _record(url: str, entry: dict) -> dict:
    response = requests.post(f"{url}/api/events", json=entry, timeout=10)
    assert response.status_code == 201, response.text
    return response.json()


def test_the_booth_page_masks_personal_numbers_and_the_log_keeps_them(field_app_factory):
    from playwright.sync_api import expect, sync_playwright

    url, _ = field_app_factory("http://127.0.0.1:9", device_id="laptop-m")  # no centre: offline all along
    _record(url, {"type": "feedback.collected", "payload": {"rating": "satisfied", "comment": f"回电{PHONE}"}})
    noted = _record(url, {"type": "inquiry.answered", "payload": {"topic": "dibao", "department": "jiuzhu",
                                                                 "outcome": "answered", "note": f"证{ID_CARD}"}})
    _record(url, {"type": "event.voided", "payload": {"target_event_id": noted["event_id"],
                                                      "reason": f"本人要求，电话{PHONE}"}})
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.goto(url)
            recent = page.locator("#recent")
            expect(recent.locator("li")).to_have_count(3, timeout=10_000)
            expect(recent).to_contain_text("回电138****5678")
            expect(recent).to_contain_text("110101********123X")
            expect(recent).to_contain_text("电话138****5678")
            assert PHONE not in recent.inner_text() and ID_CARD not in recent.inner_text()
        finally:
            browser.close()
    logged = requests.get(f"{url}/api/events", timeout=10).json()["events"]
    assert {e["payload"].get("comment") or e["payload"].get("note") or e["payload"].get("reason") for e in logged} \
        == {f"回电{PHONE}", f"证{ID_CARD}", f"本人要求，电话{PHONE}"}

"""The day page and the summary as a coordinator uses them on a first real day, in a real
Chromium whose own time zone is not the day's, in both languages, at 1280 px and on a phone
(390x844): the coordinator's decisions are no laptop, a missing delivery is not low stock,
no preselected quarantine target, expired codes read as such, an empty booth is no "0 0 0",
close the day from the day page and see it closed, links both ways to the summary, times in
the plan's time zone, no raw log positions, tables that fit or say they scroll."""

import json
import os
import shutil
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from central import keys
from shared.clock import now_utc, parse_rfc3339, to_rfc3339
from sync_service.coordinators import add_coordinator
from sync_service.devices.enrollment import code_field, create_code
from tests.e2e.test_dashboard_browser import (  # noqa: F401 - fixtures
    CHROMIUM,
    LAPTOP,
    PASSWORD,
    PHONE,
    Laptop,
    bar_value,
    browser,
    central,
    sign_in,
)
from tests.helpers import DAY, REPO, central_totals, wait_until

pytestmark = [pytest.mark.e2e, pytest.mark.browser]
ARTIFACTS = REPO / "test-artifacts"
WIDE = {"width": 1280, "height": 900}
WORDS = {"zh": {"missing": "未登记补货", "expired": "已过期", "closed": "已于", "summary": "活动总结",
                "choose": "请先选择", "position": "日志位置", "recorded_at": "记录时间"},
         "en": {"missing": "delivery not recorded", "expired": "expired", "closed": "Closed at",
                "summary": "Summary", "choose": "Choose what", "position": "og position", "recorded_at": "Recorded at"}}


def _day_with_every_trap(sync_url, redis):
    add_coordinator(redis, "gu", PASSWORD, [DAY])
    laptop = Laptop(sync_url, redis, "laptop-a", "shashan")
    laptop.push(("material.restocked", {"material": "leaflet", "quantity": 100}),
                ("material.distributed", {"material": "leaflet", "quantity": 150}),  # a delivery not recorded
                ("visitor.received", {"party_size": 3}),
                ("feedback.collected", {"rating": "satisfied"}),
                ("inquiry.answered", {"topic": "zhufang", "department": "jiuzhu", "outcome": "answered"}))
    made = create_code(redis, DAY, "bayi", 1, 60, "gu")  # shown as XXXX-XXXX once; kept as the hash of XXXXXXXX
    field = code_field(made["code"].replace("-", ""))
    record = json.loads(redis.hget(keys.ENROLLMENT_CODES, field))
    record["expires_at"] = to_rfc3339(now_utc() - timedelta(minutes=5))  # an hour went by
    redis.hset(keys.ENROLLMENT_CODES, field, json.dumps(record))
    wait_until(lambda: central_totals(sync_url)["log_entries"] == 5, message="pushes folded")
    return made["id"]  # the page lists codes by id


def _traps_are_read_right(page, words, expired, quarantine_open=False):
    row = page.locator("tr[data-booth='shashan'][data-material='leaflet']")
    expect(row).to_contain_text(words["missing"])
    expect(row).not_to_have_class("low")
    expect(page.locator("#low-stock-alert")).to_be_hidden()
    expect(page.locator(f"#codes-table tr[data-id='{expired}'] .code-state")).to_have_text(words["expired"])
    assert bar_value(page, "booths-0-bayi") == "0"  # still in the SVG's text, for readers of the file ...
    opacity = "(id) => getComputedStyle(document.getElementById(id).querySelector('text')).opacity"
    assert page.evaluate(opacity, "booths-0-bayi-value") == "0"  # ... but no "0 0 0" on screen
    if not quarantine_open:
        return
    select = page.locator("#quarantine-table tr[data-key='topic:zhufang'] select.map-to")
    expect(select).to_have_value("")  # nothing preselected
    page.locator("#quarantine-table tr[data-key='topic:zhufang'] button.map").click()
    expect(page.locator("#quarantine-note")).to_contain_text(words["choose"])


def _close_the_day_from_the_day_page(page, redis, words):
    expect(page.locator("#summary-link")).to_have_text(words["summary"])
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#close-day")
    expect(page.locator("#day-closed")).to_contain_text(words["closed"])
    closed_at = parse_rfc3339(redis.hget(keys.closed(DAY), "closed_at")).astimezone(ZoneInfo("Asia/Shanghai"))
    expect(page.locator("#day-closed")).to_contain_text(f"{closed_at:%H:%M}")  # the plan's zone, not New York's
    page.reload()
    page.wait_for_selector("body[data-ready='1']")
    expect(page.locator("#day-closed")).to_be_visible()
    expect(page.locator("#close-day")).to_have_count(0)
    return closed_at


def _tables_fit_or_say_they_scroll(page, viewport):
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    boxes = page.evaluate("[...document.querySelectorAll('.scroll')].map(b => "
                          "[b.querySelector('table') && b.querySelector('table').id, b.scrollWidth > b.clientWidth + 1,"
                          " b.dataset.overflow, getComputedStyle(b, '::before').content])")
    for table, overflows, marked, hint in boxes:
        assert marked == ("1" if overflows else "0"), (table, overflows, marked)
        if overflows:
            assert "→" in hint, (table, hint)  # "swipe sideways for more"


def _summary_page(page, words, closed_at):
    wait_until(lambda: page.reload() and page.locator("#paragraph").count() == 1, timeout=60,
               message="the summary made")
    expect(page.locator("#closed")).to_contain_text(f"{closed_at:%H:%M}")
    text = page.locator("body").inner_text()
    assert words["position"] not in text and "-0 " not in text  # no raw log position
    assert "T" not in page.locator("#closed").inner_text().split("·")[1]  # no ISO stamp
    page.locator("#figures tr[data-figure='visitors'] a").click()
    expect(page.locator("#events th").first).to_have_text(words["recorded_at"])
    page.go_back()
    page.click("#day-link")
    page.wait_for_selector("body[data-ready='1']")


def test_a_coordinators_first_day_in_both_languages_and_widths(central, redis, browser):  # noqa: F811
    expired = _day_with_every_trap(central, redis)
    context = browser.new_context(timezone_id="America/New_York")  # the browser's zone is not the day's
    page = context.new_page()
    try:
        page.set_viewport_size(WIDE)
        sign_in(page, central)
        words = WORDS["zh"]
        _traps_are_read_right(page, words, expired, quarantine_open=True)
        page.locator("#quarantine-table tr[data-key='topic:zhufang'] select.map-to").select_option("dibao")
        page.locator("#quarantine-table tr[data-key='topic:zhufang'] button.map").click()
        wait_until(lambda: page.locator("#devices-table tbody tr").count() == 1, message="devices listed")
        expect(page.locator("#devices-table tr[data-device='_coordinator']")).to_have_count(0)
        svg = page.locator("#chart-booths svg").bounding_box()
        card = page.locator("#booths-section").bounding_box()
        left, right = svg["x"] - card["x"], card["x"] + card["width"] - svg["x"] - svg["width"]
        assert svg["width"] > 600 and abs(left - right) < 4  # sized for the screen, centred
        closed_at = _close_the_day_from_the_day_page(page, redis, words)
        for lang, viewport in (("zh", PHONE), ("en", PHONE), ("en", LAPTOP)):
            words = WORDS[lang]
            page.set_viewport_size(viewport)
            page.goto(f"{central}/dashboard/days/{DAY}?lang={lang}")
            page.wait_for_selector("body[data-ready='1']")
            _traps_are_read_right(page, words, expired)
            expect(page.locator("#day-closed")).to_contain_text(f"{closed_at:%H:%M}")
            assert words["position"] not in page.locator("main").inner_text()
            _tables_fit_or_say_they_scroll(page, viewport)
            if viewport is PHONE and lang == "zh":
                ARTIFACTS.mkdir(exist_ok=True)
                page.screenshot(path=str(ARTIFACTS / "dashboard-phone-zh.png"))
        page.click("#summary-link")  # from the day page to its summary, and back by its link
        _summary_page(page, WORDS["en"], closed_at)
        page.set_viewport_size(PHONE)
        page.goto(f"{central}/days/{DAY}/summary?lang=zh")
        _summary_page(page, WORDS["zh"], closed_at)
    finally:
        context.close()
    if os.environ.get("OPENDAY_DOC_IMAGES"):
        shutil.copy(ARTIFACTS / "dashboard-phone-zh.png", REPO / "docs" / "img" / "dashboard-phone.png")


assert CHROMIUM  # the browser fixture launches it

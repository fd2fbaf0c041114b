"""The coordinator's day page in a real Chromium against the real sync service and worker:
sign in, see the figures, the refusals, screenshots at laptop and phone width in both
languages (saved under test-artifacts/ for people to look at)."""

import re
from datetime import timedelta

import pytest
import requests
from playwright.sync_api import expect, sync_playwright

from shared.clock import now_utc, to_rfc3339
from sync_service.coordinators import add_coordinator
from sync_service.devices.tokens import Device, register_device
from tests.factories import make_event
from tests.helpers import DAY, REPO, central_totals, running_central, wait_until

pytestmark = [pytest.mark.e2e, pytest.mark.browser]
expect.set_options(timeout=20_000)  # a 2-core machine shared with other test runs can be slow

ARTIFACTS = REPO / "test-artifacts"
PASSWORD = "correct horse battery"
CHROMIUM = {"executable_path": "/usr/bin/chromium",
            "args": ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]}
LAPTOP, PHONE = {"width": 1366, "height": 900}, {"width": 390, "height": 844}


class Laptop:
    """Pushes events straight to the push API with a token from register_device."""

    def __init__(self, sync_url, redis, device_id, booth_id):
        self.sync_url, self.device_id, self.booth_id, self.seq = sync_url, device_id, booth_id, 0
        self.token = register_device(redis, Device(device_id, booth_id, DAY))

    def push(self, *entries: tuple[str, dict], clock_ahead_s: float = 0) -> None:
        events = []
        for type_, payload in entries:
            self.seq += 1
            events.append(make_event(self.seq, type_, payload, device_id=self.device_id, booth_id=self.booth_id,
                                     recorded_at="2022-05-15T10:20:00+08:00"))
        response = requests.post(f"{self.sync_url}/api/v1/sync/push", timeout=10,
                                 headers={"Authorization": f"Bearer {self.token}"},
                                 json={"device_id": self.device_id, "events": events,
                                       "sent_at": to_rfc3339(now_utc() + timedelta(seconds=clock_ahead_s))})
        assert response.status_code == 200, response.text


@pytest.fixture
def central(redis_url, tmp_path):
    """Sync service + one worker, as tests/e2e/conftest.py starts them, with a 1 s heartbeat on
    the live stream: a stream whose page has gone notices it at the next heartbeat, so the
    service stops at once after each test instead of waiting out gunicorn's graceful timeout."""
    with running_central(redis_url, tmp_path, OPENDAY_LIVE_HEARTBEAT="1") as url:
        yield url


@pytest.fixture
def browser():
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(**CHROMIUM)
        yield chromium
        chromium.close()


def sign_in(page, sync_url, username="gu", password=PASSWORD):
    page.goto(f"{sync_url}/dashboard/days/{DAY}")
    expect(page.locator("#signin-submit")).to_be_visible()  # a signed-out visitor is sent to sign in
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("#signin-submit")
    page.wait_for_selector("body[data-ready='1']")


def charts_drawn(page):
    """The five charts are in the page (SVG drawn by the server, no chart script)."""
    for chart in ("booths", "departments", "topics", "hours", "materials"):
        expect(page.locator(f"#chart-{chart} > svg")).to_be_visible()


def bar_value(page, bar_id: str) -> str:
    """The value written at the end of a bar (ids: chart_svg.Chart)."""
    return page.evaluate("(id) => document.getElementById(id).textContent.trim()", f"{bar_id}-value")


def bar_box(page, bar_id: str) -> dict:
    """A bar's box in its SVG's units, read in one script run (a chart replaced by a newer
    SVG between two Playwright steps would leave a locator with nothing to measure)."""
    return page.evaluate("(id) => { const b = document.getElementById(id).querySelector('path').getBBox();"
                         " return {x: b.x, y: b.y, width: b.width, height: b.height}; }", bar_id)


def headline(page, name):
    return page.locator(f"#headline [data-figure='{name}']")


def test_day_page_shows_the_day_in_both_languages_at_laptop_and_phone_width(central, redis, browser):
    add_coordinator(redis, "gu", PASSWORD, [DAY])
    shashan, bayi = Laptop(central, redis, "laptop-a", "shashan"), Laptop(central, redis, "laptop-b", "bayi")
    shashan.push(("visitor.received", {"party_size": 5}),
                 ("material.restocked", {"material": "leaflet", "quantity": 300}),
                 ("material.distributed", {"material": "leaflet", "quantity": 150}),
                 ("inquiry.answered", {"topic": "dibao", "department": "jiuzhu", "outcome": "answered"}))
    bayi.push(("visitor.received", {"party_size": 2}),
              ("inquiry.answered", {"topic": "hunyin", "department": "hunyin", "outcome": "referred"}),
              ("inquiry.answered", {"topic": "hunyin", "department": "hunyin", "outcome": "answered"}),
              ("feedback.collected", {"rating": "satisfied", "hot_issue": True, "comment": "希望延长办理时间"}),
              clock_ahead_s=3600)  # this laptop's clock is an hour fast
    wait_until(lambda: central_totals(central)["log_entries"] == 8,
               message="pushes folded")

    page = browser.new_page(viewport=LAPTOP)
    sign_in(page, central)
    expect(headline(page, "visitors")).to_have_attribute("data-value", "7")
    expect(headline(page, "inquiries.total")).to_have_attribute("data-value", "3")
    expect(headline(page, "materials.distributed.leaflet")).to_contain_text("150")
    expect(headline(page, "satisfaction")).to_contain_text("100%")
    expect(page.locator("#low-stock-alert")).to_contain_text("砂山新村社区小广场")  # 150 left < 200
    expect(page.locator("tr.low[data-booth='shashan'][data-material='leaflet']")).to_be_visible()
    charts_drawn(page)
    assert bar_value(page, "topics-0-hunyin") == "2" and bar_value(page, "topics-0-dibao") == "1"
    assert bar_box(page, "topics-0-hunyin")["y"] < bar_box(page, "topics-0-dibao")["y"]  # sorted: largest on top
    assert "婚姻登记" in page.locator("#chart-topics").text_content()  # labels are text, in Chinese
    # visitors by hour in the plan's time zone, the fast laptop's clock corrected: 5 at 10:00, 2 at 09:00
    assert bar_box(page, "hours-1-10")["height"] > bar_box(page, "hours-1-09")["height"] > 0
    expect(page.locator("#devices-table tr[data-device='laptop-b']")).to_contain_text("八一公园广场")
    expect(page.locator("#devices-table tr[data-device='laptop-a']")).to_contain_text("砂山新村社区小广场")
    expect(page.locator("#devices-table tr[data-device='laptop-b']")).to_contain_text("时钟偏差大")
    expect(page.locator("#devices-table tr[data-device='laptop-b']")).to_contain_text("+1 小时 0 分钟")  # not ms
    expect(page.locator("#devices-table tr[data-device='laptop-a']")).not_to_contain_text("时钟偏差大")
    expect(page.locator("#devices-table tr[data-device='laptop-a']")).to_contain_text("4 条记录时间异常")  # 2022

    ARTIFACTS.mkdir(exist_ok=True)
    for lang, words in (("zh", "接待群众"), ("en", "Visitors received")):
        for width, viewport in (("laptop", LAPTOP), ("phone", PHONE)):
            page.set_viewport_size(viewport)
            page.goto(f"{central}/dashboard/days/{DAY}?lang={lang}")
            page.wait_for_selector("body[data-ready='1']")
            expect(headline(page, "visitors")).to_contain_text(words)
            charts_drawn(page)
            assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]  # no sideways scroll
            page.screenshot(path=str(ARTIFACTS / f"dashboard-{width}-{lang}.png"), full_page=True)


def test_signed_out_visitors_and_device_tokens_do_not_open_the_page(central, redis, browser):
    device = Laptop(central, redis, "laptop-a", "shashan")
    anonymous = browser.new_page()
    anonymous.goto(f"{central}/dashboard/days/{DAY}")
    expect(anonymous.locator("#signin-submit")).to_be_visible()
    assert "/dashboard/signin" in anonymous.url and anonymous.locator("#headline").count() == 0

    with_token = browser.new_context(extra_http_headers={"Authorization": f"Bearer {device.token}"})
    response = with_token.new_page().goto(f"{central}/dashboard/days/{DAY}")
    assert response.status == 401
    with_token.close()

    wrong = browser.new_page()
    add_coordinator(redis, "gu", PASSWORD, [DAY])
    wrong.goto(f"{central}/dashboard/signin")
    wrong.fill("input[name=username]", "gu")
    wrong.fill("input[name=password]", "not the password")
    wrong.click("#signin-submit")
    expect(wrong.locator("#signin-message")).to_contain_text("用户名或密码不正确")


def test_enrollment_codes_are_created_and_revoked_from_the_page(central, redis, browser):
    add_coordinator(redis, "gu", PASSWORD, [DAY])
    page = browser.new_page()
    sign_in(page, central)
    page.select_option("#code-booth", "bayi")
    page.fill("#code-uses", "3")
    page.click("#code-create")
    code_cell = page.locator("#codes-table .enrol-code").first
    expect(code_cell).to_have_text(re.compile(r"^[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}$"))
    code = code_cell.inner_text()
    row = page.locator(f"#codes-table tr[data-code='{code}']")
    expect(row).to_contain_text("八一公园广场")
    expect(row).to_contain_text("3")
    expect(page.locator("#codes-note")).to_contain_text("只在生成时显示")
    listed = requests.get(f"{central}/api/v1/days/{DAY}/enrollment-codes", auth=("gu", PASSWORD), timeout=5).json()
    assert [c["id"] for c in listed["codes"]] == [row.get_attribute("data-id")] and "code" not in listed["codes"][0]
    page.reload()  # the centre keeps only the code's hash: once the page is gone, so is the code
    row = page.locator(f"#codes-table tr[data-id='{listed['codes'][0]['id']}']")
    expect(row.locator(".enrol-code")).to_have_text("••••-••••")

    row.locator("button.revoke").click()
    expect(row).to_have_count(0)
    listed = requests.get(f"{central}/api/v1/days/{DAY}/enrollment-codes", auth=("gu", PASSWORD), timeout=5).json()
    assert listed["codes"] == []


def test_a_laptop_is_revoked_from_the_page(central, redis, browser):
    add_coordinator(redis, "gu", PASSWORD, [DAY])
    laptop = Laptop(central, redis, "laptop-b", "bayi")
    laptop.push(("visitor.received", {"party_size": 1}))
    page = browser.new_page()
    sign_in(page, central)
    row = page.locator("#devices-table tr[data-device='laptop-b']")
    expect(row).to_contain_text("八一公园广场")
    page.once("dialog", lambda dialog: dialog.accept())
    row.locator("button.revoke-device").click()
    expect(row).to_contain_text("已停用")
    refused = requests.post(f"{central}/api/v1/sync/push", headers={"Authorization": f"Bearer {laptop.token}"},
                            json={"device_id": "laptop-b", "sent_at": "2022-05-15T10:00:00+08:00", "events": []},
                            timeout=5)
    assert refused.status_code == 401 and refused.json()["error"] == "revoked"

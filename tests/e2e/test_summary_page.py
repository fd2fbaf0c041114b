"""The summary page in a real Chromium against the real sync service and worker: close the
day with the button, read the paragraph and figures, switch to English, drill down to the
events behind a figure, see what a late laptop changed, and have a bad template refused."""

import pytest
import requests

from central.central_log import CentralLog
from central.queue import request_fold, rq_connection
from sync_service.coordinators import add_coordinator
from tests.e2e.test_booth_page import CHROMIUM, CHROMIUM_ARGS
from tests.helpers import DAY, wait_until
from tests.summary_day import as_events, generate_day

pytestmark = [pytest.mark.e2e, pytest.mark.browser]
AUTH = ("office", "correct horse")


@pytest.fixture
def browser_page():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(http_credentials={"username": AUTH[0], "password": AUTH[1]},
                                      viewport={"width": 1280, "height": 900}, locale="zh-CN")
        yield context.new_page()
        browser.close()


def _summary(central):
    return requests.get(f"{central}/api/v1/days/{DAY}/summary", auth=AUTH, timeout=10).json()


def test_summary_page_closes_shows_drills_down_and_says_what_changed(central, redis, redis_url, browser_page):
    from playwright.sync_api import expect

    page = browser_page
    add_coordinator(redis, *AUTH, [DAY])
    events = as_events(generate_day(seed=31))
    log = CentralLog(redis)
    for device in ("laptop-a", "laptop-b", "laptop-c"):
        log.append_batch(DAY, device, events[device], received_ms=0)
    assert requests.get(f"{central}/days/{DAY}/summary", timeout=10).status_code == 401

    page.goto(f"{central}/days/{DAY}/summary")
    expect(page.locator("#no-summary")).to_contain_text("尚无总结")
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#close-day")
    expect(page.locator("#paragraph")).to_be_visible(timeout=30_000)
    first = _summary(central)
    expect(page.locator("#paragraph")).to_have_text(first["content"]["text"]["zh"])
    expect(page.locator("#status")).to_contain_text("已关闭")
    leaflets = page.locator('#figures tr[data-figure="materials.distributed.leaflet"]')
    value = first["content"]["values"]["materials.distributed.leaflet"]
    expect(leaflets.locator("td").nth(1)).to_have_text(f"{value:,}")
    expect(page.locator("#charts img")).to_have_count(4)
    # a function, not an expression: Playwright would eval() an expression, which the page's CSP forbids
    page.wait_for_function("() => Array.from(document.querySelectorAll('#charts img'))"
                           ".every(i => i.complete && i.naturalWidth > 0)", timeout=30_000)  # drawn PNGs

    by_booth = page.locator('#by-booth tr[data-figure="visitors"] td.num')
    expect(by_booth).to_have_text([f"{first['content']['figures']['totals']['by_booth'][b]['visitors']:,}"
                                   for b in ("bayi", "shashan")])
    leaflets.locator("a").click()  # the drill-down
    expect(page.locator("#total")).to_have_text(f"{value:,}")
    behind = requests.get(f"{central}/api/v1/days/{DAY}/summary/events", auth=AUTH, timeout=10,
                          params={"figure": "materials.distributed.leaflet"}).json()["events"]
    expect(page.locator("#events tr")).to_have_count(len(behind) + 1)
    expect(page.locator("#events tr.voided")).to_have_count(sum(1 for e in behind if e["voided_by"]))
    page.go_back()

    page.click("#lang-switch")
    expect(page.locator("#paragraph")).to_have_text(first["content"]["text"]["en"])
    expect(page.locator("html")).to_have_attribute("lang", "en")

    # laptop-d was offline all day; it syncs after the close, the fold asks for version 2
    log.append_batch(DAY, "laptop-d", events["laptop-d"], received_ms=0)
    request_fold(redis, rq_connection(redis_url), DAY)
    wait_until(lambda: _summary(central)["version"] == 2, timeout=30, message="summary version 2")
    page.goto(f"{central}/days/{DAY}/summary")
    expect(page.locator("#versions")).to_contain_text("v2")
    expect(page.locator('#changes tr[data-figure="laptops"] td')).to_have_text(["记录终端（笔记本）", "3", "4"])

    # a template with an unknown placeholder is refused, field by field, and nothing is saved
    text = page.locator("#template-text")
    expect(text).not_to_have_value("", timeout=10_000)
    text.fill(text.input_value().replace("{organiser}", "{boss}", 1))
    page.click("#save-template")
    expect(page.locator("#template-errors")).to_contain_text("unknown placeholder {boss}")
    saved = requests.get(f"{central}/api/v1/days/{DAY}/summary/template", auth=AUTH, timeout=10).json()
    assert "{boss}" not in str(saved) and "{organiser}" in saved["en"]["paragraph"]

"""The booth page as staff meet it on a first real day, in a real Chromium, in both
languages, at laptop width (1280) and on a phone (390x844, touch): a refused number keeps
what was typed and marks the box, `1e3` is not a thousand, a stale error goes once
something is saved, undo sits in the header over nothing, the phone layout fits a thumb,
central cells say "not yet synced", and a closed day is said on the page."""

import os
import shutil

import pytest
import requests
from playwright.sync_api import expect, sync_playwright

from openday.embedded_redis import free_port
from tests.helpers import DAY, PLAN_PATH, REPO, Process, openday, wait_until

pytestmark = [pytest.mark.e2e, pytest.mark.browser]
expect.set_options(timeout=15_000)
CHROMIUM = {"executable_path": "/usr/bin/chromium",
            "args": ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]}
DESKTOP = {"viewport": {"width": 1280, "height": 900}}
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 1}
ARTIFACTS = REPO / "test-artifacts"
WORDS = {"zh": {"not_synced": "尚未同步", "whole": "数量", "topic_first": "请先", "closed": "已于"},
         "en": {"not_synced": "not yet synced", "whole": "Quantity", "topic_first": "topic", "closed": "was closed"}}


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(**CHROMIUM)
        yield chromium
        chromium.close()


def start_field_app(tmp_path, name: str, **env) -> tuple[Process, str]:
    port = free_port()
    process = Process(openday("field-app", "--port", str(port)), {
        "OPENDAY_FIELD_DB": str(tmp_path / f"{name}.sqlite3"), "OPENDAY_PLAN": str(PLAN_PATH),
        "OPENDAY_BOOTH_ID": "shashan", "OPENDAY_SYNC_URL": "", "OPENDAY_DEVICE_TOKEN": "", **env,
    }, tmp_path / f"{name}.log")
    url = f"http://127.0.0.1:{port}"
    wait_until(lambda: requests.get(f"{url}/api/status", timeout=1).ok, message="field app up")
    return process, url


@pytest.fixture(scope="module")
def unenrolled(tmp_path_factory):
    process, url = start_field_app(tmp_path_factory.mktemp("booth"), "unenrolled", OPENDAY_PUSH_INTERVAL="0")
    yield url
    process.stop()


def entries(url: str) -> list[dict]:
    return requests.get(f"{url}/api/events", timeout=5).json()["events"]


def recorded(url: str, before: int) -> list[dict]:
    return entries(url)[: len(entries(url)) - before]


def _numbers_are_kept_when_refused(page, url, words):
    before = len(entries(url))
    page.fill("#quantity", "99999")
    page.click('button[data-material="leaflet"]')
    expect(page.locator("#quantity")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#quantity")).to_have_value("99999")  # kept, so the next tap does not record 1
    expect(page.locator('.errors[data-for="material.distributed"]')).to_contain_text(words["whole"])
    page.fill("#quantity", "1e3")
    page.click('button[data-material="leaflet"]')
    expect(page.locator("#quantity")).to_have_attribute("aria-invalid", "true")
    assert len(entries(url)) == before  # neither 99999 nor 1e3 (= 1,000) was recorded
    page.fill("#party-size", "99")
    page.click("#visitor")
    expect(page.locator("#party-size")).to_have_value("99")
    expect(page.locator("#party-size")).to_have_attribute("aria-invalid", "true")
    page.fill("#quantity", "20")
    page.click('button[data-material="leaflet"]')
    expect(page.locator("#quantity")).to_have_value("1")
    expect(page.locator("#quantity")).to_have_attribute("aria-invalid", "false")
    assert entries(url)[0]["payload"] == {"material": "leaflet", "quantity": 20}


def _stale_errors_clear_and_undo_covers_nothing(page, words, phone):
    page.click('button.outcome[data-outcome="answered"]')  # no topic picked
    topic_error = page.locator('.errors[data-for="inquiry.answered"]')
    expect(topic_error).to_contain_text(words["topic_first"])
    page.click('button.rating[data-rating="satisfied"]')
    expect(topic_error).to_be_empty()  # stale once something else is saved
    undo = page.locator("#undo-bar")
    expect(undo).to_be_visible()
    assert undo.evaluate("bar => !!bar.closest('header')")  # in the sticky header, over no control
    button = page.locator("#undo").bounding_box()
    line = page.locator("#undo-text").bounding_box()
    assert button["height"] <= line["height"] + 16  # one line: "撤销上一条" does not wrap
    if phone:
        assert page.locator("header").bounding_box()["height"] <= 150  # with the undo row showing


def _phone_layout_fits_a_thumb(page, lang):
    undo = page.locator("#undo-bar")
    undo_row = undo.bounding_box()["height"] if undo.is_visible() else 0
    header = page.locator("header").bounding_box()["height"] - undo_row
    assert header <= 80, f"{lang}: the header takes {header:.0f} px of 844 (was 129 zh / 198 en)"
    expect(page.locator('button[data-material="leaflet"] kbd')).to_be_hidden()  # no key hints on touch
    staff = page.locator("header label").bounding_box()
    assert staff["height"] < 40  # "工号" on one line
    page.locator("#jump button[data-jump='panel-totals']").tap()
    in_view = "p => p.getBoundingClientRect().top >= 0 && p.getBoundingClientRect().top < 600"
    wait_until(lambda: page.locator("#panel-totals").evaluate(in_view),
               message="the totals in view after one tap")
    row = page.locator("#recent li button.void").first
    row.tap()
    submit = page.locator("#recent li form button[type=submit]").bounding_box()
    assert submit["height"] < 44  # the void form's buttons do not wrap


@pytest.mark.parametrize("lang, viewport", [("zh", "phone"), ("en", "phone"), ("zh", "desktop"), ("en", "desktop")])
def test_booth_page_on_a_first_day(browser, unenrolled, lang, viewport):
    context = browser.new_context(**(PHONE if viewport == "phone" else DESKTOP), locale="en-US")
    page = context.new_page()
    try:
        page.goto(f"{unenrolled}/?lang={lang}")
        words = WORDS[lang]
        expect(page.locator('td[data-scope="booth"][data-figure="visitors"]')).to_have_text(words["not_synced"])
        _numbers_are_kept_when_refused(page, unenrolled, words)
        _stale_errors_clear_and_undo_covers_nothing(page, words, viewport == "phone")
        if viewport == "phone":
            page.evaluate("window.scrollTo(0, 0)")
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / f"booth-phone-{lang}.png"))
            _phone_layout_fits_a_thumb(page, lang)
    finally:
        context.close()
    if viewport == "phone" and lang == "zh" and os.environ.get("OPENDAY_DOC_IMAGES"):
        shutil.copy(ARTIFACTS / "booth-phone-zh.png", REPO / "docs" / "img" / "booth-phone.png")


def test_a_closed_day_is_said_on_the_booth_page(browser, redis_url, redis, tmp_path):
    from central.summary.store import close_day
    from shared.clock import now_utc, to_rfc3339
    from sync_service.devices.tokens import Device, register_device
    from tests.helpers import running_central

    with running_central(redis_url, tmp_path) as sync_url:
        token = register_device(redis, Device("laptop-c", "shashan", DAY))
        process, url = start_field_app(tmp_path, "closed", OPENDAY_SYNC_URL=sync_url, OPENDAY_DEVICE_ID="laptop-c",
                                       OPENDAY_DEVICE_TOKEN=token, OPENDAY_PULL_INTERVAL="0.3")
        try:
            close_day(redis, DAY, "gu", to_rfc3339(now_utc()))
            for lang, size in (("zh", PHONE), ("en", DESKTOP)):
                context = browser.new_context(**size)
                page = context.new_page()
                page.goto(f"{url}/?lang={lang}")
                expect(page.locator("#day-closed")).to_contain_text(WORDS[lang]["closed"])
                context.close()
        finally:
            process.stop()

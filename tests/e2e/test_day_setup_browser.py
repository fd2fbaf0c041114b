"""Issue 16's whole story in a real Chromium against the real sync service, worker and field
app: an organiser creates a day by uploading an Excel workbook, grants a coordinator and
makes an enrolment code; a laptop enrols and records; the coordinator adds a topic mid-day;
the booth page offers it within a pull; an entry made earlier with that key (quarantined)
is counted at once; the summary names each label's plan version."""

import json

import pytest
import requests
from playwright.sync_api import expect, sync_playwright

from central.plan_workbook import plan_to_workbook
from openday.embedded_redis import free_port
from sync_service.coordinators import ORGANISER, add_coordinator
from sync_service.devices.tokens import Device, register_device
from tests.factories import make_event
from tests.helpers import PLAN_PATH, Process, openday, running_central, wait_until

pytestmark = [pytest.mark.e2e, pytest.mark.browser]
expect.set_options(timeout=20_000)
CHROMIUM = {"executable_path": "/usr/bin/chromium",
            "args": ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]}
DAY = "heping-2026-05-15"
ORG, GU = ("org", "organiser pass 1"), ("gu", "coordinator pass 1")


def sign_in(page, url: str, who: tuple[str, str]) -> None:
    page.goto(f"{url}/dashboard/signin")
    page.fill("input[name=username]", who[0])
    page.fill("input[name=password]", who[1])
    page.click("#signin-submit")
    expect(page.locator("h1")).to_be_visible()


def central_totals(url: str) -> dict:
    return requests.get(f"{url}/api/v1/days/{DAY}/totals", auth=GU, timeout=10).json()


def push_quarantined_entry(url: str, redis) -> None:
    """A laptop whose own plan already had topic yanglao (typed in on site) recorded this
    before the centre knew the key: the centre keeps it in quarantine."""
    token = register_device(redis, Device("laptop-early", "shashan", DAY))
    event = {**make_event(1, "inquiry.answered", {"topic": "yanglao", "department": "jiuzhu", "outcome": "answered"},
                          device_id="laptop-early", recorded_at="2026-05-15T09:05:00.000+08:00"), "day_id": DAY}
    answer = requests.post(f"{url}/api/v1/sync/push", headers={"Authorization": f"Bearer {token}"}, timeout=10,
                           json={"device_id": "laptop-early", "sent_at": event["recorded_at"], "events": [event]})
    assert answer.status_code == 200, answer.text
    wait_until(lambda: central_totals(url).get("quarantined") == 1, message="the entry quarantined")


def create_day_by_upload(page, url: str, workbook) -> str:
    page.goto(f"{url}/dashboard/")
    page.click("#new-day")
    page.set_input_files("#workbook", str(workbook))
    page.click("#upload-create")
    expect(page.locator("#notice")).to_contain_text("已创建,第 1 版")
    expect(page.locator("#plan-version")).to_contain_text("1")
    page.goto(f"{url}/dashboard/accounts")
    row = page.locator('tr[data-user="gu"]')
    row.locator("select.grant-day").select_option(DAY)
    row.locator("button.grant").click()
    expect(page.locator('tr[data-user="gu"] .tag')).to_have_text(DAY)
    page.goto(f"{url}/dashboard/days/{DAY}")
    page.select_option("#code-booth", "bayi")
    page.click("#code-create")
    code = page.locator("#codes-table .enrol-code").first
    expect(code).to_be_visible()
    return code.inner_text()


def start_laptop(tmp_path, url: str, code: str) -> tuple[Process, str]:
    plan_file = tmp_path / "laptop-plan.json"  # the plan the organiser hands out with the laptops
    plan_file.write_text(json.dumps(requests.get(f"{url}/api/v1/days/{DAY}/plan", auth=ORG, timeout=10).json(),
                                    ensure_ascii=False), encoding="utf-8")
    port = free_port()
    laptop = Process(openday("field-app", "--port", str(port)), {
        "OPENDAY_FIELD_DB": str(tmp_path / "laptop.sqlite3"), "OPENDAY_PLAN": str(plan_file),
        "OPENDAY_PUSH_INTERVAL": "0.3", "OPENDAY_PULL_INTERVAL": "0.5"}, tmp_path / "field.log")
    field = f"http://127.0.0.1:{port}"
    wait_until(lambda: requests.get(f"{field}/api/status", timeout=1).ok, message="field app up")
    enrolled = requests.post(f"{field}/api/enroll", json={"sync_url": url, "code": code, "label": "八一 1 号机"},
                             timeout=15)
    assert enrolled.status_code == 201, enrolled.text
    return laptop, field


def add_topic_as_coordinator(page, url: str) -> None:
    page.goto(f"{url}/dashboard/days/{DAY}/setup")
    blank = page.locator('#table-topics input[name$="-id"][value=""]').first
    row = blank.get_attribute("name").rsplit("-", 1)[0]
    page.fill(f'input[name="{row}-id"]', "yanglao")
    page.fill(f'input[name="{row}-zh"]', "养老服务")
    page.fill(f'input[name="{row}-en"]', "Elderly care")
    page.click("#save-plan")
    expect(page.locator("#notice")).to_contain_text("已保存为第 2 版")
    expect(page.locator('#versions tr[data-version="2"]')).to_contain_text("yanglao")


def test_an_organiser_sets_up_a_day_from_excel_and_a_topic_added_mid_day_reaches_laptops_and_figures(
        redis, redis_url, tmp_path):
    empty = tmp_path / "no-plans"
    empty.mkdir()
    raw = {**json.loads(PLAN_PATH.read_text(encoding="utf-8")), "day_id": DAY, "date": "2026-05-15"}
    workbook = tmp_path / "day.xlsx"
    workbook.write_bytes(plan_to_workbook(raw))
    add_coordinator(redis, *ORG, [], ORGANISER)
    add_coordinator(redis, *GU, [])
    with running_central(redis_url, tmp_path, OPENDAY_PLAN_DIR=str(empty), OPENDAY_LIVE_HEARTBEAT="1") as url, \
            sync_playwright() as playwright:
        browser = playwright.chromium.launch(**CHROMIUM)
        organiser = browser.new_context().new_page()
        sign_in(organiser, url, ORG)
        code = create_day_by_upload(organiser, url, workbook)
        laptop, field = start_laptop(tmp_path, url, code)
        try:
            booth = browser.new_context().new_page()
            booth.goto(field)
            expect(booth.locator("#online")).to_have_text("在线")
            booth.click('button.topic[data-topic="dibao"]')
            booth.click('button.outcome[data-outcome="answered"]')
            wait_until(lambda: central_totals(url).get("inquiries", {}).get("total") == 1, message="entry counted")
            push_quarantined_entry(url, redis)
            assert booth.locator('button.topic[data-topic="yanglao"]').count() == 0

            booth.fill("#inquiry-note", "群众问到一半")  # an entry half made: the new plan must wait for it
            coordinator = browser.new_context().new_page()
            sign_in(coordinator, url, GU)
            add_topic_as_coordinator(coordinator, url)
            wait_until(lambda: requests.get(f"{field}/api/status", timeout=5).json()["plan_version"] == 2,
                       message="the laptop pulled version 2")
            booth.wait_for_timeout(2500)  # a poll or two of the page (every 2 s): it must not reload under the note
            expect(booth.locator("#inquiry-note")).to_have_value("群众问到一半")
            assert booth.locator('button.topic[data-topic="yanglao"]').count() == 0
            booth.fill("#inquiry-note", "")
            booth.evaluate("document.activeElement.blur()")

            expect(booth.locator('button.topic[data-topic="yanglao"]')).to_contain_text("养老服务", timeout=15_000)
            wait_until(lambda: central_totals(url)["inquiries"]["by_topic"].get("yanglao") == 1
                       and central_totals(url)["quarantined"] == 0, message="the quarantined entry counted")
            booth.click('button.topic[data-topic="yanglao"]')
            booth.click('button.outcome[data-outcome="referred"]')
            wait_until(lambda: central_totals(url)["inquiries"]["by_topic"].get("yanglao") == 2,
                       message="the new button's entry counted")

            coordinator.goto(f"{url}/dashboard/days/{DAY}")
            resolved = coordinator.locator('tr[data-resolved="topic:yanglao"]')
            expect(resolved).to_contain_text("计划新增此项后计入 plan v2")

            closed = requests.post(f"{url}/api/v1/days/{DAY}/close", auth=GU, timeout=10, json={})
            assert closed.status_code in (200, 202), closed.text
            wait_until(lambda: requests.get(f"{url}/api/v1/days/{DAY}/summary", auth=GU, timeout=10).ok,
                       timeout=60, message="summary made")
            coordinator.goto(f"{url}/days/{DAY}/summary")
            expect(coordinator.locator('#by-topic tr[data-topic="yanglao"]')).to_contain_text("养老服务")
            expect(coordinator.locator('#by-topic tr[data-topic="yanglao"] .label-version')).to_have_text("2")
            expect(coordinator.locator('#by-topic tr[data-topic="dibao"]')).to_contain_text("低保")
            expect(coordinator.locator('#by-topic tr[data-topic="dibao"] .label-version')).to_have_text("1")
            browser.close()
        finally:
            laptop.stop()

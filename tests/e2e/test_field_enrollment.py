"""The field app's half of enrolment, against a real sync service: a laptop records
before it is enrolled, is enrolled on the booth page with a coordinator's code, and its
earlier entries reach the central totals. Codes for another booth are refused unspent."""

import pytest
import requests

from openday.embedded_redis import free_port
from sync_service.coordinators import add_coordinator
from tests.e2e.test_booth_page import CHROMIUM, CHROMIUM_ARGS, expect_figure
from tests.helpers import DAY, PLAN_PATH, Process, central_totals, openday, wait_until

pytestmark = [pytest.mark.e2e, pytest.mark.browser]
LEAD = ("lead", "open-day-2022")


def new_code(central: str, booth_id: str, uses: int = 1) -> str:
    response = requests.post(f"{central}/api/v1/days/{DAY}/enrollment-codes", auth=LEAD, timeout=5,
                             json={"booth_id": booth_id, "uses": uses, "ttl_minutes": 60})
    assert response.status_code == 201, response.text
    return response.json()["code"]  # (its id: code_ids())


def code_ids(central: str) -> dict[str, int]:
    """The day's codes as the centre lists them: id -> uses left (the code itself is never listed)."""
    codes = requests.get(f"{central}/api/v1/days/{DAY}/enrollment-codes", auth=LEAD, timeout=5).json()["codes"]
    return {c["id"]: c["uses_left"] for c in codes}


@pytest.fixture
def unenrolled_field_app(tmp_path):
    """A field app started with no sync service and no token: a laptop on first run."""
    started = []

    def start(name: str) -> str:
        port = free_port()
        started.append(Process(openday("field-app", "--port", str(port)), {
            "OPENDAY_FIELD_DB": str(tmp_path / f"{name}.sqlite3"),
            "OPENDAY_PLAN": str(PLAN_PATH),
            "OPENDAY_PUSH_INTERVAL": "0.2",
            "OPENDAY_PULL_INTERVAL": "0.3",
        }, tmp_path / f"field-{name}.log"))
        url = f"http://127.0.0.1:{port}"
        wait_until(lambda: requests.get(f"{url}/api/status", timeout=1).ok, message="field app up")
        return url

    yield start
    for process in started:
        process.stop()


def test_a_laptop_records_before_enrolment_and_is_enrolled_on_the_page(central, redis, unenrolled_field_app):
    from playwright.sync_api import expect, sync_playwright

    add_coordinator(redis, *LEAD, [DAY])
    code = new_code(central, "bayi")
    field_url = unenrolled_field_app("first-run")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1366, "height": 900})
        page.goto(field_url)
        expect(page.locator("#online")).to_have_text("未登记")
        page.select_option("#booth-select", "bayi")
        expect(page.locator("#booth-name")).to_have_text("八一公园广场")
        page.keyboard.press("1")
        page.keyboard.press("v")
        expect_figure(page, "visitors", 1)
        expect(page.locator("#pending")).to_have_text("2")
        expect(page.locator("#booth-select")).to_be_disabled()

        page.fill('input[name="sync_url"]', central)
        page.fill('input[name="code"]', "ABCD-EFGH")  # not a code the centre made
        page.click('#enroll-form button[type="submit"]')
        expect(page.locator('.errors[data-for="enroll"]')).to_contain_text("没有这个登记码")

        page.fill('input[name="code"]', code.lower().replace("-", ""))  # typed any case, no dash
        page.fill('input[name="label"]', "八一 1 号机")
        page.click('#enroll-form button[type="submit"]')
        expect(page.locator("#enroll")).to_be_hidden(timeout=10_000)
        expect(page.locator("#online")).to_have_text("在线", timeout=15_000)
        expect(page.locator("#pending")).to_have_text("0", timeout=15_000)
        expect_figure(page, "visitors", 1, scope="booth")
        expect_figure(page, "material-leaflet", 1, scope="day")
        browser.close()

    status = requests.get(f"{field_url}/api/status", timeout=5).json()
    assert status["enrolled"] and status["booth_id"] == "bayi" and status["acked_seq"] == 2
    totals = central_totals(central)
    assert totals["by_booth"]["bayi"]["visitors"] == 1
    # The code had one use: a second laptop cannot use it again.
    other = unenrolled_field_app("second")
    again = requests.post(f"{other}/api/enroll", json={"sync_url": central, "code": code}, timeout=20)
    assert again.status_code == 422 and "用完" in again.json()["errors"]["code"][0]


def test_a_code_for_another_booth_is_refused_unspent_once_the_laptop_has_entries(central, redis,
                                                                                 unenrolled_field_app):
    """Its entries are for its first booth and are never rewritten, so the laptop keeps no
    token that could not push them. The laptop names its booth and day with the code, and
    the centre refuses the mismatch before spending the code: it still enrols a laptop of
    the booth it was made for."""
    add_coordinator(redis, *LEAD, [DAY])
    field_url = unenrolled_field_app("shashan-laptop")
    entry = {"type": "visitor.received", "payload": {"party_size": 2}}
    assert requests.post(f"{field_url}/api/events", json=entry, timeout=5).status_code == 201
    bayi_code = new_code(central, "bayi", uses=1)
    made = code_ids(central)
    refused = requests.post(f"{field_url}/api/enroll?lang=en", timeout=20,
                            json={"sync_url": central, "code": bayi_code})
    assert refused.status_code == 422
    message = refused.json()["errors"]["code"][0]
    assert "Bayi Park Square" in message and "1 entries" in message
    zh = requests.post(f"{field_url}/api/enroll", timeout=20, json={"sync_url": central, "code": bayi_code})
    assert "八一公园广场" in zh.json()["errors"]["code"][0]
    status = requests.get(f"{field_url}/api/status", timeout=5).json()
    assert status["enrolled"] is False and status["booth_id"] == "shashan" and status["pending"] == 1

    assert code_ids(central) == made and list(made.values()) == [1]  # nothing spent
    devices = requests.get(f"{central}/api/v1/days/{DAY}/devices", auth=LEAD, timeout=5).json()["devices"]
    assert devices == []
    bayi_laptop = unenrolled_field_app("bayi-laptop")
    assert requests.post(f"{bayi_laptop}/api/booth", json={"booth_id": "bayi"}, timeout=5).ok
    assert requests.post(f"{bayi_laptop}/api/events", json=entry, timeout=5).status_code == 201
    enrolled = requests.post(f"{bayi_laptop}/api/enroll", timeout=20, json={"sync_url": central, "code": bayi_code})
    assert enrolled.status_code == 201 and enrolled.json()["booth_id"] == "bayi"


def test_a_revoked_laptop_says_so_and_is_enrolled_again_on_the_page(central, redis, unenrolled_field_app):
    from playwright.sync_api import expect, sync_playwright

    add_coordinator(redis, *LEAD, [DAY])
    field_url = unenrolled_field_app("revoked")
    first = requests.post(f"{field_url}/api/enroll", timeout=20,
                          json={"sync_url": central, "code": new_code(central, "shashan")})
    assert first.status_code == 201
    device_id = first.json()["device_id"]
    revoke = requests.post(f"{central}/api/v1/days/{DAY}/devices/{device_id}/revoke", auth=LEAD, timeout=5,
                           headers={"X-Requested-With": "script"})
    assert revoke.status_code == 200, revoke.text
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1366, "height": 900})
        page.goto(field_url)
        page.keyboard.press("v")
        expect(page.locator("#sync-error")).to_contain_text("撤销", timeout=15_000)
        expect(page.locator("#pending")).to_have_text("1")
        expect(page.locator("#enroll")).to_be_visible()  # the way out is on the page
        page.fill('input[name="sync_url"]', central)
        page.fill('input[name="code"]', new_code(central, "shashan"))
        page.click('#enroll-form button[type="submit"]')
        expect(page.locator("#pending")).to_have_text("0", timeout=15_000)
        expect(page.locator("#sync-error")).to_be_hidden()
        expect(page.locator("#enroll")).to_be_hidden()
        expect_figure(page, "visitors", 1, scope="booth")
        browser.close()

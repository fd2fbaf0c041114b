"""The booth page in a real Chromium against real processes: every entry type by mouse
and by keyboard (a restock of stock delivered to the booth too), a void, the laptop totals
with stock left, going offline and coming back."""

from pathlib import Path

import pytest
import requests

from openday.embedded_redis import free_port
from tests.helpers import PLAN_PATH, REPO, Process, openday, wait_until

pytestmark = [pytest.mark.e2e, pytest.mark.browser]
ARTIFACTS = REPO / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


class SyncService:
    """The sync service as a process that the test can stop and start on one port."""

    def __init__(self, redis_url: str, tmp_path: Path):
        self.port, self.tmp_path, self.runs = free_port(), tmp_path, 0
        self.env = {"REDIS_URL": redis_url, "OPENDAY_PLAN_DIR": str(PLAN_PATH.parent)}
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = None

    def start(self) -> "SyncService":
        self.runs += 1
        self.process = Process(openday("sync-service", "--bind", f"127.0.0.1:{self.port}", "--workers", "1"),
                               self.env, self.tmp_path / f"sync-{self.runs}.log")
        wait_until(lambda: requests.get(f"{self.url}/healthz", timeout=1).ok, message="sync service up")
        return self

    def stop(self) -> None:
        if self.process:
            self.process.stop()
            self.process = None


@pytest.fixture
def sync_service(redis_url, tmp_path):
    service = SyncService(redis_url, tmp_path).start()
    worker = Process(openday("worker"), service.env, tmp_path / "worker.log")
    yield service
    service.stop()
    worker.stop()


@pytest.fixture
def page():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        # An English browser: the page is still Chinese until the switch says otherwise.
        page = browser.new_page(viewport={"width": 1366, "height": 900}, locale="en-US")
        yield page
        browser.close()


def laptop(page, figure: str) -> int:
    return int(page.locator(f'td[data-scope="laptop"][data-figure="{figure}"]').inner_text())


def expect_figure(page, figure: str, value: int, scope: str = "laptop"):
    from playwright.sync_api import expect

    expect(page.locator(f'td[data-scope="{scope}"][data-figure="{figure}"]')).to_have_text(str(value), timeout=10_000)


def status(field_url):
    return requests.get(f"{field_url}/api/status", timeout=5).json()


def test_booth_page_records_every_entry_type_by_mouse_and_keyboard_offline_and_back(
        sync_service, field_app_factory, page):
    from playwright.sync_api import expect

    field_url, _ = field_app_factory(sync_service.url, OPENDAY_PULL_INTERVAL="0.3")
    page.goto(field_url)
    expect(page.locator("#online")).to_have_text("在线", timeout=15_000)
    page.fill("#staff", "A07")  # optional staff code, sent with every entry
    page.keyboard.press("Escape")

    # By mouse: a material, a batch of 20, one visitor, a group of 3, an inquiry in two taps, a feedback card.
    page.click('button[data-material="leaflet"]')
    expect_figure(page, "material-leaflet", 1)
    page.fill("#quantity", "20")
    page.click('button[data-material="handbook"]')
    expect_figure(page, "material-handbook", 20)
    expect(page.locator("#quantity")).to_have_value("1")
    page.click("#visitor")
    expect_figure(page, "visitors", 1)
    page.click('button.step[data-step="party-size"][data-delta="1"]')
    page.click('button.step[data-step="party-size"][data-delta="1"]')
    expect(page.locator("#visitor")).to_contain_text("3")
    page.click("#visitor")
    expect_figure(page, "visitors", 4)
    page.select_option("#department", "hunyin")
    page.click('button.topic[data-topic="hunyin"]')
    page.click('button.outcome[data-outcome="referred"]')
    expect_figure(page, "inquiries", 1)
    page.fill("#feedback-comment", "希望周末也能办理婚姻登记")
    page.check("#hot-issue")
    page.click('button.rating[data-rating="basically_satisfied"]')
    expect_figure(page, "feedback", 1)
    expect_figure(page, "hot-issues", 1)
    expect(page.locator('td[data-figure="restocked-poster"]')).to_have_count(0)  # no stock known yet
    page.select_option("#restock-material", "poster")  # 200 posters delivered to the booth
    page.fill("#restock-quantity", "200")
    page.click("#restock")
    expect_figure(page, "restocked-poster", 200)
    expect_figure(page, "remaining-poster", 200)
    expect(page.locator("#restock-quantity")).to_have_value("1")

    # By keyboard: the key shown on each button records the same entries.
    assert page.locator('button[data-material="leaflet"] kbd').inner_text() == "1"
    page.keyboard.press("1")
    expect_figure(page, "material-leaflet", 2)
    page.keyboard.press("n")
    page.keyboard.type("5")
    page.keyboard.press("Enter")
    page.keyboard.press("2")
    expect_figure(page, "material-handbook", 25)
    page.keyboard.press("v")
    expect_figure(page, "visitors", 5)
    page.keyboard.press("q")  # topic 低保
    page.keyboard.press("a")  # answered on the spot (department remembered: 婚姻登记处)
    expect_figure(page, "inquiries", 2)
    page.keyboard.press("h")  # restock: 50 more of the material chosen in the list (still posters)
    page.keyboard.type("50")
    page.keyboard.press("Enter")
    assert page.locator("#restock kbd").inner_text() == "B"
    page.keyboard.press("b")
    expect_figure(page, "restocked-poster", 250)
    page.keyboard.press("m")  # the list is reachable too: M, then the arrow keys
    expect(page.locator("#restock-material")).to_be_focused()
    page.keyboard.press("Escape")
    page.keyboard.press("j")
    expect_figure(page, "feedback", 2)
    # Undo last (Z) is a void of the card just recorded.
    page.keyboard.press("z")
    expect_figure(page, "feedback", 1)
    expect_figure(page, "voided", 1)
    events = requests.get(f"{field_url}/api/events", timeout=5).json()["events"]
    kinds = {(e["type"], e["payload"].get("department")) for e in events}
    assert ("inquiry.answered", "hunyin") in kinds and len([k for k in kinds if k[1] == "hunyin"]) == 1
    assert events[0]["type"] == "event.voided" and events[1]["type"] == "feedback.collected"
    assert {e.get("staff") for e in events} == {"A07"}
    restocks = [e["payload"] for e in events if e["type"] == "material.restocked"]
    assert restocks == [{"material": "poster", "quantity": 50}, {"material": "poster", "quantity": 200}]

    # Void from the recent list: the reason is required.
    leaflet_row = page.locator('#recent li[data-type="material.distributed"]', has_text="×1").first
    leaflet_row.locator("button.void").click()
    leaflet_row.locator('button[type="submit"]').click()
    expect(page.locator('.errors[data-for="event.voided"]')).to_contain_text("作废原因")
    leaflet_row.locator('input[name="reason"]').fill("多点了一次")
    leaflet_row.locator('button[type="submit"]').click()
    expect_figure(page, "material-leaflet", 1)
    expect_figure(page, "voided", 2)
    expect(page.locator("#recent li.voided")).to_have_count(2)

    # Online: everything drains and the central figures catch up with the laptop's.
    expect(page.locator("#pending")).to_have_text("0", timeout=15_000)
    expect_figure(page, "material-handbook", 25, scope="booth")
    expect_figure(page, "visitors", 5, scope="day")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "booth-page-zh.png"), full_page=True)
    page.click("#lang-switch")
    expect(page.locator("#panel-materials h2")).to_have_text("Materials handed out")
    expect(page.locator('button[data-material="leaflet"]')).to_contain_text("Publicity leaflets")
    expect(page.locator("#online")).to_have_text("Online")
    page.screenshot(path=str(ARTIFACTS / "booth-page-en.png"), full_page=True)
    page.click("#lang-switch")
    expect(page.locator("#panel-materials h2")).to_have_text("发放材料")

    # Offline: the sync service stops; the page says so and keeps recording.
    sync_service.stop()
    expect(page.locator("#online")).to_have_text("离线", timeout=15_000)
    page.click('button[data-material="poster"]')
    page.keyboard.press("v")
    page.keyboard.press("e")  # topic 婚姻登记
    page.keyboard.press("d")  # follow-up needed
    expect_figure(page, "material-poster", 1)
    expect_figure(page, "remaining-poster", 249)
    expect_figure(page, "visitors", 6)
    expect_figure(page, "inquiries", 3)
    expect(page.locator("#pending")).to_have_text("3", timeout=10_000)
    expect(page.locator("#sync-error")).to_contain_text("连不上同步服务", timeout=10_000)
    page.click("#sync-now")  # a push attempt now: still offline, still said in plain words
    expect(page.locator("#online")).to_have_text("离线")
    expect(page.locator("#central-age")).to_contain_text("中心数据时间")
    page.screenshot(path=str(ARTIFACTS / "booth-page-offline-zh.png"), full_page=True)

    # Back online: pending drains to zero without anyone touching the page.
    sync_service.start()
    expect(page.locator("#pending")).to_have_text("0", timeout=20_000)
    expect(page.locator("#online")).to_have_text("在线", timeout=15_000)
    expect(page.locator("#sync-error")).to_be_hidden()
    expect_figure(page, "material-poster", 1, scope="booth")
    expect_figure(page, "restocked-poster", 250, scope="booth")
    expect_figure(page, "inquiries", 3, scope="day")
    final = status(field_url)
    assert final["pending"] == 0 and final["acked_seq"] == final["last_seq"] == 18

"""The day page live, in a real Chromium against the real sync service and worker: pushed
events show up in the figures and charts without a reload (a changed chart's SVG is
fetched again, nothing else); a quarantined key is mapped from the page."""

import pytest
from playwright.sync_api import expect

from sync_service.coordinators import add_coordinator
from tests.e2e.test_dashboard_browser import (  # noqa: F401  (fixtures: central, browser)
    PASSWORD,
    Laptop,
    bar_box,
    bar_value,
    browser,
    central,
    charts_drawn,
    headline,
    sign_in,
)
from tests.helpers import DAY, wait_until

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

INQUIRY = {"topic": "dibao", "department": "jiuzhu", "outcome": "answered"}


def _live_day_page(central, redis, browser):  # noqa: F811
    """A signed-in coordinator's day page, charts drawn and the live stream open; one laptop."""
    add_coordinator(redis, "gu", PASSWORD, [DAY])
    laptop = Laptop(central, redis, "laptop-a", "shashan")
    page = browser.new_page()
    sign_in(page, central)
    charts_drawn(page)
    expect(page.locator("#live-status")).to_have_attribute("data-state", "live")
    return page, laptop


def test_pushed_events_show_up_live_without_reload(central, redis, browser):  # noqa: F811
    page, laptop = _live_day_page(central, redis, browser)
    expect(headline(page, "visitors")).to_have_attribute("data-value", "0")
    page.evaluate("window.stillTheSamePage = true")
    loaded_totals = page.evaluate("window.openday.totalsFetches")
    assert bar_value(page, "booths-0-shashan") == "0" and bar_box(page, "hours-1-10")["height"] == 0
    departments = page.locator("#chart-departments").inner_html()
    chart_requests = []
    page.on("request", lambda request: chart_requests.append(request.url) if "/charts/" in request.url else None)

    laptop.push(("visitor.received", {"party_size": 4}), ("inquiry.answered", INQUIRY))
    expect(headline(page, "visitors")).to_have_attribute("data-value", "4")
    expect(headline(page, "inquiries.total")).to_have_attribute("data-value", "1")
    wait_until(lambda: bar_value(page, "booths-0-shashan") == "4", message="booth chart updated")
    wait_until(lambda: bar_box(page, "hours-1-10")["height"] > 0, message="visitors by hour chart updated")
    wait_until(lambda: bar_value(page, "departments-0-jiuzhu") == "1", message="department chart updated")

    laptop.push(("visitor.received", {"party_size": 3}))
    expect(headline(page, "visitors")).to_have_attribute("data-value", "7")
    wait_until(lambda: bar_value(page, "booths-0-shashan") == "7", message="booth chart updated again")
    wait_until(lambda: page.evaluate("window.openday.chartsPending") == 0, message="chart requests done")
    # only the charts a message touched were fetched: a visitor touches booths and hours, not topics
    fetched = [url.split("/charts/")[1].split(".svg")[0] for url in chart_requests]
    assert set(fetched) == {"booths", "hours", "departments", "topics"} and fetched.count("topics") == 1
    assert page.locator("#chart-departments").inner_html() != departments
    assert page.evaluate("window.stillTheSamePage") is True  # no reload
    assert page.evaluate("window.openday.totalsFetches") == loaded_totals  # live messages only, no re-fetch
    assert page.evaluate("window.openday.liveMessages") >= 2
    expect(page.locator("#devices-table tr[data-device='laptop-a']")).to_be_visible(timeout=20_000)


def test_a_chart_request_that_fails_is_tried_again(central, redis, browser):  # noqa: F811
    """A dropped chart request (flaky intranet) does not leave the chart stale."""
    page, laptop = _live_day_page(central, redis, browser)
    attempts = []

    def drop_the_first(route):
        attempts.append(route.request.url)
        route.abort() if len(attempts) == 1 else route.continue_()

    page.route("**/charts/booths.svg*", drop_the_first)
    laptop.push(("visitor.received", {"party_size": 5}))
    expect(headline(page, "visitors")).to_have_attribute("data-value", "5")
    wait_until(lambda: bar_value(page, "booths-0-shashan") == "5", message="booth chart after a retry")
    assert len(attempts) == 2


def test_a_quarantined_key_is_mapped_from_the_page(central, redis, browser):  # noqa: F811
    page, laptop = _live_day_page(central, redis, browser)

    laptop.push(("inquiry.answered", {**INQUIRY, "topic": "zhufang"}), ("inquiry.answered", INQUIRY))
    expect(headline(page, "quarantined")).to_have_attribute("data-value", "1")
    expect(headline(page, "inquiries.total")).to_have_attribute("data-value", "1")
    row = page.locator("#quarantine-table tr[data-key='topic:zhufang']")
    expect(row).to_contain_text("1")
    row.locator("select.map-to").select_option("dibao")
    row.locator("button.map").click()

    expect(headline(page, "inquiries.total")).to_have_attribute("data-value", "2")  # counted once mapped
    expect(page.locator("#quarantine-table tr[data-resolved='topic:zhufang']")).to_contain_text("低保")
    expect(page.locator("#quarantine-table tr[data-key='topic:zhufang']")).to_have_count(0)
    wait_until(lambda: page.evaluate("window.openday.flat['inquiries.by_topic.dibao']") == 2,
               message="topic figures updated live")

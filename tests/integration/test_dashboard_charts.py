"""The day page's charts, drawn on the server as SVG (matplotlib), against a real Redis
through Flask's test client; the fold runs in-process (tests/e2e shows them live in Chromium)."""

import re
from concurrent.futures import ThreadPoolExecutor

import pytest

from central.central_log import CentralLog
from central.projection import fold_to_end
from sync_service.app import create_app
from sync_service.coordinators import add_coordinator
from sync_service.dashboard.chart_figures import CHARTS, build_chart, figure_names
from sync_service.dashboard.chart_svg import render_svg
from sync_service.devices.tokens import Device, register_device
from tests.factories import make_event
from tests.helpers import DAY
from tests.signin import csrf_token_in

PASSWORD = "correct horse battery"
INQUIRY = {"topic": "hunyin", "department": "hunyin", "outcome": "answered"}


@pytest.fixture
def client(redis_url, redis):
    add_coordinator(redis, "gu", PASSWORD, [DAY])
    add_coordinator(redis, "other", PASSWORD, ["other-day-2023"])
    return create_app({"REDIS_URL": redis_url, "TESTING": True}).test_client()


def sign_in(client, username="gu"):
    token = csrf_token_in(client.get("/dashboard/signin").text)
    assert client.post("/dashboard/signin", data={"csrf_token": token, "username": username,
                                                  "password": PASSWORD}).status_code == 302


def push(redis, plan, *events, device="laptop-a", booth="shashan"):
    CentralLog(redis).append_batch(DAY, device, list(events), received_ms=1_652_580_000_000, offset_ms=0)
    fold_to_end(redis, DAY, plan)


def bar_value(svg: str, bar_id: str) -> str:
    """The value label drawn at the end of one bar (hbars charts)."""
    group = re.search(rf'<g id="{re.escape(bar_id)}-value">(.*?)</g>', svg, re.S).group(1)
    return re.search(r"<text[^>]*>([^<]*)</text>", group).group(1)


def test_the_day_page_comes_with_its_charts_drawn_and_no_chart_script(client, redis, plan):
    push(redis, plan, make_event(1, "inquiry.answered", INQUIRY), make_event(2, "inquiry.answered", INQUIRY))
    sign_in(client)
    page = client.get(f"/dashboard/days/{DAY}").text
    for name in CHARTS:
        assert re.search(rf'<div id="chart-{name}" class="chart" data-chart="{name}"><svg ', page), name
    assert "<text" in page and "婚姻登记" in page  # labels are text (svg.fonttype none), in Chinese
    assert page.count("<script") == 2  # the boot JSON and dashboard.js: no charting library
    assert "plotly" not in page.lower()
    assert '"charts_position": "' in page  # the position the charts reflect, for the script
    ids = re.findall(r'\bid="([^"]+)"', page)
    assert len(ids) > 100 and len(ids) == len(set(ids)), "an id repeats in the page"
    referenced = set(re.findall(r'(?:url\(#|href="#)([^")]+)', page))
    assert referenced <= set(ids), "a chart refers to an id the page lacks"


def test_one_chart_as_svg_in_both_languages(client, redis, plan):
    push(redis, plan, make_event(1, "inquiry.answered", INQUIRY), make_event(2, "inquiry.answered", INQUIRY),
         make_event(3, "inquiry.answered", {**INQUIRY, "topic": "dibao"}))
    sign_in(client)
    zh = client.get(f"/dashboard/days/{DAY}/charts/topics.svg")
    assert zh.status_code == 200 and zh.mimetype == "image/svg+xml"
    assert zh.headers["Cache-Control"] == "no-store" and zh.headers["X-Log-Position"] != "0-0"
    assert zh.text.startswith("<svg") and "婚姻登记" in zh.text
    assert bar_value(zh.text, "topics-0-hunyin") == "2" and bar_value(zh.text, "topics-0-dibao") == "1"
    en = client.get(f"/dashboard/days/{DAY}/charts/topics.svg?lang=en").text
    assert "Marriage" in en and "婚姻登记" not in en


def test_sorted_bars_put_the_largest_on_top(plan):
    figures = dict.fromkeys(figure_names(plan, "topics"), 0) | {"inquiries.by_topic.dibao": 3,
                                                               "inquiries.by_topic.hunyin": 7}
    chart = build_chart(plan, "topics", figures, "zh")
    assert chart.keys[:2] == ("hunyin", "dibao") and chart.series[0].values[:2] == (7, 3)
    assert chart.categories[0] == plan.label("topics", "hunyin", "zh")


def test_the_hours_chart_shows_the_opening_hours_and_any_busy_hour_in_the_plans_time_zone(plan):
    figures = dict.fromkeys(figure_names(plan, "hours"), 0) | {"hour:19|visitors": 2}
    chart = build_chart(plan, "hours", figures, "en")
    assert chart.keys == ("08", "09", "10", "11", "12", "13", "14", "15", "16", "19")  # plan: 08:30–16:00
    assert chart.categories[-1] == "19:00" and chart.series[1].values[-1] == 2


def test_a_chart_reads_only_its_own_figures(client, redis, plan):
    """A live update costs the server O(changed figures): the chart fetched after a message
    is drawn from one HMGET of that chart's figure names, never the whole totals hash."""
    push(redis, plan, make_event(1, "visitor.received", {"party_size": 3}),
         make_event(2, "inquiry.answered", INQUIRY))
    sign_in(client)
    redis.config_resetstat()
    svg = client.get(f"/dashboard/days/{DAY}/charts/booths.svg").text
    stats = redis.info("commandstats")
    assert stats["cmdstat_hmget"]["calls"] == 1 and "cmdstat_hgetall" not in stats and "cmdstat_hscan" not in stats
    assert "cmdstat_hkeys" not in stats and "cmdstat_hvals" not in stats
    assert bar_value(svg, "booths-0-shashan") == "3" and bar_value(svg, "booths-1-shashan") == "1"
    assert len(figure_names(plan, "booths")) == 3 * len(plan.keys("booths"))


def test_the_same_figures_give_the_same_svg_drawn_once(plan):
    figures = dict.fromkeys(figure_names(plan, "materials"), 5)
    chart = build_chart(plan, "materials", figures, "zh")
    render_svg.cache_clear()
    first = render_svg(chart)
    assert render_svg(build_chart(plan, "materials", dict(figures), "zh")) is first
    assert render_svg.cache_info().hits == 1
    changed = build_chart(plan, "materials", figures | {"materials.distributed.leaflet": 6}, "zh")
    assert render_svg(changed) != first


def test_charts_are_refused_like_the_page(client, redis, plan):
    anonymous = client.get(f"/dashboard/days/{DAY}/charts/booths.svg")
    assert anonymous.status_code == 302 and "/dashboard/signin" in anonymous.headers["Location"]
    token = register_device(redis, Device("laptop-a", "shashan", DAY))
    with_token = client.get(f"/dashboard/days/{DAY}/charts/booths.svg", headers={"Authorization": f"Bearer {token}"})
    assert with_token.status_code == 401 and "<svg" not in with_token.text
    other = client.application.test_client()
    sign_in(other, "other")
    refused = other.get(f"/dashboard/days/{DAY}/charts/booths.svg")
    assert refused.status_code == 403 and "<svg" not in refused.text
    sign_in(client)
    unknown = client.get(f"/dashboard/days/{DAY}/charts/pie.svg")
    assert unknown.status_code == 404 and unknown.json["error"] == "unknown_chart" and unknown.json["errors"]["name"]
    assert client.get("/dashboard/days/no-such-day/charts/booths.svg").status_code == 403


def test_charts_drawn_in_many_threads_at_once_keep_their_text(plan):
    """gunicorn threads draw charts at the same time (the page fetches several after one
    message, the summary draws PNGs): matplotlib's settings are global, so a drawing that
    ran with another's settings would lose its <text> (svg.fonttype) or its ids."""
    charts = [build_chart(plan, name, dict.fromkeys(figure_names(plan, name), n), lang)
              for n in range(1, 4) for name in CHARTS for lang in ("zh", "en")]
    render_svg.cache_clear()
    with ThreadPoolExecutor(max_workers=8) as pool:
        svgs = list(pool.map(render_svg, charts))
    for chart, svg in zip(charts, svgs, strict=True):
        assert "<text" in svg and f'id="{chart.name}-0-{chart.keys[0]}"' in svg
        assert svg == render_svg.__wrapped__(chart)  # the same as drawn alone

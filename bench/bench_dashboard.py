"""The coordinator's day page with 20 booths, 200 laptops and 100,000 events.

A plan with 20 booths is written to a scratch folder; 200 laptops (10 per booth) are
registered and their 100,000 events appended with the central log's own Lua step and
folded into the totals by the worker's fold, on an embedded redis-server. The real sync
service (gunicorn, 2 workers) then serves the page to Debian's Chromium:

The charts are SVG written by the server inside the page's HTML (no chart script to fetch
or parse), and so are the page's first figures (the boot JSON, read with the charts at one
log position): the page shows everything without a request of its own (issue 19).

- dashboard.load_100k_cold.ms: the first visit, measured first of all (empty browser
  cache, and no chart of the day drawn yet by the server, which draws all five for this
  page): from navigation start until every figure and table is on screen with the charts
  (performance.now() when the first full render ends; the charts come with the HTML, so
  they are shown by then); dashboard.figures_100k_cold.ms: the same moment, kept as the
  figure it was when the charts came later (plotly.js) — now equal to the cold load;
- dashboard.load_100k.ms: the same for later visits, median (browser cache warm, and the
  server's charts cached while the day's figures do not move);
- dashboard.charts_100k.ms: the server reading and writing the page's five charts from the
  100k-event day's figures with no chart or label width cached (in this process, median),
  the part of a cold page that is the charts' (matplotlib's until issue 19);
- dashboard.data_100k.ms: the server side alone, over HTTP: the page's HTML (charts and
  first figures included) plus the JSON it fetches (devices, quarantine, enrollment codes;
  until issue 19 also the totals), median;
- dashboard.totals_doc.kb: the size of the totals document (the laptops' pull and the
  page's hot-issue refresh; the page loaded it once until issue 19);
- one live update, with the page open on the 100k-event day and an RQ worker running: a
  laptop pushes one visitor; dashboard.live_update.changed_figures is how many figures the
  SSE message carried (the figures that event touched, whatever the size of the day),
  dashboard.live_update.page_requests how many HTTP requests the page made to show it:
  the chart GETs, one per chart whose figures changed (a visitor moves the booths and
  hours charts: 2; the figures and tables are updated from the message itself,
  dashboard.js applyLive/chartFor), counted once those charts are back;
  dashboard.live_update.push_to_screen.ms the time from the push to the new figure on
  screen. Skipped when the server has no /live.
"""

import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.limits import REPO, figure

DAY = "bench-2022-05-15"
BOOTHS, LAPTOPS_PER_BOOTH, EVENTS = 20, 10, 100_000
PASSWORD = "bench-password-1"
CHROMIUM = {"executable_path": "/usr/bin/chromium",
            "args": ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]}


def write_plan(folder: Path) -> dict:
    plan = json.loads((REPO / "examples" / "heping-2022-05-15.json").read_text(encoding="utf-8"))
    plan["day_id"] = DAY
    plan["booths"] = [{"id": f"booth-{i:02d}", "zh": f"第{i}展位", "en": f"Booth {i}"} for i in range(1, BOOTHS + 1)]
    (folder / f"{DAY}.json").write_text(json.dumps(plan, ensure_ascii=False), encoding="utf-8")
    return plan


def day_events(plan: dict, device_id: str, booth_id: str, count: int, salt: int) -> list[dict]:
    """A laptop's day: every event type, catalogue keys and hours spread over the day."""
    from shared.ids import new_event_id

    topics = [t["id"] for t in plan["topics"]]
    departments = [d["id"] for d in plan["departments"]]
    materials = [m["id"] for m in plan["materials"]]
    ratings = ["satisfied", "basically_satisfied", "dissatisfied"]
    events = []
    for seq in range(1, count + 1):
        k = seq * 7 + salt
        kind = k % 10
        if kind < 3:
            type_, payload = "inquiry.answered", {"topic": topics[k % len(topics)],
                                                  "department": departments[k % len(departments)],
                                                  "outcome": ["answered", "referred", "follow_up"][k % 3]}
        elif kind < 6:
            type_, payload = "visitor.received", {"party_size": 1 + k % 4}
        elif kind < 8:
            type_, payload = "material.distributed", {"material": materials[k % len(materials)], "quantity": 1 + k % 5}
        elif kind < 9:
            type_, payload = "material.restocked", {"material": materials[k % len(materials)], "quantity": 50}
        else:
            type_, payload = "feedback.collected", {"rating": ratings[k % 3], "hot_issue": k % 5 == 0}
        minute = 8 * 60 + 30 + (seq * 450 // count)
        events.append({
            "event_id": new_event_id(), "device_id": device_id, "seq": seq, "day_id": DAY, "booth_id": booth_id,
            "type": type_, "v": 1, "recorded_at": f"2022-05-15T{minute // 60:02d}:{minute % 60:02d}:00+08:00",
            "payload": payload,
        })
    return events


def load_day(url: str, plan_folder: Path) -> dict:
    """Register the laptops, append their events through the central log and fold them."""
    from redis import Redis

    from central.central_log import CentralLog
    from central.projection import fold_to_end
    from shared.plan import load_plan
    from sync_service.coordinators import add_coordinator
    from sync_service.devices.tokens import Device, register_device

    redis = Redis.from_url(url, decode_responses=True)
    plan = load_plan(plan_folder / f"{DAY}.json")
    log = CentralLog(redis)
    per_laptop = EVENTS // (BOOTHS * LAPTOPS_PER_BOOTH)
    started = time.perf_counter()
    for b in range(1, BOOTHS + 1):
        for n in range(LAPTOPS_PER_BOOTH):
            device_id, booth_id = f"laptop-{b:02d}-{n}", f"booth-{b:02d}"
            register_device(redis, Device(device_id, booth_id, DAY))
            events = day_events(plan.raw, device_id, booth_id, per_laptop, b * 31 + n)
            for first in range(0, len(events), 500):
                log.append_batch(DAY, device_id, events[first:first + 500], int(time.time() * 1000))
    appended = time.perf_counter() - started
    started = time.perf_counter()
    folded = fold_to_end(redis, DAY, plan)
    add_coordinator(redis, "bench", PASSWORD, [DAY])
    live_laptop = {"device_id": "laptop-live", "booth_id": "booth-01",
                   "token": register_device(redis, Device("laptop-live", "booth-01", DAY))}
    redis.close()
    return {"appended_s": appended, "folded": folded, "fold_s": time.perf_counter() - started,
            "live_laptop": live_laptop}


def data_load_ms(base: str, rounds: int, entries: int) -> tuple[float, int]:
    """Median ms for the page's HTML and the JSON it fetches; and the totals' size in bytes."""
    import requests

    from tests.signin import sign_in_requests

    times, size = [], 0
    with requests.Session() as session:
        assert sign_in_requests(session, base, "bench", PASSWORD).ok
        api = f"{base}/api/v1/days/{DAY}"
        for _ in range(rounds):
            started = time.perf_counter()
            assert session.get(f"{base}/dashboard/days/{DAY}", timeout=30).status_code == 200
            for name in ("devices", "quarantine", "enrollment-codes"):
                session.get(f"{api}/{name}", timeout=30)
            times.append((time.perf_counter() - started) * 1000)
            totals = session.get(f"{api}/totals", timeout=30)  # not fetched by the page: its size only
            size = len(totals.content)
            assert totals.json()["log_entries"] == entries
    return statistics.median(times), size


READY = ("() => document.body.dataset.ready === '1' && window.openday.renders > 0"
         " && document.querySelectorAll('.chart > svg').length >= 5")


# where a load's time went (printed by `python -m bench.bench_dashboard`, not a figure): the
# HTML's first byte (the server drawing the charts), its last, the document parsed, the
# totals JSON back, everything on screen
NAVIGATION_STEPS = """() => {
  const nav = performance.getEntriesByType('navigation')[0];
  const resource = (part) => performance.getEntriesByType('resource').find((r) => r.name.includes(part));
  const done = (entry) => (entry ? Math.round(entry.responseEnd) : null);
  return {html_first_byte: Math.round(nav.responseStart), html_done: Math.round(nav.responseEnd),
          script_done: done(resource('dashboard.js')), parsed: Math.round(nav.domInteractive),
          totals_done: done(resource('/totals')), on_screen: Math.round(window.openday.firstRenderMs)};
}"""


def push_one_visitor(base: str, laptop: dict) -> None:
    import requests

    from shared.clock import now_utc, to_rfc3339
    from shared.ids import new_event_id

    event = {"event_id": new_event_id(), "device_id": laptop["device_id"], "seq": 1, "day_id": DAY,
             "booth_id": laptop["booth_id"], "type": "visitor.received", "v": 1,
             "recorded_at": "2022-05-15T10:00:00+08:00", "payload": {"party_size": 1}}
    response = requests.post(f"{base}/api/v1/sync/push", headers={"Authorization": f"Bearer {laptop['token']}"},
                             json={"device_id": laptop["device_id"], "sent_at": to_rfc3339(now_utc()),
                                   "events": [event]}, timeout=30)
    response.raise_for_status()


def live_update(page, base: str, laptop: dict) -> dict | None:
    """One pushed visitor, seen by the open page: figures carried, requests made, time taken."""
    visitors = "#headline [data-figure='visitors']"
    try:
        page.wait_for_function("() => document.getElementById('live-status').dataset.state === 'live'",
                               timeout=10_000)
    except Exception:  # the server has no live stream (yet)
        return None
    before = int(page.locator(visitors).get_attribute("data-value"))
    seen = []
    page.on("request", lambda request: seen.append(request.url))
    started = time.perf_counter()
    push_one_visitor(base, laptop)
    page.wait_for_function(f"() => document.querySelector(\"{visitors}\").dataset.value === '{before + 1}'",
                           timeout=60_000)
    elapsed = (time.perf_counter() - started) * 1000
    page.wait_for_function("() => window.openday.chartFetches > 0 && window.openday.chartsPending === 0",
                           timeout=60_000)  # the charts the message touched are back
    return {"changed_figures": page.evaluate("window.openday.lastChanged"), "push_to_screen_ms": elapsed,
            "page_requests": len([url for url in seen if "/live" not in url])}


def browser_load_ms(base: str, rounds: int, laptop: dict) -> dict:
    """ms from navigation start to the figures shown and to every chart drawn: first (cold)
    load and median of the warm ones."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(**CHROMIUM)
        # the page's CSP forbids eval, which Playwright's polling wait_for_function needs
        page = browser.new_page(viewport={"width": 1366, "height": 900}, bypass_csp=True)
        page.goto(f"{base}/dashboard/signin")
        page.fill("input[name=username]", "bench")
        page.fill("input[name=password]", PASSWORD)
        page.click("#signin-submit")
        page.wait_for_url("**/dashboard/")
        loads, steps = [], []
        for _ in range(rounds + 1):
            page.goto(f"{base}/dashboard/days/{DAY}")
            page.wait_for_function(READY, timeout=60_000)
            loads.append(page.evaluate("[window.openday.figuresMs, window.openday.firstRenderMs]"))
            steps.append(page.evaluate(NAVIGATION_STEPS))
            assert page.locator("#headline [data-figure='visitors']").get_attribute("data-value") != "0"
        live = live_update(page, base, laptop)
        browser.close()
    return {"cold_figures_ms": loads[0][0], "cold_ms": loads[0][1], "navigation_steps_ms": steps,
            "warm_figures_ms": statistics.median(f for f, _ in loads[1:]),
            "warm_ms": statistics.median(c for _, c in loads[1:]), "live": live}


def charts_ms(url: str, plan_folder: Path, rounds: int) -> float:
    """Median ms to read and draw the page's five charts of the day with nothing cached."""
    from redis import Redis

    from shared.plan import load_plan
    from sync_service.dashboard.chart_figures import CHARTS, read_charts
    from sync_service.dashboard.chart_svg import render_svg
    from sync_service.dashboard.chart_text import text_width

    redis = Redis.from_url(url, decode_responses=True)
    plan = load_plan(plan_folder / f"{DAY}.json")
    times = []
    for round_ in range(rounds + 1):  # the first opens the fonts (a server does at start): not counted
        render_svg.cache_clear()
        text_width.cache_clear()
        started = time.perf_counter()
        _, charts = read_charts(redis, plan, DAY, CHARTS, "zh")
        for chart in charts.values():
            render_svg(chart)
        if round_:
            times.append((time.perf_counter() - started) * 1000)
    redis.close()
    return statistics.median(times)


def measure(rounds: int) -> dict:
    import requests

    from openday.embedded_redis import EmbeddedRedis, free_port

    with tempfile.TemporaryDirectory(dir=REPO / "bench" / "results") as folder, \
            EmbeddedRedis(Path(folder) / "redis", appendfsync="everysec") as server:
        plans = Path(folder) / "plans"
        plans.mkdir()
        write_plan(plans)
        loaded = load_day(server.url, plans)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        env = {**os.environ, "REDIS_URL": server.url, "OPENDAY_PLAN_DIR": str(plans)}
        processes = [subprocess.Popen([sys.executable, "-m", "openday", *args], cwd=REPO, env=env,
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
                     for args in (["sync-service", "--bind", f"127.0.0.1:{port}"], ["worker"])]
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    if requests.get(f"{base}/healthz", timeout=1).ok:
                        break
                except requests.RequestException:
                    if time.monotonic() > deadline:
                        raise
                time.sleep(0.1)
            # the browser first: its first visit is also the first time the server draws the charts
            browser = browser_load_ms(base, rounds, loaded.pop("live_laptop"))
            data_ms, totals_bytes = data_load_ms(base, rounds, EVENTS + (1 if browser["live"] else 0))
            drawing_ms = charts_ms(server.url, plans, rounds)
        finally:
            for process in processes:
                process.terminate()
            for process in processes:
                try:
                    process.wait(15)
                except subprocess.TimeoutExpired:  # a live stream still open: gunicorn waits for it
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait()
    return {**loaded, "data_ms": data_ms, "totals_bytes": totals_bytes, "charts_ms": drawing_ms, **browser}


def run(quick: bool) -> list[dict]:
    result = measure(rounds=3 if quick else 7)
    figures = [
        figure("dashboard.load_100k.ms", result["warm_ms"], "ms", None, quick),
        figure("dashboard.load_100k_cold.ms", result["cold_ms"], "ms", None, quick),
        figure("dashboard.figures_100k_cold.ms", result["cold_figures_ms"], "ms", None, quick),
        figure("dashboard.charts_100k.ms", result["charts_ms"], "ms", None, quick),
        figure("dashboard.data_100k.ms", result["data_ms"], "ms", None, quick),
        figure("dashboard.totals_doc.kb", result["totals_bytes"] / 1024, "KiB", None, quick),
    ]
    if live := result["live"]:
        figures += [
            figure("dashboard.live_update.changed_figures", live["changed_figures"], "figures", None, quick),
            figure("dashboard.live_update.page_requests", live["page_requests"], "requests", None, quick),
            figure("dashboard.live_update.push_to_screen.ms", live["push_to_screen_ms"], "ms", None, quick),
        ]
    return figures


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))
    print(json.dumps(measure(rounds=3), indent=1))

"""CSRF through cached HTTP Basic, in a real Chromium (issue 15): after the coordinator
opened the summary page with Basic, a page on another origin (another localhost port)
auto-submits a form (and a no-cors fetch) to close the day. Refused; nothing changed. The
page's own Close button still works."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from central import keys
from openday.embedded_redis import free_port
from sync_service.coordinators import add_coordinator
from tests.e2e.test_booth_page import CHROMIUM, CHROMIUM_ARGS
from tests.helpers import DAY, wait_until

pytestmark = [pytest.mark.e2e, pytest.mark.browser]
AUTH = ("office", "correct horse")

ATTACK = """<!doctype html><html><body><h1>抽奖 / Win a prize</h1>
<form id="f" method="POST" action="{target}"><input type="hidden" name="confirm" value="yes"></form>
<script>
fetch("{target}", {{method: "POST", mode: "no-cors", credentials: "include", body: "x"}})
  .catch(function () {{}})
  .then(function () {{ document.title = "fetched"; document.getElementById("f").submit(); }});
</script></body></html>"""


@pytest.fixture
def attacker_site():
    """Serves the attacking page on localhost:<another port>; yields a function that sets its target."""
    page = {"html": ""}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - http.server's name
            body = page["html"].encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()

    def serve(target: str) -> str:
        page["html"] = ATTACK.format(target=target)
        return f"http://localhost:{server.server_address[1]}/prize"

    yield serve
    server.shutdown()


def test_another_origin_cannot_close_the_day_with_cached_basic(central, redis, attacker_site):
    from playwright.sync_api import expect, sync_playwright

    add_coordinator(redis, *AUTH, [DAY])
    close_url = f"{central}/days/{DAY}/summary/close"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(http_credentials={"username": AUTH[0], "password": AUTH[1]})
            page = context.new_page()
            assert page.goto(f"{central}/days/{DAY}/summary").status == 200  # the coordinator, with Basic

            attack = context.new_page()
            with attack.expect_response(lambda r: r.url == close_url and r.request.resource_type == "document",
                                        timeout=30_000) as answered:
                attack.goto(attacker_site(close_url))
            response = answered.value
            assert response.request.all_headers().get("authorization", "").startswith("Basic ")  # Basic was sent
            assert response.status == 403 and "csrf_failed" in response.text()
            assert redis.exists(keys.closed(DAY)) == 0  # nothing changed (the fetch before it too)

            page.once("dialog", lambda dialog: dialog.accept())  # the page's own button still closes it
            page.click("#close-day")
            wait_until(lambda: redis.exists(keys.closed(DAY)) == 1, timeout=30, message="closed by the button")
            expect(page.locator("#status")).to_contain_text("已关闭", timeout=30_000)
        finally:
            browser.close()
    assert requests.get(f"{central}/days/{DAY}/summary", auth=AUTH, timeout=10).status_code == 200

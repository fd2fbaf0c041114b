"""Headers on everything served (issue 15): every route of both services' URL maps, whatever
it answers (page, export, JSON, 401, 404, a refusal), carries the CSP with frame-ancestors,
nosniff and a referrer policy. Real Redis and SQLite, Flask's test clients."""

import base64
import re

import pytest

from field_app.app import create_app as create_field_app
from shared.security_headers import SECURITY_HEADERS
from sync_service.app import create_app as create_sync_app
from sync_service.coordinators import add_coordinator
from tests.factories import make_event
from tests.helpers import DAY, PLAN_PATH

BASIC = {"Authorization": "Basic " + base64.b64encode(b"gu:correct horse").decode(), "X-Requested-With": "t"}
SAMPLE_ARGS = {"day_id": DAY, "name": "satisfaction", "code": "ABCD2345", "device_id": "laptop-a",
               "filename": "summary.css", "path": "x", "version": "1", "username": "gu", "fmt": "json"}


def assert_protected(response, what: str) -> None:
    for name, value in SECURITY_HEADERS.items():
        assert response.headers.get(name) == value, f"{what}: {name} is {response.headers.get(name)!r}"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


def _calls(app):
    """(method, url) for every rule and method of an app's URL map, arguments filled in."""
    for rule in app.url_map.iter_rules():
        url = re.sub(r"<(?:[^:>]+:)?([^>]+)>", lambda m: SAMPLE_ARGS[m.group(1)], rule.rule)
        if rule.endpoint.endswith("static"):
            url = url.rsplit("/", 1)[0] + "/" + ("booth.css" if app.name.startswith("field") else "summary.css")
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield method, url


def _walk(client, app, **kwargs) -> int:
    seen = 0
    for method, url in _calls(app):
        response = client.open(url, method=method, json={} if method != "GET" else None, buffered=False, **kwargs)
        assert_protected(response, f"{method} {url} ({response.status_code})")
        response.close()  # the live feed streams: its headers are all this needs
        seen += 1
    return seen


def test_every_route_of_the_sync_service_carries_the_headers(redis, redis_url):
    add_coordinator(redis, "gu", "correct horse", [DAY])
    app = create_sync_app({"REDIS_URL": redis_url, "PLAN_DIR": str(PLAN_PATH.parent), "LIVE_MAX_SECONDS": 1})
    client = app.test_client()
    assert _walk(client, app, headers=BASIC) > 40
    assert _walk(client, app) > 40  # anonymous: 401s and the Basic challenge
    for url in ("/no/such/page", f"/days/{DAY}/summary", f"/api/v1/days/{DAY}/exports/events.csv",
                f"/api/v1/days/{DAY}/exports/summary.html", "/dashboard/signin"):
        assert_protected(client.get(url, headers=BASIC), url)


@pytest.fixture
def field_app(tmp_path):
    return create_field_app({"FIELD_DB": str(tmp_path / "field.sqlite3"), "PUSH_INTERVAL": 0, "PULL_INTERVAL": 0})


def test_every_route_of_the_field_app_carries_the_headers_the_booth_page_included(field_app):
    client = field_app.test_client()
    assert _walk(client, field_app) >= 9
    assert_protected(client.get("/"), "the booth page")
    entry = make_event(1, "visitor.received")
    entry = {k: entry[k] for k in ("type", "payload")}
    recorded = client.post("/api/events", json=entry)  # answered in front of Flask (record_route.py)
    assert recorded.status_code == 201
    assert_protected(recorded, "POST /api/events 201")
    assert_protected(client.post("/api/events", json={"type": "nonsense"}), "POST /api/events 422")
    assert_protected(client.get("/", headers={"Host": "evil.example"}), "untrusted Host 400")

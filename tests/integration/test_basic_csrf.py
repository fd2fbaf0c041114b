"""CSRF where a browser carries cached HTTP Basic credentials (issue 15): a form-type POST
with Basic must show it was not sent by another site's form. Real Redis, Flask's test client;
the browser itself is in tests/e2e/test_csrf_browser.py."""

import base64

import pytest

from central import keys
from sync_service.app import create_app
from sync_service.coordinators import add_coordinator
from sync_service.devices.tokens import Device, register_device
from tests.helpers import DAY, PLAN_PATH
from tests.signin import csrf_token_in

BASIC = {"Authorization": "Basic " + base64.b64encode(b"gu:correct horse").decode()}
CLOSE = f"/days/{DAY}/summary/close"


@pytest.fixture
def api(redis, redis_url):
    add_coordinator(redis, "gu", "correct horse", [DAY])
    return create_app({"REDIS_URL": redis_url, "PLAN_DIR": str(PLAN_PATH.parent)}).test_client()


@pytest.mark.parametrize("form", [
    {"data": {"confirm": "1"}},  # application/x-www-form-urlencoded
    {"data": {"f": "x"}, "content_type": "multipart/form-data"},
    {"data": "{}", "content_type": "text/plain"},
    {},  # no body, no type
])
def test_a_form_type_basic_write_is_refused_and_changes_nothing(api, redis, form):
    for path in (CLOSE, f"/api/v1/days/{DAY}/close", f"/api/v1/days/{DAY}/devices/laptop-a/revoke"):
        refused = api.post(path, headers=BASIC, **form)
        assert refused.status_code == 403 and refused.json["error"] == "csrf_failed", path
        assert "X-Requested-With" in refused.json["errors"] and "未作任何改动" in refused.json["message"]
    assert redis.exists(keys.closed(DAY)) == 0


def test_scripts_pass_with_json_or_x_requested_with(api, redis):
    register_device(redis, Device("laptop-a", "shashan", DAY))
    revoked = api.post(f"/api/v1/days/{DAY}/devices/laptop-a/revoke", headers={**BASIC, "X-Requested-With": "s"})
    assert revoked.status_code == 200 and revoked.json["revoked"] is True
    closed = api.post(f"/api/v1/days/{DAY}/close", headers=BASIC, json={})
    assert closed.status_code == 202 and redis.hget(keys.closed(DAY), "closed_by") == "gu"


def test_a_non_simple_content_type_is_not_refused(api):
    """A browser asks first (CORS preflight) before sending these across origins; #16's .xlsx
    upload must keep working."""
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    response = api.post(f"/api/v1/days/{DAY}/close", headers=BASIC, data=b"PK\x03\x04", content_type=xlsx)
    assert response.status_code == 202


def test_the_summary_pages_actions_work_through_the_signed_in_dashboard_session(api, redis):
    """Signed in on the dashboard, the summary page's Close works with the page's token, as the
    page's script sends it; without the token the same session is refused."""
    token = csrf_token_in(api.get("/dashboard/signin").text)
    signed_in = api.post("/dashboard/signin", data={"csrf_token": token, "username": "gu",
                                                     "password": "correct horse"})
    assert signed_in.status_code == 302
    page = api.get(f"/days/{DAY}/summary")
    assert page.status_code == 200
    headers = {"X-CSRFToken": csrf_token_in(page.text), "X-Requested-With": "fetch"}
    assert api.post(CLOSE, json={}, headers={"X-Requested-With": "fetch"}).status_code == 403  # no token
    assert redis.exists(keys.closed(DAY)) == 0
    closed = api.post(CLOSE, json={}, headers=headers)
    assert closed.status_code == 202 and redis.hget(keys.closed(DAY), "closed_by") == "gu"


def test_a_route_that_does_not_use_the_credentials_ignores_a_cached_basic_header(api):
    """Enrolment's credential is the code: Basic riding along is neither checked nor used."""
    enrol = api.post("/api/v1/enroll", headers=BASIC)
    assert enrol.status_code != 403 and enrol.json["error"] != "csrf_failed"

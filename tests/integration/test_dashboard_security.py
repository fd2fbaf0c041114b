"""The dashboard's security, against a real Redis through Flask's test client: CSRF on
every session write, cookie flags and renewal, day grants, slowed failed sign-ins."""

import json
import re

import pytest
from flask import jsonify

from sync_service import signin_throttle as throttle
from sync_service.app import create_app
from sync_service.coordinators import add_coordinator, require_coordinator
from sync_service.devices.tokens import Device, register_device
from tests.helpers import DAY, PLAN_PATH
from tests.signin import csrf_token_in

OTHER_DAY = "hexi-2022-05-15"
PASSWORD = "correct horse battery"


@pytest.fixture
def plan_dir(tmp_path):
    """Two day plans: ours and another district's."""
    folder = tmp_path / "plans"
    folder.mkdir()
    plan = json.loads(PLAN_PATH.read_text(encoding="utf-8"))
    (folder / f"{DAY}.json").write_text(json.dumps(plan, ensure_ascii=False), encoding="utf-8")
    (folder / f"{OTHER_DAY}.json").write_text(json.dumps({**plan, "day_id": OTHER_DAY}, ensure_ascii=False),
                                              encoding="utf-8")
    return folder


@pytest.fixture
def app(redis, redis_url, plan_dir):
    app = create_app({"REDIS_URL": redis_url, "PLAN_DIR": str(plan_dir), "TESTING": True})

    @app.post("/api/v1/days/<day_id>/test-action")
    def test_action(day_id):  # stands for any coordinator write of another blueprint
        return jsonify(by=require_coordinator(day_id).username)

    add_coordinator(redis, "gu", PASSWORD, [DAY])
    return app


def sign_in(client, username="gu", password=PASSWORD, address="192.0.2.10"):
    token = csrf_token_in(client.get("/dashboard/signin").text)
    return client.post("/dashboard/signin", data={"csrf_token": token, "username": username, "password": password},
                       environ_base={"REMOTE_ADDR": address})


def session_cookie(response) -> str:
    header = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("session="))
    return header


def test_sign_in_opens_the_granted_day_and_sign_out_closes_it(app):
    client = app.test_client()
    assert client.get(f"/dashboard/days/{DAY}").status_code == 302
    response = sign_in(client)
    assert response.status_code == 302 and response.headers["Location"] == "/dashboard/"
    page = client.get(f"/dashboard/days/{DAY}")
    assert page.status_code == 200 and "和平区民政局" in page.text
    assert "Content-Security-Policy" in page.headers and page.headers["X-Frame-Options"] == "DENY"
    token = csrf_token_in(page.text)
    assert client.post("/dashboard/signout", data={"csrf_token": token}).status_code == 302
    assert client.get(f"/dashboard/days/{DAY}").status_code == 302


def test_a_form_or_api_write_without_the_csrf_token_is_refused(app):
    client = app.test_client()
    anonymous_form = client.post("/dashboard/signin", data={"username": "gu", "password": PASSWORD})
    assert anonymous_form.status_code == 403
    assert client.get(f"/dashboard/days/{DAY}").status_code == 302  # not signed in by it

    sign_in(client)
    token = csrf_token_in(client.get(f"/dashboard/days/{DAY}").text)
    assert client.post("/dashboard/signout").status_code == 403
    assert client.get(f"/dashboard/days/{DAY}").status_code == 200  # still signed in

    refused = client.post(f"/api/v1/days/{DAY}/test-action", json={})
    assert refused.status_code == 403 and refused.json["error"] == "csrf_failed"
    forged = client.post(f"/api/v1/days/{DAY}/test-action", json={}, headers={"X-CSRFToken": "forged"})
    assert forged.status_code == 403
    allowed = client.post(f"/api/v1/days/{DAY}/test-action", json={}, headers={"X-CSRFToken": token})
    assert allowed.status_code == 200 and allowed.json == {"by": "gu"}


def test_api_scripts_with_basic_credentials_need_no_csrf_token(app):
    client = app.test_client()
    response = client.post(f"/api/v1/days/{DAY}/test-action", json={}, auth=("gu", PASSWORD))
    assert response.status_code == 200


def test_session_cookie_is_httponly_samesite_and_renewed_at_sign_in(app, redis):
    client = app.test_client()
    before = session_cookie(client.get("/dashboard/signin"))
    signed_in = sign_in(client)
    after = session_cookie(signed_in)
    for header in (before, after):
        assert "HttpOnly" in header and re.search(r"SameSite=(Lax|Strict)", header)
    assert before.split(";")[0] != after.split(";")[0]
    assert len(redis.keys("od:coordinator-session:*")) == 1

    again = app.test_client()  # a second sign-in gets a session of its own
    assert session_cookie(sign_in(again)).split(";")[0] != after.split(";")[0]
    assert len(redis.keys("od:coordinator-session:*")) == 2


def test_a_copied_cookie_stops_working_after_sign_out(app):
    client = app.test_client()
    cookie = session_cookie(sign_in(client)).split(";")[0].split("=", 1)[1]
    token = csrf_token_in(client.get(f"/dashboard/days/{DAY}").text)
    client.post("/dashboard/signout", data={"csrf_token": token})

    thief = app.test_client()
    thief.set_cookie("session", cookie)
    assert thief.get(f"/dashboard/days/{DAY}").status_code == 302
    assert thief.post(f"/api/v1/days/{DAY}/test-action", json={}, headers={"X-CSRFToken": token}).status_code == 401


def test_a_coordinator_cannot_see_or_act_on_a_day_not_granted(app):
    client = app.test_client()
    sign_in(client)
    days = client.get("/dashboard/")
    assert f"/dashboard/days/{DAY}" in days.text and OTHER_DAY not in days.text
    refused = client.get(f"/dashboard/days/{OTHER_DAY}")
    assert refused.status_code == 403 and "无权查看" in refused.text
    token = csrf_token_in(client.get(f"/dashboard/days/{DAY}").text)
    acted = client.post(f"/api/v1/days/{OTHER_DAY}/test-action", json={}, headers={"X-CSRFToken": token})
    assert acted.status_code == 403 and acted.json["error"] == "forbidden"


def test_signed_out_visitors_and_device_tokens_are_refused(app, redis):
    client = app.test_client()
    anonymous = client.get(f"/dashboard/days/{DAY}")
    assert anonymous.status_code == 302 and anonymous.headers["Location"].startswith("/dashboard/signin")
    token = register_device(redis, Device("laptop-a", "shashan", DAY))
    device = client.get(f"/dashboard/days/{DAY}", headers={"Authorization": f"Bearer {token}"})
    assert device.status_code == 401 and "和平区" not in device.text
    assert client.get("/dashboard/", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_repeated_failed_sign_ins_are_slowed_down(app, redis):
    client = app.test_client()
    for _ in range(throttle.FREE_TRIES - 1):
        assert sign_in(client, password="wrong password").status_code == 401
    locked = sign_in(client, password="wrong password")
    assert locked.status_code == 429 and int(locked.headers["Retry-After"]) >= throttle.FIRST_LOCK_S
    right_password = sign_in(client)
    assert right_password.status_code == 429  # refused before the password is looked at
    assert client.get(f"/dashboard/days/{DAY}").status_code == 302

    elsewhere = app.test_client()  # the real person at another address is not locked out
    assert sign_in(elsewhere, address="192.0.2.99").status_code == 302


def test_a_successful_sign_in_clears_the_failures(app, redis):
    client = app.test_client()
    for _ in range(throttle.FREE_TRIES - 1):
        sign_in(client, password="wrong password")
    assert sign_in(client).status_code == 302
    assert redis.keys("od:signin-failures:*") == []


def test_lockouts_double_up_to_a_cap():
    assert [throttle.lock_seconds(n) for n in range(1, 9)] == [0, 0, 0, 0, 30, 60, 120, 240]
    assert throttle.lock_seconds(50) == throttle.MAX_LOCK_S


def test_sign_in_never_redirects_to_another_site(app):
    client = app.test_client()
    token = csrf_token_in(client.get("/dashboard/signin").text)
    response = client.post("/dashboard/signin?next=https://evil.example/", data={
        "csrf_token": token, "username": "gu", "password": PASSWORD})
    assert response.headers["Location"] == "/dashboard/"



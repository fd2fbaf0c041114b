"""The JSON APIs the day page calls (enrollment codes, devices,
quarantine), driven with a
signed-in browser session: the CSRF token is required, and a day not granted is refused."""

from tests.helpers import DAY
from tests.integration.test_dashboard_security import OTHER_DAY, app, plan_dir, sign_in  # noqa: F401
from tests.signin import csrf_token_in

CODE = {"booth_id": "bayi", "uses": 2, "ttl_minutes": 60}


def signed_in(app):  # noqa: F811
    client = app.test_client()
    sign_in(client)
    return client, csrf_token_in(client.get(f"/dashboard/days/{DAY}").text)


def test_session_writes_to_the_apis_need_the_csrf_token(app):  # noqa: F811
    client, token = signed_in(app)
    codes = f"/api/v1/days/{DAY}/enrollment-codes"
    refused = client.post(codes, json=CODE)
    assert refused.status_code == 403 and refused.json["error"] == "csrf_failed"
    assert client.get(codes).json["codes"] == []  # nothing was made

    resolve = client.post(f"/api/v1/days/{DAY}/quarantine/resolve", json={"field": "topic", "key": "x",
                                                                          "action": "reject"})
    assert resolve.status_code == 403 and resolve.json["error"] == "csrf_failed"

    made = client.post(codes, json=CODE, headers={"X-CSRFToken": token})
    assert made.status_code == 201
    revoke = f"{codes}/{made.json['code']}"
    assert client.delete(revoke).status_code == 403
    assert client.delete(revoke, headers={"X-CSRFToken": token}).status_code == 204


def test_a_session_cannot_read_or_act_on_a_day_not_granted(app):  # noqa: F811
    client, token = signed_in(app)
    headers = {"X-CSRFToken": token}
    api = f"/api/v1/days/{OTHER_DAY}"
    assert client.get(f"{api}/enrollment-codes").status_code == 403
    assert client.post(f"{api}/enrollment-codes", json=CODE, headers=headers).status_code == 403
    assert client.get(f"{api}/devices").status_code == 403
    assert client.post(f"{api}/devices/laptop-a/revoke", headers=headers).status_code == 403
    assert client.get(f"{api}/quarantine").status_code == 403
    assert client.post(f"{api}/quarantine/resolve", json={"field": "topic", "key": "x", "action": "reject"},
                       headers=headers).status_code == 403

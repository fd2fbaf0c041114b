"""A laptop talks to the centre only over verified TLS, or plain http to its own machine:
the enrolment form and the pusher refuse http:// to another machine before any connection
(no network needed here), unless OPENDAY_ALLOW_HTTP, and then the page warns."""

from field_app.app import create_app
from tests.helpers import PLAN_PATH

ENTRY = {"type": "visitor.received", "payload": {"party_size": 2}}


def make_app(tmp_path, **config):
    return create_app({"FIELD_DB": str(tmp_path / "laptop.sqlite3"), "PLAN": str(PLAN_PATH),
                       "PUSH_INTERVAL": 0, "PULL_INTERVAL": 0, **config})


def test_the_form_refuses_plain_http_to_another_machine(tmp_path):
    client = make_app(tmp_path).test_client()
    page = client.get("/").text
    assert 'name="sync_url" type="url" value="https://"' in page
    for url in ("http://192.0.2.10:8700", "http://openday.example.org"):
        refused = client.post("/api/enroll?lang=en", json={"sync_url": url, "code": "ABCD-EFGH"})
        assert refused.status_code == 422 and "https://" in refused.json["errors"]["sync_url"][0]
        assert "http://" in refused.json["errors"]["sync_url"][0]  # says what was refused
    zh = client.post("/api/enroll", json={"sync_url": "http://192.0.2.10", "code": "ABCD-EFGH"})
    assert "未加密" in zh.json["errors"]["sync_url"][0]
    loopback = client.post("/api/enroll", json={"sync_url": "http://127.0.0.1:1", "code": "ABCD-EFGH"})
    assert "sync_url" in loopback.json["errors"] and "未加密" not in loopback.json["errors"]["sync_url"][0]


def test_a_configured_plain_http_centre_gets_nothing_pushed(tmp_path):
    app = make_app(tmp_path, SYNC_URL="http://192.0.2.10:8700", DEVICE_TOKEN="t", DEVICE_ID="laptop-a")
    client = app.test_client()
    assert client.post("/api/events", json=ENTRY).status_code == 201
    assert app.extensions["openday"]["pusher"].sync_now() is False
    status = client.get("/api/status?lang=en").json
    assert status["pending"] == 1 and status["insecure"] is True
    assert status["last_error_text"].startswith("Plain http:// to the sync service is refused")


def test_allowed_plain_http_is_warned_on_the_page(tmp_path):
    client = make_app(tmp_path, ALLOW_HTTP=True, SYNC_URL="http://192.0.2.10:8700", DEVICE_TOKEN="t").test_client()
    assert client.get("/api/status").json["insecure"] is True
    assert 'id="insecure-warning"' in client.get("/").text
    secure = make_app(tmp_path / "b", SYNC_URL="https://openday.example.org", DEVICE_TOKEN="t").test_client()
    assert secure.get("/api/status").json["insecure"] is False

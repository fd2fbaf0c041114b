"""On the open internet, end to end: the compose proxy template run by a real nginx
(tests/tls_proxy.py) in front of the real sync service under gunicorn, a test CA from
trustme, field apps as processes. A laptop enrols and pushes over HTTPS verifying the
CA; a centre with another CA's certificate gets nothing from a laptop; plain HTTP only
redirects; /metrics stays off the proxy; the client address reaches the throttles."""

import http.client
import json
import ssl
import urllib.parse
from types import SimpleNamespace

import pytest
import requests
import trustme

from central import keys
from openday.embedded_redis import free_port
from sync_service.coordinators import add_coordinator
from sync_service.devices.tokens import Device, register_device
from tests.helpers import DAY, PLAN_PATH, Process, openday, running_central, wait_until
from tests.signin import csrf_token_in, sign_in_requests
from tests.tls_proxy import start_proxy

pytestmark = pytest.mark.e2e
LEAD = ("lead", "open-day-2022")
METRICS_TOKEN = "scraper-token"
ENTRY = {"type": "visitor.received", "payload": {"party_size": 3}}


@pytest.fixture
def centre(redis_url, redis, tmp_path):
    """Sync service + worker as compose runs them behind one proxy, and the proxy."""
    ca, ca_file = trustme.CA(), tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    add_coordinator(redis, *LEAD, [DAY])
    env = {"OPENDAY_PROXY_HOPS": "1", "OPENDAY_SESSION_COOKIE_SECURE": "true", "OPENDAY_METRICS_TOKEN": METRICS_TOKEN}
    with running_central(redis_url, tmp_path, **env) as sync_url:
        proxy = start_proxy(tmp_path / "nginx", sync_url.removeprefix("http://"), ca)
        try:
            wait_until(lambda: requests.get(f"{proxy.https_url}/healthz", verify=str(ca_file), timeout=2).ok,
                       message="proxy up")
            yield SimpleNamespace(sync=sync_url, https=proxy.https_url, http=proxy.http_url, ca=str(ca_file),
                                  folder=tmp_path)
        finally:
            proxy.process.stop()


@pytest.fixture
def field_app(tmp_path):
    started = []

    def start(name: str, **env: str) -> str:
        port = free_port()
        started.append(Process(openday("field-app", "--port", str(port)), {
            "OPENDAY_FIELD_DB": str(tmp_path / f"{name}.sqlite3"), "OPENDAY_PLAN": str(PLAN_PATH),
            "OPENDAY_PUSH_INTERVAL": "0.2", "OPENDAY_PULL_INTERVAL": "0.3", **env}, tmp_path / f"field-{name}.log"))
        url = f"http://127.0.0.1:{port}"
        wait_until(lambda: requests.get(f"{url}/api/status", timeout=1).ok, message="field app up")
        return url

    yield start
    for process in started:
        process.stop()


def _status(field_url: str, lang: str = "en") -> dict:
    return requests.get(f"{field_url}/api/status?lang={lang}", timeout=5).json()


def test_a_laptop_enrols_and_pushes_over_https_verifying_the_ca(centre, field_app, redis):
    made = requests.post(f"{centre.https}/api/v1/days/{DAY}/enrollment-codes", auth=LEAD, verify=centre.ca,
                         json={"booth_id": "shashan"}, timeout=10)
    assert made.status_code == 201, made.text
    laptop = field_app("tls-laptop", OPENDAY_SYNC_CA=centre.ca)
    enrolled = requests.post(f"{laptop}/api/enroll", json={"sync_url": centre.https, "code": made.json()["code"]},
                             timeout=20)
    assert enrolled.status_code == 201, enrolled.text
    assert requests.post(f"{laptop}/api/events", json=ENTRY, timeout=5).status_code == 201
    status = wait_until(lambda: (s := _status(laptop))["acked_seq"] == 1 and s, message="entry acked over HTTPS")
    assert status["insecure"] is False and status["last_error"] is None
    assert redis.hget(keys.acked(DAY), status["device_id"]) == "1" and redis.xlen(keys.log(DAY)) == 1
    wait_until(lambda: _status(laptop)["online"], message="totals pulled over HTTPS")


def test_a_centre_with_another_cas_certificate_gets_nothing(centre, field_app, redis, tmp_path):
    other_ca, other_ca_file = trustme.CA(), tmp_path / "other-ca.pem"
    other_ca.cert_pem.write_to_path(str(other_ca_file))
    impostor = start_proxy(tmp_path / "impostor", centre.sync.removeprefix("http://"), other_ca)
    try:
        token = register_device(redis, Device("mitm-laptop", "shashan", DAY))
        laptop = field_app("mitm-laptop", OPENDAY_SYNC_CA=centre.ca, OPENDAY_SYNC_URL=impostor.https_url,
                           OPENDAY_DEVICE_ID="mitm-laptop", OPENDAY_BOOTH_ID="shashan", OPENDAY_DEVICE_TOKEN=token)
        assert requests.post(f"{laptop}/api/events", json=ENTRY, timeout=5).status_code == 201
        status = wait_until(lambda: (s := _status(laptop))["last_error_text"] and s, message="push refused")
        assert "certificate could not be verified" in status["last_error_text"], status
        assert "证书" in _status(laptop, "zh")["last_error_text"]
        assert status["pending"] == 1 and status["online"] is False
        assert "certificate could not be verified" in status["contact"]["error"]  # nothing pulled either
        assert redis.hget(keys.acked(DAY), "mitm-laptop") is None and redis.xlen(keys.log(DAY)) == 0

        fresh = field_app("fresh-laptop", OPENDAY_SYNC_CA=centre.ca)
        refused = requests.post(f"{fresh}/api/enroll?lang=en", json={"sync_url": impostor.https_url,
                                                                    "code": "ABCD-EFGH"}, timeout=20)
        assert refused.status_code == 422
        assert "certificate could not be verified" in refused.json()["errors"]["sync_url"][0]
        plain = requests.post(f"{fresh}/api/enroll?lang=en", json={"sync_url": "http://192.0.2.10:8700",
                                                                  "code": "ABCD-EFGH"}, timeout=20)
        assert plain.status_code == 422 and "https://" in plain.json()["errors"]["sync_url"][0]
        # It does reach the real centre: only its certificate's CA differs.
        assert requests.get(f"{impostor.https_url}/healthz", verify=str(other_ca_file), timeout=5).ok
    finally:
        impostor.process.stop()


def _failed_signin_from(centre, source: str, forwarded_for: str) -> int:
    """A wrong password over HTTPS from the loopback address `source`, claiming to be
    `forwarded_for`; returns the HTTP status."""
    host, port = urllib.parse.urlsplit(centre.https).netloc.split(":")
    context = ssl.create_default_context(cafile=centre.ca)
    connection = http.client.HTTPSConnection(host, int(port), source_address=(source, 0), context=context, timeout=10)
    connection.request("GET", "/dashboard/signin")
    form = connection.getresponse()
    cookie, token = form.getheader("Set-Cookie").split(";")[0], csrf_token_in(form.read().decode())
    body = urllib.parse.urlencode({"csrf_token": token, "username": LEAD[0], "password": "wrong password"})
    connection.request("POST", "/dashboard/signin", body=body, headers={
        "Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded", "X-Forwarded-For": forwarded_for,
        "Referer": f"{centre.https}/dashboard/signin"})
    status = connection.getresponse().status
    connection.close()
    return status


def test_plain_http_redirects_and_the_proxy_keeps_its_promises(centre, redis):
    redirect = requests.get(f"{centre.http}/dashboard/signin?lang=en", allow_redirects=False, timeout=5)
    assert redirect.status_code == 301 and redirect.headers["Location"] == "https://127.0.0.1/dashboard/signin?lang=en"
    push = requests.post(f"{centre.http}/api/v1/sync/push", json={}, allow_redirects=False, timeout=5)
    assert push.status_code == 301  # answered by nginx alone: nothing reaches the sync service in clear
    assert requests.get(f"{centre.https}/healthz", verify=centre.ca, timeout=5).headers[
        "Strict-Transport-Security"] == "max-age=31536000"

    bearer = {"Authorization": f"Bearer {METRICS_TOKEN}"}
    assert requests.get(f"{centre.https}/metrics", headers=bearer, verify=centre.ca, timeout=5).status_code == 404
    assert requests.get(f"{centre.sync}/metrics", timeout=5).status_code == 401
    assert requests.get(f"{centre.sync}/metrics", headers=bearer, timeout=5).status_code == 200  # inside only

    browser = requests.Session()
    browser.verify, browser.trust_env = centre.ca, False  # else REQUESTS_CA_BUNDLE wins over .verify
    # Flask-WTF checks over HTTPS that a form comes from this origin, as the proxy forwards it.
    browser.headers["Referer"] = f"{centre.https}/dashboard/signin"
    assert sign_in_requests(browser, centre.https, *LEAD).status_code == 200
    assert [c.secure for c in browser.cookies if c.name == "session"] == [True]
    assert browser.get(f"{centre.https}/dashboard/", timeout=5).status_code == 200

    assert _failed_signin_from(centre, "127.0.0.5", "198.51.100.9") == 401
    assert redis.exists(keys.signin_failures(LEAD[0], "127.0.0.5")) == 1  # the real client, through nginx
    assert redis.exists(keys.signin_failures(LEAD[0], "198.51.100.9")) == 0  # not what it claimed
    assert redis.exists(keys.signin_failures(LEAD[0], "127.0.0.1")) == 0  # not the proxy's own address
    logged = [json.loads(line) for line in (centre.folder / "sync.log").read_text().splitlines()
              if line.startswith('{"ts"') and '"path": "/dashboard/signin"' in line]
    assert {(line["method"], line["status"], line["client"]) for line in logged} >= {("POST", 401, "127.0.0.5")}

"""Secrets at rest, against a real Redis: what Redis holds (its AOF, a backup) cannot be
replayed as a coordinator's cookie nor an enrolment code; the signing key comes from the
environment or a file, never from Redis outside `openday dev`; /metrics needs its token;
the client address is taken from exactly the configured number of proxies."""

import json

import pytest
from flask import Flask
from flask.sessions import SecureCookieSessionInterface

from central import keys
from central.secrets_config import MissingSecret, with_redis_credentials
from sync_service.app import create_app
from sync_service.coordinators import add_coordinator
from tests.helpers import DAY
from tests.signin import csrf_token_in

PASSWORD = "correct horse battery"


@pytest.fixture
def app(redis, redis_url):
    add_coordinator(redis, "lead", PASSWORD, [DAY])
    return create_app({"REDIS_URL": redis_url, "TESTING": True, "METRICS_TOKEN": "scrape-me"})


def _sign_in(client, address="127.0.0.1"):
    token = csrf_token_in(client.get("/dashboard/signin").text)
    return client.post("/dashboard/signin", data={"csrf_token": token, "username": "lead", "password": PASSWORD},
                       environ_base={"REMOTE_ADDR": address})


def everything_redis_holds(redis) -> set[str]:
    """Every key name, key-name part, string, hash field and value, set or list member."""
    found = set()
    for key in redis.scan_iter(count=1000):
        found.update({key, *key.split(":")})
        kind = redis.type(key)
        if kind == "string":
            found.add(redis.get(key))
        elif kind == "hash":
            for field, value in redis.hgetall(key).items():
                found.update({field, value})
        elif kind in ("set", "list"):
            found.update(redis.smembers(key) if kind == "set" else redis.lrange(key, 0, -1))
    return {text for text in found if text}


def _forged(secret: str, session_id: str) -> str:
    forger = Flask("forger")
    forger.secret_key = secret
    payload = {"coordinator": "lead", "sid": session_id, "_permanent": True}
    return SecureCookieSessionInterface().get_signing_serializer(forger).dumps(payload)


def test_a_cookie_forged_from_everything_redis_holds_is_refused(app, redis):
    signed_in = app.test_client()
    assert _sign_in(signed_in).status_code == 302
    assert signed_in.get("/dashboard/").status_code == 200  # the real cookie works
    held = everything_redis_holds(redis)
    assert len([key for key in held if key.startswith("od:coordinator-session:")]) == 1
    # Neither the signing key nor a session id a cookie carries is anywhere in Redis.
    assert app.secret_key not in held and keys.SECRET_KEY not in held
    sid = [c for c in signed_in._cookies.values() if c.key == "session"][0]
    assert not any(app.session_interface.get_signing_serializer(app).loads(sid.value)["sid"] in text
                   for text in held)
    # Even with the real key (say it leaked from the environment), no id from Redis signs in.
    secrets_tried = [*held, app.secret_key]
    for secret in secrets_tried:
        for session_id in held:
            attacker = app.test_client()
            attacker.set_cookie("session", _forged(secret, session_id))
            assert attacker.get("/dashboard/").status_code == 302, (secret, session_id)


def test_enrolment_codes_are_kept_only_as_a_slow_hash(app, redis):
    lead = app.test_client()
    made = lead.post(f"/api/v1/days/{DAY}/enrollment-codes", json={"booth_id": "shashan"},
                     auth=("lead", PASSWORD)).json
    held = " ".join(everything_redis_holds(redis))
    assert made["code"].replace("-", "") not in held and made["code"] not in held
    listed = lead.get(f"/api/v1/days/{DAY}/enrollment-codes", auth=("lead", PASSWORD)).json["codes"]
    assert [("code" in row, row["id"]) for row in listed] == [(False, made["id"])]  # shown once, when made
    enrolled = lead.post("/api/v1/enroll", json={"code": made["code"], "device_id": "laptop-a"})
    assert enrolled.status_code == 201, enrolled.json
    assert lead.delete(f"/api/v1/days/{DAY}/enrollment-codes/{made['id']}", auth=("lead", PASSWORD)).status_code == 204


def test_the_signing_key_comes_from_the_environment_or_a_file_not_redis(redis, redis_url, tmp_path, monkeypatch):
    monkeypatch.delenv("OPENDAY_SECRET_KEY", raising=False)
    with pytest.raises(MissingSecret, match="OPENDAY_SECRET_KEY_FILE"):
        create_app({"REDIS_URL": redis_url})
    key_file = tmp_path / "secret_key"
    key_file.write_text("from-a-docker-secret\n")
    monkeypatch.setenv("OPENDAY_SECRET_KEY_FILE", str(key_file))
    assert create_app({"REDIS_URL": redis_url}).secret_key == "from-a-docker-secret"
    assert redis.get(keys.SECRET_KEY) is None
    monkeypatch.delenv("OPENDAY_SECRET_KEY_FILE")
    dev = create_app({"REDIS_URL": redis_url, "SECRET_KEY_IN_REDIS": "1"})  # what `openday dev` sets
    assert dev.secret_key == redis.get(keys.SECRET_KEY) and len(dev.secret_key) == 64


def test_redis_credentials_come_from_a_secret_file(tmp_path):
    password_file = tmp_path / "redis_password"
    password_file.write_text("s3cr@t/pw\n")
    env = {"OPENDAY_REDIS_PASSWORD_FILE": str(password_file), "OPENDAY_REDIS_USER": "sync"}
    assert with_redis_credentials("redis://redis:6379/0", env) == "redis://sync:s3cr%40t%2Fpw@redis:6379/0"
    assert with_redis_credentials("redis://u:given@redis:6379/0", env) == "redis://u:given@redis:6379/0"
    assert with_redis_credentials("redis://redis:6379/0", {}) == "redis://redis:6379/0"


def test_metrics_need_the_bearer_token(app, redis_url):
    client = app.test_client()
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
    answered = client.get("/metrics", headers={"Authorization": "Bearer scrape-me"})
    assert answered.status_code == 200 and b"openday_events_ingested_total" in answered.data
    no_token = create_app({"REDIS_URL": redis_url}).test_client()  # no token set: nobody
    assert no_token.get("/metrics", headers={"Authorization": "Bearer "}).status_code == 401


@pytest.mark.parametrize("hops, throttled", [(0, "127.0.0.1"), (1, "203.0.113.7")])
def test_the_throttle_sees_the_client_behind_exactly_the_configured_proxies(redis, redis_url, hops, throttled):
    add_coordinator(redis, "lead", PASSWORD, [DAY])
    app = create_app({"REDIS_URL": redis_url, "TESTING": True, "PROXY_HOPS": hops})
    client = app.test_client()
    token = csrf_token_in(client.get("/dashboard/signin").text)
    forwarded = {"X-Forwarded-For": "198.51.100.1, 203.0.113.7"}  # the first is the client's own claim
    answer = client.post("/dashboard/signin", headers=forwarded,
                         data={"csrf_token": token, "username": "lead", "password": "wrong password"})
    assert answer.status_code == 401
    assert redis.exists(keys.signin_failures("lead", throttled)) == 1


def test_codes_an_older_version_kept_in_clear_are_hashed_and_still_work(app, redis):
    old = {"day_id": DAY, "booth_id": "shashan", "uses_left": 2, "created_by": "cli",
           "created_at": "2022-05-15T08:00:00+08:00", "expires_at": "2099-01-01T00:00:00+08:00"}
    redis.hset(keys.ENROLLMENT_CODES, mapping={"K7QXM4ZP": json.dumps(old), "ABCDEFGH": json.dumps(old)})
    client = app.test_client()
    assert client.post("/api/v1/enroll", json={"code": "k7qx-m4zp", "device_id": "laptop-a"}).status_code == 201
    listed = client.get(f"/api/v1/days/{DAY}/enrollment-codes", auth=("lead", PASSWORD)).json["codes"]
    assert sorted(row["uses_left"] for row in listed) == [1, 2] and all(row["id"] for row in listed)
    held = " ".join(everything_redis_holds(redis))
    assert "K7QXM4ZP" not in held and "ABCDEFGH" not in held

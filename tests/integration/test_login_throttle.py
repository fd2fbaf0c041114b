"""One throttle for every way in (issue 15): the sign-in form and HTTP Basic share the
counters and the lock-out; unknown users cost one scrypt, none once throttled; a verified
Basic login is cached. Real Redis, Flask's test client, the real hashlib.scrypt (counted)."""

import hashlib

import pytest

from central import keys
from sync_service import signin_throttle as throttle
from sync_service.app import create_app
from sync_service.coordinators import add_coordinator
from tests.helpers import DAY, PLAN_PATH
from tests.signin import csrf_token_in

PASSWORD = "correct horse battery"
TOTALS = f"/api/v1/days/{DAY}/totals"
HERE, THERE = "192.0.2.10", "192.0.2.99"


@pytest.fixture
def app(redis, redis_url):
    add_coordinator(redis, "gu", PASSWORD, [DAY])
    return create_app({"REDIS_URL": redis_url, "PLAN_DIR": str(PLAN_PATH.parent), "TESTING": True})


@pytest.fixture
def scrypt_calls(monkeypatch):
    """Every hashlib.scrypt call werkzeug makes, counted (the real function still runs)."""
    calls, real = [], hashlib.scrypt

    def counted(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(hashlib, "scrypt", counted)
    return calls


def basic(client, username="gu", password=PASSWORD, address=HERE):
    return client.get(TOTALS, auth=(username, password), environ_base={"REMOTE_ADDR": address})


def form_sign_in(client, username="gu", password=PASSWORD, address=HERE):
    token = csrf_token_in(client.get("/dashboard/signin").text)
    return client.post("/dashboard/signin", data={"csrf_token": token, "username": username, "password": password},
                       environ_base={"REMOTE_ADDR": address})


def test_basic_brute_force_is_locked_out_and_the_right_password_then_refused_too(app):
    client = app.test_client()
    answers = [basic(client, password=f"guess-{n}").status_code for n in range(30)]
    assert answers[:throttle.FREE_TRIES - 1] == [401] * (throttle.FREE_TRIES - 1)
    assert set(answers[throttle.FREE_TRIES - 1:]) == {429}
    right = basic(client)
    assert right.status_code == 429 and int(right.headers["Retry-After"]) >= throttle.FIRST_LOCK_S
    assert "登录失败次数过多" in right.json["message"] and "Too many failed sign-ins" in right.json["message"]
    assert basic(client, address=THERE).status_code == 200  # the real person elsewhere still gets in


def test_a_lock_out_from_the_sign_in_form_holds_for_basic_and_the_other_way_round(app):
    client = app.test_client()
    for _ in range(throttle.FREE_TRIES):
        form_sign_in(client, password="wrong password")
    assert form_sign_in(client).status_code == 429
    assert basic(client).status_code == 429  # was: 200 with Basic while the form was locked

    for _ in range(throttle.FREE_TRIES):
        basic(client, password="wrong password", address=THERE)
    assert form_sign_in(client, address=THERE).status_code == 429


def test_guessing_one_user_from_many_addresses_locks_that_user(app):
    client = app.test_client()
    for n in range(throttle.USER_FREE_TRIES):
        basic(client, password="wrong password", address=f"198.51.100.{n}")
    assert basic(client, address="203.0.113.7").status_code == 429


def test_an_unknown_user_costs_one_scrypt_and_none_once_throttled(app, scrypt_calls):
    client = app.test_client()
    assert basic(client, username="nobody", password="x" * 10).status_code == 401
    assert len(scrypt_calls) == 1
    scrypt_calls.clear()
    assert basic(client, password="wrong password").status_code == 401  # a known user costs the same
    assert len(scrypt_calls) == 1
    scrypt_calls.clear()
    for n in range(throttle.ADDRESS_FREE_TRIES + 10):  # one address spraying made-up usernames
        basic(client, username=f"ghost-{n}", password="guess")
    assert len(scrypt_calls) <= throttle.ADDRESS_FREE_TRIES
    scrypt_calls.clear()
    locked = basic(client, username="ghost-new", password="guess")
    assert locked.status_code == 429 and scrypt_calls == []  # refused before any scrypt


def test_a_verified_basic_login_is_cached_for_a_minute_and_ends_with_the_password(app, redis, scrypt_calls):
    client = app.test_client()
    assert basic(client).status_code == 200
    assert len(scrypt_calls) == 1
    for _ in range(5):
        assert basic(client).status_code == 200
    assert len(scrypt_calls) == 1  # no scrypt for the repeats
    cached = redis.keys("od:basic-verified:*")
    assert len(cached) == 1 and 0 < redis.ttl(cached[0]) <= 60 and PASSWORD not in cached[0]

    add_coordinator(redis, "gu", "a brand new password", [DAY])
    assert basic(client).status_code == 401  # the old password's cache entry no longer opens anything
    assert basic(client, password="a brand new password").status_code == 200


def test_a_wrong_password_is_never_served_from_the_cache(app, redis):
    client = app.test_client()
    assert basic(client).status_code == 200
    assert basic(client, password=PASSWORD + "x").status_code == 401
    failures = redis.hget(keys.signin_failures("gu", HERE), "n")
    assert failures == "1"

"""The push API's side of a laptop that sends its next batch before the last one is answered
(issue 19), and the fold a streaming backlog asks for: real Redis, Flask's test client."""

import threading

import pytest

import sync_service.push.api as push_api
from central import keys
from sync_service.app import create_app
from sync_service.devices.tokens import Device, register_device
from tests.factories import make_event
from tests.helpers import DAY

FOLLOWS = push_api.FOLLOWS_HEADER


@pytest.fixture
def app(redis_url, redis):
    app = create_app({"REDIS_URL": redis_url})
    app.config["token"] = register_device(redis, Device("laptop-a", "shashan", DAY))
    return app


def _post(app, events, pending=None, follows=None):
    """One push from its own client (a thread each, as two connections are)."""
    body = {"device_id": "laptop-a", "sent_at": "2022-05-15T09:00:00+08:00", "events": events}
    if pending is not None:
        body["pending"] = pending
    headers = {"Authorization": f"Bearer {app.config['token']}"}
    if follows is not None:
        headers[FOLLOWS] = str(follows)
    return app.test_client().post("/api/v1/sync/push", json=body, headers=headers)


def test_a_batch_that_overtook_the_one_before_it_waits_for_it(app, redis, monkeypatch):
    waiting, answers, real_wait = threading.Event(), {}, push_api._wait_for_acked

    def noting_wait(*args):
        waiting.set()
        return real_wait(*args)

    monkeypatch.setattr(push_api, "_wait_for_acked", noting_wait)
    events = [make_event(s) for s in range(1, 7)]
    second = threading.Thread(target=lambda: answers.setdefault("second", _post(app, events[3:], follows=3)))
    second.start()
    assert waiting.wait(10), "the second batch never met its gap"
    first = _post(app, events[:3])
    second.join(10)
    assert (first.status_code, first.json["acked_seq"]) == (200, 3)
    assert (answers["second"].status_code, answers["second"].json["acked_seq"]) == (200, 6)
    assert redis.xlen(keys.log(DAY)) == 6


def test_a_gap_that_stays_is_answered_as_a_gap_and_stores_nothing(app, redis, monkeypatch):
    monkeypatch.setattr(push_api, "PREDECESSOR_WAIT_S", 0.2)
    alone = _post(app, [make_event(4)], follows=3)
    assert (alone.status_code, alone.json["error"], alone.json["expected_seq"]) == (409, "seq_gap", 1)
    assert redis.xlen(keys.log(DAY)) == 0


@pytest.mark.parametrize("follows", ["", "-1", "3.0", "٣", "9" * 40])
def test_a_follows_header_that_is_no_seq_is_ignored(app, redis, follows):
    gap = _post(app, [make_event(4)], follows=follows)
    assert (gap.status_code, gap.json["error"]) == (409, "seq_gap")


def test_a_fold_is_asked_for_once_the_backlog_is_in(app, redis):
    events = [make_event(s) for s in range(1, 7)]
    assert _post(app, events[:3], pending=6).status_code == 200
    assert not redis.exists(keys.fold_requested(DAY))  # more follows at once: no fold per batch
    assert _post(app, events[3:], pending=3).status_code == 200
    assert redis.exists(keys.fold_requested(DAY))
    redis.delete(keys.fold_requested(DAY))
    assert _post(app, [make_event(7)]).status_code == 200  # a laptop that does not say: asks, as before
    assert redis.exists(keys.fold_requested(DAY))

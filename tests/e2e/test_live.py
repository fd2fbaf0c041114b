"""Live totals over Server-Sent Events, through real processes (gunicorn gthread, rq worker)."""

import json

import pytest
import requests

from central import keys
from shared.totals import build_document
from sync_service.devices.tokens import Device, register_device
from tests.factories import make_event
from tests.helpers import DAY, READER, central_totals, running_central, wait_until


@pytest.fixture
def live_central(redis_url, tmp_path):
    with running_central(redis_url, tmp_path, OPENDAY_LIVE_HEARTBEAT="0.3", OPENDAY_LIVE_MAX_SECONDS="60") as url:
        yield url


class SseClient:
    """A minimal SSE reader over requests(stream=True), with bounded timeouts."""

    def __init__(self, url: str, last_event_id: str | None = None):
        headers = {"Accept": "text/event-stream"}
        if last_event_id:
            headers["Last-Event-ID"] = last_event_id
        self.response = requests.get(url, stream=True, timeout=(3, 5), headers=headers, auth=READER)
        self.response.raise_for_status()
        self.lines = self.response.iter_lines(decode_unicode=True)
        self.comments = 0

    def next_message(self) -> dict:
        message = {}
        for line in self.lines:
            if line == "":
                if "data" in message:
                    return message
                continue
            if line.startswith(":"):
                self.comments += 1
                continue
            name, _, value = line.partition(":")
            message[name] = value.lstrip(" ")
        raise AssertionError("stream ended")

    def read_until(self, check, limit: int = 200) -> list[dict]:
        seen = []
        for _ in range(limit):
            message = self.next_message()
            message["json"] = json.loads(message["data"])
            seen.append(message)
            if check(message["json"]):
                return seen
        raise AssertionError(f"no matching message in {limit}: {seen[-3:]}")

    def close(self):
        self.response.close()


def _push(url, token, events):
    body = {"device_id": events[0]["device_id"], "sent_at": "2022-05-15T09:00:00+08:00", "events": events}
    response = requests.post(f"{url}/api/v1/sync/push", json=body, timeout=5,
                             headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.text


def test_live_stream_reflects_each_push_and_resumes_after_a_disconnect(live_central, redis):
    token = register_device(redis, Device("laptop-a", "shashan", DAY))
    live_url = f"{live_central}/api/v1/days/{DAY}/live"
    state = {}

    client = SseClient(live_url)
    first = client.read_until(lambda m: True)[0]
    assert first["event"] == "totals" and first["id"] == first["json"]["position"] == "0-0"
    state.update(first["json"]["changed"])

    seq = 0
    for party in (2, 5):
        seq += 1
        _push(live_central, token, [make_event(seq, "visitor.received", {"party_size": party})])
        seen = client.read_until(lambda m, s=seq: m["changed"].get("log.entries") == s)
        for message in seen:
            assert message["id"] == message["json"]["position"]
            state.update(message["json"]["changed"])
        assert state["visitors"] == {1: 2, 2: 7}[seq]
        # changed figures only: a visitor moves its own figures and the device's, nothing else
        assert {k for k in seen[-1]["json"]["changed"] if "visitors" not in k and "device:" not in k} == {
            "log.entries"}
    last_id = seen[-1]["id"]
    channel = keys.updates_channel(DAY)
    assert redis.pubsub_numsub(channel)[0][1] == 1
    client.close()
    wait_until(lambda: redis.pubsub_numsub(channel)[0][1] == 0, timeout=10,
               message="the server ends the stream and unsubscribes after the client goes away")

    # while the viewer is away: more pushes, of several kinds
    more = [make_event(s, t) for s, t in enumerate(
        ["inquiry.answered", "material.restocked", "material.distributed", "visitor.received"], start=seq + 1)]
    _push(live_central, token, more)
    total_entries = seq + len(more)

    resumed = SseClient(live_url, last_event_id=last_id)
    messages = resumed.read_until(lambda m: m["changed"].get("log.entries") == total_entries)
    assert messages[0]["json"].get("snapshot") is True  # a reconnect starts from the current totals
    for message in messages:
        state.update(message["json"]["changed"])
    totals = central_totals(live_central)
    assert messages[-1]["id"] == totals["position"]
    mine = build_document({k: v for k, v in state.items() if v and k != "log.entries"})
    for section in ("visitors", "inquiries", "materials", "by_booth", "by_hour", "by_device"):
        assert mine[section] == totals[section], section
    resumed.close()


def test_live_stream_sends_heartbeats(live_central):
    client = SseClient(f"{live_central}/api/v1/days/{DAY}/live")
    client.next_message()
    for line in client.lines:  # bounded by the 5 s read timeout: heartbeats come every 0.3 s
        if line.startswith(":"):
            client.comments += 1
        if client.comments == 3:
            break
    assert client.comments == 3
    client.close()

"""The laptop's pusher against the real sync service: how it reacts to a conflict, a gap,
a revoked token, 503s with Retry-After and timeouts (a real SQLite log in this process,
real HTTP to gunicorn, real Redis)."""

import json
import threading

import pytest
import requests

from central import keys
from field_app.event_log import EventLog
from field_app.pusher import CONFLICT_MESSAGE, IN_FLIGHT, REVOKED_MESSAGE, Pusher, backoff_delay
from field_app.sync_client import SyncClient, encode_batch
from openday.embedded_redis import free_port
from shared.protocol import MAX_BATCH_BYTES
from sync_service.coordinators import add_coordinator
from sync_service.devices.tokens import Device, register_device, revoke_device
from tests.factories import make_event
from tests.fault_proxy import FaultProxy
from tests.helpers import DAY, PLAN_PATH, Process, openday, wait_until


@pytest.fixture(scope="module")
def sync_service(redis_server, tmp_path_factory):
    """One sync service (gunicorn) for the module: these tests need no worker."""
    port = free_port()
    env = {"REDIS_URL": redis_server.url, "OPENDAY_PLAN_DIR": str(PLAN_PATH.parent)}
    process = Process(openday("sync-service", "--bind", f"127.0.0.1:{port}", "--workers", "1"), env,
                      tmp_path_factory.mktemp("sync") / "sync.log")
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: requests.get(f"{url}/healthz", timeout=1).ok, message="sync service up")
        yield url
    finally:
        process.stop()


@pytest.fixture
def central(sync_service, redis):
    """The module's sync service, on a Redis flushed for this test."""
    return sync_service


def _laptop(tmp_path, redis, url, device_id="laptop-a", events=5, name="field"):
    log = EventLog(tmp_path / f"{name}.sqlite3")
    token = register_device(redis, Device(device_id, "shashan", DAY))
    log.set_state("sync_url", url)
    log.set_state("device_token", token)
    log.set_state("device_id", device_id)
    for _ in range(events):
        log.append(lambda seq: make_event(seq, device_id=device_id))
    pusher = Pusher(log, lambda: SyncClient(log.get_state("sync_url"), log.get_state("device_token")), device_id,
                    interval=0)
    return log, pusher


def test_backoff_is_full_jitter_capped_and_honours_retry_after():
    delays = [backoff_delay(failures, cap=60) for failures in range(40) for _ in range(20)]
    assert min(delays) >= 0 and max(delays) <= 60
    assert max(backoff_delay(0) for _ in range(200)) <= 0.5  # first retry comes quickly
    assert backoff_delay(0, retry_after=7) >= 7
    assert backoff_delay(3, retry_after=600, cap=60) == 60


def test_batches_stay_under_the_byte_cap():
    comment = "\U0001f44d" * 500  # 500 characters of 4 bytes each in UTF-8
    events = [make_event(s, "feedback.collected", {"rating": "satisfied", "comment": comment}) for s in range(1, 501)]
    body, count, _ = encode_batch("laptop-a", events, 500, None)
    assert len(body) <= MAX_BATCH_BYTES and 0 < count < 500
    assert [e["seq"] for e in json.loads(body)["events"]] == list(range(1, count + 1))


def test_pushes_drain_and_store_only_the_acked_mark(tmp_path, redis, central):
    log, pusher = _laptop(tmp_path, redis, central, events=12)
    pusher.batch = pusher.max_batch = 5
    assert pusher.sync_now() is True
    assert log.acked_seq() == 12 and redis.xlen(keys.log(DAY)) == 12
    assert log.get_state("last_sync")["server_time"]


def test_conflict_stops_pushing_with_a_plain_words_message(tmp_path, redis, central):
    log, pusher = _laptop(tmp_path, redis, central, events=3)
    assert pusher.sync_now()
    # The laptop is restored from a backup taken before those 3 were recorded, then records anew.
    restored, restored_pusher = _laptop(tmp_path, redis, central, events=4, name="restored")
    restored.set_state("device_token", log.get_state("device_token"))
    assert restored_pusher.sync_now() is False
    problem = restored_pusher.blocked()
    assert problem["kind"] == "conflict" and "重新登记" in problem["message"] and "Re-enrol" in problem["message"]
    assert restored.get_state("last_error")["message"] == CONFLICT_MESSAGE.format(seq=1)
    assert restored.last_seq() == 4 and restored.acked_seq() == 0  # its entries are kept
    assert redis.xlen(keys.log(DAY)) == 3
    restored.set_state("device_token", register_device(redis, Device("laptop-z", "shashan", DAY)))
    assert restored_pusher.blocked() is None  # a new enrolment lifts the stop


def test_gap_resends_from_the_seq_the_centre_expects(tmp_path, redis, central):
    log, pusher = _laptop(tmp_path, redis, central, events=6)
    assert pusher.sync_now()
    for key in (keys.log(DAY), keys.acked(DAY), keys.seq_ids(DAY), keys.event_index(DAY),
                keys.seq_records(DAY, "laptop-a", 0)):
        redis.delete(key)  # the centre was restored from an older state and has nothing of this laptop
    log.append(lambda seq: make_event(seq))
    assert pusher.sync_now() is True
    assert log.acked_seq() == 7 and redis.xlen(keys.log(DAY)) == 7


def test_revoked_laptop_records_it_and_stops(tmp_path, redis, central):
    log, pusher = _laptop(tmp_path, redis, central, events=2)
    add_coordinator(redis, "lead", "lead-password", [DAY])
    revoke_device(redis, DAY, "laptop-a")
    assert pusher.sync_now() is False
    assert pusher.blocked()["kind"] == "revoked"
    assert log.get_state("last_error") == {"message": REVOKED_MESSAGE, "status": 401, "error": "revoked"}
    assert log.acked_seq() == 0


@pytest.mark.parametrize(("modes", "timeout"), [({"503": 1}, None), ({"delay": 1}, (1, 0.2))])
def test_503_and_timeouts_halve_the_batch_and_back_off(tmp_path, redis, central, modes, timeout):
    proxy = FaultProxy(int(central.rsplit(":", 1)[1]), modes=modes, refuse_for=0).start()
    try:
        log, pusher = _laptop(tmp_path, redis, proxy.url, events=40)
        if timeout:
            pusher.make_client = lambda: SyncClient(proxy.url, log.get_state("device_token"), timeout=timeout)
        sizes = []
        for _ in range(4):
            assert pusher.sync_now() is False
            sizes.append(pusher.batch)
        assert sizes == [250, 125, 62, 31]
        assert pusher.failures == 4 and pusher.next_delay() <= 60
        if not timeout:
            assert pusher.retry_after == 1 and pusher.next_delay() >= 1
        proxy.calm()
        assert pusher.sync_now() is True and log.acked_seq() == 40
        assert pusher.failures == 0 and log.get_state("last_error") is None
    finally:
        proxy.stop()


class _CountingClient:
    def __init__(self, client, pushes: list):
        self.client, self.pushes = client, pushes

    def push(self, device_id, events, pending):
        self.pushes.append(len(events))
        return self.client.push(device_id, events, pending)


def test_a_clean_backlog_costs_one_durable_write_per_batch(tmp_path, redis, central):
    """A backlog with no problem to clear writes the laptop's log once per batch (its acked
    mark), then last_sync and last_error once: no statement repeated per batch."""
    log, pusher = _laptop(tmp_path, redis, central, events=30)
    pushes, make = [], pusher.make_client
    pusher.batch, pusher.make_client = 5, lambda: _CountingClient(make(), pushes)
    before = log._db.total_changes
    assert pusher.sync_now() is True and log.acked_seq() == 30
    assert len(pushes) >= 2, pushes
    assert log._db.total_changes - before == len(pushes) + 2


class _OverlapClient:
    """The laptop's client, noting the most pushes it had on their way at once."""

    def __init__(self, client):
        self.client, self.on_way, self.most, self.lock = client, 0, 0, threading.Lock()

    def push(self, device_id, events, pending):
        with self.lock:
            self.on_way += 1
            self.most = max(self.most, self.on_way)
        try:
            return self.client.push(device_id, events, pending)
        finally:
            with self.lock:
                self.on_way -= 1


def test_a_backlog_keeps_two_batches_on_their_way(tmp_path, redis, central):
    log, pusher = _laptop(tmp_path, redis, central, events=40)
    overlap = _OverlapClient(pusher.make_client())
    pusher.batch = pusher.max_batch = 5
    pusher.make_client = lambda: overlap
    assert pusher.sync_now() is True
    assert log.acked_seq() == 40 and redis.xlen(keys.log(DAY)) == 40
    assert overlap.most == IN_FLIGHT == 2


def test_a_refused_batch_on_its_way_moves_the_mark_no_further_than_the_centre_acked(tmp_path, redis, central):
    """Batch 2 of 3 is invalid: batch 3, sent before batch 2 was answered, is a gap the
    centre will not fill; the laptop marks only batch 1 and keeps everything."""
    log, pusher = _laptop(tmp_path, redis, central, events=5)
    log.append(lambda seq: make_event(seq, payload={"material": "leaflet", "quantity": -1}))
    for _ in range(9):
        log.append(lambda seq: make_event(seq))
    pusher.batch = pusher.max_batch = 5
    assert pusher.sync_now() is False
    assert log.acked_seq() == 5 and redis.xlen(keys.log(DAY)) == 5
    assert log.get_state("last_error")["status"] == 422 and log.last_seq() == 15

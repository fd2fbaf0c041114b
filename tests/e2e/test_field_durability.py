"""An entry the field app answered 201 for survives SIGKILL of the field app: after a
restart every such entry is in the log at its seq, seqs are gapless, nothing twice."""

import signal
import threading

import psutil
import pytest
import requests

from openday.embedded_redis import free_port
from tests.helpers import PLAN_PATH, Process, openday, wait_until

pytestmark = pytest.mark.e2e
ENTRIES = [
    {"type": "material.distributed", "payload": {"material": "leaflet", "quantity": 1}},
    {"type": "visitor.received", "payload": {"party_size": 2}},
    {"type": "inquiry.answered", "payload": {"topic": "dibao", "department": "jiuzhu", "outcome": "answered"}},
    {"type": "feedback.collected", "payload": {"rating": "satisfied", "hot_issue": True, "comment": "停车难"}},
]


def start_field_app(tmp_path, port: int, run: int) -> Process:
    process = Process(openday("field-app", "--port", str(port)), {
        "OPENDAY_FIELD_DB": str(tmp_path / "laptop.sqlite3"),
        "OPENDAY_PLAN": str(PLAN_PATH),
        "OPENDAY_DEVICE_ID": "laptop-k",
        "OPENDAY_PUSH_INTERVAL": "0",
        "OPENDAY_PULL_INTERVAL": "0",
    }, tmp_path / f"field-{run}.log")
    wait_until(lambda: requests.get(f"http://127.0.0.1:{port}/api/status", timeout=1).ok, message="field app up")
    return process


def record_until_refused(url: str, acked: list, lock: threading.Lock, offset: int) -> None:
    """Record in a loop; keep (event_id, seq) of every 201; stop at the first failure."""
    session = requests.Session()
    for i in range(10_000):
        try:
            response = session.post(f"{url}/api/events", json=ENTRIES[(i + offset) % len(ENTRIES)], timeout=5)
        except requests.RequestException:
            return
        if response.status_code != 201:
            return
        with lock:
            acked.append((response.json()["event_id"], response.json()["seq"]))


def test_the_field_app_listens_on_loopback_only_by_default(tmp_path):
    port = free_port()
    field = start_field_app(tmp_path, port, 1)
    try:
        listening = {c.laddr.ip for c in psutil.Process(field.popen.pid).net_connections("inet")
                     if c.status == psutil.CONN_LISTEN}
        assert listening == {"127.0.0.1"}
    finally:
        field.stop()


def test_sigkill_while_recording_loses_no_acknowledged_entry(tmp_path):
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    field = start_field_app(tmp_path, port, 1)
    acked, lock = [], threading.Lock()
    clients = [threading.Thread(target=record_until_refused, args=(url, acked, lock, n)) for n in range(3)]
    for client in clients:
        client.start()
    wait_until(lambda: len(acked) >= 150, timeout=60, message="150 entries recorded")
    field.stop(signal.SIGKILL)  # mid-loop: the clients are still posting
    for client in clients:
        client.join(30)
    assert not any(client.is_alive() for client in clients)
    assert 150 <= len(acked) < 500

    field = start_field_app(tmp_path, port, 2)
    try:
        stored = requests.get(f"{url}/api/events", params={"limit": 500}, timeout=5).json()["events"][::-1]
        seqs = [event["seq"] for event in stored]
        ids = [event["event_id"] for event in stored]
        assert seqs == list(range(1, len(stored) + 1)), "seqs are gapless from 1"
        assert len(set(ids)) == len(ids), "no event twice"
        at_seq = {event["seq"]: event["event_id"] for event in stored}
        missing = [(event_id, seq) for event_id, seq in acked if at_seq.get(seq) != event_id]
        assert not missing, f"acknowledged entries lost: {missing[:5]}"
        assert len(stored) >= len(acked)  # at most the in-flight entries were committed without a 201

        after = requests.post(f"{url}/api/events", json=ENTRIES[0], timeout=5)
        assert after.status_code == 201 and after.json()["seq"] == len(stored) + 1
        status = requests.get(f"{url}/api/status", timeout=5).json()
        assert status["last_seq"] == len(stored) + 1 and status["pending"] == len(stored) + 1
    finally:
        field.stop()

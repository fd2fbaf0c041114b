"""Two real workers fold while pushes keep coming; one is SIGKILLed mid-fold again and
again (sometimes the whole worker, sometimes only its work horse). Afterwards
`openday verify` passes and the totals equal a reference fold of what was acked."""

import os
import random
import signal
import subprocess
import threading

import psutil
import requests
from rq import Worker

from central import keys
from central.queue import rq_connection
from openday.embedded_redis import free_port
from shared.clock import now_utc, to_rfc3339
from sync_service.devices.tokens import Device, register_device
from tests.factories import make_event, void_of
from tests.helpers import DAY, PLAN_PATH, Process, openday, wait_until
from tests.integration.test_fold_property import reference_fold

TYPES = ["visitor.received", "inquiry.answered", "material.distributed", "material.restocked", "feedback.collected"]
KILLS = 6


class Pusher(threading.Thread):
    """Devices pushing batches (some twice) until stopped; keeps what was acked."""

    def __init__(self, url: str, tokens: dict[str, str], seed: int):
        super().__init__(daemon=True)
        self.url, self.tokens, self.rng = url, tokens, random.Random(seed)
        self.events = {device: [] for device in tokens}
        self.stop, self.error = threading.Event(), None

    def _batch(self, device: str) -> list[dict]:
        mine, batch = self.events[device], []
        for _ in range(self.rng.randint(5, 40)):
            seq = len(mine) + len(batch) + 1
            if mine and self.rng.random() < 0.1:
                batch.append(void_of(self.rng.choice(mine), seq))
            else:
                batch.append(make_event(seq, self.rng.choice(TYPES), device_id=device, booth_id="bayi"))
        return batch

    def _push(self, device: str, batch: list[dict]) -> None:
        body = {"device_id": device, "sent_at": to_rfc3339(now_utc()), "events": batch}
        response = requests.post(f"{self.url}/api/v1/sync/push", json=body, timeout=10,
                                 headers={"Authorization": f"Bearer {self.tokens[device]}"})
        assert response.status_code == 200, response.text
        assert response.json()["acked_seq"] == batch[-1]["seq"]

    def run(self):
        try:
            while not self.stop.is_set():
                device = self.rng.choice(sorted(self.tokens))
                batch = self._batch(device)
                self._push(device, batch)
                self.events[device].extend(batch)
                if self.rng.random() < 0.3:
                    self._push(device, batch)  # a duplicate push
        except Exception as exc:  # reported by the test
            self.error = exc


def _busy(rq_redis, pid: int) -> bool:
    return any(w.pid == pid and w.get_state() == "busy" for w in Worker.all(connection=rq_redis))


def _kill_mid_fold(victim: Process, rq_redis, rng: random.Random) -> bool:
    """SIGKILL the victim while it runs a fold job; True if the whole worker died."""
    wait_until(lambda: _busy(rq_redis, victim.popen.pid), timeout=30, interval=0.002, message="worker mid-fold")
    if rng.random() < 0.5:
        for horse in psutil.Process(victim.popen.pid).children():
            horse.send_signal(signal.SIGKILL)
        return False
    os.killpg(victim.popen.pid, signal.SIGKILL)
    victim.popen.wait(10)
    return True


def test_workers_killed_mid_fold_lose_and_double_nothing(redis_url, redis, tmp_path):
    env = {"REDIS_URL": redis_url, "OPENDAY_PLAN_DIR": str(PLAN_PATH.parent), "OPENDAY_FOLD_CHUNK": "7",
           "OPENDAY_CATCHUP_SECONDS": "0.5"}
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    processes = [Process(openday("sync-service", "--bind", f"127.0.0.1:{port}", "--workers", "2"), env,
                         tmp_path / "sync.log"),
                 Process(openday("worker"), env, tmp_path / "steady-worker.log")]
    victim = Process(openday("worker"), env, tmp_path / "victim-0.log")
    rng, rq_redis = random.Random(11), rq_connection(redis_url)
    try:
        wait_until(lambda: requests.get(f"{url}/healthz", timeout=1).ok, message="sync service up")
        tokens = {f"laptop-{n}": register_device(redis, Device(f"laptop-{n}", "bayi", DAY)) for n in range(4)}
        pusher = Pusher(url, tokens, seed=5)
        pusher.start()
        for kill in range(KILLS):
            if _kill_mid_fold(victim, rq_redis, rng):
                victim = Process(openday("worker"), env, tmp_path / f"victim-{kill + 1}.log")
        pusher.stop.set()
        pusher.join(30)
        assert pusher.error is None, pusher.error
        acked = sum(len(events) for events in pusher.events.values())
        wait_until(lambda: int(redis.hget(keys.totals(DAY), "log.entries") or 0) == acked, timeout=60,
                   message="every acked entry folded")
        verify = subprocess.run(openday("verify", "--day", DAY), env={**os.environ, **env}, capture_output=True,
                                text=True, timeout=120)
        assert verify.returncode == 0, verify.stdout + verify.stderr
        flat, hot, quarantine = reference_fold({d: {"events": e, "off": 0} for d, e in pusher.events.items() if e}, [])
        live = {k: int(v) for k, v in redis.hgetall(keys.totals(DAY)).items()}
        drop = ("|last_seen_ms", "|clock_offset_ms")  # server receive time and clock offset: not ours to predict
        assert {k: v for k, v in live.items() if not k.endswith(drop)} == {
            k: v for k, v in flat.items() if not k.endswith(drop)}
        assert set(redis.hkeys(keys.hot_issues(DAY))) == set(hot)
    finally:
        for process in [*processes, victim]:
            process.stop()

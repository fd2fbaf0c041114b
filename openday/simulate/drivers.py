"""Driving a generated day through the real system, in compressed time.

Simulated time advances in ticks (`push_every` simulated seconds). At each tick every
laptop records the entries that are due and, if it is online, syncs. A laptop in an
offline spell, or one that syncs only at the end, keeps its entries until it is online
again. With `speed_up` > 0 each tick also waits for its share of real time
(speed_up 600: a 7.5-hour day in 45 s); 0 runs as fast as the system allows.

- PushDriver plays the laptops itself and pushes straight to the sync API.
- FieldAppDriver starts one real field app process per laptop, records every entry
  through its HTTP API and triggers its sync; duplicated pushes re-send acked events
  with the laptop's token, as a laptop whose response was lost would.
"""

import bisect
import os
import random
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import requests

from openday.dev import wait_http
from openday.embedded_redis import free_port
from openday.simulate.generator import Laptop, Scenario, laptop_events
from shared.clock import now_utc, to_rfc3339

TIMEOUT = (3.05, 30)
BATCH = 500


class SimulationError(Exception):
    """The system refused something a real laptop would have had accepted."""


@dataclass
class Stats:
    pushes: int = 0
    accepted: int = 0
    duplicates: int = 0
    duplicate_pushes: int = 0
    retries: int = 0
    push_seconds: list[float] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, accepted: int, duplicates: int, seconds: float) -> None:
        with self.lock:
            self.pushes += 1
            self.accepted += accepted
            self.duplicates += duplicates
            self.push_seconds.append(seconds)

    def summary(self) -> dict:
        ordered = sorted(self.push_seconds) or [0.0]
        return {"pushes": self.pushes, "accepted": self.accepted, "duplicates": self.duplicates,
                "duplicate_pushes": self.duplicate_pushes, "retries": self.retries,
                "push_p50_ms": round(ordered[len(ordered) // 2] * 1000, 1),
                "push_p95_ms": round(ordered[int(len(ordered) * 0.95)] * 1000, 1)}


def is_online(laptop: Laptop, moment: datetime) -> bool:
    if laptop.syncs_only_at_end:
        return False
    return not any(start <= moment < end for start, end in laptop.offline)


def ticks(scenario: Scenario, push_every: float):
    moment = scenario.opens
    while moment < scenario.closes:
        moment = min(moment + timedelta(seconds=push_every), scenario.closes)
        yield moment


def due(laptop: Laptop, moment: datetime) -> int:
    """How many of the laptop's entries (in time order) have been recorded by `moment`."""
    return bisect.bisect_right(laptop.entries, moment, key=lambda entry: entry.at)


class _Clock:
    """Real time for each tick when speed_up > 0."""

    def __init__(self, scenario: Scenario, speed_up: float):
        self.start, self.opens, self.speed_up = time.monotonic(), scenario.opens, speed_up

    def wait_for(self, moment: datetime) -> None:
        if self.speed_up > 0:
            real = (moment - self.opens).total_seconds() / self.speed_up
            delay = self.start + real - time.monotonic()
            if delay > 0:
                time.sleep(delay)


def post_with_retry(session: requests.Session, url: str, body: dict, stats: Stats, attempts: int = 12):
    """POST, retrying connection failures, 429 and 5xx with capped exponential backoff and
    full jitter, waiting at least what a Retry-After asks."""
    for attempt in range(attempts):
        try:
            response = session.post(url, json=body, timeout=TIMEOUT)
        except requests.RequestException:
            response = None
        if response is not None and response.status_code < 500 and response.status_code != 429:
            return response
        with stats.lock:
            stats.retries += 1
        asked = response.headers.get("Retry-After", "") if response is not None else ""
        floor = min(float(asked), 10.0) if asked.replace(".", "", 1).isdigit() else 0.0
        time.sleep(floor + random.uniform(0, min(2.0, 0.05 * 2 ** attempt)))
    raise SimulationError(f"{url}: no answer after {attempts} attempts")


class PushDriver:
    def __init__(self, sync_url: str, scenario: Scenario, tokens: dict[str, str], speed_up: float = 0,
                 push_every: float = 60, threads: int = 16, seed: int | None = None):
        self.url = f"{sync_url.rstrip('/')}/api/v1/sync/push"
        self.scenario, self.speed_up, self.push_every, self.threads = scenario, speed_up, push_every, threads
        self.events = {lt.device_id: laptop_events(scenario, lt) for lt in scenario.laptops}
        self.acked = {lt.device_id: 0 for lt in scenario.laptops}
        self.sessions = {}
        for laptop in scenario.laptops:
            session = requests.Session()
            session.headers["Authorization"] = f"Bearer {tokens[laptop.device_id]}"
            self.sessions[laptop.device_id] = session
        self.rng = random.Random(f"{scenario.seed if seed is None else seed}:duplicates")
        self.stats = Stats()

    def all_events(self) -> list[dict]:
        return [e for events in self.events.values() for e in events]

    def _push(self, laptop: Laptop, upto: int) -> None:
        device, events = laptop.device_id, self.events[laptop.device_id]
        while self.acked[device] < upto:
            batch = events[self.acked[device]:min(upto, self.acked[device] + BATCH)]
            body = {"device_id": device, "pending": upto - self.acked[device], "events": batch,
                    "sent_at": to_rfc3339(now_utc() + timedelta(milliseconds=laptop.clock_skew_ms))}
            started = time.perf_counter()
            answer = self._answer(self.sessions[device], body)
            self.stats.add(answer["accepted"], answer["duplicates"], time.perf_counter() - started)
            if self.rng.random() < self.scenario.duplicates:  # the response was lost: the laptop sends again
                again = self._answer(self.sessions[device], body)
                self.stats.add(again["accepted"], again["duplicates"], 0.0)
                with self.stats.lock:
                    self.stats.duplicate_pushes += 1
            self.acked[device] = answer["acked_seq"]

    def _answer(self, session, body) -> dict:
        response = post_with_retry(session, self.url, body, self.stats)
        if response.status_code != 200:
            raise SimulationError(f"push of {body['device_id']} refused: {response.status_code} {response.text}")
        return response.json()

    def run(self) -> dict:
        clock, started = _Clock(self.scenario, self.speed_up), time.perf_counter()
        with ThreadPoolExecutor(self.threads) as pool:
            for moment in ticks(self.scenario, self.push_every):
                clock.wait_for(moment)
                online = [lt for lt in self.scenario.laptops if is_online(lt, moment)]
                list(pool.map(lambda lt, m=moment: self._push(lt, due(lt, m)), online))
            list(pool.map(lambda lt: self._push(lt, len(lt.entries)), self.scenario.laptops))
        return {**self.stats.summary(), "seconds": round(time.perf_counter() - started, 2)}


class FieldAppDriver:
    """One real field app per laptop; entries go in through POST /api/events."""

    def __init__(self, sync_url: str, scenario: Scenario, tokens: dict[str, str], plan_path: str, work_dir: Path,
                 speed_up: float = 0, push_every: float = 60, threads: int = 8):
        self.sync_url, self.scenario, self.tokens = sync_url.rstrip("/"), scenario, tokens
        self.plan_path, self.work_dir = plan_path, Path(work_dir)
        self.speed_up, self.push_every, self.threads = speed_up, push_every, threads
        self.urls, self.processes, self.ids = {}, [], {lt.device_id: [] for lt in scenario.laptops}
        self.recorded = {lt.device_id: 0 for lt in scenario.laptops}
        self.rng = random.Random(f"{scenario.seed}:duplicates")
        self.stats = Stats()

    def db_path(self, laptop: Laptop) -> Path:
        return self.work_dir / f"{laptop.device_id}.sqlite3"

    def start(self) -> "FieldAppDriver":
        self.work_dir.mkdir(parents=True, exist_ok=True)
        for laptop in self.scenario.laptops:
            port = free_port()
            env = {**os.environ, "OPENDAY_FIELD_DB": str(self.db_path(laptop)), "OPENDAY_PLAN": self.plan_path,
                   "OPENDAY_SYNC_URL": self.sync_url, "OPENDAY_DEVICE_ID": laptop.device_id,
                   "OPENDAY_BOOTH_ID": laptop.booth_id, "OPENDAY_DEVICE_TOKEN": self.tokens[laptop.device_id],
                   "OPENDAY_PUSH_INTERVAL": "0"}  # the driver decides when a laptop is online and syncs
            log = open(self.work_dir / f"{laptop.device_id}.log", "wb")  # noqa: SIM115 - owned by the process
            self.processes.append(subprocess.Popen(
                [sys.executable, "-m", "openday", "field-app", "--port", str(port)], env=env,
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True))
            self.urls[laptop.device_id] = f"http://127.0.0.1:{port}"
        for url in self.urls.values():
            try:
                wait_http(f"{url}/api/status", timeout=60)
            except RuntimeError as exc:
                raise SimulationError(str(exc)) from exc
        return self

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
        for process in self.processes:
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def _record(self, laptop: Laptop, upto: int) -> None:
        url, ids = self.urls[laptop.device_id], self.ids[laptop.device_id]
        with requests.Session() as session:
            for entry in laptop.entries[self.recorded[laptop.device_id]:upto]:
                payload = dict(entry.payload)
                if entry.void_of is not None:
                    payload["target_event_id"] = ids[entry.void_of]
                response = post_with_retry(session, f"{url}/api/events",
                                           {"type": entry.type, "payload": payload, "staff": entry.staff}, self.stats)
                if response.status_code != 201:
                    raise SimulationError(f"{laptop.device_id} refused an entry: {response.text}")
                ids.append(response.json()["event_id"])
        self.recorded[laptop.device_id] = upto

    def _sync(self, laptop: Laptop) -> None:
        url = self.urls[laptop.device_id]
        started = time.perf_counter()
        status = requests.post(f"{url}/api/sync", timeout=TIMEOUT).json()
        if status["pending"]:
            raise SimulationError(f"{laptop.device_id} still has {status['pending']} pending: {status['last_error']}")
        self.stats.add(0, 0, time.perf_counter() - started)
        if status["acked_seq"] and self.rng.random() < self.scenario.duplicates:
            self._push_again(laptop, status["acked_seq"])

    def _push_again(self, laptop: Laptop, acked: int) -> None:
        """Re-send the last acked events straight to the push API, as after a lost response."""
        events = requests.get(f"{self.urls[laptop.device_id]}/api/events?limit=50", timeout=TIMEOUT).json()["events"]
        events = sorted((e for e in events if e["seq"] <= acked), key=lambda e: e["seq"])
        body = {"device_id": laptop.device_id, "sent_at": to_rfc3339(now_utc()), "events": events}
        response = requests.post(f"{self.sync_url}/api/v1/sync/push", json=body, timeout=TIMEOUT,
                                 headers={"Authorization": f"Bearer {self.tokens[laptop.device_id]}"})
        if response.status_code != 200 or response.json()["duplicates"] != len(events):
            raise SimulationError(f"re-send of {laptop.device_id} was not taken as duplicates: {response.text}")
        with self.stats.lock:
            self.stats.duplicate_pushes += 1
            self.stats.duplicates += len(events)

    def _tick(self, laptop: Laptop, moment: datetime | None) -> None:
        self._record(laptop, len(laptop.entries) if moment is None else due(laptop, moment))
        if moment is None or is_online(laptop, moment):
            self._sync(laptop)

    def run(self) -> dict:
        clock, started = _Clock(self.scenario, self.speed_up), time.perf_counter()
        with ThreadPoolExecutor(self.threads) as pool:
            for moment in ticks(self.scenario, self.push_every):
                clock.wait_for(moment)
                list(pool.map(lambda lt, m=moment: self._tick(lt, m), self.scenario.laptops))
            list(pool.map(lambda lt: self._tick(lt, None), self.scenario.laptops))
        return {**self.stats.summary(), "seconds": round(time.perf_counter() - started, 2)}

    def recorded_events(self) -> list[dict]:
        """Every event the laptops hold, read from their SQLite logs, checked against the entries."""
        from field_app.event_log import EventLog

        events = []
        for laptop in self.scenario.laptops:
            log = EventLog(self.db_path(laptop))
            held = log.events_after(0, 10**9)
            log.close()
            wanted = [(e.type, e.staff) for e in laptop.entries]
            if [(e["type"], e.get("staff")) for e in held] != wanted:
                raise SimulationError(f"{laptop.device_id} holds {len(held)} events, not the {len(wanted)} entries")
            events += held
        return events



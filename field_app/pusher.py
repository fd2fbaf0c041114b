"""Pushing the laptop's pending events to the centre.

The laptop stores only the server's acked_seq; everything after it is pending and is
sent again, in seq order, until acked. Re-sends are harmless: the server ignores them.

The background loop pushes whenever something is pending. After a failure it waits
with exponential backoff and full jitter (capped at about a minute, never less than
the server's Retry-After) and, after a timeout, a 413 or a 5xx, halves the batch
(memry's fix for a batch refused identically forever); each acked batch doubles it back.
A 409 conflict or a revoked token stops pushing with a plain-words message until the
laptop is enrolled again; a 409 gap resends from the seq the centre expects.
"""

import hashlib
import os
import random
import threading
from collections import deque
from concurrent.futures import ThreadPoolExecutor, wait

from field_app.event_log import EventLog
from field_app.sync_client import SyncClient, SyncError, fitting
from shared.clock import now_utc, to_rfc3339
from shared.protocol import MAX_BATCH_EVENTS

BATCH_EVENTS = min(MAX_BATCH_EVENTS, int(os.environ.get("OPENDAY_PUSH_BATCH", MAX_BATCH_EVENTS)))
BACKOFF_BASE = 0.5  # seconds
BACKOFF_CAP = float(os.environ.get("OPENDAY_SYNC_BACKOFF_CAP", 60))
MAX_GAP_RESENDS = 3  # per push_pending call: a centre that keeps moving its mark is a failure
IN_FLIGHT = 2  # batches sent before the first of them is answered (docs/performance.md, "The push")
STAGGER_S = 0.01  # the first batch's head start over the second (a 500-event batch validates in ~25 ms)

CONFLICT_MESSAGE = (
    "本机记录与中心不一致：第 {seq} 条在中心是另一条记录（本机可能由旧备份恢复）。"
    "请重新登记本机；本机所有记录均已保留。"
    " / This laptop's entries conflict with the centre's: entry {seq} is a different entry there (was the laptop "
    "restored from an old backup?). Re-enrol this laptop; all its entries are kept."
)
REVOKED_MESSAGE = (
    "本机已被协调员撤销，不能再同步。请向协调员索取新的登记码重新登记；本机所有记录均已保留。"
    " / A coordinator revoked this laptop; it can no longer sync. Ask a coordinator for a new enrollment code "
    "and enrol again; all its entries are kept."
)


def push_pending(log: EventLog, client: SyncClient, device_id: str, batch=BATCH_EVENTS, on_acked=None) -> int:
    """Push until nothing is pending; return the acked seq. Raises SyncError.
    `batch` is a size or a function giving the next size; `on_acked` hears each success."""
    backlog = Backlog(log, client, device_id, batch, on_acked)
    try:
        with ThreadPoolExecutor(IN_FLIGHT, thread_name_prefix="push") as sender:
            return backlog.drain(sender)
    finally:
        if backlog.answer:
            log.set_state("last_sync", {"server_time": backlog.answer["server_time"], "at": to_rfc3339(now_utc()),
                                        "clock_offset_ms": backlog.answer.get("clock_offset_ms")})


class Backlog:
    """One push_pending call. Up to IN_FLIGHT batches are on their way at once: the next one
    is read, encoded and sent while the centre validates the one before it (the centre's
    validation is most of a push; a laptop that waited for each answer left the centre idle
    while it read, compressed and sent). Answers are taken in seq order and the acked mark
    moves only on an answer, to the acked_seq the centre gave: nothing unacked is marked."""

    def __init__(self, log: EventLog, client: SyncClient, device_id: str, batch, on_acked):
        self.log, self.client, self.device_id, self.batch, self.on_acked = log, client, device_id, batch, on_acked
        self.acked = self.sent = log.acked_seq()  # sent: the last seq handed to a request
        self.flight: deque = deque()  # (future, last seq in it), oldest first
        self.gaps, self.answer = 0, None

    def drain(self, sender) -> int:
        while self._send_ahead(sender) or self.flight:
            future, last = self.flight.popleft()
            try:
                self._take(future.result(), last)
            except SyncError as exc:
                if self._settle():  # a batch behind it was acked: the centre holds this one too
                    self.sent = self.acked
                    continue
                if not exc.is_gap or self.gaps >= MAX_GAP_RESENDS:
                    raise
                self._resend_from(exc.body["expected_seq"] - 1)
        return self.acked

    def _send_ahead(self, sender) -> bool:
        """Fill the flight up to IN_FLIGHT; False when nothing is left to send."""
        while len(self.flight) < IN_FLIGHT:
            self._stagger()
            events = self.log.events_after(self.sent, self.batch() if callable(self.batch) else self.batch)
            if not events:
                return bool(self.flight)
            events = events[:fitting(events)]
            pending = self.log.last_seq() - self.sent  # this batch and what follows it
            self.flight.append((sender.submit(self.client.push, self.device_id, events, pending), events[-1]["seq"]))
            self.sent = events[-1]["seq"]
        return True

    def _stagger(self) -> None:
        """Before the backlog's first answer, give the batch on its way a moment to reach the
        centre: the next one then opens its connection while a gunicorn worker is busy
        validating, and the idle worker accepts it; sent at once, both connections went to
        one worker in about half the runs (keep-alive keeps them there), and one GIL
        validated both batches (docs/performance.md, "The push")."""
        if self.flight and not self.answer:
            wait([self.flight[-1][0]], timeout=STAGGER_S)

    def _take(self, answer: dict, last: int) -> None:
        self.answer, self.acked = answer, answer["acked_seq"]
        if self.on_acked:  # before the mark: whoever reads "nothing pending" sees the success's effects
            self.on_acked(answer)
        self.log.mark_acked(self.acked)  # one durable write per batch: a crash resumes from here
        if self.acked < last:  # the centre took less than was sent: the batches behind are out of step
            self._settle()
            self.sent = self.acked

    def _settle(self) -> bool:
        """Wait for every batch still on its way and take the answers that came back (their
        errors add nothing to the first one's); True if any was acked."""
        acked = False
        while self.flight:
            future, _ = self.flight.popleft()
            try:
                answer = future.result()
            except SyncError:
                continue
            self.answer, self.acked, acked = answer, max(self.acked, answer["acked_seq"]), True
            self.log.mark_acked(self.acked)
        return acked

    def _resend_from(self, acked: int) -> None:
        """A gap: the centre has less than we thought; send again from what it holds."""
        self.gaps += 1
        self.acked = self.sent = acked
        self.log.set_state("acked_seq", acked)


def backoff_delay(failures: int, retry_after: float | None = None, cap: float = BACKOFF_CAP) -> float:
    """Full jitter: uniform in [0, min(cap, base * 2^failures)], at least Retry-After."""
    delay = random.uniform(0, min(cap, BACKOFF_BASE * 2 ** min(failures, 32)))
    return max(delay, min(retry_after or 0.0, cap))


def _digest(token: str | None) -> str:
    return hashlib.sha256((token or "").encode()).hexdigest()


class Pusher:
    """A background thread that pushes whenever something is pending."""

    def __init__(self, log: EventLog, make_client, device_id: str, interval: float, batch: int = BATCH_EVENTS,
                 backoff_cap: float = BACKOFF_CAP):
        self.log, self.make_client, self.device_id, self.interval = log, make_client, device_id, interval
        self.max_batch = self.batch = batch
        self.backoff_cap = backoff_cap
        self.failures = 0
        self.retry_after: float | None = None
        self.lock = threading.Lock()  # one push at a time: the loop and a "sync now" click
        self.wake = threading.Event()
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._run, name="pusher", daemon=True)
        self._client, self._client_key = None, None

    def start(self) -> "Pusher":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.stopped.set()
        self.wake.set()

    def notify(self) -> None:
        """Something was recorded: push soon (unless backing off)."""
        self.wake.set()

    def _current_client(self) -> SyncClient | None:
        """The same client while the enrollment is unchanged (it keeps its connection and
        the last exchange's times for the clock estimate)."""
        key = (self.log.get_state("sync_url"), self.log.get_state("device_token"))
        if key != self._client_key:
            self._client, self._client_key = self.make_client(), key
        return self._client

    def blocked(self) -> dict | None:
        """The conflict or revocation that stops pushing, while the same token is in use."""
        problem = self.log.get_state("sync_problem")
        if problem and problem.get("token") == _digest(self.log.get_state("device_token")):
            return problem
        return None

    def sync_now(self) -> bool:
        """Push in the caller's thread; records the outcome in the log's state. True when
        nothing is left pending."""
        with self.lock:
            client = self._current_client()
            if client is None:
                self.log.set_state("last_error", "未登记：没有配置同步服务 / not enrolled: no sync service configured")
                return False
            if self.blocked():
                return False
            device_id = self.log.get_state("device_id") or self.device_id
            try:
                push_pending(self.log, client, device_id, lambda: self.batch, self._grow)
            except SyncError as exc:
                self._after_failure(exc)
                return False
            self.failures, self.retry_after = 0, None
            self.log.set_state("last_error", None)
            return True

    def _grow(self, _answer) -> None:
        """A batch went through: the last problem is over, and the next batch may be bigger.
        The clear is a write of the log: done only when there is something to clear, not
        once per batch of a backlog that has had no problem."""
        if self.log.get_state("last_error") is not None:
            self.log.set_state("last_error", None)
        self.batch = min(self.max_batch, self.batch * 2)

    def _after_failure(self, exc: SyncError) -> None:
        if exc.is_conflict or exc.is_revoked:
            kind = "conflict" if exc.is_conflict else "revoked"
            message = CONFLICT_MESSAGE.format(seq=exc.body.get("seq")) if exc.is_conflict else REVOKED_MESSAGE
            self.log.set_state("sync_problem", {"kind": kind, "message": message, "detail": exc.body,
                                                "token": _digest(self.log.get_state("device_token"))})
            self.log.set_state("last_error", {"message": message, "status": exc.status, "error": exc.error})
            return
        if exc.shrink_batch:
            self.batch = max(1, self.batch // 2)
        self.failures += 1
        self.retry_after = exc.retry_after
        self.log.set_state("last_error", {"message": str(exc), "status": exc.status, "error": exc.error})

    def next_delay(self) -> float:
        if not self.failures:
            return self.interval
        return backoff_delay(self.failures - 1, self.retry_after, self.backoff_cap)

    def _pending(self) -> bool:
        return self.log.last_seq() > self.log.acked_seq()

    def _run(self) -> None:
        while not self.stopped.is_set():
            if self._pending() and not self.blocked():
                self.sync_now()
            if self.failures:
                self.stopped.wait(self.next_delay())  # back off: new entries do not cut the wait short
            else:
                self.wake.wait(self.interval)
            self.wake.clear()

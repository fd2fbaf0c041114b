"""Pushing the laptop's pending events to the centre.

The laptop stores only the server's acked_seq; everything after it is pending and is
sent again, in seq order, until acked. Re-sends are harmless: the server ignores them.
"""

import threading

from field_app.event_log import EventLog
from field_app.sync_client import SyncClient, SyncError
from shared.clock import now_utc, to_rfc3339

BATCH_EVENTS = 500


def push_pending(log: EventLog, client: SyncClient, device_id: str, batch: int = BATCH_EVENTS) -> int:
    """Push until nothing is pending; return the acked seq. Raises SyncError."""
    acked = log.acked_seq()
    while events := log.events_after(acked, batch):
        answer = client.push(device_id, events, pending=log.last_seq() - acked)
        acked = answer["acked_seq"]
        log.mark_acked(acked)
        log.set_state("last_sync", {"server_time": answer["server_time"], "at": to_rfc3339(now_utc())})
    return acked


class Pusher:
    """A background thread that pushes whenever something is pending."""

    def __init__(self, log: EventLog, make_client, device_id: str, interval: float):
        self.log, self.make_client, self.device_id, self.interval = log, make_client, device_id, interval
        self.wake = threading.Event()
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._run, name="pusher", daemon=True)

    def start(self) -> "Pusher":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.stopped.set()
        self.wake.set()

    def sync_now(self) -> None:
        """Push in the caller's thread; records the outcome in the log's state."""
        client = self.make_client()
        if client is None:
            self.log.set_state("last_error", "not enrolled: no sync service configured")
            return
        try:
            push_pending(self.log, client, self.device_id)
            self.log.set_state("last_error", None)
        except SyncError as exc:
            self.log.set_state("last_error", str(exc))

    def _run(self) -> None:
        while not self.stopped.is_set():
            if self.log.last_seq() > self.log.acked_seq():
                self.sync_now()
            self.wake.wait(self.interval)
            self.wake.clear()

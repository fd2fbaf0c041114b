"""What the laptop reads from the centre: the central totals (and whether the centre
answers at all), cached in the log's state so the page shows them offline.

Kept apart from the pusher: pushing is the durable path (issue: retries, backoff),
pulling is best effort. Every call has a bounded timeout.
"""

import threading

import requests

from shared.clock import now_utc, to_rfc3339

TIMEOUT = (2, 5)  # connect, read (seconds)


class CentralUnavailable(Exception):
    pass


def _get(url: str, token: str | None) -> dict:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    try:
        response = requests.get(url, headers=headers, timeout=TIMEOUT)
    except requests.RequestException as exc:
        raise CentralUnavailable(f"sync service unreachable: {exc.__class__.__name__}") from exc
    if response.status_code != 200:
        raise CentralUnavailable(f"HTTP {response.status_code}")
    return response.json()


def pull_totals(log, day_id: str, booth_id: str) -> dict | None:
    """Fetch the day's totals; cache the day's and this booth's figures with the time.
    Records whether the centre answered ('contact'). Returns the cached entry or None."""
    url, token = log.get_state("sync_url"), log.get_state("device_token")
    if not url:
        return None
    at = to_rfc3339(now_utc())
    try:
        doc = _get(f"{url.rstrip('/')}/api/v1/days/{day_id}/totals", token)
    except CentralUnavailable as exc:
        log.set_state("contact", {"ok": False, "at": at, "error": str(exc)})
        return None
    doc.pop("by_hour", None)
    booth = doc.pop("by_booth", {}).get(booth_id)
    cached = {"fetched_at": at, "day": doc, "booth": booth}
    log.set_state("central_totals", cached)
    log.set_state("contact", {"ok": True, "at": at})
    return cached


class Puller:
    """A background thread pulling the central totals every `interval` seconds."""

    def __init__(self, laptop, interval: float):
        self.laptop, self.interval = laptop, interval
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._run, name="puller", daemon=True)

    def start(self) -> "Puller":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.stopped.set()

    def pull_now(self) -> dict | None:
        return pull_totals(self.laptop.log, self.laptop.plan.day_id, self.laptop.booth_id)

    def _run(self) -> None:
        while not self.stopped.is_set():
            try:
                self.pull_now()
            except Exception as exc:  # a pull must never kill the thread
                self.laptop.log.set_state("contact", {"ok": False, "at": to_rfc3339(now_utc()), "error": repr(exc)})
            self.stopped.wait(self.interval)

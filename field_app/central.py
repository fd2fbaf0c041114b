"""What the laptop reads from the centre: the central totals (and whether the centre
answers at all) and the day plan, cached in the log's state so the page works offline.

Kept apart from the pusher: pushing is the durable path (issue: retries, backoff),
pulling is best effort. Every call has a bounded timeout.
"""

import threading

import requests
from marshmallow import ValidationError

from field_app.centre_tls import CERTIFICATE_MESSAGE, STRICT, CentreTLS, UnsafeCentre, is_certificate_error
from shared.clock import now_utc, to_rfc3339
from shared.plan import parse_plan

TIMEOUT = (2, 5)  # connect, read (seconds)


class CentralUnavailable(Exception):
    def __init__(self, message: str, status: int | None = None):
        super().__init__(message)
        self.status = status


def _get(url: str, token: str | None, tls: CentreTLS) -> dict:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    try:
        tls.check(url)
        response = requests.get(url, headers=headers, timeout=TIMEOUT, verify=tls.verify)
    except UnsafeCentre as exc:
        raise CentralUnavailable(str(exc)) from exc
    except requests.RequestException as exc:
        if is_certificate_error(exc):
            raise CentralUnavailable(CERTIFICATE_MESSAGE) from exc
        raise CentralUnavailable(f"sync service unreachable: {exc.__class__.__name__}") from exc
    if response.status_code != 200:
        raise CentralUnavailable(f"HTTP {response.status_code}", response.status_code)
    return response.json()


def pull_totals(log, day_id: str, booth_id: str, tls: CentreTLS = STRICT) -> dict | None:
    """Fetch the day's totals; cache the day's and this booth's figures with the time.
    Records whether the centre answered ('contact'). Returns the cached entry or None."""
    url, token = log.get_state("sync_url"), log.get_state("device_token")
    if not url:
        return None
    at = to_rfc3339(now_utc())
    try:
        doc = _get(f"{url.rstrip('/')}/api/v1/days/{day_id}/totals", token, tls)
    except CentralUnavailable as exc:
        log.set_state("contact", {"ok": False, "at": at, "error": str(exc)})
        return None
    doc.pop("by_hour", None)
    booth = doc.pop("by_booth", {}).get(booth_id)
    cached = {"fetched_at": at, "day": doc, "booth": booth}
    log.set_state("central_totals", cached)
    log.set_state("contact", {"ok": True, "at": at})
    return cached


def pull_plan(log, day_id: str, tls: CentreTLS = STRICT):
    """Fetch the day plan; cache and return it when it is valid and for this day, else None.
    A centre without the plan route (404) or a refused token is not an outage."""
    url, token = log.get_state("sync_url"), log.get_state("device_token")
    if not url or not token:
        return None
    try:
        raw = _get(f"{url.rstrip('/')}/api/v1/days/{day_id}/plan", token, tls)
        plan = parse_plan(raw)
    except (CentralUnavailable, ValidationError, ValueError):
        return None
    if plan.day_id != day_id:
        return None
    if raw != log.get_state("plan"):
        log.set_state("plan", raw)
    return plan


def cached_plan(log, day_id: str):
    """The last pulled plan for `day_id`, if any (it wins over the plan file at start)."""
    raw = log.get_state("plan")
    try:
        plan = parse_plan(raw) if raw else None
    except ValidationError:
        return None
    return plan if plan and plan.day_id == day_id else None


class Puller:
    """A background thread pulling the central totals every `interval` seconds and the
    day plan every PLAN_EVERY pulls."""

    PLAN_EVERY = 6

    def __init__(self, laptop, interval: float):
        self.laptop, self.interval = laptop, interval
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._run, name="puller", daemon=True)
        self.pulls = 0

    def start(self) -> "Puller":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.stopped.set()

    def pull_now(self, with_plan: bool = True) -> dict | None:
        laptop = self.laptop
        totals = pull_totals(laptop.log, laptop.plan.day_id, laptop.booth_id, laptop.tls)
        if totals is not None and with_plan and (plan := pull_plan(laptop.log, laptop.plan.day_id, laptop.tls)):
            laptop.use_plan(plan)
        return totals

    def _run(self) -> None:
        while not self.stopped.is_set():
            try:
                self.pull_now(with_plan=self.pulls % self.PLAN_EVERY == 0)
                self.pulls += 1
            except Exception as exc:  # a pull must never kill the thread
                self.laptop.log.set_state("contact", {"ok": False, "at": to_rfc3339(now_utc()), "error": repr(exc)})
            self.stopped.wait(self.interval)

"""HTTP client for the sync service. Every call has a bounded timeout (requests has
none by default); push bodies are gzip-compressed and kept under the centre's cap.

The client remembers the four times of its last successful push and sends them with
the next one, so the centre can estimate this laptop's clock offset NTP-style.
"""

import gzip
import os
import threading
from contextlib import contextmanager

import orjson
import requests

from field_app.centre_tls import CERTIFICATE_MESSAGE, STRICT, CentreTLS, UnsafeCentre, is_certificate_error
from shared.clock import now_utc, to_rfc3339
from shared.protocol import MAX_BATCH_BYTES, MAX_BATCH_EVENTS

TIMEOUT = (  # connect, read (seconds)
    float(os.environ.get("OPENDAY_SYNC_CONNECT_TIMEOUT", 3.05)),
    float(os.environ.get("OPENDAY_SYNC_READ_TIMEOUT", 15)),
)
BODY_MARGIN = 1024  # bytes kept free for the batch's own fields
# Names the seq this push follows when that push is unanswered yet (sync_service/push/api.py waits for it).
FOLLOWS_HEADER = "OpenDay-Follows-Seq"


class SyncError(Exception):
    """A push that did not get an acked_seq; `status` is the HTTP status if any."""

    def __init__(self, message: str, status: int | None = None, body: dict | None = None,
                 retry_after: float | None = None, timed_out: bool = False):
        super().__init__(message)
        self.status = status
        self.body = body or {}
        self.retry_after = retry_after
        self.timed_out = timed_out

    @property
    def error(self) -> str | None:
        return self.body.get("error")

    @property
    def is_conflict(self) -> bool:
        # 'conflict: content' / 'conflict: event_id' (issue 12) stop pushing as a seq conflict does
        return self.status == 409 and (self.error == "seq_conflict" or str(self.error).startswith("conflict"))

    @property
    def is_gap(self) -> bool:
        return self.status == 409 and self.error == "seq_gap" and isinstance(self.body.get("expected_seq"), int)

    @property
    def is_revoked(self) -> bool:
        return self.status == 401 and self.error == "revoked"

    @property
    def shrink_batch(self) -> bool:
        """Worth retrying with a smaller batch: a timeout, 413 or a server error."""
        return self.timed_out or self.status == 413 or (self.status or 0) >= 500


def _retry_after(response) -> float | None:
    try:
        return max(0.0, float(response.headers.get("Retry-After", "")))
    except ValueError:
        return None  # an HTTP date: rare enough to treat as "use the backoff"


def encode_batch(device_id: str, events: list[dict], pending: int, clock: dict | None,
                 limit: int = MAX_BATCH_BYTES) -> tuple[bytes, int, str]:
    """The JSON body of a push holding the longest prefix of `events` that fits under
    `limit` bytes (at least one event); returns (body, events in it, its sent_at)."""
    head = {"device_id": device_id, "sent_at": to_rfc3339(now_utc()), "pending": pending}
    if clock:
        head["clock"] = clock
    opening = orjson.dumps(head)[:-1] + b',"events":['
    size, pieces = len(opening) + BODY_MARGIN, []
    for event in events[:MAX_BATCH_EVENTS]:
        piece = orjson.dumps(event)
        if pieces and size + len(piece) + 1 > limit:
            break
        size += len(piece) + 1
        pieces.append(piece)
    return opening + b",".join(pieces) + b"]}", len(pieces), head["sent_at"]


def fitting(events: list[dict], limit: int = MAX_BATCH_BYTES) -> int:
    """How many of `events` one push sends (encode_batch's prefix): a laptop that sends the
    next batch before this one is answered must know where this one ends."""
    size, count = 2 * BODY_MARGIN, 0  # a head is far under 1 KiB (a key-sized device id, four times)
    for event in events[:MAX_BATCH_EVENTS]:
        size += len(orjson.dumps(event)) + 1
        if count and size > limit:
            break
        count += 1
    return count


def _failed(exc: requests.RequestException) -> SyncError:
    """A request that got no answer, in words the page can show."""
    if is_certificate_error(exc):
        return SyncError(CERTIFICATE_MESSAGE)
    if isinstance(exc, requests.Timeout):
        return SyncError(f"sync service timed out: {exc.__class__.__name__}", timed_out=True)
    return SyncError(f"sync service unreachable: {exc.__class__.__name__}")


class SyncClient:
    def __init__(self, base_url: str, token: str, timeout: tuple[float, float] = TIMEOUT,
                 tls: CentreTLS = STRICT):
        self.base_url = base_url.rstrip("/")
        self.timeout, self.tls = timeout, tls
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {token}"
        self.last_exchange: dict | None = None  # the times of the last successful push
        self._unanswered: set[int] = set()  # the last seq of each push on its way (the pusher sends ahead)
        self._lock = threading.Lock()

    def push(self, device_id: str, events: list[dict], pending: int) -> dict:
        """Push a prefix of `events` (as many as fit); the answer holds acked_seq."""
        self._check_address()
        body, count, sent_at = encode_batch(device_id, events, pending, self.last_exchange)
        headers = {"Content-Type": "application/json", "Content-Encoding": "gzip"}
        with self._sending(events[0]["seq"], events[count - 1]["seq"]) as follows:
            if follows is not None:
                headers[FOLLOWS_HEADER] = str(follows)
            try:
                response = self.session.post(
                    f"{self.base_url}/api/v1/sync/push", data=gzip.compress(body, compresslevel=1), headers=headers,
                    timeout=self.timeout,
                    verify=self.tls.verify)  # per call: a Session's own verify loses to REQUESTS_CA_BUNDLE
            except requests.RequestException as exc:
                raise _failed(exc) from exc
        if response.status_code != 200:
            try:
                detail = response.json()
            except ValueError:
                detail = {}
            detail = detail if isinstance(detail, dict) else {}
            raise SyncError(detail.get("message", f"HTTP {response.status_code}"), response.status_code, detail,
                            _retry_after(response))
        answer = response.json()
        self.last_exchange = {"sent_at": sent_at, "received_at": answer["received_at"],
                              "server_time": answer["server_time"], "answered_at": to_rfc3339(now_utc())}
        return answer

    @contextmanager
    def _sending(self, first: int, last: int):
        """Registers a push as on its way; gives the seq it follows when the push just before
        it (ending at first - 1) is still unanswered: the centre then waits for that one to
        land before it calls this one a gap (the two can reach it in either order)."""
        with self._lock:
            follows = first - 1 if first - 1 in self._unanswered else None
            self._unanswered.add(last)
        try:
            yield follows
        finally:
            with self._lock:
                self._unanswered.discard(last)

    def get_json(self, path: str) -> dict:
        """GET an API document (the plan, the totals); raises SyncError."""
        self._check_address()
        try:
            response = self.session.get(f"{self.base_url}{path}", timeout=self.timeout, verify=self.tls.verify)
        except requests.RequestException as exc:
            raise _failed(exc) from exc
        if response.status_code != 200:
            raise SyncError(f"HTTP {response.status_code}", response.status_code, {}, _retry_after(response))
        return response.json()

    def _check_address(self) -> None:
        try:
            self.tls.check(self.base_url)
        except UnsafeCentre as exc:
            raise SyncError(str(exc)) from exc

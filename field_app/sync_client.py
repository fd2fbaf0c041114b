"""HTTP client for the sync service. Every call has a bounded timeout (requests has
none by default)."""

import requests

from shared.clock import now_utc, to_rfc3339

TIMEOUT = (3.05, 15)  # connect, read (seconds)


class SyncError(Exception):
    """A push that did not get an acked_seq; `status` is the HTTP status if any."""

    def __init__(self, message: str, status: int | None = None, body: dict | None = None):
        super().__init__(message)
        self.status = status
        self.body = body or {}


class SyncClient:
    def __init__(self, base_url: str, token: str):
        self.base_url = base_url.rstrip("/")
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {token}"

    def push(self, device_id: str, events: list[dict], pending: int) -> dict:
        body = {"device_id": device_id, "sent_at": to_rfc3339(now_utc()), "pending": pending, "events": events}
        try:
            response = self.session.post(f"{self.base_url}/api/v1/sync/push", json=body, timeout=TIMEOUT)
        except requests.RequestException as exc:
            raise SyncError(f"sync service unreachable: {exc.__class__.__name__}") from exc
        if response.status_code != 200:
            try:
                detail = response.json()
            except ValueError:
                detail = {}
            raise SyncError(detail.get("message", f"HTTP {response.status_code}"), response.status_code, detail)
        return response.json()

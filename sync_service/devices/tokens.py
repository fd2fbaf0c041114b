"""Device tokens: a laptop authenticates with a random token; the centre stores only
its SHA-256 and learns from it which device, booth and day the laptop may write.

Each day keeps a record of its laptops (label, when enrolled, whether revoked, the
digests of the tokens issued to it). Revoking marks every one of those tokens revoked,
so the laptop's next request gets 401 "revoked" rather than a plain "who are you".
"""

import hashlib
import json
import secrets
from dataclasses import dataclass

from redis import WatchError

from central import keys
from shared.clock import now_utc, to_rfc3339
from shared.events import COORDINATOR_DEVICE


@dataclass(frozen=True)
class Device:
    device_id: str
    booth_id: str
    day_id: str


class DeviceRevoked(Exception):
    """The token was valid but a coordinator revoked its device."""

    def __init__(self, device: Device):
        super().__init__(f"device {device.device_id} was revoked")
        self.device = device


class DeviceExists(Exception):
    """Enrollment may not take over a device id the day already has (unless that device
    was revoked and the code is for its own booth: a laptop enrolled again after revocation)."""


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


_digest = token_digest  # the skeleton's name


def _add_device(pipe, device: Device, label: str | None, replace: bool) -> str:
    """Inside a WATCH on the day's devices hash: issue a token and record the device."""
    raw = pipe.hget(keys.devices(device.day_id), device.device_id)
    record = json.loads(raw) if raw else {"enrolled_at": to_rfc3339(now_utc()), "tokens": []}
    if raw and not replace and not (record.get("revoked_at") and record["booth_id"] == device.booth_id):
        raise DeviceExists(device.device_id)  # only a revoked laptop may come back, at its own booth
    token = secrets.token_urlsafe(32)  # 256 random bits
    digest = token_digest(token)
    record.update(device_id=device.device_id, booth_id=device.booth_id, day_id=device.day_id,
                  label=label if label is not None else record.get("label", ""), revoked_at=None)
    record["tokens"] = [*record["tokens"], digest]
    pipe.multi()
    pipe.hset(keys.DEVICE_TOKENS, digest, json.dumps(device.__dict__))
    pipe.hset(keys.devices(device.day_id), device.device_id, json.dumps(record, ensure_ascii=False))
    return token


def issue_token(redis, device: Device, label: str | None = None, replace: bool = True) -> str:
    """Record the device and return a new token for it (shown once; only its hash is kept).
    With replace=False an existing device id raises DeviceExists."""
    while True:
        with redis.pipeline(transaction=True) as pipe:
            try:
                pipe.watch(keys.devices(device.day_id))
                token = _add_device(pipe, device, label, replace)
                pipe.execute()
                return token
            except WatchError:
                continue


def register_device(redis, device: Device, label: str | None = None) -> str:
    """Issue a new token for a device (the admin path: tests, `openday dev`, the
    simulator); an existing device keeps its earlier tokens and is un-revoked."""
    return issue_token(redis, device, label, replace=True)


def device_for_token(redis, token: str) -> Device | None:
    """The device a token belongs to, None if unknown; raises DeviceRevoked."""
    return device_from_record(redis.hget(keys.DEVICE_TOKENS, token_digest(token)) if token else None)


def device_from_record(raw: str | None) -> Device | None:
    if not raw:
        return None
    record = json.loads(raw)
    device = Device(record["device_id"], record["booth_id"], record["day_id"])
    if record.get("revoked"):
        raise DeviceRevoked(device)
    return device


def revoke_device(redis, day_id: str, device_id: str) -> dict | None:
    """Mark the device and every token issued to it revoked; None if the day has no such device."""
    raw = redis.hget(keys.devices(day_id), device_id)
    if raw is None:
        return None
    record = json.loads(raw)
    record["revoked_at"] = record.get("revoked_at") or to_rfc3339(now_utc())
    with redis.pipeline(transaction=True) as pipe:
        for digest in record["tokens"]:
            entry = {"device_id": device_id, "booth_id": record["booth_id"], "day_id": day_id, "revoked": True}
            pipe.hset(keys.DEVICE_TOKENS, digest, json.dumps(entry))
        pipe.hset(keys.devices(day_id), device_id, json.dumps(record, ensure_ascii=False))
        pipe.execute()
    return record


def list_devices(redis, day_id: str, skew_ms: int) -> list[dict]:
    """Every device of the day that enrolled or pushed, with its sync health."""
    with redis.pipeline(transaction=False) as pipe:
        for key in (keys.devices(day_id), keys.acked(day_id), keys.device_health(day_id), keys.device_clock(day_id)):
            pipe.hgetall(key)
        records, acked, health, clocks = pipe.execute()
    rows = []
    # the coordinator's quarantine decisions have a seq of their own but are no laptop
    for device_id in sorted((set(records) | set(acked) | set(health)) - {COORDINATOR_DEVICE}):
        record = json.loads(records.get(device_id, "{}"))
        seen = json.loads(health.get(device_id, "{}"))
        clock = json.loads(clocks.get(device_id, "{}"))
        offset = clock.get("offset_ms")
        rows.append({
            "device_id": device_id,
            "booth_id": record.get("booth_id") or seen.get("booth_id"),
            "label": record.get("label", ""),
            "enrolled_at": record.get("enrolled_at"),
            "last_seen": seen.get("last_seen"),
            "acked_seq": int(acked.get(device_id, 0)),
            "pending": seen.get("pending"),
            "clock_offset_ms": offset,
            "clock_rtt_ms": clock.get("rtt_ms"),
            "far_off_events": seen.get("far_off_events", 0),
            "skewed": bool(offset is not None and abs(offset) > skew_ms) or seen.get("far_off_events", 0) > 0,
            "revoked": bool(record.get("revoked_at")),
            "revoked_at": record.get("revoked_at"),
        })
    return rows

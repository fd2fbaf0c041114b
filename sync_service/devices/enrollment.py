"""Enrollment codes: a coordinator makes a short code for a booth; a laptop exchanges
it for its own device token.

Codes are 8 characters from an alphabet without 0/O/1/I (40 random bits), shown as
XXXX-XXXX and typed case-insensitively with or without the dash. A code has a number
of uses and an expiry; redeeming one and recording the device happen in one
transaction, so a code can never be used more often than it allows. A laptop may say
which booth and day it serves: a code for another is refused in that same step, before
anything is spent, so the laptop's refusal never costs the booth its code.
"""

import json
import secrets
from datetime import timedelta

from redis import WatchError

from central import keys
from shared.clock import now_utc, parse_rfc3339, to_rfc3339
from sync_service.devices.tokens import Device, _add_device

ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
CODE_LENGTH = 8


class EnrollmentRefused(Exception):
    """A code that cannot be redeemed; `reason` is a stable machine word."""

    def __init__(self, reason: str, message: str, **detail):
        super().__init__(message)
        self.reason, self.message, self.detail = reason, message, detail


def normalize_code(text: str) -> str | None:
    """'abcd-efgh' / 'ABCDEFGH' -> 'ABCDEFGH'; None if it cannot be a code."""
    if not isinstance(text, str):
        return None
    code = text.strip().upper().replace("-", "").replace(" ", "")
    if len(code) != CODE_LENGTH or any(c not in ALPHABET for c in code):
        return None
    return code


def display_code(code: str) -> str:
    return f"{code[:4]}-{code[4:]}"


def _public(code: str, record: dict, now) -> dict:
    expired = parse_rfc3339(record["expires_at"]) <= now
    return {"code": display_code(code), "day_id": record["day_id"], "booth_id": record["booth_id"],
            "expires_at": record["expires_at"], "uses_left": record["uses_left"],
            "created_at": record["created_at"], "created_by": record["created_by"],
            "active": record["uses_left"] > 0 and not expired}


def create_code(redis, day_id: str, booth_id: str, uses: int, ttl_minutes: int, created_by: str) -> dict:
    now = now_utc()
    record = {"day_id": day_id, "booth_id": booth_id, "uses_left": uses, "created_by": created_by,
              "created_at": to_rfc3339(now), "expires_at": to_rfc3339(now + timedelta(minutes=ttl_minutes))}
    while True:
        code = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
        if redis.hsetnx(keys.ENROLLMENT_CODES, code, json.dumps(record)):
            return _public(code, record, now)


def list_codes(redis, day_id: str) -> list[dict]:
    now = now_utc()
    codes = [(code, json.loads(raw)) for code, raw in redis.hgetall(keys.ENROLLMENT_CODES).items()]
    rows = [_public(code, record, now) for code, record in codes if record["day_id"] == day_id]
    return sorted(rows, key=lambda row: row["created_at"], reverse=True)


def revoke_code(redis, day_id: str, text: str) -> bool:
    """Delete the day's code; False if the day has no such code."""
    code = normalize_code(text)
    raw = redis.hget(keys.ENROLLMENT_CODES, code) if code else None
    if raw is None or json.loads(raw)["day_id"] != day_id:
        return False
    return bool(redis.hdel(keys.ENROLLMENT_CODES, code))


def _check_redeemable(record: dict | None) -> None:
    if record is None:
        raise EnrollmentRefused("invalid_code", "No such enrollment code (revoked or mistyped).")
    if parse_rfc3339(record["expires_at"]) <= now_utc():
        raise EnrollmentRefused("expired_code", f"The enrollment code expired at {record['expires_at']}.")
    if record["uses_left"] <= 0:
        raise EnrollmentRefused("used_code", "The enrollment code has been used up.")


def _check_expected(record: dict, booth_id: str | None, day_id: str | None) -> None:
    """The laptop's own booth and day, when it gave them, must be the code's."""
    mismatch = {"code_booth_id": record["booth_id"], "code_day_id": record["day_id"]}
    if day_id is not None and record["day_id"] != day_id:
        raise EnrollmentRefused("wrong_day", f"The enrollment code is for day {record['day_id']}, "
                                f"not {day_id}; it was not used.", **mismatch)
    if booth_id is not None and record["booth_id"] != booth_id:
        raise EnrollmentRefused("wrong_booth", f"The enrollment code is for booth {record['booth_id']}, "
                                f"not {booth_id}; it was not used.", **mismatch)


def redeem_code(redis, text: str, device_id: str, label: str = "", expected_booth_id: str | None = None,
                expected_day_id: str | None = None) -> tuple[Device, str]:
    """Use one use of the code to enrol `device_id` at the code's booth; returns the device
    and its new token. Raises EnrollmentRefused, or DeviceExists for a taken device id.
    With expected_booth_id / expected_day_id, a code for another booth / day is refused
    (wrong_booth / wrong_day) inside the same WATCH, before its use is spent."""
    code = normalize_code(text)
    if code is None:
        raise EnrollmentRefused("invalid_code", "An enrollment code is 8 letters and digits, like ABCD-EFGH.")
    while True:
        with redis.pipeline() as pipe:
            try:
                pipe.watch(keys.ENROLLMENT_CODES)
                raw = pipe.hget(keys.ENROLLMENT_CODES, code)
                record = json.loads(raw) if raw else None
                _check_redeemable(record)
                _check_expected(record, expected_booth_id, expected_day_id)
                device = Device(device_id, record["booth_id"], record["day_id"])
                pipe.watch(keys.devices(device.day_id))
                token = _add_device(pipe, device, label, replace=False)  # queues the device, in MULTI
                pipe.hset(keys.ENROLLMENT_CODES, code, json.dumps({**record, "uses_left": record["uses_left"] - 1}))
                pipe.execute()
                return device, token
            except WatchError:
                continue

"""Enrollment codes: a coordinator makes a short code for a booth; a laptop exchanges
it for its own device token.

Codes are 8 characters from an alphabet without 0/O/1/I (40 random bits), shown as
XXXX-XXXX and typed case-insensitively with or without the dash. A code has a number
of uses and an expiry; redeeming one and recording the device happen in one
transaction, so a code can never be used more often than it allows. A laptop may say
which booth and day it serves: a code for another is refused in that same step, before
anything is spent, so the laptop's refusal never costs the booth its code.

Redis keeps a code only as its scrypt hash (a plain sha256 of 40 bits is reversed by
brute force in minutes): the code is shown once, when made; lists show its random `id`,
by which a coordinator can also revoke it.
"""

import hashlib
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


def code_field(code: str) -> str:
    """Where a normalized code is kept: its scrypt hash (slow on purpose, ~50 ms)."""
    digest = hashlib.scrypt(code.encode(), salt=b"openday-enrollment-code", n=2**14, r=8, p=1, dklen=32)
    return digest.hex()


def _public(record: dict, now, code: str | None = None) -> dict:
    expired = parse_rfc3339(record["expires_at"]) <= now
    shown = {"code": display_code(code)} if code else {}
    return {**shown, "id": record["id"], "day_id": record["day_id"], "booth_id": record["booth_id"],
            "expires_at": record["expires_at"], "uses_left": record["uses_left"],
            "created_at": record["created_at"], "created_by": record["created_by"],
            "active": record["uses_left"] > 0 and not expired}


def create_code(redis, day_id: str, booth_id: str, uses: int, ttl_minutes: int, created_by: str) -> dict:
    now = now_utc()
    record = {"id": secrets.token_hex(4), "day_id": day_id, "booth_id": booth_id, "uses_left": uses,
              "created_by": created_by, "created_at": to_rfc3339(now),
              "expires_at": to_rfc3339(now + timedelta(minutes=ttl_minutes))}
    while True:
        code = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
        if redis.hsetnx(keys.ENROLLMENT_CODES, code_field(code), json.dumps(record)):
            return _public(record, now, code)  # the only time the code itself is shown


def _in_clear(field: str, record: dict) -> bool:
    """A code an older version kept under the code itself (and without an id)."""
    return "id" not in record and normalize_code(field) == field


def hash_clear_codes(redis) -> int:
    """Move every code kept in clear under its hash (same record, a new id), so none stays
    readable and none stops working; returns how many were moved. Idempotent."""
    moved = 0
    for field, raw in redis.hgetall(keys.ENROLLMENT_CODES).items():
        record = json.loads(raw)
        if not _in_clear(field, record):
            continue
        with redis.pipeline(transaction=True) as pipe:
            pipe.hsetnx(keys.ENROLLMENT_CODES, code_field(field), json.dumps({**record, "id": secrets.token_hex(4)}))
            pipe.hdel(keys.ENROLLMENT_CODES, field)
            moved += pipe.execute()[1]
    return moved


def _day_codes(redis, day_id: str) -> dict[str, dict]:
    codes = {field: json.loads(raw) for field, raw in redis.hgetall(keys.ENROLLMENT_CODES).items()}
    if any(_in_clear(field, record) for field, record in codes.items()) and hash_clear_codes(redis):
        return _day_codes(redis, day_id)
    return {field: record for field, record in codes.items() if record["day_id"] == day_id}


def list_codes(redis, day_id: str) -> list[dict]:
    now = now_utc()
    rows = [_public(record, now) for record in _day_codes(redis, day_id).values()]
    return sorted(rows, key=lambda row: row["created_at"], reverse=True)


def revoke_code(redis, day_id: str, text: str) -> bool:
    """Delete the day's code, named by the code itself or by its listed id; False if the
    day has no such code."""
    code = normalize_code(text)
    wanted = code_field(code) if code else None
    for field, record in _day_codes(redis, day_id).items():
        if field == wanted or record["id"] == text.strip().lower():
            return bool(redis.hdel(keys.ENROLLMENT_CODES, field))
    return False


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
    field = code_field(code)
    if not redis.hexists(keys.ENROLLMENT_CODES, field) and redis.hexists(keys.ENROLLMENT_CODES, code):
        hash_clear_codes(redis)  # a code made before codes were hashed: hash it, then redeem it
    while True:
        with redis.pipeline(transaction=True) as pipe:
            try:
                pipe.watch(keys.ENROLLMENT_CODES)
                raw = pipe.hget(keys.ENROLLMENT_CODES, field)
                record = json.loads(raw) if raw else None
                _check_redeemable(record)
                _check_expected(record, expected_booth_id, expected_day_id)
                device = Device(device_id, record["booth_id"], record["day_id"])
                pipe.watch(keys.devices(device.day_id))
                token = _add_device(pipe, device, label, replace=False)  # queues the device, in MULTI
                pipe.hset(keys.ENROLLMENT_CODES, field, json.dumps({**record, "uses_left": record["uses_left"] - 1}))
                pipe.execute()
                return device, token
            except WatchError:
                continue

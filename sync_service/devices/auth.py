"""Who is calling: the device named by a Bearer token, at most so many pushes a second.

The token lookup and the rate counter go to Redis in one round trip. A revoked token
gets 401 with "error": "revoked", so the laptop can tell its user in plain words.
"""

import time

from flask import jsonify, request

from central import keys
from sync_service.devices.tokens import Device, DeviceRevoked, device_from_record, token_digest
from sync_service.errors import ApiError


class RateLimited(ApiError):
    def __init__(self, retry_after: int):
        super().__init__(429, "rate_limited", f"Too many pushes; retry after {retry_after} s.",
                         retry_after=retry_after)
        self.retry_after = retry_after


def rate_limited_response(exc: RateLimited):
    """For a blueprint's errorhandler: the 429 with its Retry-After header."""
    return jsonify(error=exc.error, message=exc.message, **exc.extra), 429, {"Retry-After": str(exc.retry_after)}


def throttle_enrollment(redis, address: str, per_minute: int) -> None:
    """At most `per_minute` enrollment attempts a minute from one address (codes are short)."""
    now = int(time.time())
    key = keys.enroll_tries(address or "unknown", now // 60)
    with redis.pipeline(transaction=False) as pipe:
        pipe.incr(key)
        pipe.expire(key, 120)
        count, _ = pipe.execute()
    if count > per_minute:
        raise RateLimited(60 - now % 60)


def bearer_token() -> str | None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


def _unauthorized() -> ApiError:
    return ApiError(401, "unauthorized", "A valid device token is required (Authorization: Bearer ...).")


def _device(raw: str | None) -> Device:
    try:
        device = device_from_record(raw)
    except DeviceRevoked as exc:
        raise ApiError(401, "revoked", f"Device {exc.device.device_id} was revoked by a coordinator; "
                       "enrol the laptop again with a new code.", device_id=exc.device.device_id) from exc
    if device is None:
        raise _unauthorized()
    return device


def authenticate_device(redis, pushes_per_second: int = 0) -> Device:
    """The calling device; 401 if unknown or revoked, 429 past `pushes_per_second` (0: no limit)."""
    token = bearer_token()
    if not token:
        raise _unauthorized()
    digest = token_digest(token)
    if not pushes_per_second:
        return _device(redis.hget(keys.DEVICE_TOKENS, digest))
    rate_key = keys.push_rate(digest, int(time.time()))
    with redis.pipeline(transaction=False) as pipe:
        pipe.hget(keys.DEVICE_TOKENS, digest)
        pipe.incr(rate_key)
        pipe.expire(rate_key, 2)
        raw, count, _ = pipe.execute()
    device = _device(raw)
    if count > pushes_per_second:
        raise RateLimited(1)
    return device

"""Device tokens: a laptop authenticates with a random token; the centre stores only
its SHA-256 and learns from it which device, booth and day the laptop may write."""

import hashlib
import json
import secrets
from dataclasses import dataclass

from sync_service import keys


@dataclass(frozen=True)
class Device:
    device_id: str
    booth_id: str
    day_id: str


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def register_device(redis, device: Device) -> str:
    """Issue a new token (256 random bits) for a device; returns the token once."""
    token = secrets.token_urlsafe(32)
    redis.hset(keys.DEVICE_TOKENS, _digest(token), json.dumps(device.__dict__))
    return token


def device_for_token(redis, token: str) -> Device | None:
    raw = redis.hget(keys.DEVICE_TOKENS, _digest(token)) if token else None
    return Device(**json.loads(raw)) if raw else None

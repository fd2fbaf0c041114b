"""One way in for coordinators, whether by the sign-in form or by HTTP Basic.

Every try goes: throttle (refused before any scrypt while a counter is locked), then the
password check (one scrypt, for known and unknown users alike), then the counters. A
verified Basic login is remembered for BASIC_CACHE_S under an HMAC of the credentials and
the stored hash, so a script or a browser repeating its Basic header does not pay a scrypt
on every request; changing the password changes the stored hash and ends the cache.
Answers are usernames; coordinators.py turns them into accounts.
"""

import functools
import hashlib
import hmac
import json
import secrets

from werkzeug.security import check_password_hash, generate_password_hash

from central import keys
from sync_service.errors import ApiError
from sync_service.signin_throttle import clear_failures, record_failure, seconds_locked

BASIC_CACHE_S = 60


class SignInLocked(Exception):
    def __init__(self, seconds: int):
        super().__init__(seconds)
        self.seconds = seconds


@functools.cache
def dummy_hash() -> str:
    """A hash no password matches, made once per process (at app start): an unknown user's
    check costs exactly one scrypt, like a known user's (no timing oracle, no extra cost)."""
    return generate_password_hash(secrets.token_hex(16))


def password_hash_of(redis, username: str) -> str | None:
    raw = redis.hget(keys.COORDINATORS, username or "")
    return json.loads(raw)["password_hash"] if raw else None


def password_matches(redis, username: str, password: str, stored: str | None = None) -> bool:
    """One scrypt, whether or not the user exists (`stored`: the hash if already read)."""
    stored = stored or password_hash_of(redis, username)
    matches = check_password_hash(stored or dummy_hash(), password or "")
    return matches and stored is not None


def sign_in(redis, username: str, password: str, address: str) -> str | None:
    """The username if the password is right, None if not; raises SignInLocked while throttled."""
    if locked := seconds_locked(redis, username, address):
        raise SignInLocked(locked)
    return _check_and_count(redis, username, password, address)


def _check_and_count(redis, username: str, password: str, address: str, stored: str | None = None) -> str | None:
    if not password_matches(redis, username, password, stored):
        if locked := record_failure(redis, username, address):
            raise SignInLocked(locked)
        return None
    clear_failures(redis, username, address)
    return username


def _digest(secret: str, username: str, password: str, stored_hash: str) -> str:
    message = "\0".join((username, password, stored_hash)).encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def basic_sign_in(redis, secret: str, username: str, password: str, address: str) -> str | None:
    """HTTP Basic: the same throttle and check as the form, with the 60 s cache of a success.
    A locked try is a 429 with Retry-After and a zh/en reason."""
    if locked := seconds_locked(redis, username, address):
        raise locked_error(locked)
    stored = password_hash_of(redis, username)
    digest = _digest(secret, username, password, stored or "")
    if stored and redis.get(keys.basic_verified(digest)) == username:
        return username
    try:
        account = _check_and_count(redis, username, password, address, stored)
    except SignInLocked as exc:
        raise locked_error(exc.seconds) from exc
    if account is not None:
        redis.set(keys.basic_verified(digest), username, ex=BASIC_CACHE_S)
    return account


def locked_error(seconds: int) -> ApiError:
    return ApiError(429, "signin_locked", f"登录失败次数过多，请 {seconds} 秒后再试 / "
                    f"Too many failed sign-ins; try again in {seconds} s.", retry_after=seconds)

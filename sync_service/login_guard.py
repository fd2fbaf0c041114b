"""One way in for coordinators, whether by the sign-in form or by HTTP Basic.

Every try goes: throttle (refused before any scrypt while a counter is locked), then the
password check (one scrypt, for known and unknown users alike), then the counters. A
verified Basic login is remembered for BASIC_CACHE_S under an HMAC of the credentials and
the stored hash, so a script or a browser repeating its Basic header does not pay a scrypt
on every request; changing the password changes the stored hash and ends the cache.
"""

import hashlib
import hmac

from sync_service import keys
from sync_service.coordinators import Coordinator, check_credentials, get_coordinator, password_hash_of
from sync_service.dashboard.throttle import clear_failures, record_failure, seconds_locked
from sync_service.errors import ApiError

BASIC_CACHE_S = 60


class SignInLocked(Exception):
    def __init__(self, seconds: int):
        super().__init__(seconds)
        self.seconds = seconds


def sign_in(redis, username: str, password: str, address: str) -> Coordinator | None:
    """The account, or None for wrong credentials; raises SignInLocked while throttled."""
    if locked := seconds_locked(redis, username, address):
        raise SignInLocked(locked)
    return _check_and_count(redis, username, password, address)


def _check_and_count(redis, username: str, password: str, address: str) -> Coordinator | None:
    account = check_credentials(redis, username, password)
    if account is None:
        if locked := record_failure(redis, username, address):
            raise SignInLocked(locked)
        return None
    clear_failures(redis, username, address)
    return account


def _digest(secret: str, username: str, password: str, stored_hash: str) -> str:
    message = "\0".join((username, password, stored_hash)).encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def basic_sign_in(redis, secret: str, username: str, password: str, address: str) -> Coordinator | None:
    """HTTP Basic: the same throttle and check as the form, with the 60 s cache of a success.
    A locked try is a 429 with Retry-After and a zh/en reason."""
    if locked := seconds_locked(redis, username, address):
        raise locked_error(locked)
    stored = password_hash_of(redis, username)
    digest = _digest(secret, username, password, stored or "")
    if stored and redis.get(keys.basic_verified(digest)) == username:
        return get_coordinator(redis, username)
    try:
        account = _check_and_count(redis, username, password, address)
    except SignInLocked as exc:
        raise locked_error(exc.seconds) from exc
    if account is not None:
        redis.set(keys.basic_verified(digest), username, ex=BASIC_CACHE_S)
    return account


def locked_error(seconds: int) -> ApiError:
    return ApiError(429, "signin_locked", f"登录失败次数过多，请 {seconds} 秒后再试 / "
                    f"Too many failed sign-ins; try again in {seconds} s.", retry_after=seconds)

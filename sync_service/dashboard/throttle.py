"""Slowing repeated failed sign-ins: a counter per username and client address in Redis.

The first FREE_TRIES failures cost nothing. Each failure after that locks the pair out
for twice as long as the last (30 s, 60 s, ... up to 15 min); while locked, a try is
refused before the password is even checked, so guessing gets slower and slower while
the real person at another address can still sign in. A success clears the counter.
"""

import time

from central import keys

FREE_TRIES = 5
WINDOW_S = 15 * 60  # failures are remembered this long after the last one
FIRST_LOCK_S = 30
MAX_LOCK_S = 15 * 60


def lock_seconds(failures: int) -> int:
    """How long the pair is refused after its `failures`-th failure."""
    if failures < FREE_TRIES:
        return 0
    return min(FIRST_LOCK_S * 2 ** (failures - FREE_TRIES), MAX_LOCK_S)


def seconds_locked(redis, username: str, address: str) -> int:
    """Seconds until this username may try again from this address (0: may try now)."""
    until = redis.hget(keys.signin_failures(username, address), "until")
    return max(0, int(float(until or 0) - time.time() + 0.999))


def record_failure(redis, username: str, address: str) -> int:
    """Count one failed sign-in; returns the lock it starts in seconds (0 if none)."""
    key = keys.signin_failures(username, address)
    failures = redis.hincrby(key, "n", 1)
    lock = lock_seconds(failures)
    with redis.pipeline(transaction=True) as pipe:
        pipe.hset(key, "until", time.time() + lock)
        pipe.expire(key, WINDOW_S + lock)
        pipe.execute()
    return lock


def clear_failures(redis, username: str, address: str) -> None:
    redis.delete(keys.signin_failures(username, address))

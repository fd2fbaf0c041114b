"""Slowing repeated failed sign-ins, for every way in (the sign-in form and HTTP Basic).

Three counters in Redis, each hashed into its key: one per (username, client address),
one per username from anywhere, one per address whatever the username. The first tries
of each cost nothing; each failure past them locks that counter for twice as long as
the last (30 s, 60 s, ... up to 15 min). While any counter that a try falls under is
locked, the try is refused before the password is even checked (no scrypt), so guessing
gets slower and slower.

The pair counter is the tight one (5): the real person at another address can still
sign in while a guesser is locked. The per-username counter (20) stops guessing spread
over many addresses; the per-address counter (30) stops one address spraying many
usernames, known or not. A success clears the pair and the username counters; it does
not clear the address counter, so an attacker cannot reset it with an account of their own.
"""

import time

from central import keys

FREE_TRIES = 5  # per (username, address)
USER_FREE_TRIES = 20  # per username, from any address
ADDRESS_FREE_TRIES = 30  # per address, any username
WINDOW_S = 15 * 60  # failures are remembered this long after the last one
FIRST_LOCK_S = 30
MAX_LOCK_S = 15 * 60


def lock_seconds(failures: int, free_tries: int = FREE_TRIES) -> int:
    """How long a counter is refused after its `failures`-th failure."""
    if failures < free_tries:
        return 0
    return min(FIRST_LOCK_S * 2 ** (failures - free_tries), MAX_LOCK_S)


def _counters(username: str, address: str) -> list[tuple[str, int]]:
    return [(keys.signin_failures(username, address), FREE_TRIES),
            (keys.signin_user_failures(username), USER_FREE_TRIES),
            (keys.signin_address_failures(address), ADDRESS_FREE_TRIES)]


def seconds_locked(redis, username: str, address: str) -> int:
    """Seconds until this username may try again from this address (0: may try now)."""
    with redis.pipeline(transaction=False) as pipe:
        for key, _ in _counters(username, address):
            pipe.hget(key, "until")
        untils = pipe.execute()
    latest = max(float(until or 0) for until in untils)
    return max(0, int(latest - time.time() + 0.999))


def _count(redis, key: str, free_tries: int) -> int:
    failures = redis.hincrby(key, "n", 1)
    lock = lock_seconds(failures, free_tries)
    with redis.pipeline(transaction=True) as pipe:
        pipe.hset(key, "until", time.time() + lock)
        pipe.expire(key, WINDOW_S + lock)
        pipe.execute()
    return lock


def record_failure(redis, username: str, address: str) -> int:
    """Count one failed sign-in on every counter; returns the longest lock it starts (0 if none)."""
    return max(_count(redis, key, free) for key, free in _counters(username, address))


def clear_failures(redis, username: str, address: str) -> None:
    with redis.pipeline(transaction=False) as pipe:  # one DEL per key: they may sit on different Cluster slots
        pipe.delete(keys.signin_failures(username, address))
        pipe.delete(keys.signin_user_failures(username))
        pipe.execute()

"""What an organiser does to accounts: list them, change a role, grant or revoke a day.

Each change rewrites one account's JSON in keys.COORDINATORS under WATCH, so two
organisers at once cannot lose each other's change; the password hash is never touched.
"""

import json

from redis.exceptions import WatchError

from central import keys
from sync_service.coordinators import COORDINATOR, ORGANISER, role_of

ROLES = (ORGANISER, COORDINATOR)


class AccountRefused(Exception):
    """The change is not allowed; `field` and a zh / en `message` say why."""

    def __init__(self, status: int, field: str, message: str):
        super().__init__(message)
        self.status, self.field, self.message = status, field, message


def list_accounts(redis) -> list[dict]:
    rows = sorted(redis.hgetall(keys.COORDINATORS).items())
    return [{"username": name, "role": role_of(json.loads(raw)), "days": json.loads(raw)["days"]}
            for name, raw in rows]


def _update(redis, username: str, change) -> dict:
    """Apply `change(record, organisers)` to one account atomically; returns the new record."""
    with redis.pipeline(transaction=True) as pipe:
        for _ in range(20):
            try:
                pipe.watch(keys.COORDINATORS)
                accounts = {n: json.loads(r) for n, r in pipe.hgetall(keys.COORDINATORS).items()}
                if username not in accounts:
                    raise AccountRefused(404, "username", f"没有账号 {username} / No account {username}.")
                organisers = [n for n, r in accounts.items() if role_of(r) == ORGANISER]
                record = change(dict(accounts[username]), organisers)
                pipe.multi()
                pipe.hset(keys.COORDINATORS, username, json.dumps(record))
                pipe.execute()
                return record
            except WatchError:
                continue
    raise RuntimeError("accounts changed too often to update")


def set_role(redis, username: str, role: str, by: str) -> dict:
    """Make an account an organiser or a coordinator. An organiser cannot demote themself,
    and the last organiser stays one (else nobody could create a day again)."""
    if role not in ROLES:
        raise AccountRefused(422, "role", f"角色须为 {' 或 '.join(ROLES)} / "
                             f"The role must be one of {', '.join(ROLES)}.")

    def change(record, organisers):
        if role == COORDINATOR and role_of(record) == ORGANISER:
            if username == by:
                raise AccountRefused(409, "role", "不能降低自己的角色 / You cannot demote yourself.")
            if organisers == [username]:
                raise AccountRefused(409, "role", "这是最后一位组织者 / This is the last organiser.")
        return {**{k: v for k, v in record.items() if k != "admin"}, "role": role}

    return _update(redis, username, change)


def grant_day(redis, username: str, day_id: str) -> dict:
    return _update(redis, username, lambda record, _: {**record, "days": sorted({*record["days"], day_id})})


def revoke_day(redis, username: str, day_id: str) -> dict:
    def change(record, _):
        if day_id not in record["days"]:
            raise AccountRefused(404, "day_id", f"{username} 没有 {day_id} 的权限 / "
                                 f"{username} is not granted {day_id}.")
        return {**record, "days": [d for d in record["days"] if d != day_id]}

    return _update(redis, username, change)

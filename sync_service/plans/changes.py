"""Creating a day and changing its plan, with the rules that keep the figures true
(shared/plan_rules.py) and what a change does to entries waiting in quarantine.

A new version that adds a key some quarantined entries carry appends a resolution
(action 'added') to the day's log, as a coordinator's mapping does: the fold then
counts them at that log position, and a rebuild agrees (docs/plans.md).
"""

import json

from central import keys
from central.plan_store import StaleVersion, append_version, read_version
from shared.events import RESOLVABLE_FIELDS
from shared.plan_rules import PlanInvalid, added_keys, check_change, diff_plans, validate_plan
from sync_service.totals.quarantine import append_resolution

FIELD_OF = {catalogue: field for field, catalogue in RESOLVABLE_FIELDS.items()}
SCAN_CHUNK = 5000


class DayExists(Exception):
    """A plan for this day id is already stored."""


def create_day(redis, raw: dict, by: str) -> dict:
    """Version 1 of a new day; PlanInvalid or DayExists (nothing stored then)."""
    validate_plan(raw)
    if redis.llen(keys.plan_versions(raw["day_id"])):
        raise DayExists(raw["day_id"])
    try:
        return append_version(redis, raw, by, 0)
    except StaleVersion as exc:
        raise DayExists(raw["day_id"]) from exc


def keys_used(redis, day_id: str, candidates: dict[str, set[str]]) -> dict[str, set[str]]:
    """Which candidate keys (by catalogue) an entry in the day's log carries: the log,
    not the totals, so entries not folded yet and feedback topics count too."""
    wanted = {(FIELD_OF[c], k) for c, ks in candidates.items() for k in ks}
    found: dict[str, set[str]] = {}
    for event in _log_events(redis, day_id):
        for field, catalogue in RESOLVABLE_FIELDS.items():
            value = event.get("booth_id") if field == "booth_id" else event.get("payload", {}).get(field)
            if (field, value) in wanted:
                found.setdefault(catalogue, set()).add(value)
    return found


def _log_events(redis, day_id: str):
    after = "-"
    while True:
        rows = redis.xrange(keys.log(day_id), after, "+", count=SCAN_CHUNK)
        for _, entry in rows:
            yield json.loads(entry["e"])
        if len(rows) < SCAN_CHUNK:
            return
        after = "(" + rows[-1][0]


def _resolved_keys(redis, day_id: str, actions: tuple) -> dict[str, set[str]]:
    """Keys with a folded resolution of one of `actions`, by catalogue."""
    resolved: dict[str, set[str]] = {}
    for name, raw in redis.hgetall(keys.resolutions(day_id)).items():
        field, _, key = name.partition("|")
        if json.loads(raw)["action"] in actions:
            resolved.setdefault(RESOLVABLE_FIELDS[field], set()).add(key)
    return resolved


def _used(redis, day_id: str, removed: dict[str, set[str]]) -> dict[str, set[str]]:
    """Removed keys an entry carries or a resolution names (a key added mid-day stays)."""
    used = keys_used(redis, day_id, removed) if any(removed.values()) else {}
    for catalogue, named in _resolved_keys(redis, day_id, ("added", "map", "reject")).items():
        used.setdefault(catalogue, set()).update(named)
    return used


def replace_plan(log, day_id: str, raw: dict, by: str, expected: int) -> tuple[dict, list[dict]]:
    """Store `raw` as the next version after `expected`: (version record, resolutions
    appended). PlanInvalid, plan_store.StaleVersion; nothing stored on either."""
    redis = log.redis
    validate_plan(raw)
    current = read_version(redis, day_id)
    old = current["plan"] if current else {}
    if current and current["version"] != expected:
        raise StaleVersion(current["version"])
    removed = {c: {i["id"] for i in old.get(c, [])} - {i["id"] for i in raw.get(c, [])} for c in FIELD_OF}
    check_change(old, raw, _used(redis, day_id, removed), _resolved_keys(redis, day_id, ("map", "reject")))
    record = append_version(redis, raw, by, expected, diff_plans(old, raw))
    return record, _resolve_added(log, day_id, old, raw, record["version"], f"plan v{record['version']} {by}")


def _resolve_added(log, day_id: str, old: dict, new: dict, version: int, by: str) -> list[dict]:
    """A resolution (action 'added') for each key the version adds, once the day has entries:
    quarantined ones, folded or still on their way, are counted at its log position. The
    fold reloads the plan when it meets one newer than its plan (worker/jobs.py)."""
    if not log.length(day_id):
        return []  # nothing recorded yet: nothing can wait for the key
    return [append_resolution(log, day_id, {"field": FIELD_OF[c], "key": k, "action": "added", "to": k,
                                            "version": version}, by) for c, k in added_keys(old, new)]


__all__ = ["DayExists", "PlanInvalid", "create_day", "replace_plan", "keys_used"]

"""Day plans in Redis, versioned and append-only: the sync service and the workers read the
current version from here. `OPENDAY_PLAN_DIR` is only an import path: a day whose plan is
not in Redis yet is imported from its file (at start-up, or on the first request for it).

A version is JSON {version, plan, by, at, changes} appended to keys.plan_versions(day)
(the day's hash tag, beside its log). Writes are Lua scripts that append only if the list
is as long as the writer expected, so two coordinators cannot overwrite each other.
"""

import contextlib
import json
from pathlib import Path

from central import keys
from shared.clock import now_utc, to_rfc3339
from shared.plan import DayPlan, load_plan, parse_plan
from shared.plan_rules import diff_plans, validate_plan

# KEYS[1] the version list; ARGV[1] the expected current version; ARGV[2] the new record
# as a JSON object without its version, which the script puts first. Returns the new
# version, or -(current) when stale.
_APPEND = """
local n = redis.call('LLEN', KEYS[1])
if n ~= tonumber(ARGV[1]) then return -n end
redis.call('RPUSH', KEYS[1], '{"version": ' .. (n + 1) .. ', ' .. string.sub(ARGV[2], 2))
return n + 1
"""


class StaleVersion(Exception):
    """Someone saved another version first; `current` is the version now."""

    def __init__(self, current: int):
        super().__init__(f"current version is {current}")
        self.current = current


def append_version(redis, raw: dict, by: str, expected: int, changes: list | None = None) -> dict:
    """Store `raw` as the version after `expected` (0: create the day); StaleVersion otherwise."""
    day_id = raw["day_id"]
    record = {"plan": raw, "by": by, "at": to_rfc3339(now_utc()),
              "changes": changes if changes is not None else diff_plans({}, raw)}
    redis.sadd(keys.PLAN_DAYS, day_id)  # first: a day in the set with no version yet reads as absent
    version = redis.eval(_APPEND, 1, keys.plan_versions(day_id), expected,
                         json.dumps(record, ensure_ascii=False, sort_keys=True))
    if version < 0 or (version == 0 and expected != 0):
        raise StaleVersion(-version)
    return {**record, "version": version}


def current_version(redis, day_id: str) -> int:
    return redis.llen(keys.plan_versions(day_id))


def read_version(redis, day_id: str, version: int = -1) -> dict | None:
    """One version record (the current one by default), or None."""
    raw = redis.lindex(keys.plan_versions(day_id), version - 1 if version > 0 else version)
    return json.loads(raw) if raw else None


def read_versions(redis, day_id: str) -> list[dict]:
    """Every version with its plan, oldest first."""
    return [json.loads(raw) for raw in redis.lrange(keys.plan_versions(day_id), 0, -1)]


def list_versions(redis, day_id: str) -> list[dict]:
    """Every version without its plan document: who, when, what changed."""
    rows = (json.loads(raw) for raw in redis.lrange(keys.plan_versions(day_id), 0, -1))
    return [{k: v for k, v in row.items() if k != "plan"} for row in rows]


def plan_days(redis) -> list[str]:
    return sorted(redis.smembers(keys.PLAN_DAYS))


class PlanDir:
    """The import path: plan files by day id, re-read only when a file's mtime changes."""

    def __init__(self, directory: str | None):
        self.directory = Path(directory) if directory else None
        self._seen: dict[Path, tuple[float, str]] = {}  # path -> (mtime, day id)

    def paths(self) -> dict[str, Path]:
        if self.directory is None or not self.directory.is_dir():
            return {}
        found = {}
        for path in sorted(self.directory.glob("*.json")):
            mtime = path.stat().st_mtime
            if self._seen.get(path, (None,))[0] != mtime:
                self._seen[path] = (mtime, load_plan(path).day_id)
            found[self._seen[path][1]] = path
        return found


def import_day(redis, plan_dir: PlanDir, day_id: str) -> bool:
    """Import the day's file as version 1 if Redis has no plan for it; True if it now has one."""
    if current_version(redis, day_id):
        return True
    path = plan_dir.paths().get(day_id)
    if path is None:
        return False
    raw = json.loads(path.read_text(encoding="utf-8"))
    validate_plan(raw)
    with contextlib.suppress(StaleVersion):  # another process imported it first: the same file
        append_version(redis, raw, f"import:{path.name}"[:64], 0)
    return True


def import_all(redis, plan_dir: PlanDir) -> list[str]:
    """At start-up: every file's day not yet in Redis."""
    return [day_id for day_id in plan_dir.paths() if import_day(redis, plan_dir, day_id)]


class PlanCache:
    """The current plan of each day as one process sees it: one LLEN per read, the document
    parsed again only when the version changed. Reads like a dict of DayPlan by day id."""

    def __init__(self, redis, plan_dir: str | None, imports: bool = True):
        """`imports=False`: a day only in the folder is read from its file, not stored (a
        command that looks a day up must change nothing)."""
        self.redis, self.plan_dir, self.imports = redis, PlanDir(plan_dir), imports
        self._plans: dict[str, DayPlan] = {}

    def get(self, day_id: str, default=None) -> DayPlan | None:
        version = current_version(self.redis, day_id)
        if not version and not self.imports:
            path = self.plan_dir.paths().get(day_id)
            return load_plan(path) if path else default
        if not version and not import_day(self.redis, self.plan_dir, day_id):
            return default
        cached = self._plans.get(day_id)
        if cached is None or cached.version != version:
            record = read_version(self.redis, day_id)
            cached = self._plans[day_id] = parse_plan(record["plan"], record["version"])
        return cached

    def __getitem__(self, day_id: str) -> DayPlan:
        plan = self.get(day_id)
        if plan is None:
            raise KeyError(day_id)
        return plan

    def __contains__(self, day_id: str) -> bool:
        return self.get(day_id) is not None

    def days(self) -> list[str]:
        return sorted(set(plan_days(self.redis)) | set(self.plan_dir.paths()))

    def __iter__(self):
        return iter(self.days())

    def items(self):
        return [(day_id, plan) for day_id in self.days() if (plan := self.get(day_id)) is not None]

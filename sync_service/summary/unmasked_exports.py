"""Exports with citizens' personal data as written: organisers only, and each one recorded.

Masking is the default everywhere (shared/masking.py). An organiser may need the texts as
written (a citizen asked to be called back); that export is personal data leaving the
system, so who took it and when is appended to the day's record before a byte is sent,
and the sync service's log says so too.
"""

import json
import logging
from datetime import UTC, datetime

from central import keys
from sync_service.coordinators import is_organiser
from sync_service.errors import ApiError

log = logging.getLogger("openday.unmasked_exports")


def record_unmasked_export(redis, day_id: str, username: str, export: str) -> dict:
    """Refuse (403, zh/en) unless `username` is an organiser; else record the export."""
    if not is_organiser(redis, username):
        raise ApiError(403, "forbidden", "只有组织者可以导出未遮蔽的个人信息 / Only an organiser may export "
                       "personal data unmasked.", errors={"unmasked": ["组织者专用 / organisers only"]})
    entry = {"by": username, "at": datetime.now(UTC).isoformat(timespec="seconds"), "export": export}
    redis.rpush(keys.unmasked_exports(day_id), json.dumps(entry, ensure_ascii=False))
    log.warning("unmasked export %s of %s by %s", export, day_id, username)
    return entry


def unmasked_exports(redis, day_id: str) -> list[dict]:
    return [json.loads(raw) for raw in redis.lrange(keys.unmasked_exports(day_id), 0, -1)]

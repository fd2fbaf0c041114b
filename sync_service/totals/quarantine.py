"""Quarantine resolution: a coordinator maps an unknown catalogue key to a plan key, or
rejects it. The decision is appended to the central log as an event of the reserved
coordinator device, so the fold (and any rebuild) applies it at the same log position.
"""

import json

from central import keys
from central.central_log import SeqConflict, SeqGap
from shared.clock import now_utc, to_rfc3339
from shared.events import COORDINATOR_DEVICE, RESOLUTION, RESOLVABLE_FIELDS
from shared.ids import new_event_id


class NotQuarantined(Exception):
    """No unresolved event holds this key."""


class AlreadyResolved(Exception):
    """A coordinator has already resolved this key."""


class UnknownTarget(Exception):
    """The plan key to map to is not in the plan's catalogue."""


def quarantine_report(redis, plan, day_id: str) -> dict:
    """Unknown keys still holding events back, and the resolutions folded so far."""
    with redis.pipeline(transaction=True) as pipe:
        pipe.hgetall(keys.quarantine(day_id))
        pipe.hgetall(keys.resolutions(day_id))
        pipe.get(keys.checkpoint(day_id))
        pending, resolved, position = pipe.execute()
    return {
        "day_id": day_id,
        "position": position or "0-0",
        "quarantine": [{"field": f, "key": k, "catalogue": RESOLVABLE_FIELDS[f], "events": int(n)}
                    for (f, k), n in sorted((tuple(name.split("|", 1)), n) for name, n in pending.items())],
        "resolved": [{"field": name.split("|", 1)[0], "key": name.split("|", 1)[1], **json.loads(raw)}
                     for name, raw in sorted(resolved.items())],
        "options": {f: plan.keys(c) for f, c in RESOLVABLE_FIELDS.items()},
    }


def resolve_quarantined(log, plan, day_id: str, resolution: dict, by: str) -> dict:
    """Append the resolution to the log; returns the event. Raises NotQuarantined,
    AlreadyResolved or UnknownTarget (nothing is appended then)."""
    redis, name = log.redis, f"{resolution['field']}|{resolution['key']}"
    if redis.hexists(keys.resolutions(day_id), name):
        raise AlreadyResolved(name)
    if not redis.hexists(keys.quarantine(day_id), name):
        raise NotQuarantined(name)
    if resolution["action"] == "map" and resolution["to"] not in plan.keys(RESOLVABLE_FIELDS[resolution["field"]]):
        raise UnknownTarget(resolution["to"])
    for _ in range(20):  # two coordinators at once: the loser takes the next seq
        event = {"event_id": new_event_id(), "device_id": COORDINATOR_DEVICE, "day_id": day_id, "booth_id": "_",
                 "seq": log.acked_seq(day_id, COORDINATOR_DEVICE) + 1, "type": RESOLUTION, "v": 1,
                 "recorded_at": to_rfc3339(now_utc()), "staff": by[:32],
                 "payload": {"field": resolution["field"], "key": resolution["key"],
                             "action": resolution["action"], "to": resolution.get("to")}}
        try:
            log.append_batch(day_id, COORDINATOR_DEVICE, [event], int(now_utc().timestamp() * 1000))
            return event
        except (SeqConflict, SeqGap):
            continue
    raise RuntimeError("could not append the resolution: too many concurrent coordinators")

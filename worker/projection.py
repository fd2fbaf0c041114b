"""Folding the central log into the totals, exactly once.

The tracking-record pattern: a chunk's figures and the new checkpoint are written in
one MULTI, guarded by WATCH on the checkpoint. A crash before EXEC writes nothing; two
workers folding the same chunk cannot both commit. So every log entry is counted once.
"""

import json
from collections import Counter

from redis import WatchError

from sync_service import keys
from worker.fold import contributions, is_void, void_effect
from worker.totals import build_document

CHUNK = 2000


def _entry(fields: dict) -> tuple[dict, int]:
    return json.loads(fields["e"]), int(fields.get("off", 0))


def _void_target(redis, day_id, void, voided_now, generation):
    """The event a void undoes, or None if the void must be ignored."""
    target_id = void["payload"]["target_event_id"]
    if target_id in voided_now or redis.hexists(keys.voided(day_id, generation), target_id):
        return None, 0
    stream_id = redis.hget(keys.event_index(day_id), target_id)
    if stream_id is None:
        return None, 0
    (_, fields), = redis.xrange(keys.log(day_id), stream_id, stream_id)
    target, offset = _entry(fields)
    if is_void(target) or target["device_id"] != void["device_id"]:
        return None, 0
    return target, offset


def fold_chunk(redis, day_id: str, plan, chunk: int = CHUNK, generation: str = "live") -> int:
    """Fold the next chunk after the checkpoint; returns how many entries it folded."""
    checkpoint_key = keys.checkpoint(day_id, generation)
    while True:
        with redis.pipeline() as pipe:
            try:
                pipe.watch(checkpoint_key)
                position = pipe.get(checkpoint_key) or "0-0"
                entries = pipe.xrange(keys.log(day_id), f"({position}", "+", count=chunk)
                if not entries:
                    return 0
                figures, voided_now = Counter(), {}
                for _, fields in entries:
                    event, offset = _entry(fields)
                    if is_void(event):
                        target, target_offset = _void_target(redis, day_id, event, voided_now, generation)
                        figures.update(void_effect(event, target, target_offset, plan))
                        if target is not None:
                            voided_now[target["event_id"]] = event["event_id"]
                    else:
                        figures.update(contributions(event, plan, offset))
                    figures["log.entries"] += 1
                pipe.multi()
                for name, amount in figures.items():
                    if amount:
                        pipe.hincrby(keys.totals(day_id, generation), name, amount)
                if voided_now:
                    pipe.hset(keys.voided(day_id, generation), mapping=voided_now)
                pipe.set(checkpoint_key, entries[-1][0])
                pipe.execute()
                return len(entries)
            except WatchError:
                continue  # another worker folded this chunk first; start again from its checkpoint


def fold_to_end(redis, day_id: str, plan, generation: str = "live") -> int:
    folded = 0
    while n := fold_chunk(redis, day_id, plan, generation=generation):
        folded += n
    return folded


def read_totals(redis, day_id: str, generation: str = "live") -> dict:
    """The totals document with the log position it reflects, read in one MULTI."""
    with redis.pipeline(transaction=True) as pipe:
        pipe.hgetall(keys.totals(day_id, generation))
        pipe.get(keys.checkpoint(day_id, generation))
        flat, position = pipe.execute()
    flat = {name: int(amount) for name, amount in flat.items()}
    entries = flat.pop("log.entries", 0)
    return {"day_id": day_id, "position": position or "0-0", "log_entries": entries, **build_document(flat)}

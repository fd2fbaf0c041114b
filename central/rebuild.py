"""Rebuild and verify a day's projection from the central log.

Rebuild folds the whole log into a fresh generation of keys while the live projection
keeps serving, then swaps the new keys in with one Lua script (RENAME each) that also
bumps the day's epoch, so a fold that read the old generation cannot commit on the new
one, and tells live viewers to reload. The live fold then carries on from the rebuilt
checkpoint. Verify folds into scratch keys up to the live checkpoint it snapshotted and
compares every hash of the projection, key by key; then it folds on to the end of the log
as it was at the snapshot, and counts the entries the live projection has not folded
yet: totals that are behind are not "verified" (issue 12: a stuck fold passed).
"""

import secrets
import time

from central import keys
from central.projection import fold_to_end

REBUILD_CHUNK = 20_000

SWAP = """
-- KEYS: the new generation's keys, the live ones in the same order, the epoch, the live checkpoint
local n = (#KEYS - 2) / 2
for i = 1, n do
  if redis.call('EXISTS', KEYS[i]) == 1 then redis.call('RENAME', KEYS[i], KEYS[n + i])
  else redis.call('DEL', KEYS[n + i]) end
end
redis.call('INCR', KEYS[#KEYS - 1])
local position = redis.call('GET', KEYS[#KEYS]) or '0-0'
redis.call('PUBLISH', ARGV[1], cjson.encode({position = position, reset = true, changed = {}}))
return position
"""


def _fresh_generation(redis, day_id: str, kind: str) -> str:
    generation = f"{kind}-{secrets.token_hex(4)}"
    redis.delete(*keys.projection(day_id, generation))
    return generation


def rebuild(redis, day_id: str, plan, chunk: int = REBUILD_CHUNK) -> dict:
    """Recompute the projection from the log and swap it in; returns what was done."""
    started = time.perf_counter()
    generation = _fresh_generation(redis, day_id, "rebuild")
    folded = fold_to_end(redis, day_id, plan, generation=generation, chunk=chunk)
    swap_keys = [*keys.projection(day_id, generation), *keys.projection(day_id),
                 keys.projection_epoch(day_id), keys.checkpoint(day_id)]
    position = redis.register_script(SWAP)(keys=swap_keys, args=[keys.updates_channel(day_id)])
    caught_up = fold_to_end(redis, day_id, plan)
    return {"day_id": day_id, "entries": folded, "position": position, "caught_up_after_swap": caught_up,
            "seconds": round(time.perf_counter() - started, 3)}


def _snapshot(redis, day_id: str, generation: str) -> tuple[str, dict, str]:
    """(checkpoint, hashes by kind, last log entry's id) read in one MULTI."""
    names = [k for k in keys.projection(day_id, generation) if k != keys.checkpoint(day_id, generation)]
    with redis.pipeline(transaction=True) as pipe:
        pipe.get(keys.checkpoint(day_id, generation))
        pipe.xrevrange(keys.log(day_id), count=1)
        for name in names:
            pipe.hgetall(name)
        position, last, *hashes = pipe.execute()
    kinds = [name.rsplit(":", 1)[1] for name in names]
    return position or "0-0", dict(zip(kinds, hashes, strict=True)), last[0][0] if last else "0-0"


def _differences(live: dict, scratch: dict) -> list[tuple]:
    differences = []
    for kind in sorted(live):
        for field in sorted(set(live[kind]) | set(scratch[kind])):
            if live[kind].get(field) != scratch[kind].get(field):
                differences.append((kind, field, live[kind].get(field), scratch[kind].get(field)))
    return differences


def verify(redis, day_id: str, plan, chunk: int = REBUILD_CHUNK) -> dict:
    """Recompute into scratch keys up to the live checkpoint and diff ('differences': every
    (hash, field, live value, recomputed value) that disagrees), then on to the end of the
    log ('unfolded': entries the live projection has not folded yet)."""
    position, live, end = _snapshot(redis, day_id, "live")
    generation = _fresh_generation(redis, day_id, "verify")
    try:
        fold_to_end(redis, day_id, plan, generation=generation, until=position, chunk=chunk)
        scratch_position, scratch, _ = _snapshot(redis, day_id, generation)
        unfolded = fold_to_end(redis, day_id, plan, generation=generation, until=end, chunk=chunk) \
            if position != end else 0
    finally:
        redis.delete(*keys.projection(day_id, generation))
    differences = _differences(live, scratch)
    if scratch_position != position:
        differences.insert(0, ("checkpoint", "", position, scratch_position))
    return {"day_id": day_id, "position": position, "log_end": end, "unfolded": unfolded,
            "figures": len(live["totals"]), "differences": differences}

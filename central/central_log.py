"""The central log: appending a device's batch in one atomic Lua step.

The script first checks the whole batch, then writes it, so a batch is appended whole
or not at all. Seqs at or below the device's acked_seq are re-sends: identical ones are
skipped, a different event id at a held seq is a conflict. A first new seq above
acked_seq + 1 is a gap. acked_seq moves in the same step as the appends (Replicache's
lastMutationID pattern), so "acked" and "stored" can never disagree.
"""

from dataclasses import dataclass

import orjson

from central import keys

APPEND_BATCH = """
local log, acked_key, seq_ids, eidx = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local device, rt, off = ARGV[1], ARGV[2], ARGV[3]
local acked = tonumber(redis.call('HGET', acked_key, device) or '0')
local expect = acked + 1
local n = (#ARGV - 3) / 3
for i = 0, n - 1 do
  local seq, id = tonumber(ARGV[4 + i * 3]), ARGV[5 + i * 3]
  if seq <= acked then
    local held = redis.call('HGET', seq_ids, device .. ':' .. seq)
    if held ~= id then return {'conflict', seq, held or '', id} end
  else
    if seq ~= expect then return {'gap', expect, seq} end
    if redis.call('HEXISTS', eidx, id) == 1 then return {'conflict', seq, id, id} end
    expect = expect + 1
  end
end
local accepted = 0
for i = 0, n - 1 do
  local seq, id, body = tonumber(ARGV[4 + i * 3]), ARGV[5 + i * 3], ARGV[6 + i * 3]
  if seq > acked then
    local sid = redis.call('XADD', log, '*', 'e', body, 'd', device, 'rt', rt, 'off', off)
    redis.call('HSET', seq_ids, device .. ':' .. seq, id)
    redis.call('HSET', eidx, id, sid)
    accepted = accepted + 1
  end
end
redis.call('HSET', acked_key, device, expect - 1)
return {'ok', expect - 1, accepted, n - accepted}
"""


@dataclass(frozen=True)
class Appended:
    acked_seq: int
    accepted: int
    duplicates: int


class SeqConflict(Exception):
    """The centre holds another event at this seq (e.g. a laptop restored from a backup)."""

    def __init__(self, seq: int, held_id: str, sent_id: str):
        super().__init__(f"seq {seq} is held as {held_id}, not {sent_id}")
        self.seq, self.held_id, self.sent_id = seq, held_id, sent_id


class SeqGap(Exception):
    """The batch starts after a seq the centre has not seen."""

    def __init__(self, expected: int, got: int):
        super().__init__(f"expected seq {expected}, got {got}")
        self.expected, self.got = expected, got


class CentralLog:
    def __init__(self, redis):
        self.redis = redis
        self._append = redis.register_script(APPEND_BATCH)

    def append_batch(self, day_id: str, device_id: str, events: list[dict], received_ms: int, offset_ms: int = 0):
        """Append a device's consecutive events; raises SeqConflict or SeqGap, else Appended."""
        args = [device_id, received_ms, offset_ms]
        for event in events:
            args += [event["seq"], event["event_id"], orjson.dumps(event, option=orjson.OPT_SORT_KEYS)]
        day_keys = [keys.log(day_id), keys.acked(day_id), keys.seq_ids(day_id), keys.event_index(day_id)]
        answer = self._append(keys=day_keys, args=args)
        kind = answer[0]
        if kind == "conflict":
            raise SeqConflict(int(answer[1]), answer[2], answer[3])
        if kind == "gap":
            raise SeqGap(int(answer[1]), int(answer[2]))
        if int(answer[2]):
            self.redis.sadd(keys.DAYS, day_id)
        return Appended(int(answer[1]), int(answer[2]), int(answer[3]))

    def acked_seq(self, day_id: str, device_id: str) -> int:
        return int(self.redis.hget(keys.acked(day_id), device_id) or 0)

    def length(self, day_id: str) -> int:
        return self.redis.xlen(keys.log(day_id))

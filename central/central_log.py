"""The central log: appending a device's batch in one atomic Lua step.

The script first checks the whole batch, then writes it, so a batch is appended whole
or not at all. Seqs at or below the device's acked_seq are re-sends: identical ones are
skipped, a different event id at a held seq is a conflict, and so is the same id with
other content (the script keeps a short digest of each seq's body beside its id: an
edited re-send of an acked seq was silently dropped). A new event whose id the log holds
already (another laptop's, or twice in the batch) is a conflict too. A first new seq
above acked_seq + 1 is a gap. acked_seq moves in the same step as the appends (Replicache's
lastMutationID pattern), so "acked" and "stored" can never disagree.
"""

import hashlib
import time
from dataclasses import dataclass

import orjson
from redis.exceptions import AskError, ClusterDownError, MovedError, ReadOnlyError, TryAgainError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from central import keys
from central.device_health import NOTE_HEALTH, HealthNote
from central.redis_client import is_cluster, node_client

# Each seq's record: the event id's 32 hex digits (no dashes) and the 16-hex content digest,
# 48 B at a fixed place in one of the device's strings of SEQ_RECORDS seqs each
# (keys.seq_records), where a field of the `seqids` hash cost ~128 B. A string is made at
# its full size when its first seq comes (SETRANGE on a missing key allocates exactly; a
# string grown seq by seq doubles its allocation, which cost ~28 B a seq more). Seqs a
# string does not hold (zero bytes) are looked up in that hash, which days appended before
# this layout still hold; an id that is not a canonical UUID is kept there too.
SEQ_RECORDS = 170  # 170 x 48 B = 8,160 B: with the string's header, one 8 KiB allocation
SEQ_RECORDS_LUA = """
local records = {}
for i = 8, #KEYS do records[tonumber(string.match(KEYS[i], ':(%d+)$'))] = KEYS[i] end
local function place(seq)
  return records[math.floor((seq - 1) / SEQ_RECORDS)], ((seq - 1) % SEQ_RECORDS) * 48
end
local function dashed(hex)
  return string.format('%s-%s-%s-%s-%s', hex:sub(1, 8), hex:sub(9, 12), hex:sub(13, 16), hex:sub(17, 20), hex:sub(21))
end
local function held(seq)
  local key, at = place(seq)
  local r = key and redis.call('GETRANGE', key, at, at + 47) or ''
  if #r == 48 and string.byte(r, 1) ~= 0 then return dashed(r:sub(1, 32)), r:sub(33) end
  return string.match(redis.call('HGET', KEYS[3], device .. ':' .. seq) or '', '^(%S*) ?(%S*)$')
end
-- the record drops the id's four dashes; any 36-character id with them in a UUID's places
-- (and no zero byte first) reads back exactly as it came
local sized = {}
local function keep(seq, id, digest)
  local key, at = place(seq)
  if #id == 36 and #digest == 16 and string.byte(id, 1) ~= 0
      and id:sub(9, 9) .. id:sub(14, 14) .. id:sub(19, 19) .. id:sub(24, 24) == '----' then
    if not sized[key] and redis.call('EXISTS', key) == 0 then
      redis.call('SETRANGE', key, SEQ_RECORDS * 48 - 1, '\\0')
    end
    sized[key] = true
    redis.call('SETRANGE', key, at, id:sub(1, 8) .. id:sub(10, 13) .. id:sub(15, 18) .. id:sub(20, 23) .. id:sub(25)
      .. digest)
  else
    redis.call('HSET', KEYS[3], device .. ':' .. seq, id .. ' ' .. digest)
  end
end
""".replace("SEQ_RECORDS", str(SEQ_RECORDS))

# The event index's value is the entry's stream id written short, in base 36 ('ms:seq',
# e.g. 'mhl2k1ab:1f' for 1765134567123-51): 10-11 characters fit Redis' 16-byte allocation
# where the 15-character id took 24, ~8 B an entry of the day's largest hash after the
# log. The one reader (projection_store.LOOKUP_EVENTS) reads both forms.
SHORT_SID_LUA = """
local digit = {}
for i = 0, 35 do digit[i] = string.sub('0123456789abcdefghijklmnopqrstuvwxyz', i + 1, i + 1) end
local function base36(x)
  local s = ''
  repeat s = digit[x % 36] .. s; x = math.floor(x / 36) until x == 0
  return s
end
local function short_sid(sid)
  local dash = string.find(sid, '-', 1, true)
  return base36(tonumber(string.sub(sid, 1, dash - 1))) .. ':' .. base36(tonumber(string.sub(sid, dash + 1)))
end
"""

# KEYS: log, acked, seqids (older days), eidx, archived, health, clock, then the device's
# seq record strings that hold the batch's seqs. ARGV: device, rt, off, n (the health
# note's argument count, 0 = no note), the note's arguments (central/device_health.py),
# then seq, id, body, digest per event.
APPEND_BATCH = """
local log, acked_key, eidx = KEYS[1], KEYS[2], KEYS[4]
if redis.call('EXISTS', KEYS[5]) == 1 then return {'archived'} end
local device = ARGV[1]
local rt, off, h = ARGV[2], ARGV[3], 5
local first = h + tonumber(ARGV[4])
""" + SEQ_RECORDS_LUA + SHORT_SID_LUA + NOTE_HEALTH + """
local acked = tonumber(redis.call('HGET', acked_key, device) or '0')
local expect = acked + 1
local n = (#ARGV - first + 1) / 4
local fresh = {}
for i = 0, n - 1 do
  local seq, id, digest = tonumber(ARGV[first + i * 4]), ARGV[first + 1 + i * 4], ARGV[first + 3 + i * 4]
  if seq <= acked then
    -- 'id digest' (older entries: the id alone, their content cannot be compared)
    local held_id, held_digest = held(seq)
    if held_id ~= id then return {'conflict', seq, held_id, id} end
    if held_digest ~= '' and held_digest ~= digest then return {'content', seq, id} end
  else
    if seq ~= expect then return {'gap', expect, seq} end
    if fresh[id] or redis.call('HEXISTS', eidx, id) == 1 then return {'taken', seq, id} end
    fresh[id] = true
    expect = expect + 1
  end
end
local accepted = 0
for i = 0, n - 1 do
  local seq, id = tonumber(ARGV[first + i * 4]), ARGV[first + 1 + i * 4]
  if seq > acked then
    local sid = redis.call('XADD', log, '*', 'e', ARGV[first + 2 + i * 4], 'd', device, 'rt', rt, 'off', off)
    keep(seq, id, ARGV[first + 3 + i * 4])
    redis.call('HSET', eidx, id, short_sid(sid))
    accepted = accepted + 1
  end
end
redis.call('HSET', acked_key, device, expect - 1)
if first > h then note_health(h, acked, expect - 1) end
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


class ContentConflict(SeqConflict):
    """A re-send of an acked seq with the same event id but other content."""

    def __init__(self, seq: int, event_id: str):
        super().__init__(seq, event_id, event_id)
        self.event_id = event_id
        self.args = (f"seq {seq} ({event_id}) is held with other content",)


class IdTaken(SeqConflict):
    """A new event whose id the log already holds (another laptop's, or twice in one batch)."""

    def __init__(self, seq: int, event_id: str):
        super().__init__(seq, event_id, event_id)
        self.event_id = event_id
        self.args = (f"event id {event_id} of seq {seq} is already in the log",)


def content_digest(body: bytes) -> str:
    """A short digest of an event's canonical JSON: tells an edited re-send from a true one."""
    return hashlib.blake2b(body, digest_size=8).hexdigest()


class SeqGap(Exception):
    """The batch starts after a seq the centre has not seen."""

    def __init__(self, expected: int, got: int):
        super().__init__(f"expected seq {expected}, got {got}")
        self.expected, self.got = expected, got


class DayArchived(Exception):
    """The day has been archived out of Redis; `openday restore` brings it back first."""


class NotReplicated(Exception):
    """WAIT saw fewer replicas take the batch than required: it is stored on the primary but
    not yet acknowledged (a failover now could lose it); the laptop's retry is idempotent."""

    def __init__(self, replicas: int, wanted: int):
        super().__init__(f"{replicas} of {wanted} replicas confirmed the batch")
        self.replicas, self.wanted = replicas, wanted


# A cluster that is failing over answers with these for a moment; the append is retried
# on the new map (safe: the script skips what it already holds).
TOPOLOGY_ERRORS = (MovedError, AskError, TryAgainError, ClusterDownError, RedisConnectionError, RedisTimeoutError,
                   ReadOnlyError)


class CentralLog:
    def __init__(self, redis, wait_replicas: int = 0, wait_timeout_ms: int = 500):
        self.redis = redis
        self.wait_replicas, self.wait_timeout_ms = wait_replicas, wait_timeout_ms
        self._append = redis.register_script(APPEND_BATCH)

    def append_batch(self, day_id: str, device_id: str, events: list[dict], received_ms: int, offset_ms: int = 0,
                     note: HealthNote | None = None):
        """Append a device's consecutive events and, if given, note the device's health in
        the same step; raises SeqConflict, ContentConflict, IdTaken or SeqGap (nothing
        written), else Appended. With wait_replicas, answers only once WAIT saw that many
        replicas hold it (else NotReplicated)."""
        health = note.args() if note else []
        args = [device_id, received_ms, offset_ms, len(health), *health]
        for event in events:
            body = orjson.dumps(event, option=orjson.OPT_SORT_KEYS)
            args += [event["seq"], event["event_id"], body, content_digest(body)]
        day_keys = [keys.log(day_id), keys.acked(day_id), keys.seq_ids(day_id), keys.event_index(day_id),
                    keys.archived(day_id), keys.device_health(day_id), keys.device_clock(day_id)]
        day_keys += [keys.seq_records(day_id, device_id, part)
                     for part in sorted({max(0, event["seq"] - 1) // SEQ_RECORDS for event in events})]
        answer, replicas = self._run(day_keys, args)
        kind = answer[0]
        if kind == "archived":
            raise DayArchived(day_id)
        if kind == "conflict":
            raise SeqConflict(int(answer[1]), answer[2], answer[3])
        if kind == "content":
            raise ContentConflict(int(answer[1]), answer[2])
        if kind == "taken":
            raise IdTaken(int(answer[1]), answer[2])
        if kind == "gap":
            raise SeqGap(int(answer[1]), int(answer[2]))
        if replicas < self.wait_replicas:
            raise NotReplicated(replicas, self.wait_replicas)
        if int(answer[2]):
            self.redis.sadd(keys.DAYS, day_id)
        return Appended(int(answer[1]), int(answer[2]), int(answer[3]))

    def _run(self, day_keys: list[str], args: list) -> tuple[list, int]:
        """The append script and, when replicas are wanted, WAIT on the same connection."""
        if not self.wait_replicas:
            return self._append(keys=day_keys, args=args), 0
        for attempt in range(4):
            try:
                with node_client(self.redis, day_keys[0]).pipeline(transaction=False) as pipe:
                    self._append(keys=day_keys, args=args, client=pipe)
                    pipe.execute_command("WAIT", self.wait_replicas, self.wait_timeout_ms)
                    answer, replicas = pipe.execute()
                return answer, int(replicas)
            except TOPOLOGY_ERRORS:
                if attempt == 3 or not is_cluster(self.redis):
                    raise
                time.sleep(0.25 * (attempt + 1))
                self.redis.nodes_manager.initialize()  # learn who holds the slot now
        raise AssertionError("unreachable")

    def acked_seq(self, day_id: str, device_id: str) -> int:
        return int(self.redis.hget(keys.acked(day_id), device_id) or 0)

    def length(self, day_id: str) -> int:
        return self.redis.xlen(keys.log(day_id))

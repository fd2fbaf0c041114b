"""The projection's Redis side: Lua scripts that read a chunk and commit its changes.

The commit is the tracking-record pattern in one script: it checks that the checkpoint
(and the epoch a rebuild swap bumps) is still what the chunk was read after, then applies
every change, moves the checkpoint and publishes the new values of the changed figures.
Redis runs a script atomically, so a crash before it writes nothing and two workers
folding the same chunk cannot both commit. Figures that reach 0 are deleted, so a
projection's hashes are canonical: the same log gives the same keys, byte for byte.
"""

from sync_service import keys
from worker.chunk import ChunkChanges

READ_CHUNK = """
local position = redis.call('GET', KEYS[1]) or '0-0'
local epoch = redis.call('GET', KEYS[2]) or '0'
local after = ARGV[3] ~= '' and ARGV[3] or position  -- a read-ahead reads after the chunk being folded
local rows = redis.call('XRANGE', KEYS[3], '(' .. after, ARGV[2], 'COUNT', tonumber(ARGV[1]))
local flat = {}
for i, row in ipairs(rows) do
  local f = row[2]
  local e, off, rt = '', '0', '0'
  for j = 1, #f, 2 do
    local name = f[j]
    if name == 'e' then e = f[j + 1] elseif name == 'off' then off = f[j + 1] elseif name == 'rt' then rt = f[j + 1] end
  end
  flat[#flat + 1] = row[1]; flat[#flat + 1] = e; flat[#flat + 1] = off; flat[#flat + 1] = rt
end
return {position, epoch, flat, redis.call('HGETALL', KEYS[4])}
"""

# For each event id: whether it is voided, and its log entry (sid, body, off, rt) if any.
LOOKUP_EVENTS = """
local out = {}
for i, id in ipairs(ARGV) do
  local voided = redis.call('HEXISTS', KEYS[1], id)
  local sid = redis.call('HGET', KEYS[2], id)
  local body, off, rt = '', '0', '0'
  if sid then
    local rows = redis.call('XRANGE', KEYS[3], sid, sid)
    local f = rows[1][2]
    for j = 1, #f, 2 do
      local name = f[j]
      if name == 'e' then body = f[j + 1]
      elseif name == 'off' then off = f[j + 1]
      elseif name == 'rt' then rt = f[j + 1] end
    end
  end
  out[#out + 1] = voided; out[#out + 1] = sid or ''; out[#out + 1] = body; out[#out + 1] = off; out[#out + 1] = rt
end
return out
"""

COMMIT = """
if (redis.call('GET', KEYS[1]) or '0-0') ~= ARGV[1] then return 0 end
if (redis.call('GET', KEYS[2]) or '0') ~= ARGV[2] then return 0 end
local totals, voided, hot, quarantine, qindex, resolutions = KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7], KEYS[8]
local changed, i = {}, 5
local function count() local n = tonumber(ARGV[i]); i = i + 1; return n end
for _ = 1, count() do
  local name = ARGV[i]
  local value = redis.call('HINCRBY', totals, name, ARGV[i + 1])
  if value == 0 then redis.call('HDEL', totals, name) end
  changed[name] = value; i = i + 2
end
for _ = 1, count() do
  local name, value = ARGV[i], ARGV[i + 1]
  if value == '0' then redis.call('HDEL', totals, name) else redis.call('HSET', totals, name, value) end
  changed[name] = tonumber(value); i = i + 2
end
for _ = 1, count() do redis.call('HSET', voided, ARGV[i], ARGV[i + 1]); i = i + 2 end
for _ = 1, count() do redis.call('HSET', hot, ARGV[i], ARGV[i + 1]); i = i + 2 end
for _ = 1, count() do redis.call('HDEL', hot, ARGV[i]); i = i + 1 end
for _ = 1, count() do
  if redis.call('HINCRBY', quarantine, ARGV[i], ARGV[i + 1]) <= 0 then redis.call('HDEL', quarantine, ARGV[i]) end
  i = i + 2
end
for _ = 1, count() do
  local held = redis.call('HGET', qindex, ARGV[i])
  redis.call('HSET', qindex, ARGV[i], held and (held .. ',' .. ARGV[i + 1]) or ARGV[i + 1]); i = i + 2
end
for _ = 1, count() do redis.call('HDEL', quarantine, ARGV[i]); redis.call('HDEL', qindex, ARGV[i]); i = i + 1 end
for _ = 1, count() do redis.call('HSET', resolutions, ARGV[i], ARGV[i + 1]); i = i + 2 end
redis.call('SET', KEYS[1], ARGV[3])
if ARGV[4] ~= '' then
  redis.call('PUBLISH', ARGV[4], cjson.encode({position = ARGV[3], changed = changed}))
end
return 1
"""


def _pairs(mapping: dict) -> list:
    out = [len(mapping)]
    for key, value in mapping.items():
        out += [key, value]
    return out


def _items(values: list) -> list:
    return [len(values), *values]


class ProjectionStore:
    """One day's projection generation in Redis."""

    def __init__(self, redis, day_id: str, generation: str = "live"):
        self.redis, self.day_id, self.generation = redis, day_id, generation
        self._read = redis.register_script(READ_CHUNK)
        self._lookup = redis.register_script(LOOKUP_EVENTS)
        self._commit = redis.register_script(COMMIT)

    def read_chunk(self, count: int, until: str = "+", after: str = "") -> tuple[str, str, list, list]:
        """(checkpoint, epoch, flat [sid, body, off, rt, ...] of the entries after the checkpoint
        (or after `after`), resolutions folded so far as a flat HGETALL)."""
        d, g = self.day_id, self.generation
        position, epoch, flat, resolved = self._read(
            keys=[keys.checkpoint(d, g), keys.projection_epoch(d), keys.log(d), keys.resolutions(d, g)],
            args=[count, until, after])
        return position, epoch, flat, resolved

    def lookup(self, event_ids: list[str]) -> dict[str, tuple[bool, list]]:
        """event id -> (voided?, [sid, body, off, rt] or None when not in the log)."""
        if not event_ids:
            return {}
        d, g = self.day_id, self.generation
        flat = self._lookup(keys=[keys.voided(d, g), keys.event_index(d), keys.log(d)], args=event_ids)
        found = {}
        for n, event_id in enumerate(event_ids):
            voided, sid, body, off, rt = flat[n * 5:n * 5 + 5]
            found[event_id] = (bool(int(voided)), [sid, body, off, rt] if sid else None)
        return found

    def quarantined_entries(self, field_key: str) -> list[str]:
        held = self.redis.hget(keys.quarantine_index(self.day_id, self.generation), field_key)
        return held.split(",") if held else []

    def commit(self, position: str, epoch: str, new_position: str, changes: ChunkChanges, publish: bool) -> bool:
        d, g = self.day_id, self.generation
        args = [position, epoch, new_position, keys.updates_channel(d) if publish else ""]
        args += _pairs(changes.increments) + _pairs(changes.sets) + _pairs(changes.voided)
        args += _pairs(changes.hot_add) + _items(changes.hot_del) + _pairs(changes.quarantine_delta)
        args += _pairs(changes.quarantine_index_add) + _items(changes.quarantine_drop) + _pairs(changes.resolutions)
        day_keys = [keys.checkpoint(d, g), keys.projection_epoch(d), keys.totals(d, g), keys.voided(d, g),
                    keys.hot_issues(d, g), keys.quarantine(d, g), keys.quarantine_index(d, g), keys.resolutions(d, g)]
        return bool(self._commit(keys=day_keys, args=args))

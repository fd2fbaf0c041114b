"""The projection's Redis side: reading a chunk, and the Lua script that commits its changes.

The commit is the tracking-record pattern in one script: it checks that the checkpoint
(and the epoch a rebuild swap bumps) is still what the chunk was read after, then applies
every change, moves the checkpoint and publishes the new values of the changed figures.
Redis runs a script atomically, so a crash before it writes nothing and two workers
folding the same chunk cannot both commit. Figures that reach 0 are deleted, so a
projection's hashes are canonical: the same log gives the same keys, byte for byte.
"""

import weakref

from central import keys
from central.chunk import ChunkChanges
from central.redis_client import bytes_twin

# For each event id: whether it is voided, and its log entry (sid, body, off, rt) if any.
# The event index holds the stream id in base 36 ('ms:seq', central_log.SHORT_SID_LUA), or
# as the stream id itself (days appended before that).
LOOKUP_EVENTS = """
local function stream_id(held)
  local ms, n = string.match(held, '^(%w+):(%w+)$')
  if not ms then return held end
  return string.format('%.0f-%.0f', tonumber(ms, 36), tonumber(n, 36))
end
local out = {}
for i, id in ipairs(ARGV) do
  local voided = redis.call('HEXISTS', KEYS[1], id)
  local sid = redis.call('HGET', KEYS[2], id)
  if sid then sid = stream_id(sid) end
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
for _ = 1, count() do redis.call('HSET', KEYS[9], ARGV[i], ARGV[i + 1]); i = i + 2 end
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


_byte_clients: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def byte_client(redis):
    """A client of the same data whose replies stay bytes, and whose XRANGE replies stay
    the nested lists hiredis parsed. The log's bodies are UTF-8 JSON: orjson parses a
    chunk of them from bytes about three times faster than from str (no decode, no
    re-encode), and decoding each field would cost as much again. One per connection pool
    (per cluster client in cluster mode, where XRANGE rows may come back as dicts)."""
    owner = getattr(redis, "connection_pool", redis)
    client = _byte_clients.get(owner)
    if client is None:
        client = bytes_twin(redis)
        client.set_response_callback("XRANGE", lambda response, **_: response)
        _byte_clients[owner] = client
    return client


class ProjectionStore:
    """One day's projection generation in Redis."""

    def __init__(self, redis, day_id: str, generation: str = "live"):
        self.redis, self.day_id, self.generation = redis, day_id, generation
        self._bytes = byte_client(redis)
        self._lookup = redis.register_script(LOOKUP_EVENTS)
        self._commit = redis.register_script(COMMIT)

    def read_chunk(self, count: int, until: str = "+", after: str = "") -> tuple[str, str, list, dict]:
        """(position read after, epoch, flat [sid, body, off, rt, ...] of the entries after it,
        resolutions folded so far). The position is the checkpoint unless `after` is given
        (a read-ahead); a commit of what was read succeeds only if the checkpoint is still it.
        In `flat` the sids are str, the bodies (JSON), offsets and receive times bytes."""
        d, g = self.day_id, self.generation
        after = after or self.redis.get(keys.checkpoint(d, g)) or "0-0"
        with self._bytes.pipeline(transaction=True) as pipe:  # epoch and resolutions as of one moment
            pipe.get(keys.projection_epoch(d))
            pipe.hgetall(keys.resolutions(d, g))
            pipe.execute_command("XRANGE", keys.log(d), f"({after}", until, "COUNT", count)
            epoch, resolved, rows = pipe.execute()
        flat = []
        for sid, f in rows:
            if isinstance(f, dict):  # a cluster node's own XRANGE callback made it a dict
                f = [x for pair in f.items() for x in pair]
            if len(f) == 8 and f[0] == b"e" and f[4] == b"rt" and f[6] == b"off":  # as central_log appends them
                flat += (sid.decode(), f[1], f[7], f[5])
            else:
                fields = dict(zip(f[::2], f[1::2], strict=True))
                flat += (sid.decode(), fields.get(b"e", b""), fields.get(b"off", b"0"), fields.get(b"rt", b"0"))
        resolved = {k.decode(): v.decode() for k, v in resolved.items()}
        return after, epoch.decode() if epoch else "0", flat, resolved

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
        args += _pairs(changes.rejected)
        day_keys = [keys.checkpoint(d, g), keys.projection_epoch(d), keys.totals(d, g), keys.voided(d, g),
                    keys.hot_issues(d, g), keys.quarantine(d, g), keys.quarantine_index(d, g), keys.resolutions(d, g),
                    keys.rejected(d, g)]
        return bool(self._commit(keys=day_keys, args=args))

"""The device's health note, written by the append script in the same step as the batch.

A push used to run two scripts (the append, then this note): two round trips and, with
appendfsync always, two fsyncs of the AOF. The note is now a Lua function inside the
append script (central_log.APPEND_BATCH), called only when the batch is appended, so a
refused push still changes nothing. Its semantics are those of issue 12's note: concurrent
pushes with one token each add their far-off events, last_seen only moves forward, and the
clock sample kept is the best of the stored one and this push's candidates
(shared/clock_sync.keep_better, in Lua).
"""

import json
from dataclasses import dataclass

from shared.clock_sync import SAMPLE_MAX_AGE_MS, ClockSample

# note_health(h, acked, last): ARGV[h] .. ARGV[h + 4] are booth, last_seen, the seqs sent
# far off (comma-separated), the pending base ('' = not reported; the laptop's pending
# count plus the seq before its batch) and the sample age limit; then the clock samples.
# `acked` is the device's mark before the batch (only events above it count as far off),
# `last` after it.
NOTE_HEALTH = """
local function note_health(h, acked, last)
  local raw = redis.call('HGET', KEYS[6], device)
  local state = raw and cjson.decode(raw) or {}
  local far = 0
  for seq in string.gmatch(ARGV[h + 2], '%d+') do
    if tonumber(seq) > acked then far = far + 1 end
  end
  state.far_off_events = (tonumber(state.far_off_events) or 0) + far
  state.booth_id = ARGV[h]
  if type(state.last_seen) ~= 'string' or ARGV[h + 1] > state.last_seen then state.last_seen = ARGV[h + 1] end
  if ARGV[h + 3] ~= '' then state.pending = math.max(0, tonumber(ARGV[h + 3]) - last) end
  redis.call('HSET', KEYS[6], device, cjson.encode(state))
  local best, best_json = nil, nil
  local held = redis.call('HGET', KEYS[7], device)
  if held then best = cjson.decode(held); best_json = held end
  for i = h + 5, h + tonumber(ARGV[4]) - 1 do
    local new = cjson.decode(ARGV[i])
    local new_rtt, best_rtt = new.rtt_ms, best and best.rtt_ms
    if new_rtt == cjson.null then new_rtt = nil end
    if best_rtt == cjson.null then best_rtt = nil end
    local take
    if best == nil or new.at_ms - best.at_ms > tonumber(ARGV[h + 4]) then take = true
    elseif new_rtt == nil then take = best_rtt == nil
    else take = best_rtt == nil or new_rtt <= best_rtt end
    if take then best, best_json = new, ARGV[i] end
  end
  if best_json and best_json ~= held then redis.call('HSET', KEYS[7], device, best_json) end
end
"""


@dataclass(frozen=True)
class HealthNote:
    """What a push tells of its laptop: its booth, when it was seen, the seqs of its events
    whose time was far off, the pending count it reported (None: not reported) and the
    clock samples this push gave."""

    booth_id: str
    last_seen: str
    far_off_seqs: list[int]
    pending: int | None
    first_seq: int
    samples: list[ClockSample]

    def args(self) -> list:
        """The note's part of the append script's ARGV (see NOTE_HEALTH)."""
        base = "" if self.pending is None else self.first_seq - 1 + self.pending
        return [self.booth_id, self.last_seen, ",".join(map(str, self.far_off_seqs)), base, SAMPLE_MAX_AGE_MS,
                *(json.dumps(sample.as_dict()) for sample in self.samples)]

"""Accepting a device's batch: estimate its clock, refuse times that cannot be true,
append it atomically, note its health in one Lua step, ask for a fold. The HTTP route
(push_api.py) parses and maps errors around this."""

import json
import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from redis.exceptions import RedisError

from central import keys
from central.central_log import Appended
from central.queue import request_fold
from shared.clock import OUTSIDE_WINDOW, in_window, to_rfc3339
from shared.clock_sync import (
    SAMPLE_MAX_AGE_MS,
    ClockSample,
    estimate_clock_offset,
    is_far_off,
    keep_better,
    one_way_offset,
    to_ms,
)
from sync_service.devices.tokens import Device

log_error = logging.getLogger(__name__).error


# The device's health record and clock sample, updated together in one step: concurrent
# pushes with one token each add their far-off events (read-modify-write in Python lost
# three of four), last_seen only moves forward, and the clock sample kept is the best of
# the stored one and this push's candidates (shared/clock_sync.keep_better, in Lua).
NOTE_HEALTH = """
local device = ARGV[1]
local raw = redis.call('HGET', KEYS[1], device)
local h = raw and cjson.decode(raw) or {}
h.far_off_events = (tonumber(h.far_off_events) or 0) + tonumber(ARGV[4])
h.booth_id = ARGV[2]
if type(h.last_seen) ~= 'string' or ARGV[3] > h.last_seen then h.last_seen = ARGV[3] end
if ARGV[5] ~= '' then h.pending = tonumber(ARGV[5]) end
redis.call('HSET', KEYS[1], device, cjson.encode(h))
local best, best_json = nil, nil
local held = redis.call('HGET', KEYS[2], device)
if held then best = cjson.decode(held); best_json = held end
for i = 7, #ARGV do
  local new = cjson.decode(ARGV[i])
  local new_rtt, best_rtt = new.rtt_ms, best and best.rtt_ms
  if new_rtt == cjson.null then new_rtt = nil end
  if best_rtt == cjson.null then best_rtt = nil end
  local take
  if best == nil or new.at_ms - best.at_ms > tonumber(ARGV[6]) then take = true
  elseif new_rtt == nil then take = best_rtt == nil
  else take = best_rtt == nil or new_rtt <= best_rtt end
  if take then best, best_json = new, ARGV[i] end
end
if best_json and best_json ~= held then redis.call('HSET', KEYS[2], device, best_json) end
return 1
"""


class ImplausibleTimes(Exception):
    """Events whose time, corrected by the laptop's clock offset, is outside the window:
    {index: {'recorded_at': [message]}}, nothing stored."""

    def __init__(self, errors: dict):
        super().__init__(errors)
        self.errors = errors


def _script(redis, text: str):
    """The client's Script object for `text`, made once per client (register_script hashes
    the text on every call; a push would hash the health script each time)."""
    scripts = redis.__dict__.setdefault("_openday_scripts", {})
    if text not in scripts:
        scripts[text] = redis.register_script(text)
    return scripts[text]


@dataclass(frozen=True)
class Accepted:
    appended: Appended
    clock: ClockSample


def _candidates(batch: dict, received_ms: int) -> list[ClockSample]:
    samples = [one_way_offset(to_ms(batch["sent_at"]), received_ms)]
    if exchange := batch.get("clock"):
        times = [to_ms(exchange[name]) for name in ("sent_at", "received_at", "server_time", "answered_at")]
        if sample := estimate_clock_offset(*times, at_ms=received_ms):
            samples.append(sample)
    return samples


def recorded_ms(events: list[dict]) -> list[int]:
    """Each event's recorded_at in epoch ms, parsed once per push (two checks use it)."""
    return [to_ms(event["recorded_at"]) for event in events]


def _far_off_count(events: list[dict], times: list[int], appended: Appended, offset_ms: int,
                   received_ms: int) -> int:
    first_new = appended.acked_seq - appended.accepted
    return sum(1 for event, at in zip(events, times, strict=True) if event["seq"] > first_new
               and is_far_off(at, offset_ms, received_ms))


def refuse_implausible_times(times: list[int], offset_ms: int) -> None:
    """Raise ImplausibleTimes when an event's time (`times`, epoch ms), after correcting the
    laptop's clock, lies outside the window (its own time was checked by the schema)."""
    errors = {index: {"recorded_at": [OUTSIDE_WINDOW + " (after clock correction)"]}
              for index, at in enumerate(times) if not in_window(at - offset_ms)}
    if errors:
        raise ImplausibleTimes(errors)


def still_pending(batch: dict, appended: Appended) -> int | None:
    """Events the laptop holds past what is now acked (None when the batch does not say)."""
    if "pending" not in batch:
        return None
    return max(0, batch["events"][0]["seq"] - 1 + batch["pending"] - appended.acked_seq)


def _note_health(redis, device: Device, batch: dict, samples: list[ClockSample], appended: Appended,
                 far_off: int, received_ms: int) -> None:
    pending = still_pending(batch, appended)
    pending = "" if pending is None else pending
    args = [device.device_id, device.booth_id, to_rfc3339_ms(received_ms), far_off, pending, SAMPLE_MAX_AGE_MS]
    args += [json.dumps(sample.as_dict()) for sample in samples]
    day = device.day_id
    _script(redis, NOTE_HEALTH)(keys=[keys.device_health(day), keys.device_clock(day)], args=args)


def accept_batch(redis, rq_redis, log, device: Device, batch: dict, received_ms: int) -> Accepted:
    """Append the batch (raises ImplausibleTimes, SeqConflict and its kinds, SeqGap) and
    record what the push told us. A fold is asked for when the laptop has nothing more to
    send: while a backlog streams in, a fold per batch forked a work horse per push on the
    cores the push needs (docs/performance.md, "The push (this session)"). Should the
    laptop stop mid-backlog, the worker's catch-up loop folds the lagging day within
    OPENDAY_CATCHUP_SECONDS (default 2)."""
    day, device_id = device.day_id, device.device_id
    raw_clock = redis.hget(keys.device_clock(day), device_id)
    clock = ClockSample(**json.loads(raw_clock)) if raw_clock else None
    samples = _candidates(batch, received_ms)
    for sample in samples:
        clock = keep_better(clock, sample)
    times = recorded_ms(batch["events"])
    refuse_implausible_times(times, clock.offset_ms)
    appended = log.append_batch(day, device_id, batch["events"], received_ms, offset_ms=clock.offset_ms)
    far_off = _far_off_count(batch["events"], times, appended, clock.offset_ms, received_ms)
    _note_health(redis, device, batch, samples, appended, far_off, received_ms)
    if appended.accepted and not still_pending(batch, appended):
        try:
            request_fold(redis, rq_redis, day)
        except RedisError:  # the events are stored and acked; the next push that adds any asks again
            log_error("fold not requested for %s", day, exc_info=True)
    return Accepted(appended, clock)


def to_rfc3339_ms(millis: int) -> str:
    return to_rfc3339(datetime.fromtimestamp(millis / 1000, UTC))

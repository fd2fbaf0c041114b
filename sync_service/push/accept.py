"""Accepting a device's batch: estimate its clock, refuse times that cannot be true,
append it and note its health in one Lua step (central/device_health.py), ask for a fold.
The HTTP route (push_api.py) parses and maps errors around this."""

import json
import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from redis.exceptions import RedisError

from central import keys
from central.central_log import Appended
from central.device_health import HealthNote
from central.queue import request_fold
from shared.clock import OUTSIDE_WINDOW, in_window, to_rfc3339
from shared.clock_sync import (
    ClockSample,
    estimate_clock_offset,
    is_far_off,
    keep_better,
    one_way_offset,
    to_ms,
)
from sync_service.devices.tokens import Device

log_error = logging.getLogger(__name__).error


class ImplausibleTimes(Exception):
    """Events whose time, corrected by the laptop's clock offset, is outside the window:
    {index: {'recorded_at': [message]}}, nothing stored."""

    def __init__(self, errors: dict):
        super().__init__(errors)
        self.errors = errors


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


def _far_off_seqs(events: list[dict], times: list[int], offset_ms: int, received_ms: int) -> list[int]:
    """Seqs of the events whose corrected time is far from the server's (the append
    script counts those it stores)."""
    return [event["seq"] for event, at in zip(events, times, strict=True) if is_far_off(at, offset_ms, received_ms)]


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


def _health_note(device: Device, batch: dict, samples: list[ClockSample], far_off: list[int],
                 received_ms: int) -> HealthNote:
    return HealthNote(device.booth_id, to_rfc3339_ms(received_ms), far_off, batch.get("pending"),
                      batch["events"][0]["seq"], samples)


def accept_batch(redis, rq_redis, log, device: Device, batch: dict, received_ms: int) -> Accepted:
    """Append the batch (raises ImplausibleTimes, SeqConflict and its kinds, SeqGap) and
    record what the push told us. A fold is asked for when the laptop has nothing more to
    send: while a backlog streams in, a fold per batch forked a work horse per push on the
    cores the push needs (docs/performance.md, "The push (second session)"). Should the
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
    far_off = _far_off_seqs(batch["events"], times, clock.offset_ms, received_ms)
    note = _health_note(device, batch, samples, far_off, received_ms)
    appended = log.append_batch(day, device_id, batch["events"], received_ms, offset_ms=clock.offset_ms, note=note)
    if appended.accepted and not still_pending(batch, appended):
        try:
            request_fold(redis, rq_redis, day)
        except RedisError:  # the events are stored and acked; the next push that adds any asks again
            log_error("fold not requested for %s", day, exc_info=True)
    return Accepted(appended, clock)


def to_rfc3339_ms(millis: int) -> str:
    return to_rfc3339(datetime.fromtimestamp(millis / 1000, UTC))

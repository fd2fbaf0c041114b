"""Accepting a device's batch: estimate its clock, append it atomically, note its health,
ask for a fold. The HTTP route (push_api.py) parses and maps errors around this."""

import json
import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from redis.exceptions import RedisError

from central import keys
from central.central_log import Appended
from central.queue import request_fold
from shared.clock import to_rfc3339
from shared.clock_sync import ClockSample, estimate_clock_offset, is_far_off, keep_better, one_way_offset, to_ms
from sync_service.devices.tokens import Device

log_error = logging.getLogger(__name__).error


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


def _far_off_count(events: list[dict], appended: Appended, offset_ms: int, received_ms: int) -> int:
    first_new = appended.acked_seq - appended.accepted
    return sum(1 for event in events if event["seq"] > first_new
               and is_far_off(to_ms(event["recorded_at"]), offset_ms, received_ms))


def accept_batch(redis, rq_redis, log, device: Device, batch: dict, received_ms: int) -> Accepted:
    """Append the batch (raises SeqConflict / SeqGap) and record what the push told us."""
    day, device_id = device.day_id, device.device_id
    with redis.pipeline(transaction=False) as pipe:
        pipe.hget(keys.device_clock(day), device_id)
        pipe.hget(keys.device_health(day), device_id)
        raw_clock, raw_health = pipe.execute()
    stored = ClockSample(**json.loads(raw_clock)) if raw_clock else None
    clock = stored
    for sample in _candidates(batch, received_ms):
        clock = keep_better(clock, sample)
    appended = log.append_batch(day, device_id, batch["events"], received_ms, offset_ms=clock.offset_ms)
    health = json.loads(raw_health) if raw_health else {"far_off_events": 0}
    health.update(booth_id=device.booth_id, last_seen=to_rfc3339_ms(received_ms))
    if "pending" in batch:
        health["pending"] = max(0, batch["events"][0]["seq"] - 1 + batch["pending"] - appended.acked_seq)
    health["far_off_events"] += _far_off_count(batch["events"], appended, clock.offset_ms, received_ms)
    with redis.pipeline(transaction=False) as pipe:
        if clock != stored:
            pipe.hset(keys.device_clock(day), device_id, json.dumps(clock.as_dict()))
        pipe.hset(keys.device_health(day), device_id, json.dumps(health))
        pipe.execute()
    if appended.accepted:
        try:
            request_fold(redis, rq_redis, day)
        except RedisError:  # the events are stored and acked; the next push that adds any asks again
            log_error("fold not requested for %s", day, exc_info=True)
    return Accepted(appended, clock)


def to_rfc3339_ms(millis: int) -> str:
    return to_rfc3339(datetime.fromtimestamp(millis / 1000, UTC))

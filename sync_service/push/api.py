"""POST /api/v1/sync/push: parse (auth, size, JSON, schema, scope), call accept_batch,
map the outcome to HTTP. Re-sends (seqs the centre has acked) are recognised before
validation: only what follows them goes through the schema (_accept_after_resends)."""

import time

from flask import Blueprint, current_app, jsonify, request
from marshmallow import ValidationError
from redis.exceptions import ClusterDownError, ClusterError, TryAgainError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from central.central_log import ContentConflict, DayArchived, IdTaken, NotReplicated, SeqConflict, SeqGap
from shared.clock import now_utc, to_rfc3339
from shared.protocol import MAX_BATCH_BYTES, MAX_BATCH_EVENTS, PUSH_BATCH
from sync_service.devices.auth import RateLimited, authenticate_device, rate_limited_response
from sync_service.devices.tokens import Device
from sync_service.errors import ApiError
from sync_service.push.accept import ImplausibleTimes, accept_batch, to_rfc3339_ms
from sync_service.request_body import read_json_object

bp = Blueprint("push", __name__)
PUSH_RATE_PER_S = 50  # per token; OPENDAY_PUSH_RATE_PER_S overrides (0 = no limit)
FOLLOWS_HEADER = "OpenDay-Follows-Seq"
PREDECESSOR_WAIT_S = 1.0  # a pipelined batch that overtook the one before it waits this long for it
PREDECESSOR_POLL_S = 0.002


bp.register_error_handler(RateLimited, rate_limited_response)


@bp.errorhandler(RedisConnectionError)
@bp.errorhandler(RedisTimeoutError)
@bp.errorhandler(ClusterError)  # a cluster failing over: no slot map for a moment
@bp.errorhandler(ClusterDownError)
@bp.errorhandler(TryAgainError)
def _redis_down(exc):
    # Nothing was acknowledged: the laptop keeps the batch and retries.
    return jsonify(error="redis_unavailable", message="The central store is unavailable; retry shortly."), \
        503, {"Retry-After": "2"}


def _too_many_events(body: dict) -> None:
    events = body.get("events")
    if isinstance(events, list) and len(events) > MAX_BATCH_EVENTS:
        raise ApiError(413, "too_large", f"A batch holds at most {MAX_BATCH_EVENTS} events, not {len(events)}.",
                       limit_events=MAX_BATCH_EVENTS)


def _load_batch(body: dict) -> dict:
    try:
        return PUSH_BATCH.load(body)
    except ValidationError as exc:
        raise ApiError(422, "invalid", "The batch is not valid; nothing was stored.", errors=exc.messages) from exc


def _check_scope(device: Device, batch: dict) -> None:
    """A device writes only as itself, for its own booth and day."""
    if batch["device_id"] != device.device_id:
        raise ApiError(403, "forbidden", f"This token belongs to device {device.device_id}.")
    for index, event in enumerate(batch["events"]):
        if (event["booth_id"], event["day_id"]) != (device.booth_id, device.day_id):
            raise ApiError(403, "forbidden", f"Event {index} is not for this device's booth and day.")


def _resent_prefix(log, device: Device, body: dict) -> int:
    """How many leading events of the body are re-sends (seqs at or below the device's
    acked seq), read before any validation; 0 when the body is not plainly shaped."""
    events = body.get("events")
    if body.get("device_id") != device.device_id or not isinstance(events, list) or not events \
            or type(events[0]) is not dict or type(events[0].get("seq")) is not int:
        return 0
    acked, count = log.acked_seq(device.day_id, device.device_id), 0
    for event in events:
        if type(event) is not dict or type(event.get("seq")) is not int or event["seq"] > acked:
            break
        count += 1
    return count


def _accept_after_resends(ctx, device: Device, body: dict, resent: int, received_ms: int):
    """Validate only what follows the re-sends and accept the batch; None if that does not
    go through (then the whole body takes the ordinary path, with its own answers).
    Safe because the append script stores no re-send: it compares each one's id and the
    digest of its canonical JSON with what was validated and stored at that seq, so a
    re-send it passes is that validated event (an entry older than digests is compared
    by id, and is skipped unstored all the same)."""
    events = body["events"]
    rest = events[resent:]
    try:
        head = PUSH_BATCH.load({**body, "events": rest or events[-1:]})
        batch = {**head, "events": events[:resent] + (head["events"] if rest else [])}
        return _accept(ctx, device, batch, received_ms)
    except (ValidationError, KeyError, TypeError, ValueError):
        return None
    except ApiError as exc:
        if exc.status == 503:  # not replicated: the new events are stored, the answer stands
            raise
        return None  # refused (scope, times, conflict, gap, archived): nothing stored


@bp.post("/api/v1/sync/push")
def push():
    ctx = current_app.extensions["openday"]
    device = authenticate_device(ctx["redis"], int(current_app.config.get("PUSH_RATE_PER_S", PUSH_RATE_PER_S)))
    body = read_json_object(MAX_BATCH_BYTES)
    _too_many_events(body)
    received_ms = time.time_ns() // 1_000_000
    resent = _resent_prefix(ctx["log"], device, body)
    if resent and (accepted := _accept_after_resends(ctx, device, body, resent, received_ms)):
        return _answer(accepted, received_ms)
    accepted = _accept(ctx, device, _load_batch(body), received_ms)
    return _answer(accepted, received_ms)


def _follows_seq() -> int | None:
    """The seq the laptop's previous batch ended at, when it sent this one before that one was
    answered (field_app/sync_client.py, OpenDay-Follows-Seq); None otherwise."""
    value = request.headers.get(FOLLOWS_HEADER, "")
    return int(value) if value.isascii() and value.isdigit() and len(value) < 19 else None


def _wait_for_acked(log, device: Device, seq: int, deadline: float) -> bool:
    """Whether the device's acked seq reaches `seq` before `deadline` (time.monotonic)."""
    while time.monotonic() < deadline:
        if log.acked_seq(device.day_id, device.device_id) >= seq:
            return True
        time.sleep(PREDECESSOR_POLL_S)
    return False


def _accept_in_order(ctx, device: Device, batch: dict, received_ms: int):
    """accept_batch. A batch sent while the one before it was unanswered can arrive first
    (two gunicorn workers, two connections): it waits for that one to land, at most
    PREDECESSOR_WAIT_S, instead of being refused as a gap; a gap that stays is answered
    as one. Nothing is stored while it waits (a gap stores nothing)."""
    follows, deadline = _follows_seq(), time.monotonic() + PREDECESSOR_WAIT_S
    while True:
        try:
            return accept_batch(ctx["redis"], ctx["rq_redis"], ctx["log"], device, batch, received_ms)
        except SeqGap as gap:
            if follows is None or gap.expected > follows or not _wait_for_acked(ctx["log"], device, follows,
                                                                                    deadline):
                raise


def _accept(ctx, device: Device, batch: dict, received_ms: int):
    """accept_batch on a validated batch, its refusals mapped to HTTP."""
    _check_scope(device, batch)
    try:
        return _accept_in_order(ctx, device, batch, received_ms)
    except ImplausibleTimes as exc:
        raise ApiError(422, "invalid", "批次无效，未保存任何记录 / The batch is not valid; nothing was stored.",
                       errors={"events": exc.errors}) from exc
    except ContentConflict as exc:
        raise ApiError(409, "conflict: content",
                       f"第 {exc.seq} 条已收到，但内容与这次重发的不同 / seq {exc.seq} is held with other content "
                       f"than this re-send ({exc.event_id}); re-enrol the laptop (its entries are kept).",
                       seq=exc.seq, event_id=exc.event_id) from exc
    except IdTaken as exc:
        raise ApiError(409, "conflict: event_id",
                       f"第 {exc.seq} 条的记录编号已被使用 / the event id {exc.event_id} of seq {exc.seq} "
                       "is already in the log (one event id, one event).", seq=exc.seq, event_id=exc.event_id) from exc
    except SeqConflict as exc:
        raise ApiError(409, "seq_conflict", f"{exc}: this laptop's log differs from what the centre holds; "
                       "re-enrol the laptop (its entries are kept).",
                       seq=exc.seq, held_event_id=exc.held_id, sent_event_id=exc.sent_id) from exc
    except SeqGap as exc:
        raise ApiError(409, "seq_gap", f"{exc}: resend from seq {exc.expected}.", expected_seq=exc.expected) from exc
    except DayArchived as exc:
        raise ApiError(409, "day_archived", f"这一天({exc})已归档,不再接收记录;请联系协调员恢复 / The day {exc} is "
                       "archived and takes no more entries; a coordinator can restore it.") from exc
    except NotReplicated as exc:  # stored on the primary only: not acknowledged until a replica holds it
        raise ApiError(503, "not_replicated", "中心的副本尚未确认这批记录,请稍后重试(不会重复计数)/ "
                       f"The centre's replicas have not confirmed this batch ({exc}); retry shortly "
                       "(nothing is counted twice).", replicas=exc.replicas, wanted=exc.wanted,
                       retry_after=1) from exc


def _answer(accepted, received_ms: int):
    appended = accepted.appended
    return jsonify(
        acked_seq=appended.acked_seq,
        accepted=appended.accepted,
        duplicates=appended.duplicates,
        received_at=to_rfc3339_ms(received_ms),
        server_time=to_rfc3339(now_utc()),
        clock_offset_ms=accepted.clock.offset_ms,
    )

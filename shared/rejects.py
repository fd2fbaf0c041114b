"""Which log entries the fold rejects, and why: pure functions of the entry alone.

The fold must finish whatever the log holds (DESIGN invariant 5, "the fold is total"),
so an entry it cannot interpret is counted under `rejected` with one of REASONS and
listed for coordinators instead of raising. The decision reads nothing but the entry
(its parsed body and the clock offset stored with it): the live fold, a rebuild, verify,
the summary and the laptop's own totals reject the same entries whatever the chunking.

The push schema refuses all of these at the door; they reach a log only from an older
version that accepted them (the year-0 `recorded_at` of issue 12) or by hand. The checks
are the few things the fold reads, by exact type (JSON `true` is not `1`), kept cheap:
the fold runs them on every entry.
"""

import json
import re
from datetime import datetime

from shared.clock import EARLIEST_MS, EPOCH, LATEST_MS, MILLISECOND
from shared.events import (
    COORDINATOR_DEVICE,
    CURRENT_VERSION,
    KEY_PATTERN,
    OUTCOMES,
    PAYLOADS,
    RATINGS,
    RESOLUTION,
    RESOLVABLE_FIELDS,
    VOID,
)

REASONS = ("unreadable", "bad_envelope", "unknown_version", "bad_time", "bad_payload", "uninterpretable")
REASON_LABELS = {  # what coordinators read, zh first
    "unreadable": ("记录无法读取（不是有效的 JSON）", "unreadable: not valid JSON"),
    "bad_envelope": ("记录缺少或写错了编号、设备、序号、展位或类型",
                     "bad envelope: id, device, seq, booth or type missing or mistyped"),
    "unknown_version": ("记录的格式版本未知", "unknown payload version"),
    "bad_time": ("记录时间不可能（校正时钟前或后不在 2000–2100 年内）",
                 "impossible time (outside 2000-2100 before or after clock correction)"),
    "bad_payload": ("记录内容的字段类型或取值不对", "payload fields of the wrong type or out of range"),
    "uninterpretable": ("记录无法计入统计", "could not be folded"),
}


class Rejected(Exception):  # noqa: N818 - a verdict, not a bug
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class _Unreadable:
    """What an entry whose stored fields do not parse is, in place of its event."""

    def __repr__(self) -> str:
        return "UNREADABLE"


UNREADABLE = _Unreadable()
_KEY = re.compile(KEY_PATTERN)
_keys_ok: dict[str, bool] = {}
_minutes: dict[str, int] = {}  # 'YYYY-MM-DDTHH:MM±hh:mm' -> its UTC epoch ms
CACHE_LIMIT = 50_000


def is_key(value) -> bool:
    """A catalogue key (KEY_PATTERN); cached, the fold asks about the same few hundred."""
    if type(value) is not str:
        return False
    ok = _keys_ok.get(value)
    if ok is None:
        if len(_keys_ok) > CACHE_LIMIT:
            _keys_ok.clear()
        ok = _keys_ok[value] = _KEY.fullmatch(value) is not None
    return ok


def _optional(payload: dict, name: str, check) -> bool:
    value = payload.get(name)
    return value is None and name not in payload or check(value)


def _visitor(p: dict) -> bool:
    n = p.get("party_size")
    return type(n) is int and 1 <= n <= 50


def _inquiry(p: dict) -> bool:
    return is_key(p.get("topic")) and is_key(p.get("department")) and p.get("outcome") in OUTCOMES \
        and _optional(p, "note", lambda v: type(v) is str)


def _material(p: dict) -> bool:
    n = p.get("quantity")
    return type(n) is int and 1 <= n <= 10_000 and is_key(p.get("material"))


def _feedback(p: dict) -> bool:
    return p.get("rating") in RATINGS and _optional(p, "topic", is_key) \
        and _optional(p, "hot_issue", lambda v: type(v) is bool) and _optional(p, "comment", lambda v: type(v) is str)


def _void(p: dict) -> bool:
    return type(p.get("target_event_id")) is str and type(p.get("reason")) is str


def _resolution(p: dict) -> bool:
    """'map' to a key, 'reject', or 'added' (a plan version added the key: docs/plans.md)."""
    action, to = p.get("action"), p.get("to")
    return p.get("field") in RESOLVABLE_NAMES and is_key(p.get("key")) \
        and (action == "map" and is_key(to) or action == "reject" and to is None
             or action == "added" and to == p.get("key") and type(p.get("version", 0)) is int)


# What the fold reads of each type's payload, checked by exact type: routing is data.
PAYLOAD_CHECKS = {
    "visitor.received": _visitor,
    "inquiry.answered": _inquiry,
    "material.distributed": _material,
    "material.restocked": _material,
    "feedback.collected": _feedback,
    VOID: _void,
    RESOLUTION: _resolution,
}
RESOLVABLE_NAMES = tuple(RESOLVABLE_FIELDS)
KNOWN_VERSIONS = frozenset(PAYLOADS) | {(RESOLUTION, 1)}
_LAPTOP_CHECKS = {(type_, v): PAYLOAD_CHECKS[type_] for type_, v in PAYLOADS}  # what laptops push


# The fold's quick path (shared/fold.py FoldView.quick) checks the payload of a common
# entry in one expression, with no call per field (a catalogue key must be one is_key has
# already passed), and takes from it the values its effect depends on (EFFECT_FIELDS'
# values). Each passes only what its type's check above passes; None only sends the entry
# the careful way (a key seen the first time, an odd value, a hot-issue card), which decides.
def _quick_visitor(p: dict) -> tuple | None:
    return (n,) if type(n := p.get("party_size")) is int and 1 <= n <= 50 else None


def _quick_inquiry(p: dict, ok=_keys_ok.get) -> tuple | None:
    topic, department, outcome = p.get("topic"), p.get("department"), p.get("outcome")
    return (topic, department, outcome) if ok(topic) is True and ok(department) is True and outcome in OUTCOMES \
        and ("note" not in p or type(p["note"]) is str) else None


def _quick_material(p: dict, ok=_keys_ok.get) -> tuple | None:
    material, n = p.get("material"), p.get("quantity")
    return (material, n) if type(n) is int and 1 <= n <= 10_000 and ok(material) is True else None


def _quick_feedback(p: dict, ok=_keys_ok.get) -> tuple | None:
    topic, rating, hot = p.get("topic"), p.get("rating"), p.get("hot_issue")
    return (topic, rating, hot) if rating in RATINGS and (hot is None and "hot_issue" not in p or hot is False) \
        and ("topic" not in p or ok(topic) is True) and ("comment" not in p or type(p["comment"]) is str) else None


# A current version of each type that adds figures; voids, resolutions, upcasts: careful.
QUICK_CHECKS = {("visitor.received", 1): _quick_visitor, ("inquiry.answered", 1): _quick_inquiry,
                ("material.distributed", 1): _quick_material, ("material.restocked", 1): _quick_material,
                ("feedback.collected", 1): _quick_feedback}
assert all(v == 1 for v in CURRENT_VERSION.values()), "a v2 payload needs its own check here"


def envelope_reason(event) -> str | None:
    """Why the fold cannot read this event's envelope and payload, or None. No time check.
    The fold asks this of every entry, so a good one is passed by one conjunction of exact
    type checks and cache hits (each part implies what _envelope_reason checks); anything
    else, or a first sight of a key, gets the careful answer."""
    try:
        if type(event["event_id"]) is str and type(event["seq"]) is int and type(event["recorded_at"]) is str \
                and _keys_ok.get(event["booth_id"]) is True and _keys_ok.get(event["device_id"]) is True \
                and type(event["v"]) is int and type(event["payload"]) is dict \
                and _LAPTOP_CHECKS[(event["type"], event["v"])](event["payload"]):
            return None
    except (KeyError, TypeError, AttributeError):
        pass
    return _envelope_reason(event)


def _envelope_reason(event) -> str | None:
    if type(event) is not dict:
        return "unreadable" if event is UNREADABLE else "bad_envelope"
    type_, device, payload = event.get("type"), event.get("device_id"), event.get("payload")
    by_laptop = type_ != RESOLUTION  # a coordinator's resolution is written as booth '_'
    if type(event.get("event_id")) is not str or type(event.get("seq")) is not int \
            or type(event.get("recorded_at")) is not str or type(payload) is not dict \
            or type(type_) is not str or type_ not in PAYLOAD_CHECKS \
            or not (is_key(event.get("booth_id")) and is_key(device) if by_laptop
                    else type(event.get("booth_id")) is str and device == COORDINATOR_DEVICE):
        return "bad_envelope"
    if type(event.get("v")) is not int or (type_, event["v"]) not in KNOWN_VERSIONS:
        return "unknown_version"
    return None if PAYLOAD_CHECKS[type_](payload) else "bad_payload"


def recorded_ms(text: str) -> int:
    """Milliseconds since the epoch (floored) of an RFC 3339 time with an offset; raises
    Rejected('bad_time'). The shape laptops write ('2022-05-15T09:37:07.250+08:00') costs
    a cached minute and two int()s; any other text is parsed in full."""
    if len(text) == 29 and text[19] == "." and text[26] == ":" and text[23] in "+-" \
            and text[17:19].isdigit() and text[20:23].isdigit():
        return minute_ms(text[:16] + text[23:]) + int(text[17:19]) * 1000 + int(text[20:23])
    return _parse_ms(text)


def minute_ms(minute: str) -> int:
    """Epoch ms of a 'YYYY-MM-DDTHH:MM±hh:mm' minute (cached); raises Rejected('bad_time')."""
    ms = _minutes.get(minute)
    if ms is None:
        if len(_minutes) > CACHE_LIMIT:
            _minutes.clear()
        ms = _minutes[minute] = _parse_ms(f"{minute[:16]}:00{minute[16:]}")
    return ms


def _parse_ms(text: str) -> int:
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
        if moment.tzinfo is None:
            raise Rejected("bad_time")
        return (moment - EPOCH) // MILLISECOND
    except (ValueError, OverflowError, TypeError) as exc:  # year 0 after the offset, 'not a time'
        raise Rejected("bad_time") from exc


def corrected_ms(recorded_at: str, offset_ms: int) -> int:
    """The event's time on the centre's clock; raises Rejected('bad_time') when the time,
    before or after correction, lies outside the plausible window."""
    at_ms = recorded_ms(recorded_at)
    if type(offset_ms) is not int or not EARLIEST_MS <= at_ms < LATEST_MS \
            or not EARLIEST_MS <= at_ms - offset_ms < LATEST_MS:
        raise Rejected("bad_time")
    return at_ms - offset_ms


def reject_reason(event, offset_ms: int) -> str | None:
    """Why the fold rejects this entry (one of REASONS but 'uninterpretable', which only
    folding it tells), or None: it is folded."""
    reason = envelope_reason(event)
    if reason is None:
        try:
            corrected_ms(event["recorded_at"], offset_ms)
        except Rejected as exc:
            return exc.reason
    return reason


def _text(value, limit: int = 80):
    return value[:limit] if type(value) is str else None


def rejected_record(event, reason: str, sid: str = "", received_ms: int = 0) -> dict:
    """What coordinators see of a rejected entry: which laptop, which entry, why. Only
    values of the right type are shown, shortened: the entry is not to be trusted."""
    known = event if type(event) is dict else {}
    seq = known.get("seq")
    return {"sid": sid, "reason": reason, "received_ms": received_ms,
            "device_id": _text(known.get("device_id"), 64), "seq": seq if type(seq) is int else None,
            "event_id": _text(known.get("event_id"), 64), "type": _text(known.get("type"), 40),
            "booth_id": _text(known.get("booth_id"), 64), "recorded_at": _text(known.get("recorded_at"), 40)}


def parse_stored(fields: dict) -> tuple:
    """(event, offset_ms) of a log entry's stored fields ('e' JSON text, 'off'); the event
    is UNREADABLE when they do not parse."""
    try:
        return json.loads(fields["e"]), int(fields.get("off", 0))
    except (KeyError, ValueError, TypeError):
        return UNREADABLE, 0


def stored_reason(fields: dict) -> str | None:
    """reject_reason of a log entry as stored: what readers other than the fold skip."""
    return reject_reason(*parse_stored(fields))

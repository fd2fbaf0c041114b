"""What each event adds to the totals: pure functions, no I/O.

A figure is a flat name whose dots are the path in the totals document
('inquiries.by_topic.dibao'), prefixed by its scope: none for the whole day,
'booth:bayi|', 'hour:09|' (hour of the day in the plan's time zone, device clock
corrected), 'booth:bayi,hour:09|', and per device 'device:laptop-1|' /
'booth:bayi,device:laptop-1|'.

An event's effect is (booth, hour, signature, amount): the signature says which figures
it moves ('inquiry.answered', topic, department, outcome) and every figure is linear in
the amount, so a chunk of events folds to a few summed signatures before any figure name
is built. That, the memo of effects (alike events share one), the hour from a cached
minute and the plan's key sets are what make the fold fast (README "Speed").
"""

from collections import Counter
from datetime import datetime
from functools import lru_cache
from typing import NamedTuple
from zoneinfo import ZoneInfo

from shared.clock import EARLIEST_MS, LATEST_MS
from shared.events import CURRENT_VERSION, RESOLUTION, RESOLVABLE_FIELDS, VOID, upcast
from shared.rejects import QUICK_CHECKS, Rejected, _keys_ok, corrected_ms, minute_ms

# Payload fields that must be catalogue keys, per type (booth_id is checked for every type).
CHECKED_FIELDS = {
    "visitor.received": (),
    "inquiry.answered": ("topic", "department"),
    "material.distributed": ("material",),
    "material.restocked": ("material",),
    "feedback.collected": ("topic",),
}


def _visitor(p):
    return {"visitors": p["party_size"]}


def _inquiry(p):
    return {
        "inquiries.total": 1,
        f"inquiries.by_topic.{p['topic']}": 1,
        f"inquiries.by_department.{p['department']}": 1,
        f"inquiries.by_outcome.{p['outcome']}": 1,
    }


def _distributed(p):
    return {f"materials.distributed.{p['material']}": p["quantity"]}


def _restocked(p):
    return {f"materials.restocked.{p['material']}": p["quantity"]}


def _feedback(p):
    figures = {"feedback.total": 1, f"feedback.by_rating.{p['rating']}": 1}
    if p.get("hot_issue"):
        figures["feedback.hot_issues"] = 1
    return figures


# What one event of each type adds to the whole-day figures: one place (the laptop's own
# totals use it too).
EVENT_HANDLERS = {
    "visitor.received": _visitor,
    "inquiry.answered": _inquiry,
    "material.distributed": _distributed,
    "material.restocked": _restocked,
    "feedback.collected": _feedback,
}

# The payload fields a handler reads, and the one its figures scale with (None: each event
# adds 1). Events that agree on the first are one signature; their amounts are summed
# before any figure name is built.
FIGURE_FIELDS = {
    "visitor.received": ((), "party_size"),
    "inquiry.answered": (("topic", "department", "outcome"), None),
    "material.distributed": (("material",), "quantity"),
    "material.restocked": (("material",), "quantity"),
    "feedback.collected": (("rating", "hot_issue"), None),
}
# Every payload field an event's effect depends on (its hot-issue entry aside): the checked
# keys, the signature's fields and the amount's.
EFFECT_FIELDS = {type_: tuple(dict.fromkeys((*CHECKED_FIELDS[type_], *fields, *((scale,) if scale else ()))))
                 for type_, (fields, scale) in FIGURE_FIELDS.items()}
# Figures of the fold's own bookkeeping, by signature.
OWN_FIGURES = {"quarantined", "rejected", "voided", "voids_ignored", "resolutions_ignored"}


QUARANTINED, REJECTED = ("quarantined",), ("rejected",)
EFFECTS_MEMO_LIMIT = 50_000
MINUTE_SPAN_MS = 99_999  # what two seconds digits and three of milliseconds can add to a minute
SCOPE_SEP = "|"


class Effect(NamedTuple):
    booth: str
    hour: str
    sig: tuple
    amount: int
    hot: dict | None  # the hot-issue entry a counted feedback card adds to the list
    unresolved: tuple  # ('field', 'key') pairs that keep it quarantined


class PlanKeys:
    """The plan's key sets and time zone, with a cache of local hours (per 15 minutes:
    every time zone in use is a whole number of quarter hours from UTC)."""

    def __init__(self, plan, hidden: frozenset = frozenset()):
        self.zone = ZoneInfo(plan.timezone)
        self.full = {field: frozenset(plan.keys(catalogue)) for field, catalogue in RESOLVABLE_FIELDS.items()}
        # `hidden`: (field, key) pairs a new plan version added while entries still wait in
        # quarantine for them; they count as unknown until the version's resolution is folded
        self.known = {field: keys - {k for f, k in hidden if f == field} for field, keys in self.full.items()}
        self._hours: dict[int, str] = {}
        self.minute_hours: dict[tuple, str | None] = {}  # see minute_hour
        self._effects: dict[frozenset, dict] = {}  # resolutions -> FoldView.effect's memo under them

    def effects_memo(self, resolutions: dict, quick: bool = False) -> dict:
        """The memo of effects under these resolutions (or of FoldView.quick's results),
        kept from chunk to chunk (bounded: a day has a few hundred kinds of events, a
        pathological log starts afresh)."""
        key = (frozenset(resolutions.items()), quick)
        memo = self._effects.get(key)
        if memo is None or len(memo) > EFFECTS_MEMO_LIMIT:
            if len(self._effects) > EFFECTS_MEMO_LIMIT // 1000:
                self._effects.clear()
            memo = self._effects[key] = {}
        return memo

    def hour(self, recorded_at: str, offset_ms: int) -> str:
        """The local hour of the device's time corrected by its clock offset, in exact
        integer milliseconds (shared/rejects.py: cached by the minute; raises Rejected
        for a time outside the plausible window)."""
        return self._quarter_hour(corrected_ms(recorded_at, offset_ms) // 900_000)

    def minute_hour(self, minute: str, offset_ms: int) -> str | None:
        """The local hour shared by every time in this minute ('YYYY-MM-DDTHH:MM±hh:mm'
        with any seconds and milliseconds digits) corrected by offset_ms, or None when a
        quarter hour or the plausible window starts within that span: then the exact time
        decides (hour()). Cached by (minute, offset): a laptop keeps its offset for hours."""
        if len(self.minute_hours) > EFFECTS_MEMO_LIMIT:
            self.minute_hours.clear()
        try:
            first = minute_ms(minute)
        except Rejected:
            first = EARLIEST_MS - MINUTE_SPAN_MS - 1  # outside the window: None below
        low, high = first - offset_ms, first - offset_ms + MINUTE_SPAN_MS
        last_start = LATEST_MS - MINUTE_SPAN_MS  # the whole span, before and after correction, in the window
        in_window = EARLIEST_MS <= first < last_start and EARLIEST_MS <= low < last_start
        same = in_window and low // 900_000 == high // 900_000
        hour = self.minute_hours[(minute, offset_ms)] = self._quarter_hour(low // 900_000) if same else None
        return hour

    def _quarter_hour(self, quarter: int) -> str:
        hour = self._hours.get(quarter)
        if hour is None:
            hour = self._hours[quarter] = f"{datetime.fromtimestamp(quarter * 900, self.zone).hour:02d}"
        return hour


_plan_keys: dict[int, tuple] = {}


def plan_keys(plan, hidden: frozenset = frozenset()) -> PlanKeys:
    cached = _plan_keys.get((id(plan), hidden))
    if cached is None or cached[0] is not plan:
        if len(_plan_keys) > 64:  # plan versions come and go in a long-running worker
            _plan_keys.clear()
        cached = _plan_keys[(id(plan), hidden)] = (plan, PlanKeys(plan, hidden))
    return cached[1]


class FoldView:
    """What an event's effect depends on besides the event: the plan, the quarantine
    resolutions folded so far ((field, key) -> plan key, or None when rejected) and the
    plan keys still `pending` (quarantined, added by a plan version whose resolution is
    not folded yet: unknown until it is, so live fold and rebuild agree)."""

    def __init__(self, plan, resolutions: dict | None = None, pending: frozenset = frozenset()):
        self.plan, self.pending = plan, pending
        self.resolutions = resolutions or {}
        hidden = frozenset(fk for fk in pending if fk not in self.resolutions)
        self.keys = plan if isinstance(plan, PlanKeys) else plan_keys(plan, hidden)
        self._effects: dict[tuple, Effect] = self.keys.effects_memo(self.resolutions)  # see effect()
        self._quick: dict[tuple, tuple] = self.keys.effects_memo(self.resolutions, quick=True)  # see quick()

    def with_resolution(self, field: str, key: str, to: str | None) -> "FoldView":
        return FoldView(self.plan, {**self.resolutions, (field, key): to}, self.pending)

    def effect(self, event: dict, offset_ms: int) -> Effect:
        """What the event adds. Events alike in hour, booth, type and the payload values
        that matter (EFFECT_FIELDS) add the same: they share one Effect, found by a dict
        hit. A hot-issue card carries its own text, so it is worked out each time."""
        type_, payload = event["type"], event["payload"]
        if event["v"] < CURRENT_VERSION[type_]:
            event = upcast(event)
            payload = event["payload"]
        hour = self.keys.hour(event["recorded_at"], offset_ms)
        if type_ == "feedback.collected" and payload.get("hot_issue"):
            return self._effect(event, hour, offset_ms)
        key = (hour, event["booth_id"], type_, *map(payload.get, EFFECT_FIELDS[type_]))
        effect = self._effects.get(key)
        if effect is None:
            effect = self._effects[key] = self._effect(event, hour, offset_ms)
        return effect

    def quick(self, event, offset_ms: int) -> tuple | None:
        """((booth, hour, signature), amount) of the common entry in the fewest steps, or
        None: anything else goes the careful way (envelope_reason, then effect()), which
        gives the same for what passes here. Common: envelope_reason's conjunction holds
        for a current version of a type that adds figures (rejects.QUICK_CHECKS), the time
        is in the shape laptops write and its minute fixes the hour (PlanKeys.minute_hour),
        the keys are known, and it is no hot-issue card (they carry their own text)."""
        try:
            type_, at, payload = event["type"], event["recorded_at"], event["payload"]
            if not (type(at) is str and len(at) == 29 and at[19] == "." and at[26] == ":" and at[23] in "+-"
                    and at[17:19].isdecimal() and at[20:23].isdecimal() and type(event["event_id"]) is str
                    and type(event["seq"]) is int and type(event["v"]) is int and type(payload) is dict
                    and _keys_ok.get(event["booth_id"]) is True and _keys_ok.get(event["device_id"]) is True):
                return None
            values = QUICK_CHECKS[(type_, event["v"])](payload)  # what the effect depends on, or None
            hour = self.keys.minute_hours.get((at[:16] + at[23:], offset_ms), False)
            if hour is False:
                hour = self.keys.minute_hour(at[:16] + at[23:], offset_ms)
            if hour is None:  # the seconds decide (a quarter starts within the minute): exactly
                hour = self.keys.hour(at, offset_ms)
        except (KeyError, TypeError, AttributeError, ValueError, Rejected):
            return None
        if values is None:
            return None
        key = (hour, event["booth_id"], type_, values)
        found = self._quick.get(key)
        return found if found is not None else self._quick_miss(key, event, hour, offset_ms)

    def _quick_miss(self, key: tuple, event: dict, hour: str, offset_ms: int) -> tuple | None:
        try:
            effect = self._effect(event, hour, offset_ms)
        except Exception:  # noqa: BLE001 - the careful path gives this entry its verdict
            return None
        if effect.unresolved:  # quarantined: indexed under its keys, the careful way
            return None
        found = self._quick[key] = ((effect.booth, effect.hour, effect.sig), effect.amount)
        return found

    def _effect(self, event: dict, hour: str, offset_ms: int) -> Effect:
        known, booth, payload, type_ = self.keys.known, event["booth_id"], event["payload"], event["type"]
        if booth not in known["booth_id"]:
            return self._unknown_keys(event, hour, offset_ms)
        for name in CHECKED_FIELDS[type_]:
            key = payload.get(name)
            if key is not None and key not in known[name]:
                return self._unknown_keys(event, hour, offset_ms)
        fields, scale = FIGURE_FIELDS[type_]
        sig, amount = (type_, *map(payload.get, fields)), payload[scale] if scale else 1
        hot = None
        if type_ == "feedback.collected" and sig[2]:
            hot = {"text": payload.get("comment", ""), "booth_id": booth, "topic": payload.get("topic"),
                   "recorded_at": event["recorded_at"], "hour": hour, "device_id": event["device_id"]}
        return Effect(booth, hour, sig, amount, hot, ())

    def _unknown_keys(self, event: dict, hour: str, offset_ms: int) -> Effect:
        """The effect of an event with a key the plan lacks: mapped, rejected or quarantined."""
        known, booth, payload = self.keys.known, event["booth_id"], event["payload"]
        unresolved, rejected = [], False
        if booth not in known["booth_id"]:
            booth, rejected = self._resolve("booth_id", booth, unresolved, rejected)
        for name in CHECKED_FIELDS[event["type"]]:
            key = payload.get(name)
            if key is not None and key not in known[name]:
                mapped, rejected = self._resolve(name, key, unresolved, rejected)
                payload = {**payload, name: mapped}
        if rejected:
            return Effect(booth, hour, REJECTED, 1, None, tuple(unresolved))
        if unresolved:
            return Effect(booth, hour, QUARANTINED, 1, None, tuple(unresolved))
        return self.effect({**event, "booth_id": booth, "payload": payload}, offset_ms)  # every key mapped

    def _resolve(self, field, key, unresolved, rejected):
        if (field, key) not in self.resolutions:
            unresolved.append((field, key))
            return key, rejected
        to = self.resolutions[(field, key)]
        if to == key:  # a plan version added the key, a later one lacks it: unknown again
            unresolved.append((field, key))
            return key, rejected
        return (key, True) if to is None else (to, rejected)


def scoped(booth: str, hour: str, name: str) -> tuple[str, str, str, str]:
    return name, f"booth:{booth}|{name}", f"hour:{hour}|{name}", f"booth:{booth},hour:{hour}|{name}"


def expand(sig: tuple, amount: int) -> list[tuple[str, int]]:
    """The figures `amount` of a signature adds: the handler's figures for one unit, scaled."""
    if sig[0] in OWN_FIGURES:
        return [(sig[0], amount)]
    fields, scale = FIGURE_FIELDS[sig[0]]
    unit = dict(zip(fields, sig[1:], strict=True))
    if scale:
        unit[scale] = 1
    return [(name, n * amount) for name, n in EVENT_HANDLERS[sig[0]](unit).items()]


@lru_cache(maxsize=1 << 16)
def unit_figures(booth: str, hour: str, sig: tuple) -> tuple[tuple[str, int], ...]:
    """Every scoped figure one unit of a signature moves, with by how much. Cached: a day
    has a few thousand (booth, hour, signature), and a chunk's changes are built from them."""
    return tuple((scoped_name, n) for name, n in expand(sig, 1) for scoped_name in scoped(booth, hour, name))


def contributions(event: dict, plan, offset_ms: int = 0, view: FoldView | None = None) -> Counter:
    """The figures one (non-void) event adds, in every scope (nothing for a resolution)."""
    if event["type"] == RESOLUTION:
        return Counter()
    e = (view or FoldView(plan)).effect(event, offset_ms)
    figures = Counter()
    for name, amount in expand(e.sig, e.amount):
        for scoped_name in scoped(e.booth, e.hour, name):
            figures[scoped_name] += amount
    return figures


def void_effect(void: dict, target: dict | None, target_offset_ms: int, plan, view: FoldView | None = None) -> Counter:
    """What a void changes: minus exactly what its target adds, plus one 'voided' (whole
    day and the void's booth). Callers pass target=None when the void must be ignored
    (unknown id, a void of a void, another device's event, already voided): one
    'voids_ignored'. The same rules as the central fold (worker/chunk.py)."""
    effect = Counter()
    if target is None:
        outcome = "voids_ignored"
    else:
        outcome = "voided"
        for name, amount in contributions(target, plan, target_offset_ms, view).items():
            effect[name] -= amount
    effect[outcome] += 1
    effect[f"booth:{void['booth_id']}|{outcome}"] += 1
    return effect


def is_void(event: dict) -> bool:
    return event["type"] == VOID

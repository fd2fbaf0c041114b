"""Recording one entry: build the event, validate it against the model and the day
plan, append it durably, fold it into this laptop's totals. No Flask in here."""

from marshmallow import ValidationError

from field_app.i18n import t
from shared.clock import now_utc, to_rfc3339
from shared.events import CATALOGUE_FIELDS, CURRENT_VERSION, VOID, load_event, unknown_catalogue_keys
from shared.ids import new_event_id

ENTRY_FIELDS = {"type", "payload", "staff"}
VOID_REASONS = {  # why_not_voidable keys -> the English message (translated on the way out)
    "err.no_such_entry": t("err.no_such_entry", "en"),
    "err.already_voided": t("err.already_voided", "en"),
    "err.void_of_void": t("err.void_of_void", "en"),
}
UNDO_FIELDS = {"target_event_id", "staff"}
UNDO_REASONS = {  # English, with a zh pattern in field_app/i18n.py; {seconds} filled in
    "err.undo_not_last": t("err.undo_not_last", "en"),
    "err.undo_expired": "Too late to undo: only within {seconds} s of the entry. Void it with a reason instead.",
}


class EntryRefused(Exception):
    """Per-field reasons, marshmallow-shaped: {field: [message]} (nested for payload)."""

    def __init__(self, errors: dict):
        super().__init__(errors)
        self.errors = errors


def prepare_event(entry: dict, laptop) -> dict:
    """The validated event for `entry`, before it has a seq (so validation runs outside
    the log's lock and overlaps another entry's commit); raises EntryRefused."""
    event = {
        "event_id": new_event_id(),
        "device_id": laptop.device_id,
        "seq": 1,  # stamped with the real seq under the log's lock
        "day_id": laptop.plan.day_id,
        "booth_id": laptop.booth_id,
        "type": entry.get("type"),
        "v": CURRENT_VERSION.get(entry.get("type"), 1),
        "recorded_at": to_rfc3339(now_utc().astimezone()),
        "payload": entry.get("payload"),
    }
    if entry.get("staff"):
        event["staff"] = entry["staff"]
    try:
        event = load_event(event)
    except ValidationError as exc:  # name the unknown keys too, so one answer says everything wrong
        unknown = _unknown_key_errors(event, laptop.plan)
        payload_errors = exc.messages.get("payload") if isinstance(exc.messages.get("payload"), dict) else {}
        if unknown and (payload_errors or "payload" not in exc.messages):
            raise EntryRefused({**exc.messages, "payload": {**unknown, **payload_errors}}) from exc
        raise EntryRefused(exc.messages) from exc
    if unknown := _unknown_key_errors(event, laptop.plan):
        raise EntryRefused({"payload": unknown})
    return event


def _unknown_key_errors(event: dict, plan) -> dict:
    """{field: [reason]} for the payload's catalogue keys the day plan lacks (also for an
    entry that fails the schema elsewhere: only its plain string keys are looked up)."""
    payload = event.get("payload")
    if event.get("type") not in CATALOGUE_FIELDS or not isinstance(payload, dict):
        return {}
    keys = {name: key for name, key in payload.items() if name in CATALOGUE_FIELDS[event["type"]]
            and isinstance(key, str)}
    unknown = unknown_catalogue_keys({**event, "payload": keys}, plan)
    return {name: [f"Not in the day plan: {key}"] for name, key in unknown.items()}


def record(entry: dict, laptop) -> dict:
    """Validate and durably append one entry; returns the stored event."""
    if not isinstance(entry, dict):
        raise EntryRefused({"_body": ["Not a JSON object."]})
    if unexpected := set(entry) - ENTRY_FIELDS:
        raise EntryRefused({name: ["Unknown field."] for name in sorted(unexpected)})
    event = prepare_event(entry, laptop)

    def at_seq(seq: int) -> dict:
        # Under the lock: whether the target is still voidable is decided in log order.
        if event["type"] == VOID and (why := laptop.totals.why_not_voidable(event["payload"]["target_event_id"])):
            raise EntryRefused({"payload": {"target_event_id": [VOID_REASONS[why]]}})
        return {**event, "seq": seq}

    return _append(at_seq, laptop)


def _append(at_seq, laptop) -> dict:
    stored = laptop.log.append(at_seq, on_commit=laptop.committed)
    if laptop.pusher is not None:
        laptop.pusher.notify()  # push soon, unless it is backing off
    return stored


def undo_last(request: dict, laptop, reason: str) -> dict:
    """Void this laptop's newest entry with `reason`, only within laptop.undo_seconds of
    its commit (the page's "undo last"). Later, or for an older entry, a void needs a
    reason typed by staff (record() with event.voided). Returns the stored void."""
    if not isinstance(request, dict):
        raise EntryRefused({"_body": ["Not a JSON object."]})
    if unexpected := set(request) - UNDO_FIELDS:
        raise EntryRefused({name: ["Unknown field."] for name in sorted(unexpected)})
    entry = {"type": VOID, "payload": {"target_event_id": request.get("target_event_id"), "reason": reason}}
    if request.get("staff"):
        entry["staff"] = request["staff"]
    try:
        event = prepare_event(entry, laptop)
    except EntryRefused as exc:  # the request's fields are the void payload's: name them as sent
        errors = {name: why for name, why in exc.errors.items() if name != "payload"}
        raise EntryRefused({**errors, **exc.errors.get("payload", {})}) from exc
    target = event["payload"]["target_event_id"]

    def at_seq(seq: int) -> dict:
        # Under the lock, so no entry can slip in between the check and the void.
        last = laptop.last_entry
        if last is None or last[0] != target:
            why = laptop.totals.why_not_voidable(target) or "err.undo_not_last"
            raise EntryRefused({"target_event_id": [UNDO_REASONS.get(why) or VOID_REASONS[why]]})
        if laptop.clock() - last[1] > laptop.undo_seconds:
            raise EntryRefused({"target_event_id": [UNDO_REASONS["err.undo_expired"].format(
                seconds=f"{laptop.undo_seconds:g}")]})
        return {**event, "seq": seq}

    return _append(at_seq, laptop)

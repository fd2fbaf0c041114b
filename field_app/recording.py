"""Recording one entry: build the event, validate it against the model and the day
plan, append it durably, fold it into this laptop's totals. No Flask in here."""

from marshmallow import ValidationError

from field_app.i18n import t
from shared.clock import now_utc, to_rfc3339
from shared.events import CURRENT_VERSION, VOID, load_event, unknown_catalogue_keys
from shared.ids import new_event_id

ENTRY_FIELDS = {"type", "payload", "staff"}
VOID_REASONS = {  # why_not_voidable keys -> the English message (translated on the way out)
    "err.no_such_entry": t("err.no_such_entry", "en"),
    "err.already_voided": t("err.already_voided", "en"),
    "err.void_of_void": t("err.void_of_void", "en"),
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
    except ValidationError as exc:
        raise EntryRefused(exc.messages) from exc
    if unknown := unknown_catalogue_keys(event, laptop.plan):
        raise EntryRefused({"payload": {k: [f"Not in the day plan: {v}"] for k, v in unknown.items()}})
    return event


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

    stored = laptop.log.append(at_seq, on_commit=laptop.totals.apply)
    if laptop.pusher is not None:
        laptop.pusher.notify()  # push soon, unless it is backing off
    return stored

"""The event envelope and the payload schema of every event type.

Every event is validated by the same schema on the laptop and at the centre. Loading
returns plain JSON-safe dicts (timestamps stay RFC 3339 strings) so what is validated is
exactly what is stored and pushed. Unknown fields are refused, once, in `Strict`.
"""

import re
from functools import cache

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from shared.clock import EPOCH, MILLISECOND, OUTSIDE_WINDOW, in_window, parse_rfc3339
from shared.ids import is_uuid

KEY_PATTERN = r"^[a-z0-9][a-z0-9_\-]{0,63}$"
DAY_ID_PATTERN = r"^[a-z0-9][a-z0-9\-]{2,63}$"
# Staff codes: letters, digits, CJK, '.', '_', '-' (docs/bad-input.md); nothing invisible.
STAFF_PATTERN = r"^[0-9A-Za-z\u3400-\u9fff][0-9A-Za-z\u3400-\u9fff._\-]{0,31}$"
STAFF_REFUSED = "工号只能含字母、数字、汉字和 . _ -（最多 32 个）/ Letters, digits, CJK and . _ - only (at most 32)."
# Removed from free text (notes, comments, reasons): NUL and the other control characters
# but tab and newline, bidi embeddings/overrides/isolates/marks (U+202E turns a text round
# on screen), zero-width characters and lone surrogates ("\ud800" is valid JSON but no
# text: the log's UTF-8 encoder refused it). Removed, not refused: a citizen's words are kept.
INVISIBLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff"
                       "\ud800-\udfff]")
OUTCOMES = ("answered", "referred", "follow_up")
RATINGS = ("satisfied", "basically_satisfied", "dissatisfied")
VOID = "event.voided"


class WholeMatch(validate.Regexp):
    """Regexp on the whole value: Python's '$' also matches before a final newline, so
    'bayi\n' was a key. (The pattern itself stays plain for the OpenAPI document.)"""

    def __call__(self, value):
        if self.regex.fullmatch(value) is None:
            raise ValidationError(self._format_error(value))
        return value


class Strict(Schema):
    """Base of every schema here: an unknown field is an error, never silently kept."""

    class Meta:
        unknown = RAISE


def _rfc3339(value: str) -> None:
    """An RFC 3339 time with an offset, inside the plausible window (shared/clock.py)."""
    try:
        moment = parse_rfc3339(value)
    except (ValueError, TypeError) as exc:
        raise ValidationError("Not an RFC 3339 timestamp with an offset.") from exc
    try:
        epoch_ms = (moment - EPOCH) // MILLISECOND
    except OverflowError:  # '0001-01-01T00:00:00+14:00' is in year 0 in UTC (issue 12)
        epoch_ms = None
    if epoch_ms is None or not in_window(epoch_ms):
        raise ValidationError(OUTSIDE_WINDOW)


class CleanText(fields.Str):
    """Free text with the invisible characters (INVISIBLE) removed before it is checked."""

    def _deserialize(self, value, attr, data, **kwargs):
        return INVISIBLE.sub("", super()._deserialize(value, attr, data, **kwargs))


class StrictBool(fields.Bool):
    """JSON true or false only: marshmallow's Bool takes 1 for true even with truthy={True}."""

    def _deserialize(self, value, attr, data, **kwargs):
        if type(value) is not bool:
            raise ValidationError("Not a valid boolean.")
        return value


class EventId(fields.Str):
    """A UUID, stored in its canonical lowercase form: one event has one id, and an
    uppercase copy of another laptop's id is that id (a conflict), not a second event."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        if not is_uuid(text):
            raise ValidationError("Not a lowercase UUID.")
        return text.lower()


@cache
def _instance(schema_class):
    """One shared instance per payload schema: building a Schema costs more than a load."""
    return schema_class()


def _key(**kwargs):
    return fields.Str(validate=WholeMatch(KEY_PATTERN, error="Not a catalogue key."), **kwargs)


class VisitorReceived(Strict):
    party_size = fields.Int(required=True, strict=True, validate=validate.Range(1, 50))


class InquiryAnswered(Strict):
    topic = _key(required=True)
    department = _key(required=True)
    outcome = fields.Str(required=True, validate=validate.OneOf(OUTCOMES))
    note = CleanText(validate=validate.Length(max=200))


class MaterialMoved(Strict):
    material = _key(required=True)
    quantity = fields.Int(required=True, strict=True, validate=validate.Range(1, 10_000))


class FeedbackCollected(Strict):
    rating = fields.Str(required=True, validate=validate.OneOf(RATINGS))
    topic = _key()
    comment = CleanText(validate=validate.Length(max=500))
    hot_issue = StrictBool()  # the comment is a concern citizens raised (群众关心热点问题)


class EventVoided(Strict):
    target_event_id = EventId(required=True)
    reason = CleanText(required=True, validate=validate.Length(min=1, max=200))


# Which schema loads which payload, by (type, version). Old versions are upcast on
# load by UPCASTERS, never rewritten in a log.
PAYLOADS = {
    ("visitor.received", 1): VisitorReceived,
    ("inquiry.answered", 1): InquiryAnswered,
    ("material.distributed", 1): MaterialMoved,
    ("material.restocked", 1): MaterialMoved,
    ("feedback.collected", 1): FeedbackCollected,
    (VOID, 1): EventVoided,
}
TYPES = tuple(sorted({t for t, _ in PAYLOADS}))
CURRENT_VERSION = {t: max(v for tt, v in PAYLOADS if tt == t) for t in TYPES}
UPCASTERS: dict[tuple[str, int], callable] = {}  # (type, v) -> fn(payload) -> payload of v+1
# No payload has a v2 yet; tests/samples/events/v1/ freezes one sample of every v1 payload.

# Payload fields whose values must be keys of a catalogue in the day plan.
CATALOGUE_FIELDS = {
    "inquiry.answered": {"topic": "topics", "department": "departments"},
    "material.distributed": {"material": "materials"},
    "material.restocked": {"material": "materials"},
    "feedback.collected": {"topic": "topics"},
}


class Envelope(Strict):
    event_id = EventId(required=True)
    device_id = fields.Str(required=True, validate=WholeMatch(KEY_PATTERN, error="Not a device id."))
    seq = fields.Int(required=True, strict=True, validate=validate.Range(min=1))
    day_id = fields.Str(required=True, validate=WholeMatch(DAY_ID_PATTERN, error="Not a day id."))
    booth_id = _key(required=True)
    type = fields.Str(required=True, validate=validate.OneOf(TYPES))
    v = fields.Int(required=True, strict=True, validate=validate.Range(min=1))
    recorded_at = fields.Str(required=True, validate=_rfc3339)
    staff = fields.Str(validate=WholeMatch(STAFF_PATTERN, error=STAFF_REFUSED))
    payload = fields.Dict(required=True)

    @validates_schema(skip_on_field_errors=True)
    def _payload_matches_type(self, data, **_):
        schema = PAYLOADS.get((data["type"], data["v"]))
        if schema is None:
            raise ValidationError(f"Unknown version {data['v']} of {data['type']}.", "v")
        try:
            data["payload"] = _instance(schema).load(data["payload"])
        except ValidationError as exc:
            raise ValidationError(exc.messages, "payload") from exc


ENVELOPE = Envelope()
ENVELOPES = Envelope(many=True)


def load_event(data: dict) -> dict:
    """Validate one event; raises ValidationError with per-field messages."""
    return ENVELOPE.load(data)


def upcast(event: dict) -> dict:
    """The event with its payload at the current version of its type."""
    while event["v"] < CURRENT_VERSION[event["type"]]:
        step = UPCASTERS[(event["type"], event["v"])]
        event = {**event, "payload": step(event["payload"]), "v": event["v"] + 1}
    return event


def unknown_catalogue_keys(event: dict, plan) -> dict[str, str]:
    """Payload fields (and booth) whose key the plan does not know: {field: key}."""
    unknown = {}
    if event["booth_id"] not in plan.keys("booths"):
        unknown["booth_id"] = event["booth_id"]
    for name, catalogue in CATALOGUE_FIELDS.get(event["type"], {}).items():
        key = event["payload"].get(name)
        if key is not None and key not in plan.keys(catalogue):
            unknown[name] = key
    return unknown


# A coordinator's resolution of a quarantined key. It is written to the central log by
# the sync service as the reserved device COORDINATOR_DEVICE (no enrolled laptop can have
# that id: it fails KEY_PATTERN), never pushed by a laptop (it is not in TYPES), so a
# rebuild of the projections meets the same resolutions at the same log positions.
RESOLUTION = "quarantine.resolved"
COORDINATOR_DEVICE = "_coordinator"
RESOLVABLE_FIELDS = {"booth_id": "booths", "topic": "topics", "department": "departments", "material": "materials"}


class QuarantineResolved(Strict):
    field = fields.Str(required=True, validate=validate.OneOf(sorted(RESOLVABLE_FIELDS)))
    key = _key(required=True)
    action = fields.Str(required=True, validate=validate.OneOf(("map", "reject")))
    to = _key(load_default=None)

    @validates_schema(skip_on_field_errors=True)
    def _to_only_when_mapping(self, data, **_):
        if data["action"] == "map" and not data.get("to"):
            raise ValidationError("Required when action is 'map'.", "to")
        if data["action"] == "reject" and data.get("to"):
            raise ValidationError("Only allowed when action is 'map'.", "to")


QUARANTINE_RESOLUTION = QuarantineResolved()

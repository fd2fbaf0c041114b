"""The sync protocol's messages: what a laptop pushes and what the centre answers."""

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from shared.events import KEY_PATTERN, Envelope, Strict, WholeMatch, _rfc3339

MAX_BATCH_EVENTS = 500
MAX_BATCH_BYTES = 1024 * 1024
# Enrolment codes: one bound for the API, the dashboard's form and `openday enrollment-code create`
# (here, not in sync_service, because the command line of a laptop install has no sync_service).
MAX_CODE_USES = 100  # a booth has a handful of laptops; 100 covers a whole day at one code
MAX_CODE_TTL_MINUTES = 7 * 24 * 60


class ClockExchange(Strict):
    """The four times of the laptop's previous successful push, for the NTP estimate."""

    sent_at = fields.Str(required=True, validate=_rfc3339)  # t0, laptop clock
    received_at = fields.Str(required=True, validate=_rfc3339)  # t1, centre clock
    server_time = fields.Str(required=True, validate=_rfc3339)  # t2, centre clock
    answered_at = fields.Str(required=True, validate=_rfc3339)  # t3, laptop clock


class PushBatch(Strict):
    device_id = fields.Str(required=True, validate=WholeMatch(KEY_PATTERN))
    sent_at = fields.Str(required=True, validate=_rfc3339)
    pending = fields.Int(strict=True, validate=validate.Range(min=0))  # events not acked when sent, this batch included
    clock = fields.Nested(ClockExchange)
    events = fields.List(
        fields.Nested(Envelope),
        required=True,
        validate=validate.Length(min=1, max=MAX_BATCH_EVENTS),
    )

    @validates_schema(skip_on_field_errors=True)
    def _one_device_in_seq_order(self, data, **_):
        errors = {}
        for index, event in enumerate(data["events"]):
            if event["device_id"] != data["device_id"]:
                errors[index] = {"device_id": ["Differs from the batch's device_id."]}
            elif index and event["seq"] != data["events"][index - 1]["seq"] + 1:
                errors[index] = {"seq": ["Events must be consecutive seqs in order."]}
        if errors:
            raise ValidationError(errors, "events")


PUSH_BATCH = PushBatch()


class PushAnswer(Schema):
    """What the centre answers a push that was stored (or was all re-sends)."""

    acked_seq = fields.Int(required=True, metadata={"description": "every event of the device up to here is stored"})
    accepted = fields.Int(required=True)
    duplicates = fields.Int(required=True, metadata={"description": "re-sent events already held, skipped"})
    received_at = fields.Str(required=True, metadata={"description": "t1 of the NTP exchange (centre clock)"})
    server_time = fields.Str(required=True, metadata={"description": "t2 of the NTP exchange (centre clock)"})
    clock_offset_ms = fields.Int(required=True, metadata={"description": "the laptop's clock minus the centre's"})

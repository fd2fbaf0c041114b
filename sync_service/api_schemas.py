"""Marshmallow schemas of the sync API's requests and answers besides the push batch
(shared/protocol.py). Routes load requests with them; the OpenAPI document is
generated from them, so the spec and the checks cannot drift apart."""

from marshmallow import INCLUDE, Schema, fields, validate

from shared.events import DAY_ID_PATTERN, KEY_PATTERN, Strict
from shared.protocol import MAX_CODE_TTL_MINUTES as MAX_TTL_MINUTES
from shared.protocol import MAX_CODE_USES as MAX_USES


class NewEnrollmentCode(Strict):
    booth_id = fields.Str(required=True, validate=validate.Regexp(KEY_PATTERN, error="Not a booth id."))
    uses = fields.Int(strict=True, load_default=1, validate=validate.Range(1, MAX_USES))
    ttl_minutes = fields.Int(strict=True, load_default=1440, validate=validate.Range(1, MAX_TTL_MINUTES))


class EnrollmentCode(Schema):
    # The code itself only in the answer that made it: the centre keeps just its hash.
    code = fields.Str(metadata={"example": "K7QX-M4ZP", "description": "Only when made; never listed."})
    id = fields.Str(required=True, metadata={"example": "3fa9c01e", "description": "Names the code in lists."})
    day_id = fields.Str(required=True)
    booth_id = fields.Str(required=True)
    expires_at = fields.Str(required=True)
    uses_left = fields.Int(required=True)
    created_at = fields.Str(required=True)
    created_by = fields.Str(required=True)
    active = fields.Bool(required=True)


class EnrollmentCodes(Schema):
    codes = fields.List(fields.Nested(EnrollmentCode), required=True)


class EnrollRequest(Strict):
    code = fields.Str(required=True, validate=validate.Length(min=1, max=32))
    device_id = fields.Str(required=True, validate=validate.Regexp(KEY_PATTERN, error="Not a device id."))
    label = fields.Str(load_default="", validate=validate.Length(max=100))
    # A laptop that has already recorded entries for a booth (or is set up for a day) says so:
    # a code for another booth or day is then refused before any of its uses is spent.
    expected_booth_id = fields.Str(load_default=None, validate=validate.Regexp(KEY_PATTERN, error="Not a booth id."),
                                   metadata={"description": "Refuse (wrong_booth), unused, a code for another booth."})
    expected_day_id = fields.Str(load_default=None, validate=validate.Regexp(DAY_ID_PATTERN, error="Not a day id."),
                                 metadata={"description": "Refuse (wrong_day), unused, a code for another day."})


class Enrolled(Schema):
    device_id = fields.Str(required=True)
    booth_id = fields.Str(required=True)
    day_id = fields.Str(required=True)
    token = fields.Str(required=True)


class DeviceRow(Schema):
    day_id = fields.Str(metadata={"description": "in GET /api/v1/devices, which lists every granted day"})
    device_id = fields.Str(required=True)
    booth_id = fields.Str(allow_none=True)
    label = fields.Str(required=True)
    enrolled_at = fields.Str(allow_none=True)
    last_seen = fields.Str(allow_none=True)
    acked_seq = fields.Int(required=True)
    pending = fields.Int(allow_none=True, metadata={"description": "as the laptop last reported it"})
    clock_offset_ms = fields.Int(allow_none=True, metadata={"description": "laptop clock minus centre clock"})
    clock_rtt_ms = fields.Int(allow_none=True)
    far_off_events = fields.Int(required=True)
    skewed = fields.Bool(required=True)
    revoked = fields.Bool(required=True)
    revoked_at = fields.Str(allow_none=True)


class DeviceList(Schema):
    devices = fields.List(fields.Nested(DeviceRow), required=True)


class Error(Schema):
    class Meta:
        unknown = INCLUDE  # a 409 also names the seq and both event ids

    error = fields.Str(required=True)
    message = fields.Str(required=True)
    errors = fields.Dict()


NEW_ENROLLMENT_CODE = NewEnrollmentCode()
ENROLL_REQUEST = EnrollRequest()

"""The day plan: which Open Day, where the booths are, and the catalogues the booth
page offers (departments, inquiry topics, materials) with labels in zh-CN and en.

A plan is a JSON file (see examples/). Outcomes and ratings are fixed by the event
model; the plan only labels them.
"""

import json
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from marshmallow import INCLUDE, Schema, ValidationError, fields, validate, validates

from shared.events import DAY_ID_PATTERN, KEY_PATTERN, OUTCOMES, RATINGS

CATALOGUES = ("booths", "departments", "topics", "materials")


class _Labelled(Schema):
    class Meta:
        unknown = INCLUDE  # booths and materials carry extra attributes (team, stock, ...)

    id = fields.Str(required=True, validate=validate.Regexp(KEY_PATTERN))
    zh = fields.Str(required=True, validate=validate.Length(min=1, max=100))
    en = fields.Str(required=True, validate=validate.Length(min=1, max=100))


class _PlanSchema(Schema):
    class Meta:
        unknown = INCLUDE  # titles, teams, templates: read by the summary, not checked here

    day_id = fields.Str(required=True, validate=validate.Regexp(DAY_ID_PATTERN))
    date = fields.Date(required=True)
    timezone = fields.Str(required=True)
    booths = fields.List(fields.Nested(_Labelled), required=True, validate=validate.Length(min=1))
    departments = fields.List(fields.Nested(_Labelled), required=True, validate=validate.Length(min=1))
    topics = fields.List(fields.Nested(_Labelled), required=True, validate=validate.Length(min=1))
    materials = fields.List(fields.Nested(_Labelled), required=True, validate=validate.Length(min=1))
    labels = fields.Dict(load_default=dict)

    @validates("timezone")
    def _known_zone(self, value, **_):
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValidationError(f"unknown time zone {value!r}") from exc


@dataclass(frozen=True)
class DayPlan:
    day_id: str
    timezone: str
    raw: dict = field(repr=False)
    version: int = 0  # the centre's plan version (docs/plans.md); 0: read from a file

    def offered(self, catalogue: str) -> list[str]:
        """Ids the booth page offers: every key but the retired ones (still labelled in figures)."""
        return [item["id"] for item in self.raw[catalogue] if not item.get("retired")]

    def keys(self, catalogue: str) -> list[str]:
        """Ids of one catalogue in plan order; 'outcomes' and 'ratings' come from the model."""
        if catalogue == "outcomes":
            return list(OUTCOMES)
        if catalogue == "ratings":
            return list(RATINGS)
        return [item["id"] for item in self.raw[catalogue]]

    def item(self, catalogue: str, key: str) -> dict | None:
        return next((i for i in self.raw.get(catalogue, []) if i["id"] == key), None)

    def label(self, catalogue: str, key: str, lang: str = "zh") -> str:
        """Label of a catalogue key; falls back to the key itself for unknown keys."""
        item = self.item(catalogue, key)
        if item is None:
            item = self.raw.get("labels", {}).get(catalogue, {}).get(key)
        return (item or {}).get(lang, key)

    def catalogue_labels(self, catalogue: str, lang: str = "zh") -> dict[str, str]:
        return {key: self.label(catalogue, key, lang) for key in self.keys(catalogue)}


def parse_plan(data: dict, version: int = 0) -> DayPlan:
    """Validate a plan document; raises marshmallow.ValidationError with per-field reasons."""
    loaded = _PlanSchema().load(data)
    for catalogue in CATALOGUES:
        ids = [item["id"] for item in loaded[catalogue]]
        if len(ids) != len(set(ids)):
            raise ValidationError({catalogue: ["duplicate id"]})
    return DayPlan(day_id=loaded["day_id"], timezone=loaded["timezone"], raw=data, version=version)


def load_plan(path: str | Path) -> DayPlan:
    return parse_plan(json.loads(Path(path).read_text(encoding="utf-8")))


def load_plans(directory: str | Path) -> dict[str, DayPlan]:
    """Every *.json plan in a folder, by day_id."""
    plans = {}
    for path in sorted(Path(directory).glob("*.json")):
        plan = load_plan(path)
        plans[plan.day_id] = plan
    return plans

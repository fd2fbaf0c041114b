"""Frozen samples of every stored event version must keep loading and folding: a change
to a schema that would strand events already in a log fails here. A v2 of a payload
needs its upcaster in shared.events.UPCASTERS and a v2 sample folder beside v1."""

import json
from pathlib import Path

import pytest

from shared.events import CURRENT_VERSION, QUARANTINE_RESOLUTION, RESOLUTION, TYPES, load_event, upcast
from shared.fold import contributions, void_effect

SAMPLES = Path(__file__).resolve().parent.parent / "samples" / "events"
ALL = sorted(SAMPLES.glob("v*/*.json"))
EXPECTED = {  # one figure each sample must add, at the current version
    "visitor.received": ("visitors", 3),
    "inquiry.answered": ("inquiries.by_outcome.follow_up", 1),
    "material.distributed": ("booth:shashan|materials.distributed.handbook", 12),
    "material.restocked": ("hour:09|materials.restocked.handbook", 500),
    "feedback.collected": ("feedback.hot_issues", 1),
}


def test_every_type_has_a_sample_at_every_version():
    have = {(p.stem, int(p.parent.name[1:])) for p in ALL}
    for type_ in TYPES:
        for version in range(1, CURRENT_VERSION[type_] + 1):
            assert (type_, version) in have, f"no frozen sample of {type_} v{version}"
    assert (RESOLUTION, 1) in have


@pytest.mark.parametrize("path", ALL, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_sample_loads_and_folds(path, plan):
    raw = json.loads(path.read_text(encoding="utf-8"))
    if raw["type"] == RESOLUTION:
        assert QUARANTINE_RESOLUTION.load(raw["payload"])["to"] == "poster"
        assert contributions(raw, plan) == {}
        return
    event = upcast(load_event(raw))
    assert event["v"] == CURRENT_VERSION[event["type"]]
    if event["type"] == "event.voided":
        target = json.loads((path.parent / "material.distributed.json").read_text(encoding="utf-8"))
        assert void_effect(event, target, 0, plan)["materials.distributed.handbook"] == -12
        return
    name, amount = EXPECTED[event["type"]]
    assert contributions(event, plan)[name] == amount

"""The laptop's totals are the centre's fold over the same events (whole-day figures)."""

from collections import Counter

from field_app.laptop_totals import LaptopTotals
from shared.fold import contributions, is_void, void_effect
from shared.totals import build_document
from tests.factories import PAYLOADS, make_event, void_of


def central_document(events, plan) -> dict:
    flat, by_id, voided = Counter(), {e["event_id"]: e for e in events}, set()
    for event in events:
        if is_void(event):
            target_id = event["payload"]["target_event_id"]
            target = by_id.get(target_id) if target_id not in voided and not is_void(by_id[target_id]) else None
            voided.add(target_id)
            flat.update(void_effect(event, target, 0, plan))
        else:
            flat.update(contributions(event, plan))
    doc = build_document({k: v for k, v in flat.items() if v})
    doc.pop("by_booth"), doc.pop("by_hour")
    return doc


def test_laptop_totals_match_the_central_fold_with_voids(plan):
    events = [make_event(seq, type_) for seq, type_ in enumerate(list(PAYLOADS) * 3, 1)]
    events.append(void_of(events[0], len(events) + 1))
    events.append(void_of(events[3], len(events) + 1))
    totals = LaptopTotals(plan).load(events)
    assert totals.document() == central_document(events, plan)
    assert totals.document()["voided"] == 2
    assert totals.voided == {events[0]["event_id"], events[3]["event_id"]}
    assert totals.why_not_voidable(events[0]["event_id"]) == "err.already_voided"
    assert totals.why_not_voidable(events[-1]["event_id"]) == "err.void_of_void"
    assert totals.why_not_voidable(events[1]["event_id"]) is None


def test_an_entry_the_centre_would_reject_counts_only_as_rejected_on_the_laptop_too(plan):
    from field_app.laptop_totals import LaptopTotals
    from tests.factories import make_event

    good = make_event(1, "visitor.received", recorded_at="2022-05-15T09:15:00+08:00")
    year0 = make_event(2, "visitor.received", recorded_at="0001-01-01T00:00:00+14:00")
    loose = make_event(3, "feedback.collected", payload={"rating": "satisfied", "hot_issue": 1})
    doc = LaptopTotals(plan).load([good, year0, loose]).document()
    assert (doc["visitors"], doc["feedback"]["total"], doc["rejected"]) == (3, 0, 2)
    assert doc["rejected_by_reason"] == {"bad_payload": 1, "bad_time": 1}

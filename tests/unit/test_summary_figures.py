"""Final figures from a hand-made log: voids by the fold's rules, late entries, hot issues
with their text, satisfaction, peak hour, laptops and staff; the drill-down adds up."""

import json

from central.summary.build import build_content, canonical_bytes, changes_between, plan_template
from central.summary.figures import _Pass, compute_figures, events_behind, void_target_ids
from shared.plan import load_plan
from tests.factories import make_event, void_of
from tests.helpers import PLAN_PATH

PLAN = load_plan(PLAN_PATH)


def _log(events):
    return [(f"{1000 + i}-0", e, 0) for i, e in enumerate(events)]


def _day():
    a1 = make_event(1, "material.distributed", {"material": "leaflet", "quantity": 40})
    a2 = make_event(2, "material.distributed", {"material": "leaflet", "quantity": 500})  # a typo
    a3 = void_of(a2, 3)
    a4 = void_of(a2, 4)  # voided twice: only the first counts
    a5 = void_of(a3, 5)  # a void of a void: ignored
    b1 = make_event(1, "visitor.received", {"party_size": 3}, device_id="laptop-b", booth_id="bayi",
                    recorded_at="2022-05-15T10:05:00+08:00")
    b2 = make_event(2, "feedback.collected", {"rating": "satisfied", "topic": "weilao", "comment": "养老站太少",
                                              "hot_issue": True}, device_id="laptop-b", booth_id="bayi")
    b3 = make_event(3, "feedback.collected", {"rating": "dissatisfied"}, device_id="laptop-b", booth_id="bayi")
    b4 = make_event(4, "feedback.collected", {"rating": "basically_satisfied", "comment": "无主题", "hot_issue": True},
                    device_id="laptop-b", booth_id="bayi")
    b5 = void_of(a1, 5)
    b5["device_id"], b5["booth_id"] = "laptop-b", "bayi"  # another laptop's event: ignored
    for event, staff in ((a1, "S01"), (a2, "S01"), (b1, "B01"), (b2, "B02")):
        event["staff"] = staff
    a6 = make_event(6, "visitor.received", {"party_size": 2}, recorded_at="2022-05-15T09:30:00+08:00")
    return [a1, a2, a3, a4, a5, b1, b2, b3, b4, b5, a6]


def test_figures_follow_the_fold_rules_and_report_everything_the_summary_needs():
    events = _day()
    figures = compute_figures(_log(events), PLAN, closed_position="1009-0")
    assert figures["whole_day"]["materials.distributed.leaflet"] == 40
    assert figures["whole_day"]["voided"] == 1
    assert [v["took_effect"] for v in figures["voided"]] == [True, False, False, False]
    assert figures["late"] == {"count": 1, "event_ids": [events[-1]["event_id"]]}
    assert figures["laptops"]["count"] == 2 and figures["laptops"]["by_device"]["laptop-a"]["events"] == 6
    assert figures["staff"] == {"count": 3, "codes": ["B01", "B02", "S01"]}
    assert figures["staff_by_booth"] == {"bayi": 2, "shashan": 1}
    assert {t: [h["text"] for h in hs] for t, hs in figures["hot_issues"].items()} == {
        "weilao": ["养老站太少"], "_none": ["无主题"]}
    assert figures["satisfaction"]["rate"] == "66.7%"  # 2 of 3, half up, integer arithmetic
    assert figures["peak_hour"] == {"hour": "10", "visitors": 3, "inquiries": 0}


def test_holding_only_the_void_targets_changes_nothing_but_memory():
    """The summary job reads the voids first (void_target_ids) and holds only the events they
    name: the figures and every drill-down are the same as when every event is held."""
    events = _day()
    targets = void_target_ids(events)
    assert targets == {events[1]["event_id"], events[2]["event_id"], events[0]["event_id"]}  # a2, a3 (a void), a1
    whole = compute_figures(_log(events), PLAN, closed_position="1009-0")
    totals = whole["totals"]
    assert compute_figures(_log(events), PLAN, "1009-0", totals=totals, void_targets=targets) == \
        compute_figures(_log(events), PLAN, "1009-0", totals=totals) == whole
    for figure in ("materials.distributed.leaflet", "voided", "booth:shashan|voided", "hot_issues", "laptop:laptop-b"):
        assert events_behind(_log(events), PLAN, figure, void_targets=targets) == \
            events_behind(_log(events), PLAN, figure), figure
    held = _Pass(PLAN, keep=targets)
    for position, event, offset in _log(events):
        held.take(position, event, offset)
    assert set(held.by_id) == {events[0]["event_id"], events[1]["event_id"]}  # not the other 5 entries


def test_the_peak_hour_tie_goes_to_the_earlier_hour():
    early = make_event(1, "visitor.received", {"party_size": 2}, recorded_at="2022-05-15T09:00:00+08:00")
    late = make_event(2, "visitor.received", {"party_size": 2}, recorded_at="2022-05-15T11:00:00+08:00")
    assert compute_figures(_log([late, early]), PLAN)["peak_hour"]["hour"] == "09"


def test_drill_down_lists_the_events_and_adds_up_to_the_figure():
    log = _log(_day())
    rows = events_behind(log, PLAN, "materials.distributed.leaflet")
    assert [r["amount"] for r in rows] == [40, 500]
    assert rows[1]["voided_by"] is not None and rows[0]["voided_by"] is None
    assert sum(r["amount"] for r in rows if not r["voided_by"]) == 40
    assert len(events_behind(log, PLAN, "booth:bayi|visitors")) == 1
    assert len(events_behind(log, PLAN, "voided")) == 1
    assert len(events_behind(log, PLAN, "booth:shashan|voided")) == 1
    assert events_behind(log, PLAN, "booth:bayi|voided") == []  # laptop-b's void of laptop-a's entry is ignored
    assert len(events_behind(log, PLAN, "late", closed_position="1009-0")) == 1
    assert len(events_behind(log, PLAN, "hot_issues.weilao")) == 1
    assert len(events_behind(log, PLAN, "staff:S01")) == 2
    assert len(events_behind(log, PLAN, "laptop:laptop-b")) == 5


def test_content_is_the_same_bytes_every_time_and_changes_are_listed():
    log = _log(_day())
    one = build_content(log, PLAN, plan_template(PLAN), "1009-0")
    two = build_content(json.loads(json.dumps(log)), PLAN, plan_template(PLAN), "1009-0")
    assert canonical_bytes(one) == canonical_bytes(two)
    fewer = build_content(log[:-1], PLAN, plan_template(PLAN), "1009-0")
    changes = changes_between(fewer, one)
    assert {c["figure"]: (c["before"], c["after"]) for c in changes["figures"]} == {"visitors": (3, 5), "late": (0, 1)}
    assert changes["text_changed"] and "接待现场咨询群众5人" in one["text"]["zh"]
    assert changes_between(one, one)["figures"] == [] and not changes_between(one, one)["text_changed"]


def _resolution(seq: int, by: str = "gu") -> dict:
    from shared.events import COORDINATOR_DEVICE, RESOLUTION
    return {"event_id": f"0190b6a0-0000-7000-8000-{seq:012d}", "device_id": COORDINATOR_DEVICE, "seq": seq,
            "day_id": PLAN.day_id, "booth_id": "_", "type": RESOLUTION, "v": 1,
            "recorded_at": "2022-05-15T11:00:00+08:00", "staff": by,
            "payload": {"field": "topic", "key": "dibao", "action": "reject", "to": None}}


def test_the_coordinators_quarantine_decisions_are_neither_a_laptop_nor_a_staff_code():
    """3 laptops and one staff code, plus two coordinator decisions: the summary says 3 and 1."""
    events = [make_event(1, "visitor.received", {"party_size": 2}, device_id=f"laptop-{c}") for c in "abc"]
    events[0]["staff"] = "S01"
    log = _log([events[0], _resolution(1), events[1], _resolution(2, by="lin"), events[2]])
    figures = compute_figures(log, PLAN)
    assert figures["laptops"]["count"] == 3
    assert sorted(figures["laptops"]["by_device"]) == ["laptop-a", "laptop-b", "laptop-c"]
    assert figures["staff"] == {"count": 1, "codes": ["S01"]}
    assert "_" not in figures["staff_by_booth"]
    content = build_content(log, PLAN, plan_template(PLAN), None)
    assert content["values"]["laptops"] == 3 and content["values"]["staff"] == 1

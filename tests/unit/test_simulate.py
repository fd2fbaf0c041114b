"""The simulator's pure parts: the generated day, its events, the reference fold and the
comparison with a totals document."""

from openday.simulate.check import compare, flatten, format_differences
from openday.simulate.generator import generate_day, laptop_events, with_booths
from openday.simulate.truth import reference_totals
from shared.events import ENVELOPES
from shared.plan import parse_plan
from tests.factories import make_event, void_of


def _events(scenario):
    return [e for laptop in scenario.laptops for e in laptop_events(scenario, laptop)]


def test_same_seed_same_day_other_seed_other_day(plan):
    one, again, other = (generate_day(plan, seed=s) for s in (5, 5, 6))
    assert _events(one) == _events(again)
    assert _events(one) != _events(other)


def test_generated_events_are_valid_gapless_and_void_only_their_own_laptops_entries(plan):
    scenario = generate_day(plan, seed=3, size=0.5, laptops_per_booth=3, skew_hours=3)
    for laptop in scenario.laptops:
        events = laptop_events(scenario, laptop)
        ENVELOPES.load(events)
        assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
        ids = [e["event_id"] for e in events]
        for event in events:
            if event["type"] == "event.voided":
                assert ids.index(event["payload"]["target_event_id"]) < ids.index(event["event_id"])
    skewed = [lt for lt in scenario.laptops if lt.clock_skew_ms]
    assert len(skewed) == 1 and skewed[0].clock_skew_ms == 3 * 3_600_000
    assert sum(lt.syncs_only_at_end for lt in scenario.laptops) == 1
    assert sum(bool(lt.offline) for lt in scenario.laptops) == 1


def test_the_day_of_summary_one(plan):
    figures = reference_totals(_events(generate_day(plan, seed=11)), plan)
    assert 2600 <= figures["materials.distributed.leaflet"] < 2700  # 2600余份
    assert 1000 <= figures["materials.distributed.handbook"] < 1100  # 1000余册
    assert 380 <= figures["inquiries.total"] < 400  # 近400件
    assert 300 <= figures["visitors"] < 400  # 300余人
    assert figures["by_hour.10.inquiries.total"] > figures["by_hour.15.inquiries.total"]  # the morning peak


def test_more_booths_are_numbered_after_the_plans_own():
    import json

    from tests.helpers import PLAN_PATH

    raw = with_booths(json.loads(PLAN_PATH.read_text()), 20)
    assert [b["id"] for b in raw["booths"]][:3] == ["shashan", "bayi", "booth-03"]
    assert len(parse_plan(raw).keys("booths")) == 20


def test_reference_fold_counts_voids_once_and_hours_by_true_time(plan):
    hand_out = make_event(1, "material.distributed", {"material": "leaflet", "quantity": 20})
    inquiry = make_event(2, "inquiry.answered", recorded_at="2022-05-15T12:15:00+08:00")  # clock 3 h ahead
    events = [hand_out, inquiry, void_of(hand_out, 3), void_of(hand_out, 4)]
    figures = reference_totals(events, plan, skew_ms={"laptop-a": 3 * 3_600_000})
    assert "materials.distributed.leaflet" not in figures
    assert figures["voided"] == 1 and figures["by_booth.shashan.voided"] == 1
    assert figures["by_hour.09.inquiries.total"] == 1 and "by_hour.12.inquiries.total" not in figures
    assert figures["log_entries"] == 4


def test_compare_names_each_differing_figure():
    document = {"day_id": "d", "position": "1-0", "log_entries": 3, "visitors": 5,
                "inquiries": {"total": 2, "by_topic": {"dibao": 2}}, "materials": {"distributed": {"leaflet": 40}},
                "by_booth": {"bayi": {"visitors": 5, "inquiries": {"total": 2}}}, "devices": {"x": {"events": 3}}}
    assert flatten(document)["by_booth.bayi.inquiries.total"] == 2
    truth = {"log_entries": 3, "visitors": 5, "inquiries.total": 2, "inquiries.by_topic.dibao": 2,
             "materials.distributed.leaflet": 20, "by_booth.bayi.visitors": 5, "by_booth.bayi.inquiries.total": 2}
    differences = compare(truth, document)
    assert [(d.figure, d.truth, d.central) for d in differences] == [("materials.distributed.leaflet", 20, 40)]
    assert "+20" in format_differences(differences)
    assert compare({**truth, "materials.distributed.leaflet": 40}, document) == []


def test_hours_per_booth_are_checked_where_the_document_has_them():
    truth = {"visitors": 3, "by_booth.bayi.visitors": 3, "by_hour.09.visitors": 3,
             "by_booth.bayi.by_hour.09.visitors": 3}
    flat_doc = {"visitors": 3, "by_booth": {"bayi": {"visitors": 3}}, "by_hour": {"09": {"visitors": 3}}}
    assert compare(truth, flat_doc) == []  # no hours per booth offered: nothing to check there
    nested = {**flat_doc, "by_booth": {"bayi": {"visitors": 3, "by_hour": {"09": {"visitors": 2}}}}}
    assert [(d.figure, d.truth, d.central) for d in compare(truth, nested)] == [
        ("by_booth.bayi.by_hour.09.visitors", 3, 2)]


def test_laptops_record_by_time_and_sync_only_when_online(plan):
    from datetime import timedelta

    from openday.simulate.drivers import due, is_online, ticks

    scenario = generate_day(plan, seed=4, laptops_per_booth=3, offline=2, late=1)
    laptop = scenario.laptops[0]
    for index in (0, len(laptop.entries) // 2, len(laptop.entries) - 1):
        at = laptop.entries[index].at
        assert due(laptop, at) == sum(1 for e in laptop.entries if e.at <= at)
    assert due(laptop, scenario.closes) == len(laptop.entries)
    late = next(lt for lt in scenario.laptops if lt.syncs_only_at_end)
    assert not any(is_online(late, moment) for moment in ticks(scenario, 600))
    away = next(lt for lt in scenario.laptops if lt.offline)
    start, end = away.offline[0]
    assert not is_online(away, start + (end - start) / 2)
    assert is_online(away, end + timedelta(seconds=1)) and is_online(away, start - timedelta(seconds=1))


def test_no_entry_falls_within_the_clock_estimates_reach_of_a_full_hour(plan):
    from openday.simulate.generator import HOUR_GUARD

    scenario = generate_day(plan, seed=8, size=3)
    for laptop in scenario.laptops:
        for entry in laptop.entries:
            if entry.type != "event.voided":
                into_hour = entry.at.minute * 60 + entry.at.second + entry.at.microsecond / 1e6
                assert HOUR_GUARD <= into_hour <= 3600 - HOUR_GUARD, entry

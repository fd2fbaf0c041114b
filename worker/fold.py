"""What each event adds to the totals: pure functions, no I/O.

A figure is a flat name whose dots are the path in the totals document
('inquiries.by_topic.dibao'). Every figure is counted for the whole day, for the booth
('booth:bayi|...') and for the hour of the day in the plan's time zone ('hour:09|...').
"""

from collections import Counter

from shared.clock import local_hour, parse_rfc3339
from shared.events import VOID, unknown_catalogue_keys, upcast


def _visitor(p):
    return {"visitors": p["party_size"]}


def _inquiry(p):
    return {
        "inquiries.total": 1,
        f"inquiries.by_topic.{p['topic']}": 1,
        f"inquiries.by_department.{p['department']}": 1,
        f"inquiries.by_outcome.{p['outcome']}": 1,
    }


def _distributed(p):
    return {f"materials.distributed.{p['material']}": p["quantity"]}


def _restocked(p):
    return {f"materials.restocked.{p['material']}": p["quantity"]}


def _feedback(p):
    figures = {"feedback.total": 1, f"feedback.by_rating.{p['rating']}": 1}
    if p.get("hot_issue"):
        figures["feedback.hot_issues"] = 1
    return figures


# Which handler folds which event type: one place.
EVENT_HANDLERS = {
    "visitor.received": _visitor,
    "inquiry.answered": _inquiry,
    "material.distributed": _distributed,
    "material.restocked": _restocked,
    "feedback.collected": _feedback,
}


def contributions(event: dict, plan, offset_ms: int = 0) -> Counter:
    """The figures one (non-void) event adds, in every scope. An event with a catalogue
    key the plan lacks adds only to 'quarantined' until a coordinator resolves it."""
    event = upcast(event)
    if unknown_catalogue_keys(event, plan):
        base = {"quarantined": 1}
    else:
        base = EVENT_HANDLERS[event["type"]](event["payload"])
    hour = local_hour(parse_rfc3339(event["recorded_at"]), plan.timezone, offset_ms)
    scoped = Counter()
    for name, amount in base.items():
        scoped[name] += amount
        scoped[f"booth:{event['booth_id']}|{name}"] += amount
        scoped[f"hour:{hour}|{name}"] += amount
    return scoped


def void_effect(void: dict, target: dict | None, target_offset_ms: int, plan) -> Counter:
    """What a void takes away: exactly what its target added, plus one 'voided'.
    Callers pass target=None when the void must be ignored (unknown id, a void of a
    void, another device's event, already voided)."""
    if target is None:
        return Counter()
    effect = Counter({name: -amount for name, amount in contributions(target, plan, target_offset_ms).items()})
    effect["voided"] += 1
    effect[f"booth:{void['booth_id']}|voided"] += 1
    return effect


def is_void(event: dict) -> bool:
    return event["type"] == VOID

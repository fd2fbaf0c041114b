"""The ground truth: the exact totals of what the simulator recorded.

A reference fold written separately from worker/fold.py, straight from DESIGN.md, so a
broken central fold shows up as a difference instead of agreeing with itself. Figures
are flat paths into the totals document: 'visitors', 'inquiries.by_topic.dibao',
'by_booth.bayi.materials.distributed.leaflet', 'by_hour.09.inquiries.total',
'by_booth.bayi.by_hour.09.visitors', ...
Hours are the true local hour of each entry in the plan's time zone (a laptop's clock
skew is known to the simulator and taken off).
"""

from collections import Counter
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

SCOPES = ("", "by_booth.", "by_hour.")


def _parse(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _known(event: dict, plan) -> bool:
    p = event["payload"]
    needed = [("booths", event["booth_id"])]
    if event["type"] == "inquiry.answered":
        needed += [("topics", p["topic"]), ("departments", p["department"])]
    elif event["type"].startswith("material."):
        needed.append(("materials", p["material"]))
    elif event["type"] == "feedback.collected" and "topic" in p:
        needed.append(("topics", p["topic"]))
    return all(key in plan.keys(catalogue) for catalogue, key in needed)


def figures_of(event: dict, plan) -> Counter:
    """What one non-void event adds to the day (unscoped)."""
    p, kind = event["payload"], event["type"]
    if not _known(event, plan):
        return Counter(quarantined=1)
    if kind == "visitor.received":
        return Counter(visitors=p["party_size"])
    if kind == "inquiry.answered":
        return Counter({"inquiries.total": 1, f"inquiries.by_topic.{p['topic']}": 1,
                        f"inquiries.by_department.{p['department']}": 1, f"inquiries.by_outcome.{p['outcome']}": 1})
    if kind == "material.distributed":
        return Counter({f"materials.distributed.{p['material']}": p["quantity"]})
    if kind == "material.restocked":
        return Counter({f"materials.restocked.{p['material']}": p["quantity"]})
    if kind == "feedback.collected":
        found = Counter({"feedback.total": 1, f"feedback.by_rating.{p['rating']}": 1})
        if p.get("hot_issue") is True:
            found["feedback.hot_issues"] = 1
        return found
    raise ValueError(f"unknown event type {kind}")


def _scoped(found: Counter, booth: str, hour: str) -> Counter:
    out = Counter()
    for name, amount in found.items():
        out[name] += amount
        out[f"by_booth.{booth}.{name}"] += amount
        out[f"by_hour.{hour}.{name}"] += amount
        out[f"by_booth.{booth}.by_hour.{hour}.{name}"] += amount
    return out


def reference_totals(events: list[dict], plan, skew_ms: dict[str, int] | None = None) -> dict[str, int]:
    """The flat figures of a set of events (any order, no duplicates), voids applied:
    a void takes away what its target added, once, if the target is an earlier non-void
    event of the same device."""
    skew_ms = skew_ms or {}
    tz = ZoneInfo(plan.timezone)
    by_id = {e["event_id"]: e for e in events}
    voided = set()
    totals = Counter()
    for event in sorted(events, key=lambda e: (e["device_id"], e["seq"])):
        totals["log_entries"] += 1
        if event["type"] != "event.voided":
            continue
        target = by_id.get(event["payload"]["target_event_id"])
        if target and target["type"] != "event.voided" and target["device_id"] == event["device_id"] \
                and target["event_id"] not in voided:
            voided.add(target["event_id"])
            totals["voided"] += 1
            totals[f"by_booth.{event['booth_id']}.voided"] += 1
    for event in events:
        if event["type"] == "event.voided" or event["event_id"] in voided:
            continue
        true_time = _parse(event["recorded_at"]) - timedelta(milliseconds=skew_ms.get(event["device_id"], 0))
        totals.update(_scoped(figures_of(event, plan), event["booth_id"], f"{true_time.astimezone(tz).hour:02d}"))
    return _with_remaining({k: v for k, v in totals.items() if v})


def split_scope(name: str) -> tuple[str, str]:
    """'by_booth.bayi.visitors' -> ('by_booth.bayi.', 'visitors'); 'visitors' -> ('', 'visitors')."""
    if name.startswith(("by_booth.", "by_hour.")):
        kind, key, rest = name.split(".", 2)
        return f"{kind}.{key}.", rest
    return "", name


def _with_remaining(flat: dict[str, int]) -> dict[str, int]:
    """Remaining stock, day-wide and per booth, for materials that were restocked there."""
    out = {k: v for k, v in flat.items() if not split_scope(k)[1].startswith("materials.remaining.")}
    for name, restocked in list(out.items()):
        scope, rest = split_scope(name)
        if rest.startswith("materials.restocked.") and not scope.startswith("by_hour."):  # and not booth hours
            material = rest.removeprefix("materials.restocked.")
            out[f"{scope}materials.remaining.{material}"] = restocked - out.get(
                f"{scope}materials.distributed.{material}", 0)
    return out


def add(a: dict[str, int], b: dict[str, int]) -> dict[str, int]:
    """Figures of two disjoint sets of events (e.g. a baseline and the simulated day)."""
    total = Counter(a)
    total.update(b)
    return _with_remaining({k: v for k, v in total.items() if v})

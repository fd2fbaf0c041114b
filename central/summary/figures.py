"""The day's final figures from the central log: pure functions, no I/O.

The log is read in order (stream id order); each entry is (position, event, offset_ms).
Counting uses the fold's own `contributions` and `void_effect`, with the fold's rules for
which voids take effect, so the final totals equal the live projection at the same
position. Every figure can be traced back to its events with `events_behind`.
"""

from collections import Counter, defaultdict

from shared.events import COORDINATOR_DEVICE, RATINGS
from shared.fold import contributions, is_void, void_effect
from shared.totals import build_document

NO_TOPIC = "_none"


def position_key(position: str | None) -> tuple[int, int]:
    """Stream ids compare as (milliseconds, sequence)."""
    if not position:
        return (0, 0)
    ms, _, seq = position.partition("-")
    return (int(ms), int(seq or 0))


class _Pass:
    """One pass over the log: the effective events, voids, and what each event is.

    `keep`: the ids some void names (void_target_ids), when the caller knows them: only
    those events are held for their voids, so memory grows with the voids and hot issues,
    not with the day. `count`: work out what each event adds (the figures, when no
    projection's totals are given, and the drill-down rows); off, take() returns nothing."""

    def __init__(self, plan, keep: set[str] | None = None, count: bool = True):
        self.plan, self.keep, self.count = plan, keep, count
        self.by_id: dict[str, tuple[str, dict, int]] = {}
        self.voided_by: dict[str, str] = {}  # target id -> void id that took effect
        self.void_events: list[tuple[str, dict, dict | None]] = []
        self.hot: dict[str, tuple[str, dict]] = {}  # hot-issue cards: event id -> (position, event)

    def take(self, position: str, event: dict, offset: int) -> Counter:
        if not is_void(event):
            if self.keep is None or event["event_id"] in self.keep:
                self.by_id[event["event_id"]] = (position, event, offset)
            if event["type"] == "feedback.collected" and event["payload"].get("hot_issue"):
                self.hot[event["event_id"]] = (position, event)
            return contributions(event, self.plan, offset) if self.count else Counter()
        target = self._void_target(event)
        self.void_events.append((position, event, target))
        if target is None:
            return Counter()
        self.voided_by[target["event_id"]] = event["event_id"]
        if not self.count:
            return Counter()
        return void_effect(event, target, self.by_id[target["event_id"]][2], self.plan)

    def _void_target(self, void: dict) -> dict | None:
        target_id = void["payload"]["target_event_id"]
        held = self.by_id.get(target_id)
        if held is None or target_id in self.voided_by or held[1]["device_id"] != void["device_id"]:
            return None
        return held[1]


def _satisfaction(by_rating: dict[str, int]) -> dict:
    total = sum(by_rating.get(r, 0) for r in RATINGS)
    pleased = by_rating.get("satisfied", 0) + by_rating.get("basically_satisfied", 0)
    tenths = (pleased * 2000 + total) // (2 * total) if total else None  # per mille, half up, integer only
    return {
        "total": total,
        **{r: by_rating.get(r, 0) for r in RATINGS},
        "rate_permille": tenths,
        "rate": f"{tenths // 10}.{tenths % 10}%" if total else None,
    }


def _peak_hour(by_hour: dict) -> dict | None:
    """The hour with the most visitors received (ties: the earlier hour)."""
    best = None
    for hour, doc in sorted(by_hour.items()):
        if doc["visitors"] > 0 and (best is None or doc["visitors"] > best["visitors"]):
            best = {"hour": hour, "visitors": doc["visitors"], "inquiries": doc["inquiries"]["total"]}
    return best


def _plan_order(plan, catalogue: str, keys) -> list:
    order = {k: i for i, k in enumerate(plan.keys(catalogue))}
    return sorted(keys, key=lambda k: (order.get(k, len(order)), k))


def _count_leaves(totals: dict) -> dict[str, int]:
    """Whole-day figure name -> count from a totals document (not its by_* scopes, not the
    derived remaining stock or rates)."""
    out = {}

    def walk(node: dict, path: str) -> None:
        for key, value in node.items():
            name = f"{path}.{key}" if path else key
            if isinstance(value, dict):
                if not (not path and key.startswith("by_")) and name != "materials.remaining":
                    walk(value, name)
            elif isinstance(value, int) and not isinstance(value, bool) and value:
                out[name] = value

    walk(totals, "")
    return dict(sorted(out.items()))


def void_target_ids(events) -> set[str]:
    """The ids the voids among `events` name (a first, cheap pass: see _Pass `keep`)."""
    return {event["payload"]["target_event_id"] for event in events if is_void(event)}


def _count_recorder(event: dict, devices: dict, staff: set, staff_at: dict) -> None:
    """The laptop and staff code behind one booth entry."""
    devices[event["device_id"]]["events"] += 1
    devices[event["device_id"]][f"booth:{event['booth_id']}"] += 1
    if event.get("staff"):
        staff.add(event["staff"])
        staff_at[event["booth_id"]].add(event["staff"])


def compute_figures(entries, plan, closed_position: str | None = None, totals: dict | None = None,
                    void_targets: set[str] | None = None) -> dict:
    """Everything the summary reports, from log entries in order. Deterministic: the same
    entries give the same document, key for key. With `totals` (the projection's fold of
    the same entries: it knows quarantine resolutions) the counts are taken from it, and
    with `void_targets` (void_target_ids of the same entries) only those events are held."""
    state, flat = _Pass(plan, keep=void_targets, count=totals is None), Counter()
    devices: dict[str, Counter] = defaultdict(Counter)
    staff, staff_at, late, position, count = set(), defaultdict(set), [], None, 0
    closed = position_key(closed_position) if closed_position else None
    for position, event, offset in entries:
        count += 1
        flat.update(state.take(position, event, offset))
        if event["device_id"] != COORDINATOR_DEVICE:  # quarantine decisions: no laptop, no staff
            _count_recorder(event, devices, staff, staff_at)
        if closed is not None and position_key(position) > closed:
            late.append(event["event_id"])
    whole_day = {k: v for k, v in sorted(flat.items()) if "|" not in k and v}
    if totals is None:
        totals = build_document({k: v for k, v in flat.items() if v})
    else:
        whole_day = _count_leaves(totals)
    hot = defaultdict(list)
    for pos, event in state.hot.values():
        p = event["payload"]
        if event["event_id"] not in state.voided_by:
            hot[p.get("topic") or NO_TOPIC].append(
                {"event_id": event["event_id"], "position": pos, "booth_id": event["booth_id"],
                 "text": p.get("comment", "")})
    return {
        "position": position or "0-0",
        "closed_position": closed_position,
        "log_entries": count,
        "totals": totals,
        "whole_day": whole_day,
        "satisfaction": _satisfaction(totals["feedback"]["by_rating"]),
        "peak_hour": _peak_hour(totals["by_hour"]),
        "laptops": {"count": len(devices), "by_device": {
            d: {"events": c["events"], "booths": sorted(k[6:] for k in c if k.startswith("booth:"))}
            for d, c in sorted(devices.items())}},
        "staff": {"count": len(staff), "codes": sorted(staff)},
        "staff_by_booth": {booth: len(codes) for booth, codes in sorted(staff_at.items())},
        "voided": [
            {"event_id": void["event_id"], "position": pos, "device_id": void["device_id"],
             "target_event_id": void["payload"]["target_event_id"], "reason": void["payload"]["reason"],
             "target_type": target["type"] if target else None, "took_effect": target is not None}
            for pos, void, target in state.void_events],
        "hot_issues": {topic: sorted(hot[topic], key=lambda h: position_key(h["position"]))
                       for topic in _plan_order(plan, "topics", hot)},
        "late": {"count": len(late), "event_ids": late},
    }


def summary_figure_values(figures: dict) -> dict[str, int]:
    """Whole-day figure name -> count, including the counts that are not in the totals."""
    values = dict(figures["whole_day"])
    values["laptops"] = figures["laptops"]["count"]
    values["staff"] = figures["staff"]["count"]
    values["late"] = figures["late"]["count"]
    return values


def events_behind(entries, plan, figure: str, closed_position: str | None = None,
                  void_targets: set[str] | None = None) -> list[dict]:
    """The events behind one figure, in log order, with what each adds.

    `figure` is a flat figure name ('materials.distributed.leaflet',
    'booth:bayi|visitors', 'hour:10|inquiries.total'), or 'laptop:<device>',
    'staff:<code>', 'voided', 'late', 'hot_issues' or 'hot_issues.<topic>'. For flat figures the
    amounts of the rows not voided add up to the figure. `void_targets`: as for compute_figures."""
    state, rows = _Pass(plan, keep=void_targets), []
    closed = position_key(closed_position) if closed_position else None
    for position, event, offset in entries:
        effect = state.take(position, event, offset)
        amount = None
        if figure.rpartition("|")[2] == "voided":  # 'voided' or 'booth:<id>|voided': the voids that took effect
            amount = 1 if is_void(event) and effect.get(figure) else None
        elif figure == "late":
            amount = 1 if closed is not None and position_key(position) > closed else None
        elif figure.startswith("laptop:"):
            amount = 1 if event["device_id"] == figure[7:] else None
        elif figure.startswith("staff:"):
            amount = 1 if event.get("staff") == figure[6:] else None
        elif figure.startswith("hot_issues"):
            p = event["payload"]
            topic = figure.partition(".")[2]
            if event["type"] == "feedback.collected" and p.get("hot_issue") and (
                    not topic or (p.get("topic") or NO_TOPIC) == topic):
                amount = 1
        elif not is_void(event) and effect.get(figure):
            amount = effect[figure]
        if amount is not None:
            rows.append({"position": position, "event_id": event["event_id"], "type": event["type"],
                         "device_id": event["device_id"], "booth_id": event["booth_id"],
                         "staff": event.get("staff"), "recorded_at": event["recorded_at"],
                         "payload": event["payload"], "amount": amount})
    for row in rows:
        row["voided_by"] = state.voided_by.get(row["event_id"])
    return rows

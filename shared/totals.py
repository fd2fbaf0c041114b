"""The totals document: flat figures from Redis, shaped for the API. Pure functions.

Derived figures are computed here, never stored: remaining stock (restocked minus
distributed, for materials with a restock) and the satisfaction rate (满意率:
satisfied + basically satisfied over all feedback cards, None without cards).
"""

from datetime import UTC, datetime

SCALARS = {
    "visitors": 0,
    "inquiries": {"total": 0, "by_topic": {}, "by_department": {}, "by_outcome": {}},
    "materials": {"distributed": {}, "restocked": {}, "remaining": {}},
    "feedback": {"total": 0, "by_rating": {}, "hot_issues": 0, "satisfaction_rate": None},
    "voided": 0,
    "voids_ignored": 0,
    "quarantined": 0,
    "rejected": 0,
    "rejected_by_reason": {},  # reason (shared/rejects.py REASONS) -> log entries the fold could not interpret
    "resolutions_ignored": 0,
}
SATISFIED = ("satisfied", "basically_satisfied")


def _empty() -> dict:
    """A fresh SCALARS (two levels of dicts), copied by hand: copy.deepcopy of it for every
    figure name was 90% of a 10^5-entry day's document (profiled, issue 19)."""
    return {key: {k: dict(v) if isinstance(v, dict) else v for k, v in value.items()} if isinstance(value, dict)
            else value for key, value in SCALARS.items()}


def _slot(table: dict, key: str) -> dict:
    """table[key], made empty the first time (not an _empty() thrown away on every call)."""
    node = table.get(key)
    if node is None:
        node = table[key] = _empty()
    return node


def _put(doc: dict, path: str, amount: int) -> None:
    *parents, leaf = path.split(".")
    node = doc
    for part in parents:
        node = node.setdefault(part, {})
    node[leaf] = node.get(leaf, 0) + amount


def _finish(doc: dict) -> dict:
    materials, feedback = doc["materials"], doc["feedback"]
    for key in sorted(materials["restocked"]):  # stock is known only where some was delivered
        materials["remaining"][key] = materials["restocked"].get(key, 0) - materials["distributed"].get(key, 0)
    if feedback["total"]:
        satisfied = sum(feedback["by_rating"].get(r, 0) for r in SATISFIED)
        feedback["satisfaction_rate"] = round(satisfied / feedback["total"], 4)
    doc["rejected_by_reason"] = dict(sorted(doc["rejected_by_reason"].items()))
    for section in (doc["inquiries"], feedback, materials):
        for name, value in section.items():
            if isinstance(value, dict):
                section[name] = dict(sorted(value.items()))
    return doc


def _scope(name: str) -> tuple[dict, str]:
    scope, _, path = name.rpartition("|")
    if not scope:
        return {}, path
    return dict(part.split(":", 1) for part in scope.split(",")), path


def _device(figures: dict, booths: set) -> dict:
    last_ms = figures.get("last_seen_ms")
    return {
        "booth_id": sorted(booths)[0] if booths else None,
        "events": figures.get("events", 0),
        "acked_seq": figures.get("acked_seq", 0),
        "last_seen": datetime.fromtimestamp(last_ms / 1000, UTC).isoformat(timespec="milliseconds")
        if last_ms else None,
        "last_seen_ms": last_ms,
        "clock_offset_ms": figures.get("clock_offset_ms", 0),
    }


def build_document(flat: dict[str, int], hot_issues: list[dict] | None = None, booth: str | None = None) -> dict:
    """{'visitors': .., 'inquiries': {...}, ..., 'by_booth': {b: {..., 'by_hour': {...}}},
    'by_hour': {'09': {...}}, 'by_device': {d: {...}}}; with `booth`, that booth's figures,
    its hours, devices and hot issues."""
    whole, booths, hours, booth_hours = _empty(), {}, {}, {}
    devices, device_booths = {}, {}
    for name, amount in flat.items():
        scope, path = _scope(name)
        if "device" in scope:
            if "booth" in scope:
                device_booths.setdefault(scope["device"], set()).add(scope["booth"])
            else:
                devices.setdefault(scope["device"], {})[path] = amount
            continue
        if "booth" in scope and "hour" in scope:
            target = _slot(booth_hours.setdefault(scope["booth"], {}), scope["hour"])
        elif "booth" in scope:
            target = _slot(booths, scope["booth"])
        elif "hour" in scope:
            target = _slot(hours, scope["hour"])
        else:
            target = whole
        _put(target, path, amount)
    hot_list = sorted(hot_issues or [], key=lambda h: (h["recorded_at"], h["event_id"]))
    by_device = {d: _device(f, device_booths.get(d, set())) for d, f in sorted(devices.items())}
    if booth is not None:
        doc = _finish(booths.get(booth, _empty()))
        doc["booth_id"] = booth
        doc["by_hour"] = {k: _finish(v) for k, v in sorted(booth_hours.get(booth, {}).items())}
        doc["by_device"] = {d: v for d, v in by_device.items() if booth in device_booths.get(d, ())}
        doc["feedback"]["hot_issue_list"] = [h for h in hot_list if h["booth_id"] == booth]
        return doc
    whole = _finish(whole)
    whole["feedback"]["hot_issue_list"] = hot_list
    whole["by_booth"] = {}
    for key, figures in sorted(booths.items()):
        whole["by_booth"][key] = _finish(figures)
        whole["by_booth"][key]["by_hour"] = {h: _finish(v) for h, v in sorted(booth_hours.get(key, {}).items())}
    whole["by_hour"] = {k: _finish(v) for k, v in sorted(hours.items())}
    whole["by_device"] = by_device
    return whole


def known_booth(flat: dict[str, int], booth: str) -> bool:
    prefix = f"booth:{booth}|"
    return any(name.startswith(prefix) for name in flat)


def counts_only(document: dict) -> dict:
    """The document without what is not a count of the fold: the laptops (by_device) and the
    hot issues' texts (feedback.hot_issue_list). For comparing with other tallies."""
    doc = {k: v for k, v in document.items() if k != "by_device"}
    if "feedback" in doc:
        doc["feedback"] = {k: v for k, v in doc["feedback"].items() if k != "hot_issue_list"}
    return doc

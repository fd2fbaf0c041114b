"""The totals document: flat figures from Redis, shaped for the API. Pure functions."""

import copy

SCALARS = {
    "visitors": 0,
    "inquiries": {"total": 0, "by_topic": {}, "by_department": {}, "by_outcome": {}},
    "materials": {"distributed": {}, "restocked": {}, "remaining": {}},
    "feedback": {"total": 0, "by_rating": {}, "hot_issues": 0},
    "voided": 0,
    "quarantined": 0,
}


def _empty() -> dict:
    return copy.deepcopy(SCALARS)


def _put(doc: dict, path: str, amount: int) -> None:
    *parents, leaf = path.split(".")
    node = doc
    for part in parents:
        node = node.setdefault(part, {})
    node[leaf] = node.get(leaf, 0) + amount


def _finish(doc: dict) -> dict:
    materials = doc["materials"]
    for key in sorted(materials["restocked"]):  # stock is known only where some was delivered
        materials["remaining"][key] = materials["restocked"].get(key, 0) - materials["distributed"].get(key, 0)
    for section in (doc["inquiries"], doc["feedback"], materials):
        for name, value in section.items():
            if isinstance(value, dict):
                section[name] = dict(sorted(value.items()))
    return doc


def build_document(flat: dict[str, int]) -> dict:
    """{'visitors': .., 'inquiries': {...}, ..., 'by_booth': {b: {...}}, 'by_hour': {'09': {...}}}."""
    whole, booths, hours = _empty(), {}, {}
    for name, amount in flat.items():
        scope, _, path = name.rpartition("|")
        if not scope:
            _put(whole, path, amount)
            continue
        kind, _, key = scope.partition(":")
        target = (booths if kind == "booth" else hours).setdefault(key, _empty())
        _put(target, path, amount)
    whole = _finish(whole)
    whole["by_booth"] = {k: _finish(v) for k, v in sorted(booths.items())}
    whole["by_hour"] = {k: _finish(v) for k, v in sorted(hours.items())}
    return whole

"""The day-setup form <-> a plan document. The form has the workbook's columns
(central/plan_workbook.py), one row per entry and a few blank rows to add entries; an
error of the plan's rules is shown at the input that holds the field."""

import re

from central.plan_workbook import COLUMNS, DAY_FIELDS, DEFAULT_LABELS, day_values, head_of, item_of, item_row

BLANK_ROWS = 3
FORM_OWNED = {"id", "zh", "en", "team", "leader", "measure", "opening_stock", "low_stock", "retired"}


def form_rows(raw: dict) -> dict[str, list[dict]]:
    """Per catalogue, each entry's column values, then BLANK_ROWS empty rows."""
    rows = {}
    for catalogue, columns in COLUMNS.items():
        names = [c for c, _ in columns]
        filled = [dict(zip(names, item_row(item, columns), strict=True)) for item in raw.get(catalogue, [])]
        rows[catalogue] = filled + [dict.fromkeys(names, "") for _ in range(BLANK_ROWS)]
    return rows


def form_day(raw: dict) -> dict:
    return day_values(raw)


def _row_values(form, catalogue: str, n: int) -> dict:
    return {column: form.get(f"{catalogue}-{n}-{column}", "") for column, _ in COLUMNS[catalogue]}


def _catalogue_from_form(form, catalogue: str, old: dict, rows: dict) -> list[dict]:
    items, n = [], 0
    while f"{catalogue}-{n}-id" in form:
        values = _row_values(form, catalogue, n)
        if any(str(v).strip() for k, v in values.items() if k != "retired"):
            item = item_of(values)
            kept = {k: v for k, v in old.get(item.get("id"), {}).items() if k not in FORM_OWNED}
            rows[(catalogue, len(items))] = n  # which form row holds the n-th entry
            items.append({**kept, **item})
        n += 1
    return items


def plan_from_form(form, base: dict) -> tuple[dict, dict]:
    """(the plan the form describes, {(catalogue, entry index): form row}). Fields the form
    does not show (summary template, labels, extra attributes) are kept from `base`."""
    plan = {**base, **head_of({name: form.get(name, "").strip() for name, _ in DAY_FIELDS})}
    if not (form.get("organiser_zh") or form.get("organiser_en")):
        plan.pop("organiser", None)
    plan.setdefault("labels", DEFAULT_LABELS)
    rows: dict = {}
    for catalogue in COLUMNS:
        old = {item["id"]: item for item in base.get(catalogue, [])}
        plan[catalogue] = _catalogue_from_form(form, catalogue, old, rows)
    return plan, rows


def input_errors(errors: dict, rows: dict) -> dict[str, list[str]]:
    """Plan field paths ('topics[2].team.zh', 'opening_hours.end') -> the form input names."""
    named = {}
    for path, messages in errors.items():
        match = re.match(r"^(\w+)\[(\d+)\](?:\.(\w+))?(?:\.(\w+))?$", path)
        if match and (match.group(1), int(match.group(2))) in rows:
            column = match.group(3) if not match.group(4) else f"{match.group(3)}_{match.group(4)}"
            named[f"{match.group(1)}-{rows[(match.group(1), int(match.group(2)))]}-{column}"] = messages
        else:
            named[{"opening_hours.start": "opening_start", "opening_hours.end": "opening_end"}.get(
                path, path.replace(".", "_"))] = messages
    return named

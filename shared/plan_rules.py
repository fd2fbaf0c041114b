"""The rules a plan document and a plan change must keep, so the figures stay true.

Pure: the caller supplies which keys entries already use. Every refusal names its field
(`topics[2].zh`, `opening_hours.end`) and says why in Chinese, then English.
"""

import re
from datetime import date
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from shared.events import DAY_ID_PATTERN, KEY_PATTERN
from shared.plan import CATALOGUES, DayPlan, parse_plan

HOUR = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
CATALOGUE_NAMES = {"booths": "展位", "departments": "科室", "topics": "咨询事项", "materials": "宣传材料"}
LABEL_MAX = 100


class PlanInvalid(Exception):
    """The document or change breaks a rule; `errors` is {field: [zh / en reason]}."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()))
        self.errors = errors


def _add(errors: dict, name: str, zh: str, en: str) -> None:
    errors.setdefault(name, []).append(f"{zh} / {en}")


def _check_label(errors: dict, doc: dict, name: str, required: bool = True) -> None:
    """A {zh, en} pair: both present, non-empty, at most LABEL_MAX characters."""
    for lang, word in (("zh", "中文"), ("en", "英文")):
        value = doc.get(lang) if isinstance(doc, dict) else None
        if value is None and not required:
            continue
        if not isinstance(value, str) or not value.strip():
            _add(errors, f"{name}.{lang}" if name else lang, f"缺少{word}名称", f"the {lang} label is required")
        elif len(value) > LABEL_MAX:
            _add(errors, f"{name}.{lang}" if name else lang, f"{word}名称超过 {LABEL_MAX} 字",
                 f"the {lang} label is longer than {LABEL_MAX} characters")


def _check_head(errors: dict, doc: dict) -> None:
    if not isinstance(doc.get("day_id"), str) or not re.match(DAY_ID_PATTERN, doc["day_id"]):
        _add(errors, "day_id", "日期编号只能用小写字母、数字和连字符(3–64 个)",
             "the day id takes 3-64 lowercase letters, digits and hyphens")
    try:
        date.fromisoformat(str(doc.get("date")))
    except ValueError:
        _add(errors, "date", "日期须为 YYYY-MM-DD", "the date must be YYYY-MM-DD")
    try:
        ZoneInfo(str(doc.get("timezone")))
    except (ZoneInfoNotFoundError, ValueError):
        _add(errors, "timezone", "未知时区(例如 Asia/Shanghai)", "unknown time zone (e.g. Asia/Shanghai)")
    _check_label(errors, doc.get("title"), "title")
    if doc.get("organiser") is not None:
        _check_label(errors, doc["organiser"], "organiser")
    _check_hours(errors, doc.get("opening_hours"))


def _check_hours(errors: dict, hours) -> None:
    hours = hours if isinstance(hours, dict) else {}
    for end in ("start", "end"):
        if not HOUR.match(str(hours.get(end, ""))):
            _add(errors, f"opening_hours.{end}", "时间须为 HH:MM(24 小时制)", "the time must be HH:MM (24-hour)")
    if "opening_hours.start" not in errors and "opening_hours.end" not in errors and hours["start"] >= hours["end"]:
        _add(errors, "opening_hours.end", "结束时间须晚于开始时间", "closing must be after opening")


def _check_numbers(errors: dict, item: dict, name: str) -> None:
    for number in ("opening_stock", "low_stock"):
        value = item.get(number)
        if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < 0):
            _add(errors, f"{name}.{number}", "须为不小于 0 的整数", "must be a whole number, 0 or more")


def _check_catalogue(errors: dict, doc: dict, catalogue: str) -> None:
    items, zh = doc.get(catalogue), CATALOGUE_NAMES[catalogue]
    if not isinstance(items, list) or not items:
        _add(errors, catalogue, f"至少需要一个{zh}", f"at least one entry is required in {catalogue}")
        return
    seen: dict[str, int] = {}
    for n, item in enumerate(items):
        if not isinstance(item, dict):
            _add(errors, f"{catalogue}[{n}]", "须为对象", "must be an object")
        else:
            _check_item(errors, item, f"{catalogue}[{n}]", n, seen)


def _check_item(errors: dict, item: dict, name: str, n: int, seen: dict) -> None:
    """One entry: its id (safe, unique: `seen` holds the ids before it), labels and numbers."""
    key = item.get("id")
    if not isinstance(key, str) or not re.match(KEY_PATTERN, key):
        _add(errors, f"{name}.id", "编号只能用小写字母、数字、_ 和 -,以字母或数字开头(最多 64 个)",
             "the id takes lowercase letters, digits, _ and -, starting with a letter or digit (64 at most)")
    elif key in seen:
        _add(errors, f"{name}.id", f"编号 {key} 与第 {seen[key] + 1} 项重复", f"id {key} repeats entry {seen[key] + 1}")
    else:
        seen[key] = n
    _check_label(errors, item, name)
    for extra in ("team", "leader"):
        if item.get(extra) is not None:
            _check_label(errors, item[extra], f"{name}.{extra}")
    _check_numbers(errors, item, name)


def validate_plan(doc) -> DayPlan:
    """The plan a document describes; raises PlanInvalid naming every wrong field at once."""
    if not isinstance(doc, dict):
        raise PlanInvalid({"plan": ["计划须为 JSON 对象 / the plan must be a JSON object"]})
    errors: dict[str, list[str]] = {}
    _check_head(errors, doc)
    for catalogue in CATALOGUES:
        _check_catalogue(errors, doc, catalogue)
    if errors:
        raise PlanInvalid(errors)
    return parse_plan(doc)


def _items(doc: dict, catalogue: str) -> dict[str, dict]:
    return {item["id"]: item for item in doc.get(catalogue, [])}


def check_change(old: dict, new: dict, used: dict[str, set[str]], resolved: dict[str, set[str]]) -> None:
    """Refuse a new version that deletes a used key, changes the day id, or adds a key a
    coordinator already mapped or rejected (the fold would then differ on a rebuild)."""
    errors: dict[str, list[str]] = {}
    if new.get("day_id") != old.get("day_id"):
        _add(errors, "day_id", "不能更改日期编号", f"the day id stays {old.get('day_id')}")
    for catalogue in CATALOGUES:
        before, after = _items(old, catalogue), _items(new, catalogue)
        for key in sorted(set(before) - set(after)):
            if key in used.get(catalogue, set()):
                _add(errors, f"{catalogue}.{key}", f"{key} 已有记录使用,只能停用,不能删除",
                     f"{key} is used by entries: retire it (retired: true), it cannot be deleted")
        for key in sorted(set(after) - set(before)):
            if key in resolved.get(catalogue, set()):
                _add(errors, f"{catalogue}.{key}", f"{key} 已由协调员处理(映射或拒绝),请换一个编号",
                     f"{key} was already mapped or rejected by a coordinator: choose another id")
    if errors:
        raise PlanInvalid(errors)


def diff_plans(old: dict, new: dict) -> list[dict]:
    """What a version changed: one row per catalogue key or top-level field."""
    changes = []
    for name in sorted(set(old) | set(new)):
        if name not in CATALOGUES and name != "day_id" and old.get(name) != new.get(name):
            changes.append({"field": name, "change": "changed"})
    for catalogue in CATALOGUES:
        before, after = _items(old, catalogue), _items(new, catalogue)
        for key in after:
            if key not in before:
                changes.append({"field": catalogue, "key": key, "change": "added"})
            elif after[key] != before[key]:
                changes.append({"field": catalogue, "key": key, "change": _item_change(before[key], after[key])})
        changes += [{"field": catalogue, "key": key, "change": "removed"} for key in before if key not in after]
    return changes


def _item_change(before: dict, after: dict) -> str:
    if bool(after.get("retired")) != bool(before.get("retired")):
        return "retired" if after.get("retired") else "restored"
    return "changed"


def added_keys(old: dict, new: dict) -> list[tuple[str, str]]:
    """(catalogue, key) pairs a new version adds."""
    return [(c, key) for c in CATALOGUES for key in _items(new, c) if key not in _items(old, c)]


# Figure sections whose last part is a catalogue key (the summary's figure names).
FIGURE_CATALOGUES = {"materials.distributed": "materials", "materials.restocked": "materials",
                     "inquiries.by_topic": "topics", "inquiries.by_department": "departments",
                     "inquiries.by_outcome": "outcomes", "feedback.by_rating": "ratings"}


def _label_of(plan: dict, catalogue: str, key: str) -> tuple | None:
    item = _items(plan, catalogue).get(key) or plan.get("labels", {}).get(catalogue, {}).get(key)
    return (item.get("zh"), item.get("en")) if item else None


def label_versions(records: list[dict]) -> dict[tuple[str, str], int]:
    """(catalogue, key) -> the plan version since which the key's current label (zh and en)
    has held: where the words a figure is shown with came from. `records`: oldest first."""
    since: dict[tuple[str, str], tuple[tuple, int]] = {}
    for record in records:
        plan = record["plan"]
        for catalogue in (*CATALOGUES, "outcomes", "ratings"):
            keys = set(_items(plan, catalogue)) | set(plan.get("labels", {}).get(catalogue, {}))
            for key in keys:
                label = _label_of(plan, catalogue, key)
                held = since.get((catalogue, key))
                if held is None or held[0] != label:
                    since[(catalogue, key)] = (label, record["version"])
    return {fk: version for fk, (_, version) in since.items()}


def figure_label_version(name: str, versions: dict[tuple[str, str], int]) -> int | None:
    """The plan version a figure's label came from; None for figures the plan does not label."""
    section, _, key = name.rpartition(".")
    catalogue = FIGURE_CATALOGUES.get(section)
    return versions.get((catalogue, key)) if catalogue else None

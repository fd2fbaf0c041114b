"""A day plan as an Excel workbook (openpyxl), the way office staff keep their lists: a
sheet `day` (field, value) and a sheet per catalogue, one row per entry, zh and en columns
(anchor: ODK's XLSForm with its `choices` sheet). The same workbook is exported, imported
and offered empty as a template. Every error names the sheet, row and column.
"""

import io
import re
from itertools import islice

from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter

from shared.plan import CATALOGUES
from shared.plan_rules import PlanInvalid, validate_plan

DAY_FIELDS = (("day_id", "编号"), ("date", "日期 YYYY-MM-DD"), ("timezone", "时区"),
              ("opening_start", "开始 HH:MM"), ("opening_end", "结束 HH:MM"), ("title_zh", "标题(中文)"),
              ("title_en", "标题(英文)"), ("organiser_zh", "主办单位(中文)"), ("organiser_en", "主办单位(英文)"))
COLUMNS = {  # per catalogue sheet: (column, zh heading)
    "booths": (("id", "编号"), ("zh", "中文名称"), ("en", "英文名称"), ("team_zh", "队伍(中文)"),
               ("team_en", "队伍(英文)"), ("leader_zh", "带队领导(中文)"), ("leader_en", "带队领导(英文)"),
               ("retired", "停用")),
    "departments": (("id", "编号"), ("zh", "中文名称"), ("en", "英文名称"), ("retired", "停用")),
    "topics": (("id", "编号"), ("zh", "中文名称"), ("en", "英文名称"), ("retired", "停用")),
    "materials": (("id", "编号"), ("zh", "中文名称"), ("en", "英文名称"), ("measure_zh", "单位(中文)"),
                  ("measure_en", "单位(英文)"), ("opening_stock", "期初库存"), ("low_stock", "低库存提醒"),
                  ("retired", "停用")),
}
PAIRS = {"team": "team", "leader": "leader", "measure": "measure"}  # x_zh + x_en -> {x: {zh, en}}
DEFAULT_LABELS = {
    "outcomes": {"answered": {"zh": "当场解答", "en": "Answered on the spot"},
                 "referred": {"zh": "转办", "en": "Referred"},
                 "follow_up": {"zh": "需跟进", "en": "Follow-up needed"}},
    "ratings": {"satisfied": {"zh": "满意", "en": "Satisfied"},
                "basically_satisfied": {"zh": "基本满意", "en": "Basically satisfied"},
                "dissatisfied": {"zh": "不满意", "en": "Dissatisfied"}},
}
YES = {"1", "y", "yes", "true", "是", "停用", "x"}


def _heading(column: str, zh: str) -> str:
    return f"{column} {zh}"


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if hasattr(value, "isoformat"):
        value = value.isoformat()[:10] if hasattr(value, "date") else value.isoformat()[:5]
    return str(value).strip()


# -- export ---------------------------------------------------------------------------------


def day_values(plan: dict) -> dict:
    """The plan's day fields by DAY_FIELDS name (what the `day` sheet and the form show)."""
    hours, title, organiser = plan.get("opening_hours", {}), plan.get("title", {}), plan.get("organiser") or {}
    values = {"day_id": plan.get("day_id", ""), "date": str(plan.get("date", "")), "timezone": plan.get("timezone", ""),
              "opening_start": hours.get("start", ""), "opening_end": hours.get("end", ""),
              "title_zh": title.get("zh", ""), "title_en": title.get("en", ""),
              "organiser_zh": organiser.get("zh", ""), "organiser_en": organiser.get("en", "")}
    return values


def item_row(item: dict, columns) -> list:
    """An entry's values in the order of `columns` (COLUMNS[catalogue])."""
    row = []
    for column, _ in columns:
        pair, _, lang = column.rpartition("_")
        if pair in PAIRS:
            row.append((item.get(pair) or {}).get(lang, ""))
        elif column == "retired":
            row.append("yes" if item.get("retired") else "")
        else:
            row.append(item.get(column, ""))
    return row


def plan_to_workbook(plan: dict) -> bytes:
    """The plan as .xlsx bytes; `plan_to_workbook({})` is the empty template."""
    book = Workbook()
    sheet = book.active
    sheet.title = "day"
    sheet.append(["field 字段", "value 值", "说明"])
    values = day_values(plan)
    for name, zh in DAY_FIELDS:
        sheet.append([name, values[name], zh])
    for catalogue, columns in COLUMNS.items():
        _catalogue_sheet(book.create_sheet(catalogue), plan.get(catalogue, []), columns)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _catalogue_sheet(sheet, items: list[dict], columns) -> None:
    sheet.append([_heading(c, zh) for c, zh in columns])
    for item in items:
        sheet.append(item_row(item, columns))
    for n in range(1, len(columns) + 1):
        sheet.column_dimensions[get_column_letter(n)].width = 22


# -- import ---------------------------------------------------------------------------------


class _Located:
    """Collects errors under 'sheet!A1' names, zh then en."""

    def __init__(self):
        self.errors: dict[str, list[str]] = {}

    def add(self, sheet: str, row: int | None, column: str | None, zh: str, en: str, name: str = "") -> None:
        """`column` is the letter; `name` the plan field it holds ('en'), shown beside it."""
        where = sheet if row is None else f"{sheet}!{column or ''}{row}" + (f"({name})" if name and column else "")
        column = column and (f"{column}({name})" if name else column)
        place_zh = f"工作表 {sheet}" + (f" 第 {row} 行" if row else "") + (f" {column} 列" if column else "")
        place_en = f"sheet {sheet}" + (f", row {row}" if row else "") + (f", column {column}" if column else "")
        self.errors.setdefault(where, []).append(f"{place_zh}:{zh} / {place_en}: {en}")


# A workbook is at most 1 MiB on upload, but that compresses a sheet of millions of rows or
# columns; a day's catalogue has tens. Read no more than these and say so.
MAX_ROWS, MAX_COLUMNS = 500, 40


def _rows(book, sheet: str, found: _Located, min_row: int = 1) -> list[tuple]:
    """The sheet's rows (values, at most MAX_COLUMNS each); past MAX_ROWS an error, not a read."""
    rows = list(islice(book[sheet].iter_rows(min_row=min_row, max_col=MAX_COLUMNS, values_only=True),
                       MAX_ROWS + 1))
    if len(rows) > MAX_ROWS:
        found.add(sheet, None, None, f"行数过多（最多 {MAX_ROWS} 行）", f"too many rows (at most {MAX_ROWS})")
    return rows[:MAX_ROWS]


def _read_day(book, found: _Located) -> tuple[dict, dict]:
    if "day" not in book.sheetnames:
        found.add("day", None, None, "缺少工作表", "the sheet is missing")
        return {}, {}
    values, rows = {}, {}
    for n, row in enumerate(_rows(book, "day", found, min_row=2), start=2):
        name = _cell(row[0] if row else None).split(" ")[0]
        if name:
            values[name], rows[name] = _cell(row[1] if len(row) > 1 else None), n
    return values, rows


def head_of(values: dict) -> dict:
    """The plan's day fields (DAY_FIELDS' values) as plan document fields."""
    head = {"day_id": values.get("day_id", ""), "date": values.get("date", ""), "timezone": values.get("timezone", ""),
            "opening_hours": {"start": values.get("opening_start", ""), "end": values.get("opening_end", "")},
            "title": {"zh": values.get("title_zh", ""), "en": values.get("title_en", "")}}
    if values.get("organiser_zh") or values.get("organiser_en"):
        head["organiser"] = {"zh": values.get("organiser_zh", ""), "en": values.get("organiser_en", "")}
    return head


def _columns(header, catalogue: str, found: _Located) -> dict[str, int]:
    at = {_cell(h).split(" ")[0].lower(): n for n, h in enumerate(header) if _cell(h)}
    for column in ("id", "zh", "en"):
        if column not in at:
            found.add(catalogue, 1, None, f"缺少 {column} 列", f"the {column} column is missing")
    return at


def _item(row, at: dict) -> dict:
    return item_of({column: row[n] if n < len(row) else None for column, n in at.items()})


def item_of(values: dict) -> dict:
    """A catalogue entry from its columns' values (a workbook row, or the setup form's)."""
    item = {}
    for column, raw in values.items():
        value = _cell(raw)
        pair, _, lang = column.rpartition("_")
        if pair in PAIRS and value:
            item.setdefault(pair, {})[lang] = value
        elif column == "retired":
            if value.lower() in YES:
                item["retired"] = True
        elif column in ("opening_stock", "low_stock"):
            if value:
                item[column] = int(value) if re.fullmatch(r"\d+", value) else value
        elif column in ("id", "zh", "en"):
            item[column] = value
    return item


def _read_catalogue(book, catalogue: str, found: _Located) -> tuple[list[dict], dict[str, int], list[int]]:
    """(items, column index by name, sheet row of each item)."""
    if catalogue not in book.sheetnames:
        found.add(catalogue, None, None, "缺少工作表", "the sheet is missing")
        return [], {}, []
    rows = _rows(book, catalogue, found)
    at = _columns(rows[0] if rows else (), catalogue, found)
    items, numbers = [], []
    for n, row in enumerate(rows[1:], start=2):
        if any(_cell(v) for v in row):
            items.append(_item(row, at))
            numbers.append(n)
    return items, at, numbers


def _locate(path: str, found: _Located, messages: list[str], day_rows: dict, sheets: dict) -> None:
    """Turn a plan field path ('topics[2].zh', 'opening_hours.end') into a sheet cell."""
    match = re.match(r"^(\w+)\[(\d+)\](?:\.(\w+))?(?:\.(\w+))?", path)
    for message in messages:
        zh, _, en = message.partition(" / ")
        if match and match.group(1) in sheets:
            catalogue, index = match.group(1), int(match.group(2))
            at, numbers = sheets[catalogue]
            column = match.group(3) if not match.group(4) else f"{match.group(3)}_{match.group(4)}"
            letter = get_column_letter(at[column] + 1) if column in at else None
            found.add(catalogue, numbers[index], letter, zh, en, column)
        elif path in sheets:
            found.add(path, None, None, zh, en)
        else:
            name = {"opening_hours.start": "opening_start", "opening_hours.end": "opening_end"}.get(
                path, path.replace(".", "_"))
            found.add("day", day_rows.get(name), "B" if name in day_rows else None, f"{name}:{zh}", f"{name}: {en}")


def _open(data: bytes):
    try:
        return load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise PlanInvalid({"file": [f"不是 .xlsx 工作簿 / not an .xlsx workbook ({type(exc).__name__})"]}) from exc


def workbook_to_plan(data: bytes) -> dict:
    """The plan document of a workbook, validated; PlanInvalid names sheet, row and column."""
    found, book = _Located(), _open(data)
    values, day_rows = _read_day(book, found)
    plan, sheets = {**head_of(values), "labels": DEFAULT_LABELS}, {}
    for catalogue in CATALOGUES:
        plan[catalogue], at, numbers = _read_catalogue(book, catalogue, found)
        sheets[catalogue] = (at, numbers)
    if not found.errors:
        try:
            validate_plan(plan)
        except PlanInvalid as exc:
            for path, messages in exc.errors.items():
                _locate(path, found, messages, day_rows, sheets)
    if found.errors:
        raise PlanInvalid(found.errors)
    return plan

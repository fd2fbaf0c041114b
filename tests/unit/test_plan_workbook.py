"""Plans as Excel workbooks: made here with openpyxl (no .xlsx is committed), read back,
and bad workbooks refused with the sheet, row and column named."""

import io
import json

import pytest
from openpyxl import load_workbook

from central.plan_workbook import plan_to_workbook, workbook_to_plan
from shared.plan_rules import PlanInvalid
from tests.helpers import PLAN_PATH

CATALOGUES = ("booths", "departments", "topics", "materials")


@pytest.fixture(scope="module")
def raw():
    plan = json.loads(PLAN_PATH.read_text(encoding="utf-8"))
    plan["materials"][0]["opening_stock"] = 3000
    plan["topics"][1]["retired"] = True
    return plan


def _edit(data: bytes, change) -> bytes:
    book = load_workbook(io.BytesIO(data))
    change(book)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _refusal(data: bytes) -> dict:
    with pytest.raises(PlanInvalid) as caught:
        workbook_to_plan(data)
    return caught.value.errors


def test_export_then_import_gives_the_same_plan(raw):
    back = workbook_to_plan(plan_to_workbook(raw))
    for name in ("day_id", "timezone", "opening_hours", "title", "organiser", *CATALOGUES):
        assert back[name] == raw[name], name
    assert back["date"] == raw["date"]


def test_the_template_has_every_sheet_and_bilingual_headings():
    book = load_workbook(io.BytesIO(plan_to_workbook({})))
    assert book.sheetnames == ["day", *CATALOGUES]
    assert [c.value for c in book["topics"][1]][:3] == ["id 编号", "zh 中文名称", "en 英文名称"]
    assert _refusal(plan_to_workbook({}))  # empty: refused, not imported


def test_a_missing_sheet_is_named(raw):
    errors = _refusal(_edit(plan_to_workbook(raw), lambda book: book.remove(book["topics"])))
    assert list(errors) == ["topics"] and "工作表 topics" in errors["topics"][0] and "missing" in errors["topics"][0]


def test_a_duplicate_id_names_sheet_row_and_column(raw):
    def twin(book):
        book["departments"]["A3"] = book["departments"]["A2"].value

    errors = _refusal(_edit(plan_to_workbook(raw), twin))
    assert list(errors) == ["departments!A3(id)"]
    assert "第 3 行" in errors["departments!A3(id)"][0] and "row 3, column A(id)" in errors["departments!A3(id)"][0]


def test_a_missing_label_and_a_bad_day_field_are_named(raw):
    def blank(book):
        book["topics"]["C2"] = None
        book["day"]["B4"] = "Mars/Olympus"  # timezone is the third field

    errors = _refusal(_edit(plan_to_workbook(raw), blank))
    assert set(errors) == {"topics!C2(en)", "day!B4"}
    assert "缺少英文名称" in errors["topics!C2(en)"][0] and "en label is required" in errors["topics!C2(en)"][0]
    assert "timezone" in errors["day!B4"][0]


def test_not_a_workbook_is_refused():
    assert "xlsx" in _refusal(b"not a zip at all")["file"][0]


def test_a_sheet_of_too_many_rows_is_refused_unread(raw):
    """1 MiB of .xlsx compresses far more rows than a catalogue has: past MAX_ROWS the reader
    stops and names the sheet, and no more rows are read."""
    from central.plan_workbook import MAX_ROWS

    def pad(book):
        sheet = book["topics"]
        for n in range(MAX_ROWS + 50):
            sheet.append([f"extra{n}", f"话题{n}", f"topic {n}"])
    errors = _refusal(_edit(plan_to_workbook(raw), pad))
    assert any(name.startswith("topics") and "too many rows" in " ".join(messages) for name, messages in errors.items())

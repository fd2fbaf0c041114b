"""Pure text safety (issue 15): masking personal numbers, spreadsheet-safe CSV cells,
Markdown escaping, and summary templates limited to plain {name} fields."""

import copy

import pytest

from shared.markdown_text import escape_markdown
from shared.masking import mask_payload, mask_personal
from shared.spreadsheet import safe_cell
from shared.summary_text import TemplateError, default_template, validate_template

PLAN_RAW = {"materials": [{"id": "leaflet", "zh": "宣传单", "en": "Leaflets"}]}
FIGURES = {"materials.distributed.leaflet", "inquiries.total", "visitors", "feedback.hot_issues"}


@pytest.mark.parametrize(("written", "shown"), [
    ("请回电13812345678", "请回电138****5678"),
    ("call +86 138 1234 5678 please", "call +86 138****5678 please"),
    ("身份证号110101199003071234，", "身份证号110101********1234，"),
    ("11010119900307123X", "110101********123X"), ("ID110101199003071234号", "ID110101********1234号"),
    ("座机010-12345678", "座机010-******78"),
    ("0755-1234567转", "0755-*****67转"),
])
def test_phone_and_id_card_numbers_are_masked(written, shown):
    assert mask_personal(written) == shown


@pytest.mark.parametrize("text", ["2022年5月15日发放2600份", "订单号138123456789012", "电话号码忘了", "", "12345",
                                  "1101011990030712345"])
def test_other_numbers_and_plain_text_are_left_alone(text):
    assert mask_personal(text) == text


def test_only_free_text_fields_of_a_payload_are_masked():
    payload = {"comment": "找13812345678", "note": "13912345678", "reason": "13712345678", "topic": "13612345678",
               "quantity": 13812345678}
    before = copy.deepcopy(payload)
    masked = mask_payload(payload)
    assert masked == {"comment": "找138****5678", "note": "139****5678", "reason": "137****5678",
                      "topic": "13612345678", "quantity": 13812345678}
    assert payload == before  # the event itself is never changed


@pytest.mark.parametrize(("cell", "written"), [
    ('=HYPERLINK("http://evil.example","点这里")', '\'=HYPERLINK("http://evil.example","点这里")'),
    ("@SUM(1+1)", "'@SUM(1+1)"), ("+1+cmd|' /C calc'!A0", "'+1+cmd|' /C calc'!A0"), ("-2+3", "'-2+3"),
    ("\t=1", "'\t=1"), ("\r=1", "'\r=1"), ("普通意见", "普通意见"), ("a=b", "a=b"),
    ("-3", "-3"), ("+1.5", "+1.5"), (-3, -3), (42, 42), ("", ""),
])
def test_csv_cells_never_start_a_formula_and_numbers_stay_numbers(cell, written):
    assert safe_cell(cell) == written


@pytest.mark.parametrize(("text", "escaped"), [
    ("<script>alert(1)</script>", r"\<script\>alert\(1\)\</script\>"),
    ("<img src=x onerror=alert(1)>", r"\<img src=x onerror=alert\(1\)\>"),
    ("[点我](javascript:alert(1))", r"\[点我\]\(javascript:alert\(1\)\)"),
    ("# 标题", r"\# 标题"), ("- 列表", r"\- 列表"), ("1. 一", r"1\. 一"),
    ("第一行\n# 第二行", r"第一行 \# 第二行"), ("a|b", r"a\|b"),
    ("2022-05-15 共 2,600.5 份", "2022-05-15 共 2,600.5 份"),
])
def test_markdown_text_shows_as_typed(text, escaped):
    assert escape_markdown(text) == escaped


def _template_with(text: str) -> dict:
    template = default_template(PLAN_RAW)
    template["zh"]["paragraph"] = text
    return template


@pytest.mark.parametrize("text", [
    "{date:{teams.__class__}}", "{date:>999999999}", "{date!r}", "{teams.__class__}", "{figures[0]}", "{0}", "{}",
    "{date.__init__.__globals__}",
])
def test_a_template_field_that_is_not_a_plain_name_is_refused_with_a_zh_en_reason(text):
    with pytest.raises(TemplateError) as refused:
        validate_template(_template_with(text), FIGURES)
    reasons = refused.value.errors["zh.paragraph"]
    assert reasons and all(" / " in r and "{name}" in r for r in reasons)


def test_plain_fields_still_pass_and_unknown_ones_are_named():
    assert validate_template(_template_with("{date}{organiser}{teams}{figures}"), FIGURES)
    with pytest.raises(TemplateError) as refused:
        validate_template(_template_with("{boss}"), FIGURES)
    assert "unknown placeholder {boss}" in refused.value.errors["zh.paragraph"][0]


def test_rendering_never_evaluates_a_template_stored_before_the_check():
    """The worker renders with fill(), not str.format: a template saved by an older version
    with an attribute lookup is refused at render time instead of being evaluated."""
    from shared.summary_text import fill, render_paragraph

    assert fill("{a}和{b}，{{字面}}", a=1, b="二") == "1和二，{字面}"
    template = _template_with("{teams.__class__.__mro__}")
    context = {"date": {"zh": "5月15日"}, "organiser": {"zh": "民政局"}, "teams": [], "department_count": 1}
    with pytest.raises(TemplateError) as refused:
        render_paragraph(template, context, {}, "zh")
    assert "{name}" in refused.value.errors["_"][0]
    with pytest.raises(TemplateError):
        fill("{date:>999999999}", date="x")

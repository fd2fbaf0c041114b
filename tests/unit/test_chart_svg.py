"""The day page's charts written as SVG text (sync_service/dashboard/chart_svg.py): the
text a plan supplies is escaped, and a label no font can show is an error (issue 17)."""

import re
from xml.etree import ElementTree

import pytest

from sync_service.dashboard.chart_svg import Chart, Series, render_svg


def _chart(label: str, kind: str = "hbars", values=(3, 0)) -> Chart:
    return Chart("topics", kind, ("a", "b"), (label, "第二"), (Series("解答咨询", "#2471a3", values),))


def test_a_label_with_markup_is_text_in_a_well_formed_svg():
    svg = render_svg(_chart('<script>alert("x")</script> & 婚姻'))
    assert "<script" not in svg and "&lt;script&gt;" in svg
    root = ElementTree.fromstring(svg)  # well-formed XML: the page and DOMParser read the same document
    assert root.tag.endswith("svg") and root.get("viewBox").startswith("0 0 345.6 ")


@pytest.mark.parametrize("kind", ["hbars", "columns"])
def test_every_bar_is_a_group_with_its_id_and_the_values_are_written(kind):
    svg = render_svg(_chart("婚姻登记", kind))
    assert re.search(r'<g id="topics-0-a"><path d="M[^"]+" fill="#2471a3"/></g>', svg)
    if kind == "hbars":
        assert re.search(r'<g id="topics-0-a-value"><text[^>]*>3</text></g>', svg)
        assert re.search(r'<g id="topics-0-b-value"><text[^>]*opacity="0"[^>]*>0</text></g>', svg)  # unseen 0


def test_a_character_no_font_has_is_an_error():
    with pytest.warns(UserWarning, match=r"Glyph \d+ .* missing from font"):
        render_svg(_chart("婚姻登记 \U0001f9ff"))

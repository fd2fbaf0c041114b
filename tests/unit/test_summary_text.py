"""The paragraph from a template: measure words, rounding, zero omitted or stated, and
templates refused field by field."""

import copy

import pytest

from central.summary.build import plan_template, template_figure_names
from shared.plan import load_plan
from shared.summary_text import TemplateError, default_template, render_paragraph, validate_template
from tests.helpers import PLAN_PATH

PLAN = load_plan(PLAN_PATH)
CONTEXT = {
    "date": {"zh": "5月15日", "en": "15 May 2022"},
    "organiser": {"zh": "民政局", "en": "the Civil Affairs Bureau"},
    "department_count": 9,
    "teams": [
        {"team": {"zh": "宣传一队", "en": "Team One"}, "place": {"zh": "小广场", "en": "the square"},
         "leader": {"zh": "副局长古威", "en": "Gu Wei"}, "staff": 12},
        {"team": {"zh": "宣传二队", "en": "Team Two"}, "place": {"zh": "八一公园广场", "en": "Bayi Park"},
         "leader": {"zh": "局长杨绪坤", "en": "Yang Xukun"}, "staff": 0},
    ],
}
FIGURES = {"materials.distributed.leaflet": 2637, "materials.distributed.handbook": 1018,
           "materials.distributed.poster": 213, "inquiries.total": 396, "visitors": 312, "feedback.hot_issues": 13}


def test_the_default_template_reads_like_summary_one():
    text, shown = render_paragraph(default_template(PLAN.raw), CONTEXT, FIGURES, "zh")
    assert text == ("5月15日当天，民政局派出两组宣传小分队，共9个业务科室，宣传一队在小广场上，由副局长古威带队，"
                    "12名工作人员参加；宣传二队在八一公园广场上，由局长杨绪坤带队。活动共印发政务公开宣传品2600余份，"
                    "发放便民手册1000余册，宣传海报200余张，受理解答各类政策咨询近400件，接待现场咨询群众300余人，"
                    "收集群众关心热点问题13件。")
    assert {s["figure"]: (s["exact"], s["zh"]) for s in shown}["materials.distributed.card"] == (0, "0张")


def test_english_joins_with_and_and_keeps_exact_small_numbers():
    text, _ = render_paragraph(default_template(PLAN.raw), CONTEXT, FIGURES, "en")
    assert "Team One at the square, led by Gu Wei, with 12 staff; Team Two at Bayi Park, led by Yang Xukun" in text
    assert text.endswith("received more than 300 visitors and collected 13 hot issues raised by citizens.")
    assert "handed out more than 2,600 publicity leaflets, gave out more than 1,000 convenience handbooks" in text


def test_zero_is_omitted_or_stated_as_the_template_says():
    template = default_template(PLAN.raw)
    figures = {**FIGURES, "materials.distributed.poster": 0}
    text, _ = render_paragraph(template, CONTEXT, figures, "zh")
    assert "海报" not in text
    poster = next(f for f in template["figures"] if f["figure"] == "materials.distributed.poster")
    poster.update(zero="state", zero_zh="未张贴宣传海报", zero_en="put up no posters")
    validate_template(template, template_figure_names(PLAN))
    assert "发放便民手册1000余册，未张贴宣传海报，受理" in render_paragraph(template, CONTEXT, figures, "zh")[0]
    assert "put up no posters" in render_paragraph(template, CONTEXT, figures, "en")[0]


def test_bad_templates_are_refused_naming_each_field():
    names = template_figure_names(PLAN)
    good = default_template(PLAN.raw)
    assert validate_template(copy.deepcopy(good), names) == good
    bad = copy.deepcopy(good)
    bad["zh"]["paragraph"] = "{date"
    bad["en"]["team"] = "{team} {salary}"
    bad["figures"][0]["figure"] = "materials.distributed.balloon"
    bad["figures"][1]["zero"] = "state"
    bad["figures"][2]["zh"] = "{n.real}"
    bad["colour"] = "red"
    with pytest.raises(TemplateError) as caught:
        validate_template(bad, names)
    assert set(caught.value.errors) == {"zh.paragraph", "en.team", "figures.0.figure", "figures.1.zero_zh",
                                        "figures.1.zero_en", "figures.2.zh", "colour"}
    with pytest.raises(TemplateError):
        validate_template(["not", "an", "object"], names)


def test_a_day_with_nothing_recorded_still_reads_as_a_sentence():
    text, _ = render_paragraph(default_template(PLAN.raw), CONTEXT, {}, "zh")
    assert text.endswith("活动共未记录任何数据。")
    assert render_paragraph(default_template(PLAN.raw), CONTEXT, {}, "en")[0].endswith("the teams recorded no figures.")


def test_english_says_one_in_the_singular():
    """"1 convenience handbooks", "1 hot issues", "with 1 staff" read wrong; 2 stays plural."""
    plan = load_plan(PLAN_PATH)
    template = plan_template(plan)
    team = [{"team": {"zh": "一队", "en": "Team One"}, "place": {"zh": "广场", "en": "the square"},
             "leader": {"zh": "古威", "en": "Gu Wei"}, "staff": 1}]
    context = {"date": {"zh": "5月15日", "en": "15 May 2022"}, "organiser": {"zh": "局", "en": "the Bureau"},
               "department_count": 9, "teams": team}
    ones = {"materials.distributed.handbook": 1, "feedback.hot_issues": 1, "inquiries.total": 1, "visitors": 2}
    text, _ = render_paragraph(template, context, ones, "en")
    assert "gave out 1 convenience handbook," in text and "collected 1 hot issue raised" in text
    assert "answered 1 policy inquiry" in text and "received 2 visitors" in text
    assert "with 1 member of staff" in text
    zh, _ = render_paragraph(template, context, ones, "zh")
    assert "发放便民手册1册" in zh and "1名工作人员参加" in zh

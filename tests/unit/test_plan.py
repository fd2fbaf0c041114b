import json

import pytest
from marshmallow import ValidationError

from shared.plan import parse_plan
from tests.helpers import PLAN_PATH


def test_example_plan_matches_summary_one(plan):
    assert plan.timezone == "Asia/Shanghai"
    assert [plan.label("booths", b) for b in plan.keys("booths")] == ["砂山新村社区小广场", "八一公园广场"]
    assert len(plan.keys("departments")) == 9
    assert {"宣传品", "便民手册", "宣传海报", "联心卡"} == set(plan.catalogue_labels("materials").values())
    assert plan.label("ratings", "basically_satisfied") == "基本满意"
    assert plan.label("topics", "dibao", "en") == "Minimum living allowance"


def test_bad_plans_are_refused_with_reasons():
    raw = json.loads(PLAN_PATH.read_text(encoding="utf-8"))
    with pytest.raises(ValidationError) as caught:
        parse_plan({**raw, "timezone": "Mars/Olympus"})
    assert "timezone" in caught.value.messages
    with pytest.raises(ValidationError) as caught:
        parse_plan({**raw, "topics": raw["topics"] + raw["topics"][:1]})
    assert "topics" in caught.value.messages

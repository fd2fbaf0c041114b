"""The plan rules, pure: what a change may do, what it changed, where labels came from."""

import json

import pytest

from shared.plan_rules import PlanInvalid, check_change, diff_plans, figure_label_version, label_versions
from tests.helpers import PLAN_PATH


@pytest.fixture
def raw():
    return json.loads(PLAN_PATH.read_text(encoding="utf-8"))


def _with_topic(raw, key, zh, en):
    return {**raw, "topics": [*raw["topics"], {"id": key, "zh": zh, "en": en}]}


def test_a_used_key_may_be_retired_not_deleted_and_a_resolved_key_not_added(raw):
    gone = {**raw, "topics": raw["topics"][1:]}
    with pytest.raises(PlanInvalid) as caught:
        check_change(raw, gone, {"topics": {"dibao"}}, {})
    assert list(caught.value.errors) == ["topics.dibao"]
    check_change(raw, gone, {"topics": set()}, {})  # unused: may go
    with pytest.raises(PlanInvalid) as caught:
        check_change(raw, _with_topic(raw, "yiliao", "医疗", "Health care"), {}, {"topics": {"yiliao"}})
    assert "mapped or rejected" in caught.value.errors["topics.yiliao"][0]
    with pytest.raises(PlanInvalid):
        check_change(raw, {**raw, "day_id": "another-day"}, {}, {})


def test_the_diff_names_added_retired_and_changed(raw):
    new = _with_topic(raw, "yanglao", "养老服务", "Elderly care")
    new["topics"][0] = {**new["topics"][0], "retired": True}
    new["title"] = {"zh": "新标题", "en": "New title"}
    changes = diff_plans(raw, new)
    assert {"field": "topics", "key": "yanglao", "change": "added"} in changes
    assert {"field": "topics", "key": raw["topics"][0]["id"], "change": "retired"} in changes
    assert {"field": "title", "change": "changed"} in changes and len(changes) == 3


def test_each_label_names_the_version_it_came_from(raw):
    v2 = _with_topic(raw, "yanglao", "养老服务", "Elderly care")
    v3 = {**v2, "topics": [{**v2["topics"][0], "zh": "最低生活保障"}, *v2["topics"][1:]]}
    versions = label_versions([{"version": 1, "plan": raw}, {"version": 2, "plan": v2}, {"version": 3, "plan": v3}])
    assert figure_label_version("inquiries.by_topic.yanglao", versions) == 2
    assert figure_label_version(f"inquiries.by_topic.{raw['topics'][0]['id']}", versions) == 3  # relabelled
    assert figure_label_version(f"inquiries.by_topic.{raw['topics'][1]['id']}", versions) == 1
    assert figure_label_version("inquiries.by_outcome.answered", versions) == 1
    assert figure_label_version("visitors", versions) is None

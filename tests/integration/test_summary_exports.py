"""Exports read back the way the office reads them: csv module, python-docx."""

import base64
import csv
import io

import pytest
from docx import Document

from central import keys
from central.projection import fold_to_end
from tests.helpers import DAY
from tests.integration.test_summary import AUTH, _append, _run_jobs, api  # noqa: F401 - fixture
from tests.summary_day import EXPECTED_ZH_PHRASES, as_events, generate_day

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def closed_day(api, redis, redis_url, plan):  # noqa: F811
    _append(redis, as_events(generate_day(seed=21)))
    api.post(f"/api/v1/days/{DAY}/close", headers=AUTH)
    _run_jobs(redis_url)  # summary, and the fold that fills the projection's voids
    from tests.conftest import load_plan  # noqa: F401
    fold_to_end(redis, DAY, api.application.extensions["openday"]["plans"][DAY])
    return api


def test_events_csv_streams_one_row_per_event_with_bom_and_chinese(closed_day, redis):
    response = closed_day.get(f"/api/v1/days/{DAY}/exports/events.csv", headers=AUTH, buffered=False)
    assert response.status_code == 200 and response.is_streamed
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response.headers["Content-Disposition"]
    raw = b"".join(response.response)
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert len(rows) == redis.xlen(keys.log(DAY))
    assert [r["position"] for r in rows] == [sid for sid, _ in redis.xrange(keys.log(DAY))]
    assert {r["booth"] for r in rows} == {"砂山新村社区小广场", "八一公园广场"}
    assert "社会救助科" in {r["department_label"] for r in rows}
    hot = [r for r in rows if r["hot_issue"] == "是" and not r["voided_by"]]
    assert len(hot) == 13 and all("（" in r["comment"] for r in hot)
    voids = [r for r in rows if r["type"] == "event.voided"]
    assert {r["event_id"] for r in rows if r["voided_by"]} == {r["target_event_id"] for r in voids}
    leaflets = sum(int(r["quantity"]) for r in rows
                   if r["material"] == "leaflet" and r["type"] == "material.distributed" and not r["voided_by"])
    assert leaflets == 2637


def test_totals_csv_has_each_scope_with_labels(closed_day):
    response = closed_day.get(f"/api/v1/days/{DAY}/exports/totals.csv", headers=AUTH)
    assert response.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"), newline="")))
    day = {r["figure"]: r for r in rows if r["scope"] == "day"}
    assert day["materials.distributed.leaflet"]["value"] == "2637"
    assert day["materials.distributed.leaflet"]["label_zh"] == "宣传品"
    assert day["inquiries.total"]["value"] == "396"
    booths = {r["scope_label"] for r in rows if r["scope"] == "booth"}
    assert booths == {"砂山新村社区小广场", "八一公园广场"}
    by_booth = sum(int(r["value"]) for r in rows if r["scope"] == "booth" and r["figure"] == "visitors")
    assert by_booth == 312
    assert day["visitors"]["label_zh"] == "接待现场咨询群众"
    assert day["inquiries.total"]["label_en"] == "Inquiries answered"
    assert [name for name, r in day.items() if not (r["label_zh"] and r["label_en"])] == []  # every figure named


def test_docx_opens_with_python_docx_and_holds_paragraph_figures_and_charts(closed_day):
    response = closed_day.get(f"/api/v1/days/{DAY}/exports/summary.docx", headers=AUTH)
    assert response.status_code == 200
    document = Document(io.BytesIO(response.data))
    text = "\n".join(p.text for p in document.paragraphs)
    summary = closed_day.get(f"/api/v1/days/{DAY}/summary", headers=AUTH).json
    assert summary["content"]["text"]["zh"] in text
    for phrase in EXPECTED_ZH_PHRASES:
        assert phrase in text
    cells = [[c.text for c in row.cells] for row in document.tables[0].rows]
    assert ["宣传品", "2,637", "2600余份"] in cells
    assert ["受理解答政策咨询", "396", "近400件"] in cells
    assert len(document.inline_shapes) == 4  # the charts
    english = Document(io.BytesIO(closed_day.get(f"/api/v1/days/{DAY}/exports/summary.docx",
                                                 query_string={"lang": "en"}, headers=AUTH).data))
    assert summary["content"]["text"]["en"] in "\n".join(p.text for p in english.paragraphs)
    footer = document.paragraphs[-1].text  # the Chinese report says which version in Chinese
    assert footer.startswith("数据来源：") and "第 1 版" in footer and "position" not in footer
    assert "满意 " in text and "张意见卡" in text  # satisfaction spelled out, not "66.7% (1 + 1 / 3)"


def test_markdown_and_html_carry_the_paragraph_and_chart_images(closed_day):
    summary = closed_day.get(f"/api/v1/days/{DAY}/summary", headers=AUTH).json
    markdown = closed_day.get(f"/api/v1/days/{DAY}/exports/summary.md", headers=AUTH).data.decode()
    assert summary["content"]["text"]["zh"] in markdown
    assert "| 宣传品 | 2,637 | 2600余份 |" in markdown
    assert markdown.count("](data:image/png;base64,") == 4
    page = closed_day.get(f"/api/v1/days/{DAY}/exports/summary.html", headers=AUTH).data.decode()
    assert summary["content"]["text"]["zh"] in page and page.count('src="data:image/png;base64,') == 4
    first = page.split('src="data:image/png;base64,')[1].split('"')[0]
    assert base64.b64decode(first).startswith(PNG)
    chart = closed_day.get(f"/api/v1/days/{DAY}/exports/charts/materials.png", headers=AUTH)
    assert chart.data.startswith(PNG)
    assert closed_day.get(f"/api/v1/days/{DAY}/exports/charts/nope.png", headers=AUTH).status_code == 404
    assert closed_day.get(f"/api/v1/days/{DAY}/exports/summary.md", query_string={"lang": "fr"},
                          headers=AUTH).status_code == 400


def test_exports_need_a_coordinator(closed_day):
    for path in ("events.csv", "totals.csv", "summary.docx", "summary.md", "summary.html"):
        assert closed_day.get(f"/api/v1/days/{DAY}/exports/{path}").status_code == 401


def test_events_csv_is_produced_chunk_by_chunk(redis, plan):
    from central.summary.exports import events_csv

    _append(redis, as_events(generate_day(seed=2)), only={"laptop-a"})
    total = redis.xlen(keys.log(DAY))
    chunks = list(events_csv(redis, DAY, plan, chunk=50))
    assert len(chunks) == total // 50 + 1  # one chunk of text per XRANGE chunk: never the whole file at once
    assert all(len(c.decode("utf-8-sig").splitlines()) <= 51 for c in chunks)
    assert b"".join(chunks).decode("utf-8-sig").count("\n") == total + 1


def test_events_csv_says_what_became_of_a_quarantined_entry():
    from central.summary.exports import quarantine_decision
    from shared.events import COORDINATOR_DEVICE, RESOLUTION

    held = {"type": "inquiry.answered", "booth_id": "shashan",
            "payload": {"topic": "dibao2", "department": "newdept", "outcome": "answered"}}
    resolutions = {"topic|dibao2": '{"action": "map", "to": "dibao", "by": "gu"}'}
    pending = {"department|newdept": "1"}
    assert quarantine_decision(held, resolutions, pending) == (
        "topic=dibao2: 归入 mapped to dibao; department=newdept: 待处理 pending")
    decision = {"type": RESOLUTION, "device_id": COORDINATOR_DEVICE, "booth_id": "_",
                "payload": {"field": "department", "key": "newdept", "action": "reject", "to": None}}
    assert quarantine_decision(decision, {}, {}) == "department=newdept: 不计入 rejected"
    ordinary = {"type": "visitor.received", "booth_id": "shashan", "payload": {"party_size": 2}}
    assert quarantine_decision(ordinary, resolutions, pending) == ""

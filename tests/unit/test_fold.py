from central.chunk import ChunkFold, Entry
from shared.fold import FoldView, contributions, void_effect
from shared.totals import build_document
from tests.factories import make_event


def test_inquiry_counts_in_every_scope(plan):
    event = make_event(1, "inquiry.answered", recorded_at="2022-05-15T01:30:00Z")  # 09:30 in Shanghai
    figures = contributions(event, plan)
    assert figures["inquiries.by_topic.dibao"] == 1
    assert figures["booth:shashan|inquiries.total"] == 1
    assert figures["hour:09|inquiries.by_department.jiuzhu"] == 1
    assert figures["booth:shashan,hour:09|inquiries.by_outcome.answered"] == 1


def test_clock_offset_moves_the_hour(plan):
    event = make_event(1, "visitor.received", recorded_at="2022-05-15T11:10:00+08:00")
    assert contributions(event, plan, offset_ms=2 * 3600 * 1000)["hour:09|visitors"] == 3
    assert contributions(event, plan, offset_ms=-50 * 60 * 1000)["hour:12|visitors"] == 3


def test_unknown_key_is_quarantined_not_counted(plan):
    event = make_event(1, payload={"material": "balloon", "quantity": 5})
    assert contributions(event, plan) == {
        "quarantined": 1, "booth:shashan|quarantined": 1, "hour:09|quarantined": 1,
        "booth:shashan,hour:09|quarantined": 1}


def test_resolution_maps_or_rejects_an_unknown_key(plan):
    event = make_event(1, payload={"material": "balloon", "quantity": 5})
    mapped = FoldView(plan).with_resolution("material", "balloon", "poster")
    assert contributions(event, plan, view=mapped)["materials.distributed.poster"] == 5
    rejected = FoldView(plan).with_resolution("material", "balloon", None)
    assert contributions(event, plan, view=rejected) == {
        "rejected": 1, "booth:shashan|rejected": 1, "hour:09|rejected": 1, "booth:shashan,hour:09|rejected": 1}


def _entry(event, sid="1-0"):
    return Entry(sid, event, 0, 1_652_580_000_000)


def test_void_subtracts_exactly_what_target_added_and_drops_the_hot_issue(plan):
    target = make_event(1, "feedback.collected")
    void = make_event(2, "event.voided", {"target_event_id": target["event_id"], "reason": "x"})
    fold = ChunkFold(FoldView(plan))
    fold.event(_entry(target, "1-0"))
    fold.void(_entry(void, "2-0"), _entry(target, "1-0"))
    changes = fold.changes()
    assert {k: v for k, v in changes.increments.items() if not k.startswith(("device:", "booth:shashan,device"))} == {
        "voided": 1, "booth:shashan|voided": 1, "log.entries": 2}
    assert changes.hot_add == {} and changes.hot_del == []
    assert changes.sets["device:laptop-a|acked_seq"] == 2


def test_void_of_a_void_or_unknown_is_ignored(plan):
    first = make_event(1)
    void = make_event(2, "event.voided", {"target_event_id": first["event_id"], "reason": "x"})
    void_of_void = make_event(3, "event.voided", {"target_event_id": void["event_id"], "reason": "x"})
    fold = ChunkFold(FoldView(plan))
    fold.void(_entry(void_of_void, "3-0"), _entry(void, "2-0"))
    fold.void(_entry(void, "2-0"), None)
    assert fold.changes().increments["voids_ignored"] == 2
    assert fold.voided == {}


def test_document_shape():
    doc = build_document({"visitors": 5, "booth:bayi|visitors": 5, "materials.distributed.leaflet": 30,
                          "materials.restocked.leaflet": 100, "hour:10|inquiries.by_topic.dibao": 2,
                          "booth:bayi,hour:10|visitors": 5, "feedback.total": 4, "feedback.by_rating.satisfied": 2,
                          "feedback.by_rating.basically_satisfied": 1, "device:l1|events": 7,
                          "booth:bayi,device:l1|events": 7, "device:l1|acked_seq": 7,
                          "device:l1|last_seen_ms": 1_652_580_000_000},
                         [{"event_id": "e1", "text": "排队太久", "booth_id": "bayi", "recorded_at": "x"}])
    assert doc["visitors"] == 5
    assert doc["by_booth"]["bayi"]["visitors"] == 5
    assert doc["by_booth"]["bayi"]["by_hour"]["10"]["visitors"] == 5
    assert doc["materials"]["remaining"] == {"leaflet": 70}
    assert doc["by_hour"]["10"]["inquiries"]["by_topic"] == {"dibao": 2}
    assert doc["feedback"]["satisfaction_rate"] == 0.75
    assert doc["feedback"]["hot_issue_list"][0]["text"] == "排队太久"
    assert doc["by_device"]["l1"] == {"booth_id": "bayi", "events": 7, "acked_seq": 7,
                                      "last_seen": "2022-05-15T02:00:00.000+00:00",
                                      "last_seen_ms": 1_652_580_000_000, "clock_offset_ms": 0}
    booth = build_document({"booth:bayi|visitors": 5, "booth:shashan|visitors": 2, "booth:bayi,device:l1|events": 1,
                            "device:l1|events": 1}, [], booth="bayi")
    assert booth["visitors"] == 5 and booth["booth_id"] == "bayi" and list(booth["by_device"]) == ["l1"]


def test_void_effect_matches_the_chunk_fold(plan):
    target = make_event(1, "inquiry.answered")
    void = make_event(2, "event.voided", {"target_event_id": target["event_id"], "reason": "x"})
    net = contributions(target, plan) + void_effect(void, target, 0, plan)  # Counter '+' drops zeros
    assert dict(net) == {"voided": 1, "booth:shashan|voided": 1}
    assert void_effect(void, None, 0, plan) == {"voids_ignored": 1, "booth:shashan|voids_ignored": 1}

import orjson
import pytest

from central import keys
from central.central_log import SEQ_RECORDS, CentralLog, ContentConflict, SeqConflict, SeqGap, content_digest
from tests.factories import make_event
from tests.helpers import DAY


def _append(log, events, device="laptop-a"):
    return log.append_batch(DAY, device, events, received_ms=0)


def test_append_then_resend_changes_nothing(redis):
    log = CentralLog(redis)
    events = [make_event(s) for s in (1, 2, 3)]
    assert _append(log, events).__dict__ == {"acked_seq": 3, "accepted": 3, "duplicates": 0}
    assert _append(log, events).__dict__ == {"acked_seq": 3, "accepted": 0, "duplicates": 3}
    more = events[1:] + [make_event(4)]
    assert _append(log, more).__dict__ == {"acked_seq": 4, "accepted": 1, "duplicates": 2}
    assert log.length(DAY) == 4


def test_conflict_names_both_ids_and_stores_nothing(redis):
    log = CentralLog(redis)
    first = [make_event(1), make_event(2)]
    _append(log, first)
    restored = [make_event(2), make_event(3)]  # a laptop restored from an old backup
    with pytest.raises(SeqConflict) as caught:
        _append(log, restored)
    assert (caught.value.seq, caught.value.held_id, caught.value.sent_id) == (
        2, first[1]["event_id"], restored[0]["event_id"])
    assert log.length(DAY) == 2 and log.acked_seq(DAY, "laptop-a") == 2


def test_gap_is_refused_with_the_expected_seq(redis):
    log = CentralLog(redis)
    with pytest.raises(SeqGap) as caught:
        _append(log, [make_event(5)])
    assert caught.value.expected == 1
    assert not redis.exists(keys.log(DAY))


def test_devices_have_their_own_marks(redis):
    log = CentralLog(redis)
    _append(log, [make_event(1)], "laptop-a")
    _append(log, [make_event(1, device_id="laptop-b")], "laptop-b")
    assert (log.acked_seq(DAY, "laptop-a"), log.acked_seq(DAY, "laptop-b")) == (1, 1)
    assert log.length(DAY) == 2


def _record(event) -> str:
    """A seq's 48-byte record as the append script writes it (keys.seq_records)."""
    body = orjson.dumps(event, option=orjson.OPT_SORT_KEYS)
    return event["event_id"].replace("-", "") + content_digest(body)


def test_seqs_are_fixed_width_records_in_one_string_per_device(redis):
    log = CentralLog(redis)
    events = [make_event(s) for s in (1, 2, 3)]
    _append(log, events)
    held = redis.get(keys.seq_records(DAY, "laptop-a", 0))
    assert held == "".join(_record(e) for e in events) + "\0" * 48 * (SEQ_RECORDS - 3)  # made at its full size
    assert not redis.exists(keys.seq_ids(DAY))
    with pytest.raises(SeqConflict) as caught:
        _append(log, [make_event(2)])
    assert caught.value.held_id == events[1]["event_id"]  # the dashes come back
    with pytest.raises(ContentConflict):
        _append(log, [{**events[2], "payload": {"material": "leaflet", "quantity": 7}}])


def test_a_day_appended_before_seq_records_keeps_working(redis):
    """Seqs held in the older `seqids` hash ('id digest', or the id alone before digests)
    are still recognised; the seqs after them go to the records string."""
    log = CentralLog(redis)
    old = [make_event(1), make_event(2)]
    body = orjson.dumps(old[0], option=orjson.OPT_SORT_KEYS)
    redis.hset(keys.seq_ids(DAY), mapping={"laptop-a:1": f"{old[0]['event_id']} {content_digest(body)}",
                                           "laptop-a:2": old[1]["event_id"]})
    redis.hset(keys.acked(DAY), "laptop-a", 2)
    new = make_event(3)
    assert _append(log, [*old, new]).__dict__ == {"acked_seq": 3, "accepted": 1, "duplicates": 2}
    assert redis.get(keys.seq_records(DAY, "laptop-a", 0)).rstrip("\0") == "\0" * 96 + _record(new)
    with pytest.raises(ContentConflict):
        _append(log, [{**old[0], "payload": {"material": "leaflet", "quantity": 7}}])
    edited_old = {**old[1], "payload": {"material": "leaflet", "quantity": 7}}
    assert _append(log, [edited_old]).duplicates == 1  # no digest held: compared by id, as before
    with pytest.raises(SeqConflict) as caught:
        _append(log, [make_event(2), make_event(3)])
    assert caught.value.held_id == old[1]["event_id"]
    assert _append(log, [old[1], new, make_event(4)]).__dict__ == {"acked_seq": 4, "accepted": 1, "duplicates": 2}


def test_an_id_that_is_not_a_canonical_uuid_is_held_in_the_hash(redis):
    log = CentralLog(redis)
    odd = {**make_event(1), "event_id": "not-a-uuid"}
    _append(log, [odd])
    assert redis.hget(keys.seq_ids(DAY), "laptop-a:1").startswith("not-a-uuid ")
    assert _append(log, [odd]).duplicates == 1
    with pytest.raises(SeqConflict):
        _append(log, [make_event(1)])


def test_seqs_past_one_records_string_go_to_the_next(redis):
    log = CentralLog(redis)
    events = [make_event(s) for s in range(1, SEQ_RECORDS + 3)]
    _append(log, events[:SEQ_RECORDS - 1])
    assert _append(log, events).__dict__ == {"acked_seq": SEQ_RECORDS + 2, "accepted": 3, "duplicates": SEQ_RECORDS - 1}
    assert redis.get(keys.seq_records(DAY, "laptop-a", 1)).rstrip("\0") == "".join(map(_record, events[-2:]))
    with pytest.raises(ContentConflict):
        _append(log, [{**events[-1], "payload": {"material": "leaflet", "quantity": 7}}])
    assert _append(log, [events[0], events[-1]]).duplicates == 2  # a batch's seqs may span strings


def test_the_event_index_holds_each_stream_id_short_and_lookup_reads_both_forms(redis):
    from central.projection_store import ProjectionStore

    log = CentralLog(redis)
    events = [make_event(s) for s in (1, 2)]
    _append(log, events)
    sids = [sid for sid, _ in redis.xrange(keys.log(DAY))]
    short = redis.hget(keys.event_index(DAY), events[1]["event_id"])
    ms, n = sids[1].split("-")
    assert short == f"{_base36(int(ms))}:{_base36(int(n))}" and len(short) <= 12
    redis.hset(keys.event_index(DAY), events[0]["event_id"], sids[0])  # as days appended before held it
    found = ProjectionStore(redis, DAY).lookup([e["event_id"] for e in events] + [make_event(3)["event_id"]])
    assert [found[e["event_id"]][1][0] for e in events] == sids
    assert found[events[1]["event_id"]][1][1] == orjson.dumps(events[1], option=orjson.OPT_SORT_KEYS).decode()


def _base36(x: int) -> str:
    digits = ""
    while True:
        x, d = divmod(x, 36)
        digits = "0123456789abcdefghijklmnopqrstuvwxyz"[d] + digits
        if not x:
            return digits

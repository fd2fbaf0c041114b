import pytest

from central import keys
from central.central_log import CentralLog, SeqConflict, SeqGap
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

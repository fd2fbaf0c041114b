import uuid

import pytest
from marshmallow import ValidationError

from shared.events import TYPES, load_event, unknown_catalogue_keys
from shared.ids import new_event_id
from shared.protocol import PUSH_BATCH
from tests.factories import PAYLOADS, make_event


@pytest.mark.parametrize("type_", sorted(PAYLOADS))
def test_every_type_loads_unchanged(type_):
    event = make_event(1, type_)
    assert load_event(event) == event


def test_void_loads():
    target = make_event(1)
    void = make_event(2, "event.voided", {"target_event_id": target["event_id"], "reason": "typo"})
    assert load_event(void)["payload"]["target_event_id"] == target["event_id"]
    assert set(TYPES) == set(PAYLOADS) | {"event.voided"}


@pytest.mark.parametrize(
    ("change", "field_path"),
    [
        ({"seq": "1"}, ("seq",)),
        ({"seq": 0}, ("seq",)),
        ({"type": "visitor.teleported"}, ("type",)),
        ({"recorded_at": "2022-05-15T09:15:00"}, ("recorded_at",)),  # no offset
        ({"event_id": "not-a-uuid"}, ("event_id",)),
        ({"surprise": 1}, ("surprise",)),
        ({"payload": {"material": "leaflet", "quantity": 0}}, ("payload", "quantity")),
        ({"payload": {"material": "leaflet", "quantity": 10_001}}, ("payload", "quantity")),
        ({"payload": {"material": "leaflet", "quantity": 2.5}}, ("payload", "quantity")),
        ({"payload": {"material": "leaflet"}}, ("payload", "quantity")),
        ({"payload": {"material": "leaflet", "quantity": 1, "extra": True}}, ("payload", "extra")),
        ({"v": 9}, ("v",)),
    ],
)
def test_invalid_events_name_the_field(change, field_path):
    event = {**make_event(1), **change}
    with pytest.raises(ValidationError) as caught:
        load_event(event)
    node = caught.value.messages
    for part in field_path:
        assert part in node, caught.value.messages
        node = node[part]


def test_missing_field_is_named():
    event = make_event(1)
    del event["booth_id"]
    with pytest.raises(ValidationError) as caught:
        load_event(event)
    assert "booth_id" in caught.value.messages


def test_party_size_and_ratings_are_bounded():
    with pytest.raises(ValidationError):
        load_event(make_event(1, "visitor.received", {"party_size": 51}))
    with pytest.raises(ValidationError):
        load_event(make_event(1, "feedback.collected", {"rating": "meh"}))
    with pytest.raises(ValidationError):
        load_event(make_event(1, "inquiry.answered", {"topic": "dibao", "department": "jiuzhu",
                                                      "outcome": "answered", "note": "x" * 201}))


def test_event_ids_are_uuid7_and_time_ordered():
    ids = [new_event_id() for _ in range(50)]
    assert all(uuid.UUID(i).version == 7 for i in ids)
    assert len(set(ids)) == 50
    assert [i[:8] for i in ids] == sorted(i[:8] for i in ids)


def test_unknown_catalogue_keys(plan):
    event = make_event(1, "inquiry.answered", {"topic": "nosuch", "department": "jiuzhu", "outcome": "referred"})
    assert unknown_catalogue_keys(event, plan) == {"topic": "nosuch"}
    assert unknown_catalogue_keys(make_event(2), plan) == {}
    assert unknown_catalogue_keys(make_event(3, booth_id="moon"), plan) == {"booth_id": "moon"}


def test_push_batch_requires_one_device_in_order():
    events = [make_event(1), make_event(2), make_event(4)]
    with pytest.raises(ValidationError) as caught:
        PUSH_BATCH.load({"device_id": "laptop-a", "sent_at": "2022-05-15T09:00:00Z", "events": events})
    assert caught.value.messages == {"events": {2: {"seq": ["Events must be consecutive seqs in order."]}}}
    other = [make_event(1, device_id="laptop-b")]
    with pytest.raises(ValidationError) as caught:
        PUSH_BATCH.load({"device_id": "laptop-a", "sent_at": "2022-05-15T09:00:00Z", "events": other})
    assert "device_id" in caught.value.messages["events"][0]

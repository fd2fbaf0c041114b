"""Valid events for tests, built the way a laptop builds them."""

from shared.ids import new_event_id
from tests.helpers import DAY

PAYLOADS = {
    "visitor.received": {"party_size": 3},
    "inquiry.answered": {"topic": "dibao", "department": "jiuzhu", "outcome": "answered"},
    "material.distributed": {"material": "leaflet", "quantity": 20},
    "material.restocked": {"material": "handbook", "quantity": 500},
    "feedback.collected": {"rating": "satisfied", "topic": "weilao", "comment": "希望多办", "hot_issue": True},
}


def make_event(seq: int, type_: str = "material.distributed", payload: dict | None = None,
               device_id: str = "laptop-a", booth_id: str = "shashan",
               recorded_at: str = "2022-05-15T09:15:00+08:00") -> dict:
    return {
        "event_id": new_event_id(),
        "device_id": device_id,
        "seq": seq,
        "day_id": DAY,
        "booth_id": booth_id,
        "type": type_,
        "v": 1,
        "recorded_at": recorded_at,
        "payload": dict(PAYLOADS[type_] if payload is None else payload),
    }


def void_of(target: dict, seq: int) -> dict:
    return make_event(seq, "event.voided", {"target_event_id": target["event_id"], "reason": "录入错误"},
                      device_id=target["device_id"], booth_id=target["booth_id"])

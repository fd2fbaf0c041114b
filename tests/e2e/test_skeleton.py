"""One booth entry travels laptop -> central totals, through real processes."""

import requests

from central import keys
from tests.helpers import DAY, central_totals, wait_until

ENTRIES = [
    {"type": "material.distributed", "payload": {"material": "leaflet", "quantity": 20}},
    {"type": "inquiry.answered", "payload": {"topic": "dibao", "department": "jiuzhu", "outcome": "answered"}},
    {"type": "visitor.received", "payload": {"party_size": 2}},
]


def _totals(sync_url):
    return central_totals(sync_url)


def test_three_entries_reach_the_totals_exactly_once(central, field_app_factory, redis):
    field_url, token = field_app_factory(central)
    for entry in ENTRIES:
        response = requests.post(f"{field_url}/api/events", json=entry, timeout=5)
        assert response.status_code == 201, response.text
        assert set(response.json()) == {"event_id", "seq"}

    totals = wait_until(lambda: (t := _totals(central))["log_entries"] == 3 and t, message="3 entries folded")
    assert totals["materials"]["distributed"] == {"leaflet": 20}
    assert totals["inquiries"]["by_topic"] == {"dibao": 1}
    assert totals["visitors"] == 2
    assert totals["by_booth"]["shashan"]["visitors"] == 2
    status = wait_until(lambda: (s := requests.get(f"{field_url}/api/status", timeout=5).json())["pending"] == 0
                        and s, message="nothing pending")
    assert status["acked_seq"] == 3

    # The same batch pushed again, straight to the API: acked, nothing changes.
    events = requests.get(f"{field_url}/api/events", timeout=5).json()["events"][::-1]
    again = requests.post(f"{central}/api/v1/sync/push", timeout=5, headers={"Authorization": f"Bearer {token}"},
                          json={"device_id": "laptop-a", "sent_at": events[0]["recorded_at"], "events": events})
    assert again.status_code == 200 and again.json()["duplicates"] == 3
    assert redis.xlen(keys.log(DAY)) == 3
    wait_until(lambda: redis.get(keys.fold_requested(DAY)) is None, message="no fold pending")
    assert _totals(central) == totals


def test_malformed_entries_are_refused_by_field_and_nothing_is_stored(central, field_app_factory):
    field_url, _ = field_app_factory(central)
    bad = [
        ({"type": "material.distributed", "payload": {"material": "leaflet"}}, ("payload", "quantity")),
        ({"type": "material.distributed", "payload": {"material": "leaflet", "quantity": "many"}},
         ("payload", "quantity")),
        ({"type": "visitor.teleported", "payload": {}}, ("type",)),
        ({"type": "material.distributed", "payload": {"material": "balloon", "quantity": 1}}, ("payload", "material")),
    ]
    for entry, path in bad:
        response = requests.post(f"{field_url}/api/events", json=entry, timeout=5)
        assert response.status_code == 422, response.text
        node = response.json()["errors"]
        for part in path:
            assert part in node, response.json()
            node = node[part]
    assert requests.post(f"{field_url}/api/events", data="{", timeout=5,
                         headers={"Content-Type": "application/json"}).status_code == 400
    assert requests.get(f"{field_url}/api/status", timeout=5).json()["last_seq"] == 0

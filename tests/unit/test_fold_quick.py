"""The fold's quick path (shared/fold.py FoldView.quick) against the careful one it
stands in for (shared/rejects.envelope_reason, then FoldView.effect): whatever quick
answers for an entry, the careful path must give the same (booth, hour, signature) and
amount, and must neither reject the entry, nor quarantine it, nor make it a hot-issue
card. Entries are valid laptop events bent one or two ways at a time, towards what the
quick checks skip: exact types (JSON true is not 1), odd digits in the time, the edges of
quarter hours and of the plausible window, unknown and remapped keys."""

import copy
import random

from shared.fold import FoldView
from shared.rejects import Rejected, envelope_reason
from tests.factories import PAYLOADS, make_event

TIMES = ["2022-05-15T09:15:00.000+08:00", "2022-05-15T09:14:59.999+08:00", "2022-05-15T09:29:07.250+08:00",
         "2022-05-15T09:44:99.999+08:00", "2022-05-15T09:59:00.001-05:30", "2022-05-15T23:59:30.500+00:00",
         "2022-05-15T09:14:٣٣.250+08:00", "2022-05-15T09:14:²3.250+08:00", "2022-05-15T09:14:07,250+08:00",
         "2022-05-15T09:14:07.250Z", "2022-05-15T09:14:07.250+08:00 ", "2022-05-15X09:14:07.250+08:00",
         "2000-01-01T00:00:30.000+00:00", "2099-12-31T23:59:30.000+00:00", "1999-12-31T23:59:30.000+00:00",
         "2022-13-15T09:14:07.250+08:00", "2022-05-15T09:14:07.250+08:60", "0000-01-01T00:00:07.250+08:00"]
OFFSETS = [0, -1500, 1500, 59_999, 60_000, -900_000, 3_600_000, 10**13, -(10**13)]
ODD_VALUES = [True, False, 1, 1.0, 0, 51, 10_001, -3, None, "", "x", "Balloon", "balloon", [], {}, "dibao", "weilao",
              "answered", "satisfied", 2**70]
FIELDS = ["party_size", "quantity", "material", "topic", "department", "outcome", "rating", "hot_issue", "comment",
          "note"]
ENVELOPE = ["event_id", "seq", "v", "booth_id", "device_id", "type", "payload", "recorded_at"]


def _bent(rng: random.Random) -> tuple[dict, int]:
    event = make_event(rng.randint(1, 9), rng.choice(list(PAYLOADS)), recorded_at=rng.choice(TIMES),
                       booth_id=rng.choice(["shashan", "bayi", "nowhere"]))
    if "hot_issue" in event["payload"]:  # a hot-issue card, a plain one, or one that does not say
        event["payload"]["hot_issue"] = rng.choice([True, False, None])
        if event["payload"]["hot_issue"] is None:
            del event["payload"]["hot_issue"]
    for _ in range(rng.choice([0, 0, 1, 2])):
        payload = event["payload"] if type(event["payload"]) is dict else {}
        if rng.random() < 0.7:
            payload[rng.choice(FIELDS)] = copy.deepcopy(rng.choice(ODD_VALUES))
        elif rng.random() < 0.8:
            event[rng.choice(ENVELOPE)] = copy.deepcopy(rng.choice(ODD_VALUES + [2, "event.voided", "_coordinator"]))
        else:
            payload.pop(rng.choice(FIELDS), None)
    return event, rng.choice(OFFSETS)


def _careful(view: FoldView, event: dict, offset_ms: int):
    """What the fold's careful path makes of the entry, when it is an ordinary count."""
    if envelope_reason(event) is not None or event["type"] == "event.voided":
        return None
    try:
        effect = view.effect(event, offset_ms)
    except (Rejected, Exception):  # noqa: BLE001 - the careful path rejects it: quick must not count it
        return None
    return None if effect.unresolved or effect.hot else ((effect.booth, effect.hour, effect.sig), effect.amount)


def test_what_the_quick_path_counts_the_careful_path_counts_the_same(plan):
    rng, taken, checked = random.Random(19), 0, 0
    views = [FoldView(plan), FoldView(plan).with_resolution("booth_id", "nowhere", "bayi")
             .with_resolution("material", "balloon", "poster")]
    for _ in range(20_000):
        event, offset_ms = _bent(rng)
        view = rng.choice(views)
        careful = _careful(view, event, offset_ms)  # first: it also fills the caches quick reads
        quick = view.quick(event, offset_ms)
        checked += careful is not None
        if quick is not None:
            taken += 1
            assert quick == careful, (event, offset_ms)
    assert taken > 0.6 * checked  # and the quick path is the common one


def test_a_laptop_event_in_the_usual_shape_takes_the_quick_path(plan):
    view = FoldView(plan)
    for type_ in PAYLOADS:
        event = make_event(1, type_, recorded_at="2022-05-15T09:37:07.250+08:00")
        event["payload"].pop("hot_issue", None)
        assert envelope_reason(event) is None
        assert view.quick(event, -1500) == _careful(view, event, -1500) is not None

"""Bodies read by shape (central/shapes.py) against orjson and the careful fold: whatever
the shape path makes of a body must be what orjson parses it to (type for type: JSON
`true` is not `1`), its quick_known what quick_known says of that, and what the fold then
counts (FoldView.placed) what the careful path counts. Bodies are central_log's canonical
ones, bent towards what the cut could misread: other spacing and key order, escapes such
as \\u0022 and \\" inside the cut values, non-ASCII and control bytes of the same length,
times in other shapes, seqs that are no JSON integer, and "event_id", "recorded_at" and
"seq" inside a payload, as a note's text or as keys of their own. Breaking any one of the
shape path's checks makes the comparison fail (the last test)."""

import json
import random

import orjson
import pytest

from central import shapes
from shared.fold import FoldView, quick_known
from shared.ids import new_event_id
from tests.factories import PAYLOADS, make_event
from tests.unit.test_fold_quick import _careful

TIME = "2022-05-15T09:37:07.250+08:00"
ODD_IDS = [b"\\u0022" + b"a" * 30, b'\\"' + b"b" * 34, "é".encode() + b"c" * 34, b"\x01" + b"d" * 35,
           b"\\u00e9" + b"e" * 30, b"x" * 36, b"\\\\" + b"f" * 34]
ODD_TIMES = [b"2022-05-15T09:14:07,250+08:00", "2022-05-15T09:14:٣.250+08:00".encode(),
             b"2022-05-15T09:14:07.250\\u0022", b"2022-05-15T09:14:07.25\\\"+08:00",
             b"2022-05-15T09:14:07.250+08:0\x7f", b"2022-05-15T09:14:07.250Z     ",
             b"2000-01-01T00:00:30.000+00:00", b"1999-12-31T23:59:30.000+00:00", b"2022-05-15T09:59:59.999-05:30"]
ODD_SEQS = [b"01", b"0", b"1.5", b"-1", b"1e3", b"9" * 20, b" 7", b"7 ", b"true", b'"7"', b"", b"12"]
ODD_PAYLOADS = [{"note": '"seq":5,"event_id":"' + "0" * 36 + '","recorded_at":"' + TIME + '"'},
                {"recorded_at": TIME, "seq": 5}, {"recorded_at": TIME, "seq": 5, "zone": "x"},
                {"event_id": "1" * 36}, {"seq": 3}]
NESTED = {"event_id": "2" * 36, "recorded_at": TIME, "seq": 9, "z": 1}  # under a key sorting before 'event_id'


def _base(rng: random.Random) -> dict:
    type_ = rng.choice(list(PAYLOADS))
    event = make_event(rng.randint(1, 400), type_, recorded_at=TIME, device_id=rng.choice(["laptop-a", "laptop-b"]))
    if "hot_issue" in event["payload"]:
        event["payload"]["hot_issue"] = rng.choice([True, False])
    roll = rng.random()
    if roll < 0.15:
        event["payload"].update(rng.choice(ODD_PAYLOADS))
    elif roll < 0.2:
        event["a"] = dict(NESTED)
    elif roll < 0.25:
        event["payload"]["quantity"] = rng.choice([True, 1.0, 2])
    return event


def _renewed(event: dict, rng: random.Random) -> dict:
    """The same entry as another of its laptop's: another id, seq and second."""
    return {**event, "event_id": new_event_id(), "seq": rng.randint(1, 10**6),
            "recorded_at": f"{TIME[:17]}{rng.randint(0, 59):02d}.{rng.randint(0, 999):03d}{TIME[23:]}"}


def _replaced(body: bytes, rng: random.Random) -> bytes:
    """The body with one cut value swapped for odd bytes: a body of a shape seen before."""
    cut = shapes.cut(body)
    if cut is None:
        return body
    (head, middle, tail), event_id, at, seq = cut
    which = rng.randrange(3)
    event_id = rng.choice(ODD_IDS) if which == 0 else event_id
    at = rng.choice(ODD_TIMES) if which == 1 else at
    seq = rng.choice(ODD_SEQS) if which == 2 else seq
    return head + event_id + middle + at + shapes.SEQ_AFTER_TIME + seq + tail


def _body(event: dict, rng: random.Random) -> bytes:
    roll = rng.random()
    if roll < 0.75:
        return orjson.dumps(event, option=orjson.OPT_SORT_KEYS)  # as central_log writes it
    if roll < 0.85:
        return json.dumps(event, sort_keys=True).encode()  # spaces after ':' and ','
    if roll < 0.95:
        return json.dumps(event, sort_keys=True, separators=(",", ":")).encode()  # \u escapes for non-ASCII
    return orjson.dumps(event)  # the laptop's key order


def _bodies(rng: random.Random, n: int) -> list[bytes]:
    """New entries of a few hundred kinds, bodies read again, and bodies of a known shape
    with one cut value bent."""
    bases, bodies = [_base(rng) for _ in range(300)], []
    for _ in range(n):
        roll = rng.random()
        if roll < 0.1 and bodies:
            bodies.append(rng.choice(bodies))
        elif roll < 0.35 and bodies:
            bodies.append(_replaced(rng.choice(bodies), rng))
        else:
            bodies.append(_body(_renewed(rng.choice(bases), rng), rng))
    return bodies


def _exact(value) -> str:
    return repr(value)  # tells True from 1 and 1.0 from 1 (and keeps the keys' order: the same layout's)


def _disagreements(plan, n: int = 8000) -> list:
    """Bodies whose shape-path reading differs from orjson's or the careful fold's."""
    rng, found, answered, view = random.Random(19), [], 0, FoldView(plan)
    shapes._shapes.clear()
    for body in _bodies(rng, n):
        offset_ms = rng.choice([0, -1500, 60_000, 10**13])
        try:
            parsed = orjson.loads(body)
        except ValueError:
            parsed = None
        try:
            (event,), (known,) = shapes.events([body])
        except ValueError:
            if parsed is not None:
                found.append(("refused", body))
            continue
        answered += known is not None
        if parsed is None or _exact(event) != _exact(parsed):
            found.append(("event", body))
        elif known is not None and repr(known) != repr(quick_known(parsed)):
            found.append(("known", body))
        elif known is not None and (hit := view.placed(known, event, offset_ms)) is not None \
                and hit != _careful(view, parsed, offset_ms):
            found.append(("fold", body, offset_ms))
    assert answered > n / 4, answered  # the shape path is taken, not just declined
    return found


def test_what_the_shape_path_reads_orjson_and_the_careful_fold_read_the_same(plan):
    assert _disagreements(plan) == []


def test_a_laptops_entries_of_one_kind_are_read_by_shape_after_two(plan):
    shapes._shapes.clear()
    rng, event = random.Random(7), make_event(1, "inquiry.answered", recorded_at=TIME)
    bodies = [orjson.dumps(_renewed(event, rng), option=orjson.OPT_SORT_KEYS) for _ in range(5)]
    events, known = shapes.events(bodies)
    assert [k is not None for k in known] == [False, False, True, True, True]
    assert [_exact(e) for e in events] == [_exact(orjson.loads(b)) for b in bodies]


@pytest.mark.parametrize("broken", ["plain charset", "time charset", "seq digits", "proof", "no proof"])
def test_breaking_a_check_of_the_shape_path_is_found(plan, monkeypatch, broken):
    if broken == "plain charset":
        monkeypatch.setattr(shapes, "PLAIN", bytes(range(256)))
    elif broken == "time charset":
        monkeypatch.setattr(shapes, "plain", lambda i, a, s: not i.translate(None, shapes.PLAIN)
                            and s.isdigit() and s[0] != 0x30 and len(s) < 16)
    elif broken == "seq digits":
        monkeypatch.setattr(shapes, "plain", lambda i, a, s: not i.translate(None, shapes.PLAIN)
                            and not a.translate(None, shapes.PLAIN) and s.isdigit())
    elif broken == "proof":  # parsed to a dict, the values read as they are: no probe
        monkeypatch.setattr(shapes, "_proven", lambda cut, event, body: type(event) is dict
                            and event.get("event_id") == cut[1].decode())
    else:
        monkeypatch.setattr(shapes, "_proven", lambda cut, event, body: type(event) is dict)
    assert _disagreements(plan) != []

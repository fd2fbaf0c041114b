"""Log bodies of a shape seen before, read without parsing them.

central_log writes every body as orjson with sorted keys, so two events of one laptop that
differ only in event_id, recorded_at and seq have the same bytes elsewhere. A body is cut
at those three values by bytes.find (C); the rest, its shape, keys a memo of what an
earlier body of that shape parsed to and of what FoldView.quick's checks that depend on
the event alone found (shared/fold.py quick_known). A body of a known shape becomes that
event with its own three values: no orjson parse, and the fold checks only the time.

Why this is exact: a shape is kept only when its body parsed to a dict and the same bytes
with the three values replaced by others parse to that dict with those others as its
top-level event_id, recorded_at and seq (`_proven`). So each cut holds a whole token of
valid JSON, and that key's value: nothing else. A value of plain characters (printable
ASCII but `"` and `\\` for the texts, digits without a leading zero for seq) leaves every
other token where it was, so any body of that shape parses to the kept dict with its own
values. Anything else is parsed by orjson and checked the careful way: a body laid out
otherwise (spacing, key order, an id that is no UUID, a time not in the laptops' shape), a
value with any other character (an escape such as \\u0022), a shape seen once (a note or a
comment makes most bodies unique: they are not worth a proof), a body that is no event.
"""

import orjson

from shared.fold import quick_known
from shared.rejects import envelope_reason

EVENT_ID, RECORDED_AT, SEQ_AFTER_TIME = b'"event_id":"', b'"recorded_at":"', b'","seq":'
ID_LEN, TIME_LEN = 36, 29  # a UUID; a laptop's time, '2022-05-15T09:37:07.250+08:00'
PLAIN = bytes(range(0x20, 0x7F)).replace(b'"', b"").replace(b"\\", b"")  # stand for themselves in a JSON text
SHAPES_LIMIT = 20_000  # a day has a few thousand (laptops x kinds of entry); a pathological log starts afresh
SEEN_ONCE, UNPROVEN = 0, ()  # the memo's values besides (event, known): both false
_shapes: dict[tuple, object] = {}


def cut(body: bytes) -> tuple | None:
    """(shape, event id, time, seq) of a body laid out as central_log writes a laptop's
    event (ids of 36 bytes, the laptops' times, seq right after the time), or None."""
    i = body.find(EVENT_ID) + len(EVENT_ID)
    k = body.find(RECORDED_AT, i + ID_LEN) + len(RECORDED_AT)
    s = k + TIME_LEN + len(SEQ_AFTER_TIME)
    t = body.find(b",", s)
    if i < len(EVENT_ID) or k < len(RECORDED_AT) or t < 0 or not body.startswith(SEQ_AFTER_TIME, k + TIME_LEN):
        return None
    return (body[:i], body[i + ID_LEN:k], body[t:]), body[i:i + ID_LEN], body[k:k + TIME_LEN], body[s:t]


def plain(event_id: bytes, at: bytes, seq: bytes) -> bool:
    """Values that are a whole JSON token each where a cut puts them, and mean their bytes."""
    return not event_id.translate(None, PLAIN) and not at.translate(None, PLAIN) \
        and seq.isdigit() and seq[0] != 0x30 and len(seq) < 16


def events(bodies: list) -> tuple[list, list]:
    """(each body's event, each one's quick_known or None). Raises ValueError (orjson's)
    on a body that does not parse: the caller reads the chunk body by body then."""
    events_, known = [], []
    for body in bodies:
        cut_ = cut(body)
        found = _shapes.get(cut_[0]) if cut_ else None
        if found and plain(*cut_[1:]):
            event, checked = found
            events_.append({**event, "event_id": cut_[1].decode(), "recorded_at": cut_[2].decode(),
                            "seq": int(cut_[3])})
            known.append(checked)
            continue
        events_.append(orjson.loads(body))
        known.append(None)
        if cut_:
            _learn(cut_, events_[-1], body)
    return events_, known


def _learn(cut_: tuple, event, body: bytes) -> None:
    """Note a shape seen once; prove it the second time (see the module's docstring)."""
    state = _shapes.get(cut_[0])
    if state is None:
        if len(_shapes) >= SHAPES_LIMIT:
            _shapes.clear()
        _shapes[cut_[0]] = SEEN_ONCE
    elif state == SEEN_ONCE:  # not UNPROVEN: () != 0
        _shapes[cut_[0]] = (event, _known(event)) if _proven(cut_, event, body) else UNPROVEN


def _proven(cut_: tuple, event, body: bytes) -> bool:
    (head, middle, tail), event_id, at, seq = cut_
    if type(event) is not dict or not plain(event_id, at, seq):
        return False
    other_seq = int(seq) + 1
    probe = head + b"x" + middle + b"y" + SEQ_AFTER_TIME + b"%d" % other_seq + tail  # other values: other lengths
    try:
        moved = orjson.loads(probe)
    except ValueError:
        return False
    return moved == {**event, "event_id": "x", "recorded_at": "y", "seq": other_seq} \
        and type(moved["seq"]) is int and event == {**event, "event_id": event_id.decode(),
                                                    "recorded_at": at.decode(), "seq": int(seq)}


def _known(event: dict) -> tuple | None:
    """quick_known, once envelope_reason has passed the event (and so cached its keys as
    keys: quick_known reads that cache only, and the chunk is read before it is folded)."""
    try:
        return quick_known(event) if envelope_reason(event) is None else None
    except (KeyError, TypeError, AttributeError, ValueError):
        return None

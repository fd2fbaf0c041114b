"""Estimating a laptop's clock offset from its sync exchanges, NTP-style. Pure functions.

One exchange has four times: t0 the laptop sent (its clock), t1 the centre received,
t2 the centre answered (centre clock), t3 the laptop got the answer (its clock). Then
offset = ((t1 - t0) + (t2 - t3)) / 2 is the centre minus the laptop and
rtt = (t3 - t0) - (t2 - t1) the time spent on the wire; the sample with the lowest rtt
is the most trustworthy. Offsets here are the other way round, laptop minus centre,
as stored with each log entry (`off`): centre time = laptop time - offset_ms.
"""

from dataclasses import asdict, dataclass

from shared.clock import parse_rfc3339

DAY_MS = 24 * 3600 * 1000
ROUNDING_MS = 2  # four times written to the millisecond: a round trip may come out this far below 0
SAMPLE_MAX_AGE_MS = 15 * 60 * 1000  # an older best sample gives way: laptop clocks get set mid-day


@dataclass(frozen=True)
class ClockSample:
    offset_ms: int  # laptop minus centre
    rtt_ms: int | None  # None: one-way guess from a single message (the wire time is unknown)
    at_ms: int  # centre time the sample was taken

    def as_dict(self) -> dict:
        return asdict(self)


def to_ms(text: str) -> int:
    return round(parse_rfc3339(text).timestamp() * 1000)


def estimate_clock_offset(t0: int, t1: int, t2: int, t3: int, at_ms: int) -> ClockSample | None:
    """The NTP estimate from one full exchange (all in ms); None if the times are out of
    order (the answer before the send on either clock, or the centre's time in hand longer
    than the laptop waited, beyond the millisecond rounding of four timestamps): such an
    exchange is ignored, not trusted."""
    rtt = (t3 - t0) - (t2 - t1)
    if t3 < t0 or t2 < t1 or rtt < -ROUNDING_MS:
        return None
    centre_minus_laptop = ((t1 - t0) + (t2 - t3)) / 2
    return ClockSample(round(-centre_minus_laptop), max(rtt, 0), at_ms)


def one_way_offset(sent_ms: int, received_ms: int) -> ClockSample:
    """What a single message tells: laptop send time minus centre receive time."""
    return ClockSample(sent_ms - received_ms, None, received_ms)


def keep_better(stored: ClockSample | None, new: ClockSample) -> ClockSample:
    """The lowest-RTT sample wins; a measured rtt beats a one-way guess; a stale best
    sample gives way to any fresh one."""
    if stored is None or new.at_ms - stored.at_ms > SAMPLE_MAX_AGE_MS:
        return new
    if new.rtt_ms is None:
        return stored if stored.rtt_ms is not None else new
    if stored.rtt_ms is None or new.rtt_ms <= stored.rtt_ms:
        return new
    return stored


def is_far_off(recorded_ms: int, offset_ms: int, received_ms: int, limit_ms: int = DAY_MS) -> bool:
    """A recorded_at more than a day away from the centre's receipt, after correcting the clock."""
    return abs((recorded_ms - offset_ms) - received_ms) > limit_ms

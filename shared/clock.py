"""Time helpers. Events carry RFC 3339 timestamps with an offset; hours of the day are
counted in the plan's time zone."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

# The plausible window for any time a laptop tells, before and after its clock is
# corrected (docs/bad-input.md). Outside it a time is a broken clock or an attack, never
# a visit; inside it a wrong clock still works and is flagged (far_off_events).
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)
EPOCH, MILLISECOND = datetime(1970, 1, 1, tzinfo=UTC), timedelta(milliseconds=1)
EARLIEST_MS, LATEST_MS = (EARLIEST - EPOCH) // MILLISECOND, (LATEST - EPOCH) // MILLISECOND
OUTSIDE_WINDOW = ("时间须在 2000-01-01 至 2100-01-01（UTC）之间 / "
                  "Outside the plausible window 2000-01-01 to 2100-01-01 (UTC).")


def in_window(epoch_ms: int) -> bool:
    return EARLIEST_MS <= epoch_ms < LATEST_MS


def now_utc() -> datetime:
    return datetime.now(UTC)


def to_rfc3339(moment: datetime) -> str:
    """Millisecond precision, explicit offset (never a naive time)."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime: an offset is required")
    return moment.isoformat(timespec="milliseconds")


def parse_rfc3339(text: str) -> datetime:
    """Parse a timestamp that must carry an offset ('Z' or ±hh:mm)."""
    moment = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    if moment.tzinfo is None:
        raise ValueError("timestamp has no offset")
    return moment


def local_hour(moment: datetime, tz_name: str, offset_ms: int = 0) -> str:
    """'09' for a moment in the 9 o'clock hour in `tz_name`, after correcting a device
    clock that is `offset_ms` ahead of the server (server = device - offset)."""
    corrected = moment - timedelta(milliseconds=offset_ms)
    return f"{corrected.astimezone(ZoneInfo(tz_name)).hour:02d}"

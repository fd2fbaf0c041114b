"""Time helpers. Events carry RFC 3339 timestamps with an offset; hours of the day are
counted in the plan's time zone."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo


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

"""Times as coordinators read them: in the day plan's time zone (where the Open Day takes
place), not the server's UTC nor the browser's zone, and written for people, not as ISO."""

from zoneinfo import ZoneInfo

from shared.clock import parse_rfc3339


def people_time(iso: str | None, timezone: str, lang: str, with_date: bool = True) -> str:
    """'2022年5月15日 10:05' / '15 May 2022, 10:05' in `timezone`; '' for no time."""
    if not iso:
        return ""
    local = parse_rfc3339(iso).astimezone(ZoneInfo(timezone))
    clock = f"{local:%H:%M}"
    if not with_date:
        return clock
    if lang == "zh":
        return f"{local.year}年{local.month}月{local.day}日 {clock}"
    return f"{local.day} {local:%b} {local.year}, {clock}"


def people_time_filter(timezone: str, lang: str):
    """The formatter one page calls: `{{ when(record.created_at) }}`."""
    return lambda iso, with_date=True: people_time(iso, timezone, lang, with_date)

"""Who may read a day's plan and figures (totals and the live feed).

The figures carry citizens' own words (hot issues, feedback comments), so they are not
public: a coordinator granted the day (signed-in session or HTTP Basic) may read them, and
so may a laptop enrolled for that day (its Bearer token), because the booth page shows the
booth's and the day's central totals. Anyone else: 401 without credentials, 403 for another
day's coordinator or laptop.

A laptop reads every figure of its day but the citizens' own words only from its own
booth: the hot issues of other booths are withheld from it. Every reader gets the texts
masked (phone and ID-card numbers, shared/masking.py).
"""

from typing import NamedTuple

from shared.masking import mask_personal
from sync_service.coordinators import require_coordinator
from sync_service.devices.auth import authenticate_device, bearer_token
from sync_service.errors import ApiError


class DayReader(NamedTuple):
    name: str  # 'device:<id>' or 'coordinator:<name>'
    booth_id: str | None = None  # a laptop's booth; None for a coordinator (every booth)


def require_day_reader(redis, day_id: str) -> DayReader:
    """The laptop or coordinator allowed to read `day_id`; else 401/403."""
    if bearer_token():
        device = authenticate_device(redis)
        if device.day_id != day_id:
            raise ApiError(403, "forbidden", f"这台电脑登记在 {device.day_id},不能查看 {day_id} / "
                           f"Device {device.device_id} is enrolled for {device.day_id}, not {day_id}.")
        return DayReader(f"device:{device.device_id}", device.booth_id)
    return DayReader(f"coordinator:{require_coordinator(day_id).username}")


def readable_hot_issues(hot_issues: list[dict], reader: DayReader) -> list[dict]:
    """The hot issues `reader` may see, their texts masked."""
    return [{**h, "text": mask_personal(h["text"])} for h in hot_issues
            if reader.booth_id is None or h["booth_id"] == reader.booth_id]

"""Who may read a day's plan and figures (totals and the live feed).

The figures carry citizens' own words (hot issues, feedback comments), so they are not
public: a coordinator granted the day (signed-in session or HTTP Basic) may read them, and
so may a laptop enrolled for that day (its Bearer token), because the booth page shows the
booth's and the day's central totals. Anyone else: 401 without credentials, 403 for another
day's coordinator or laptop.
"""

from sync_service.coordinators import require_coordinator
from sync_service.devices.auth import authenticate_device, bearer_token
from sync_service.errors import ApiError


def require_day_reader(redis, day_id: str) -> str:
    """'device:<id>' or 'coordinator:<name>' allowed to read `day_id`; else 401/403."""
    if bearer_token():
        device = authenticate_device(redis)
        if device.day_id != day_id:
            raise ApiError(403, "forbidden", f"这台电脑登记在 {device.day_id},不能查看 {day_id} / "
                           f"Device {device.device_id} is enrolled for {device.day_id}, not {day_id}.")
        return f"device:{device.device_id}"
    return f"coordinator:{require_coordinator(day_id).username}"

"""Everything one laptop's routes need, in one object: the log, the plan, the totals,
who this laptop is, and its background pusher and puller."""

from dataclasses import dataclass
from typing import Any

from field_app.event_log import EventLog
from field_app.laptop_totals import LaptopTotals


@dataclass
class Laptop:
    log: EventLog
    plan: Any  # shared.plan.DayPlan
    totals: LaptopTotals
    device_id: str
    booth_id: str
    pusher: Any = None  # field_app.pusher.Pusher
    puller: Any = None  # field_app.central.Puller

    def enrolled(self) -> bool:
        return bool(self.log.get_state("device_token"))

    def pending(self) -> int:
        return self.log.last_seq() - self.log.acked_seq()

    def use_plan(self, plan) -> None:
        """Switch to a newer plan of the same day (pulled from the centre); the page shows
        its labels from the next load."""
        if plan.raw != self.plan.raw:
            self.plan = plan
            self.totals.plan = plan

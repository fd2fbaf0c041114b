"""Everything one laptop's routes need, in one object: the log, the plan, the totals,
who this laptop is, and its background pusher and puller."""

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from field_app.centre_tls import STRICT, CentreTLS
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
    tls: CentreTLS = STRICT  # how the centre is reached: its CA, whether plain http is allowed
    undo_seconds: float = 8.0  # how long after an entry "undo last" is allowed (page and API)
    clock: Callable[[], float] = time.monotonic  # for the undo window; immune to wall-clock changes
    last_entry: tuple[str, float] | None = None  # (event id, clock at commit) of the newest non-void entry

    def committed(self, event: dict) -> None:
        """Called under the log's lock after each commit, in log order."""
        self.totals.apply(event)
        self.last_entry = None if self.totals.is_void_id(event["event_id"]) else (event["event_id"], self.clock())

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

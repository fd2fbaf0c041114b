"""This laptop's own totals: the centre's fold (shared.fold.EVENT_HANDLERS), over the
local log, for the whole day only (no booth or hour scopes: a laptop serves one booth).

Built from the SQLite log when the app starts (so they survive a restart) and moved
forward by each committed event, in log order. Which events are voided is kept too:
the page marks them and a second void of the same entry is refused.
"""

from collections import Counter

from shared.events import upcast
from shared.fold import EVENT_HANDLERS, is_void
from shared.rejects import reject_reason
from shared.totals import build_document


class LaptopTotals:
    def __init__(self, plan):
        self.plan = plan
        self.flat: Counter = Counter()
        self.voided: set[str] = set()  # event ids some void has taken back
        self.voids: set[str] = set()  # event ids that are voids themselves
        self._counted: dict[str, dict] = {}  # what each countable event added, to take back on void

    def load(self, events) -> "LaptopTotals":
        for event in events:
            self.apply(event)
        return self

    def apply(self, event: dict) -> None:
        """Fold one committed event; one the central fold would reject (shared/rejects.py,
        with this laptop's own clock: offset 0) counts only under 'rejected', as there."""
        if reason := reject_reason(event, 0):
            self.flat.update({"rejected": 1, f"rejected_by_reason.{reason}": 1})
            return
        if is_void(event):
            self.voids.add(event["event_id"])
            target_id = event["payload"]["target_event_id"]
            added = self._counted.pop(target_id, None)
            if added is not None:
                self.voided.add(target_id)
                self.flat.subtract(added)
                self.flat["voided"] += 1
        else:
            added = self._counted[event["event_id"]] = _figures(event)
            self.flat.update(added)

    def is_void_id(self, event_id: str) -> bool:
        return event_id in self.voids

    def why_not_voidable(self, event_id: str) -> str | None:
        """A catalogue key of the reason a void of `event_id` is refused, or None."""
        if event_id in self.voids:
            return "err.void_of_void"
        if event_id in self.voided:
            return "err.already_voided"
        if event_id not in self._counted:
            return "err.no_such_entry"
        return None

    def document(self) -> dict:
        doc = build_document({name: amount for name, amount in self.flat.items() if amount})
        doc.pop("by_booth", None)
        doc.pop("by_hour", None)
        return doc


def _figures(event: dict) -> dict[str, int]:
    event = upcast(event)
    return EVENT_HANDLERS[event["type"]](event["payload"])

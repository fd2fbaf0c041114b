"""This laptop's own totals: the same fold the centre runs, over the local log.

Built from the SQLite log when the app starts (so they survive a restart) and moved
forward by each committed event, in log order. Which events are voided is kept too:
the page marks them and a second void of the same entry is refused.
"""

from collections import Counter

from worker.fold import contributions, is_void, void_effect
from worker.totals import build_document


class LaptopTotals:
    def __init__(self, plan):
        self.plan = plan
        self.flat: Counter = Counter()
        self.voided: set[str] = set()  # event ids some void has taken back
        self.voids: set[str] = set()  # event ids that are voids themselves
        self._by_id: dict[str, dict] = {}  # the events still countable, to subtract on void

    def load(self, events) -> "LaptopTotals":
        for event in events:
            self.apply(event)
        return self

    def apply(self, event: dict) -> None:
        """Fold one committed event."""
        if is_void(event):
            self.voids.add(event["event_id"])
            target = self._by_id.pop(event["payload"]["target_event_id"], None)
            if target is not None:
                self.voided.add(target["event_id"])
            self.flat.update(void_effect(event, target, 0, self.plan))
        else:
            self._by_id[event["event_id"]] = event
            self.flat.update(contributions(event, self.plan))

    def why_not_voidable(self, event_id: str) -> str | None:
        """A catalogue key of the reason a void of `event_id` is refused, or None."""
        if event_id in self.voids:
            return "err.void_of_void"
        if event_id in self.voided:
            return "err.already_voided"
        if event_id not in self._by_id:
            return "err.no_such_entry"
        return None

    def document(self) -> dict:
        doc = build_document({k: v for k, v in self.flat.items() if v and not k.startswith("hour:")})
        doc.pop("by_hour", None)
        return doc

"""Folding one chunk of log entries into the changes it makes to a projection. Pure: the
caller reads the entries (and the targets of voids) and commits the result.

Rules, in log order:
- an event adds its effect (see fold.py); one whose catalogue key the plan lacks adds
  only 'quarantined' and is indexed under that key until a coordinator resolves it;
- a void takes back exactly the current effect of its target, once. A void of an unknown
  id, of an event not before it in the log, of another device's event, of a void, or of
  an already voided event changes nothing but 'voids_ignored';
- a resolution (folded alone, see projection.py) re-folds the events quarantined under
  its key with the new mapping: each moves by (new effect - old effect). One made by a
  plan version that added the key (action 'added', docs/plans.md) maps the key to itself;
  in a rebuild, whose plan knew the key from the start, it holds nothing back and moves
  nothing;
- an entry the fold cannot interpret (shared/rejects.py) adds only 'rejected' and
  'rejected_by_reason.<reason>' and is listed; a void of it is ignored. Nothing raises.
"""

import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import partial
from typing import NamedTuple

from shared.events import COORDINATOR_DEVICE, RESOLUTION, VOID
from shared.fold import FoldView, unit_figures
from shared.rejects import Rejected, rejected_record

ADDED = "added"  # the resolution a plan version makes for a quarantined key it adds


class Entry(NamedTuple):
    sid: str  # stream id: the log position
    event: dict
    off: int  # device clock offset at receipt, ms
    rt: int  # server receive time, ms


# Entries of a chunk are made from zipped columns without a Python-level call each.
entry_from_tuple = partial(tuple.__new__, Entry)


def position(sid: str) -> tuple[int, int]:
    ms, _, seq = sid.partition("-")
    return int(ms), int(seq or 0)


def fk_name(field_key: tuple[str, str]) -> str:
    return f"{field_key[0]}|{field_key[1]}"


@dataclass
class ChunkChanges:
    """What a chunk changes, ready for the commit script."""

    increments: dict = field(default_factory=dict)  # figure -> delta (non-zero)
    sets: dict = field(default_factory=dict)  # figure -> value (device last seen etc.)
    voided: dict = field(default_factory=dict)  # target event id -> void event id
    hot_add: dict = field(default_factory=dict)  # event id -> JSON
    hot_del: list = field(default_factory=list)
    quarantine_delta: dict = field(default_factory=dict)  # 'field|key' -> delta
    quarantine_index_add: dict = field(default_factory=dict)  # 'field|key' -> 'sid,sid'
    quarantine_drop: list = field(default_factory=list)  # 'field|key' resolved
    resolutions: dict = field(default_factory=dict)  # 'field|key' -> JSON
    rejected: dict = field(default_factory=dict)  # stream id -> JSON of shared.rejects.rejected_record


class ChunkFold:
    def __init__(self, view: FoldView):
        self.view = view
        self.sums = defaultdict(int)  # (booth, hour, signature) -> amount
        self.tallies = Counter()  # (figure, booth or '') -> count: voids and resolutions, whole day and booth
        self.seen_devices, self.seen_entries = [], []  # each device entry's laptop and entry, in log order
        self.entries = 0
        self.voided, self.hot_add, self.hot_del = {}, {}, set()
        self.q_delta, self.q_index = Counter(), defaultdict(list)
        self.q_drop, self.resolved = [], {}
        self.rejected = {}  # stream id -> record

    # -- what happens per entry -------------------------------------------------------
    def events(self, entries: list[Entry], in_chunk: dict, other) -> None:
        """Fold entries in log order: the common event (FoldView.quick) here, in as few
        steps as the fold can take per entry; any other by `other(entry)`. `in_chunk`
        gets the event id of each entry folded here (void targets)."""
        quick, hits, devices, seen = self.view.quick, [], self.seen_devices, self.seen_entries
        for entry in entries:
            event = entry[1]
            hit = quick(event, entry[2])
            if hit is None:
                other(entry)
                continue
            hits.append(hit)  # counted at the end, in C (Counter), not summed here
            in_chunk[event["event_id"]] = entry
            devices.append(event["device_id"])  # the device's count and last entry: changes()
            seen.append(entry)
        self.entries += len(hits)
        for (key, amount), n in Counter(hits).items():
            self.sums[key] += amount * n

    def event(self, entry: Entry) -> bool:
        """Fold an event whose envelope passed shared.rejects.envelope_reason; False when
        it is rejected instead (its time, or anything else its effect raised on)."""
        event = entry.event
        try:
            effect = self.view.effect(event, entry.off)
        except Rejected as exc:
            return self.reject(entry, exc.reason)
        except Exception:  # noqa: BLE001 - pure code on a hostile entry: the day must go on
            return self.reject(entry, "uninterpretable")
        self.sums[effect[:3]] += effect.amount  # (booth, hour, signature)
        if effect.hot is not None:
            self.hot_del.discard(event["event_id"])
            self.hot_add[event["event_id"]] = effect.hot
        for fk in effect.unresolved:
            self.q_delta[fk] += 1
            self.q_index[fk].append(entry.sid)
        self._seen(entry)
        return True

    def reject(self, entry: Entry, reason: str) -> bool:
        """Count the entry under 'rejected' (whole day only: its booth may be a lie) and list it."""
        self.tallies[("rejected", "")] += 1
        self.tallies[(f"rejected_by_reason.{reason}", "")] += 1
        self.rejected[entry.sid] = rejected_record(entry.event, reason, entry.sid, entry.rt)
        self.entries += 1
        return False

    def void(self, entry: Entry, target: Entry | None) -> None:
        """`target` is the entry the void names, if it is before the void in the log and
        not already voided (the caller checks both); the other rules are checked here."""
        void, effect = entry.event, None
        if target is not None and target.event["type"] not in (VOID, RESOLUTION) \
                and target.event["device_id"] == void["device_id"]:
            effect = self._counted_effect(target)  # None: the target was rejected, never counted
        if effect is None:
            self.tallies[("voids_ignored", void["booth_id"])] += 1
        else:
            self._apply(effect, -1, target.event["event_id"])
            for fk in effect.unresolved:
                self.q_delta[fk] -= 1
            self.voided[target.event["event_id"]] = void["event_id"]
            self.tallies[("voided", void["booth_id"])] += 1
        self._seen(entry)

    def resolution(self, entry: Entry, quarantined: list[Entry]) -> None:
        """Fold a coordinator's resolution; `quarantined` are the live (not voided) entries
        indexed under its key."""
        p, event = entry.event["payload"], entry.event
        fk = (p["field"], p["key"])
        if p["action"] == ADDED:
            # the plan has the key now (a version added it): count what waited for it
            known, to = self.view.keys.full[p["field"]], p["key"]
            ignored = fk in self.view.resolutions or p["key"] not in known
        else:
            known = self.view.keys.known[p["field"]]
            ignored = fk in self.view.resolutions or p["key"] in known \
                or (p["action"] == "map" and p["to"] not in known)
            to = p["to"] if p["action"] == "map" else None
        if ignored:
            self.tallies[("resolutions_ignored", "")] += 1
        else:
            after = self.view.with_resolution(*fk, to)
            for target in quarantined:
                eid = target.event["event_id"]
                self._apply(self.view.effect(target.event, target.off), -1, eid)
                self._apply(after.effect(target.event, target.off), 1, eid)
            self.q_drop.append(fk)
            self.resolved[fk] = {"action": p["action"], "to": to, "event_id": event["event_id"],
                                 "by": event.get("staff"), "at": event["recorded_at"]}
            self.view = after
        self.entries += 1

    # -- bookkeeping ------------------------------------------------------------------
    def _counted_effect(self, target: Entry):
        try:
            return self.view.effect(target.event, target.off)
        except Exception:  # noqa: BLE001 - rejected when it was folded: the same verdict again
            return None

    def _apply(self, effect, sign: int, event_id: str) -> None:
        self.sums[(effect.booth, effect.hour, effect.sig)] += sign * effect.amount
        if effect.hot is not None:
            if sign > 0:
                self.hot_del.discard(event_id)
                self.hot_add[event_id] = effect.hot
            elif self.hot_add.pop(event_id, None) is None:
                self.hot_del.add(event_id)

    def _seen(self, entry: Entry, counted: bool = False) -> None:
        if not counted:
            self.entries += 1
        device = entry.event["device_id"]
        if device != COORDINATOR_DEVICE:
            self.seen_devices.append(device)
            self.seen_entries.append(entry)

    # -- the result -------------------------------------------------------------------
    def changes(self) -> ChunkChanges:
        figures = defaultdict(int)
        for (booth, hour, sig), amount in self.sums.items():
            if amount:
                for name, n in unit_figures(booth, hour, sig):
                    figures[name] += n * amount
        for (name, booth), n in self.tallies.items():
            figures[name] += n
            if booth:
                figures[f"booth:{booth}|{name}"] += n
        sets, counts = {}, Counter(self.seen_devices)
        last_entries = dict(zip(self.seen_devices, self.seen_entries, strict=True))  # each device's last one
        for device, last in last_entries.items():
            count, booth = counts[device], last.event["booth_id"]
            figures[f"device:{device}|events"] += count
            figures[f"booth:{booth},device:{device}|events"] += count
            sets[f"device:{device}|acked_seq"] = last.event["seq"]
            sets[f"device:{device}|last_seen_ms"] = last.rt
            sets[f"device:{device}|clock_offset_ms"] = last.off
        figures["log.entries"] += self.entries
        return ChunkChanges(
            increments={k: v for k, v in figures.items() if v},
            sets=sets,
            voided=self.voided,
            hot_add={k: json.dumps(v, ensure_ascii=False, sort_keys=True) for k, v in self.hot_add.items()},
            hot_del=sorted(self.hot_del),
            quarantine_delta={fk_name(k): v for k, v in self.q_delta.items() if v},
            quarantine_index_add={fk_name(k): ",".join(v) for k, v in self.q_index.items()},
            quarantine_drop=[fk_name(k) for k in self.q_drop],
            resolutions={fk_name(k): json.dumps(v, sort_keys=True) for k, v in self.resolved.items()},
            rejected={k: json.dumps(v, ensure_ascii=False, sort_keys=True) for k, v in self.rejected.items()},
        )

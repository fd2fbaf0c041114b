"""Folding the central log into the totals, exactly once.

The tracking-record pattern: a chunk's changes and the new checkpoint are written by one
Lua script that first checks the checkpoint is still the one the chunk was read after
(store.py). A crash before the commit writes nothing; two workers folding the same chunk
cannot both commit, the loser reads again from the winner's checkpoint. So every log
entry is counted once, whatever the workers do.

A chunk ends before a coordinator's quarantine resolution, which is folded alone: the
events before it see the old mapping, the events after it the new one.

The fold is total (shared/rejects.py): an entry it cannot interpret is rejected, not
raised on. Should a chunk raise all the same (a bug's way in), its first entry is folded
alone, and rejected as 'uninterpretable' if it still raises: the day goes on, one entry
at a time, and each verdict depends on that entry only.
"""

import gc
import json
import logging
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from operator import itemgetter

import orjson
from redis.exceptions import RedisError

from central import keys
from central.chunk import ChunkFold, Entry, entry_from_tuple, position
from central.projection_store import ProjectionStore
from shared.events import RESOLUTION, VOID
from shared.fold import FoldView, plan_keys
from shared.rejects import UNREADABLE, envelope_reason, reject_reason
from shared.totals import build_document

FIRST_READ = 2000  # entries of fold_to_end's first chunk, read before anything can overlap it
CHUNK = 20_000  # entries a chunk: per-chunk costs (figures, commit) amortised; ~35 MB read and parsed
RESOLUTION_JSON = f'"{RESOLUTION}"'.encode()
log = logging.getLogger(__name__)


def _entries(flat: list) -> list[Entry]:
    try:  # body by body: as fast as one parse of the chunk joined, without its peak (~4x the chunk)
        columns = zip(flat[::4], map(orjson.loads, flat[1::4]), map(int, flat[2::4]), map(int, flat[3::4]), strict=True)
        return list(map(entry_from_tuple, columns))
    except (ValueError, TypeError):  # some entry does not parse: find which, one by one
        return [parse_entry(*flat[n:n + 4]) for n in range(0, len(flat), 4)]


def parse_entry(sid: str, body, off, rt) -> Entry:
    """One stored entry; an event of UNREADABLE when its fields do not parse."""
    try:
        return Entry(sid, orjson.loads(body), int(off), int(rt))
    except (ValueError, TypeError):
        return Entry(sid, UNREADABLE, 0, 0)


def _is_resolution(entry: Entry) -> bool:
    return type(entry.event) is dict and entry.event.get("type") == RESOLUTION


@contextmanager
def cyclic_gc_paused():
    """Pause Python's cyclic garbage collector while chunks are folded. The fold makes a
    few containers per entry and frees them by reference counting (it builds no cycles:
    gc.collect() after a fold of 10^5 entries finds 0), but every 700 allocations the
    collector woke and walked the chunks' live objects again: a fifth of the fold's time.
    Cycles other code makes meanwhile are collected once it is back on."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _resolutions(held: dict) -> dict:
    resolved = {}
    for name, raw in held.items():
        field, _, key = name.partition("|")
        resolved[(field, key)] = json.loads(raw)["to"]
    return resolved


def _cut_at_resolution(entries: list[Entry]) -> list[Entry]:
    for n, entry in enumerate(entries):
        if _is_resolution(entry):
            return entries[:n] or entries[:1]
    return entries


def _fold_events(store: ProjectionStore, fold: ChunkFold, entries: list[Entry]) -> None:
    """Fold device events and voids in log order. The targets of the chunk's voids outside
    it are looked up at once; one in it that a void cannot take from the chunk (rejected,
    or after the void) is looked up when that void is folded (_void_target)."""
    in_chunk, looked_up = {}, {}
    if targets := _void_targets(entries):
        here = _event_ids(entries)
        looked_up = store.lookup([t for t in targets if t not in here])

    def other(entry: Entry) -> None:  # anything FoldView.quick leaves: the careful path
        event = entry.event
        if reason := envelope_reason(event):
            fold.reject(entry, reason)
        elif event["type"] != VOID:
            if fold.event(entry):
                in_chunk[event["event_id"]] = entry
        elif reason := reject_reason(event, entry.off):  # a void's own time too
            fold.reject(entry, reason)
        else:
            fold.void(entry, _void_target(store, fold, in_chunk, looked_up, entry))
            in_chunk[event["event_id"]] = entry

    fold.events(entries, in_chunk, other)


def _void_targets(entries: list[Entry]) -> list[str]:
    """The event ids the chunk's voids name (read as a void would be, unchecked yet)."""
    named = [e.event.get("payload") for e in entries if type(e.event) is dict and e.event.get("type") == VOID]
    return list(dict.fromkeys([p["target_event_id"] for p in named
                               if type(p) is dict and type(p.get("target_event_id")) is str]))


def _event_ids(entries: list[Entry]) -> set:
    try:  # C-level maps: the chunk is large, and this runs when any void is in it
        return set(map(itemgetter("event_id"), map(itemgetter(1), entries)))
    except (KeyError, TypeError):  # an unreadable entry, an id missing or unhashable
        return {e.event.get("event_id") for e in entries if type(e.event) is dict
                and type(e.event.get("event_id")) is str}


def _void_target(store: ProjectionStore, fold: ChunkFold, in_chunk: dict, looked_up: dict,
                 entry: Entry) -> Entry | None:
    """The counted, not yet voided entry before the void that it names, or None."""
    target_id = entry.event["payload"]["target_event_id"]
    target = in_chunk.get(target_id)
    if target is None and target_id not in looked_up:  # in the chunk, not counted before the void
        looked_up.update(store.lookup([target_id]))
    if target is None and target_id in looked_up:
        voided, row = looked_up[target_id]
        if row and not voided and position(row[0]) < position(entry.sid):
            target = parse_entry(*row)
            if reject_reason(target.event, target.off) is not None:
                target = None  # rejected when it was folded
    return None if target_id in fold.voided else target


def _fold_resolution(store: ProjectionStore, fold: ChunkFold, entry: Entry) -> None:
    payload = entry.event["payload"]
    sids = store.quarantined_entries(f"{payload['field']}|{payload['key']}")
    rows = []
    if sids:
        with store.redis.pipeline(transaction=False) as pipe:
            for sid in sids:
                pipe.xrange(keys.log(store.day_id), sid, sid)
            rows = [r[0] for r in pipe.execute() if r]
    held = [parse_entry(sid, f["e"], f.get("off", 0), f.get("rt", 0)) for sid, f in rows]
    status = store.lookup([e.event["event_id"] for e in held])
    fold.resolution(entry, [e for e in held if not status[e.event["event_id"]][0]])


class PlanBehind(Exception):
    """The log holds a resolution made by a plan version newer than the plan folding it:
    fold again with the current plan (nothing of this chunk was committed)."""


def pending_keys(store: ProjectionStore, plan) -> frozenset:
    """(field, key) pairs quarantined in this projection that the plan now knows: a plan
    version added them and its resolution (action 'added') is not folded yet. Read once per
    fold call: within it only that resolution can remove one, and none can appear."""
    known = plan_keys(plan).full
    names = store.redis.hkeys(keys.quarantine(store.day_id, store.generation))
    held = ((n.decode() if isinstance(n, bytes) else n).partition("|") for n in names)
    return frozenset((field, key) for field, _, key in held if key in known.get(field, ()))


def _chunk_changes(store: ProjectionStore, plan, resolved: dict, entries: list[Entry], pending=frozenset()):
    fold = ChunkFold(FoldView(plan, _resolutions(resolved), pending))
    if _is_resolution(entries[0]):
        if reason := reject_reason(entries[0].event, entries[0].off):
            fold.reject(entries[0], reason)
        else:
            _fold_resolution(store, fold, entries[0])
    else:
        _fold_events(store, fold, entries)
    return fold.changes()


def _total_changes(store: ProjectionStore, plan, resolved: dict, entries: list[Entry], pending=frozenset()):
    """(entries, changes): the chunk's, or, should it raise, its first entry's alone,
    rejected as 'uninterpretable' if that still raises. Redis errors are not verdicts."""
    try:
        return entries, _chunk_changes(store, plan, resolved, entries, pending)
    except RedisError:
        raise
    except Exception:
        log.exception("a chunk of %s raised; folding its first entry alone", store.day_id)
    first = entries[:1]
    try:
        return first, _chunk_changes(store, plan, resolved, first, pending)
    except RedisError:
        raise
    except Exception:
        log.exception("entry %s of %s rejected as uninterpretable", first[0].sid, store.day_id)
    fold = ChunkFold(FoldView(plan, _resolutions(resolved), pending))
    fold.reject(first[0], "uninterpretable")
    return first, fold.changes()


def _fold_and_commit(store: ProjectionStore, plan, read: tuple, publish: bool,
                     may_resolve: bool = True, pending: frozenset = frozenset()) -> tuple[list[Entry], bool]:
    """Fold what one read returned and try to commit it: (the entries, committed?).
    `may_resolve=False`: the caller saw no resolution in the chunk, none to cut at."""
    checkpoint, epoch, flat, resolved = read
    entries = _entries(flat)
    if may_resolve:
        entries = _cut_at_resolution(entries)
    _check_plan_version(plan, entries[0])
    entries, changes = _total_changes(store, plan, resolved, entries, pending)
    return entries, store.commit(checkpoint, epoch, entries[-1].sid, changes, publish)


def _check_plan_version(plan, entry: Entry) -> None:
    """PlanBehind if `entry` is a resolution a plan version newer than `plan` made."""
    payload = entry.event.get("payload") if _is_resolution(entry) else None
    wanted = payload.get("version", 0) if isinstance(payload, dict) else 0
    if isinstance(wanted, int) and wanted > getattr(plan, "version", 0):
        raise PlanBehind(wanted)


def fold_chunk(redis, day_id: str, plan, chunk: int = CHUNK, generation: str = "live", until: str = "+",
               publish: bool | None = None) -> int:
    """Fold the next chunk after the checkpoint; returns how many entries it folded."""
    store = ProjectionStore(redis, day_id, generation)
    publish = generation == "live" if publish is None else publish
    with cyclic_gc_paused():
        while True:
            read = store.read_chunk(chunk, until)
            if not read[2]:
                return 0
            entries, committed = _fold_and_commit(store, plan, read, publish, pending=pending_keys(store, plan))
            if committed:
                return len(entries)
            # another worker committed first (or a rebuild was swapped in): read again from its checkpoint


def fold_to_end(redis, day_id: str, plan, generation: str = "live", until: str = "+", chunk: int = CHUNK,
                publish: bool | None = None) -> int:
    """Fold chunk after chunk until the log (or `until`) is reached; returns the entries folded.

    While a chunk is folded, the next one is read in a second thread (Redis works while
    Python folds). The read-ahead is used only if this chunk commits and holds no
    resolution: then nothing it read can have changed except by a commit that would make
    the next one fail its checkpoint check anyway. The first read is short (FIRST_READ):
    nothing is folded while it is read, and a few new entries are the common case."""
    store = ProjectionStore(redis, day_id, generation)
    publish = generation == "live" if publish is None else publish
    folded, pending = 0, pending_keys(store, plan)
    with cyclic_gc_paused(), ThreadPoolExecutor(1, thread_name_prefix="read-ahead") as pool:
        read = store.read_chunk(min(chunk, FIRST_READ), until)
        while read[2]:
            last = read[2][-4]
            clean = RESOLUTION_JSON not in b"\n".join(read[2][1::4])  # a text may say it too: no harm
            ahead = pool.submit(store.read_chunk, chunk, until, last) if clean else None
            entries, committed = _fold_and_commit(store, plan, read, publish, may_resolve=not clean, pending=pending)
            if committed:
                folded += len(entries)
            if committed and ahead is not None and entries[-1].sid == last:
                _, epoch, flat, resolved = ahead.result()
                read = (last, epoch, flat, resolved)  # as if read after our commit
            else:
                if ahead is not None:
                    ahead.result()  # stale: another worker committed first, or a resolution changes the view
                read = store.read_chunk(chunk, until)
    return folded


def read_flat(redis, day_id: str, generation: str = "live") -> tuple[dict[str, int], str, dict, dict, dict]:
    """(flat figures, position, hot issues, quarantine, resolutions) read in one MULTI."""
    with redis.pipeline(transaction=True) as pipe:
        pipe.hgetall(keys.totals(day_id, generation))
        pipe.get(keys.checkpoint(day_id, generation))
        pipe.hgetall(keys.hot_issues(day_id, generation))
        pipe.hgetall(keys.quarantine(day_id, generation))
        pipe.hgetall(keys.resolutions(day_id, generation))
        flat, position_, hot, quarantine, resolutions = pipe.execute()
    return {k: int(v) for k, v in flat.items()}, position_ or "0-0", hot, quarantine, resolutions


def read_totals(redis, day_id: str, generation: str = "live", booth: str | None = None) -> dict:
    """The totals document with the log position it reflects (whole day, or one booth)."""
    flat, position_, hot, _, _ = read_flat(redis, day_id, generation)
    entries = flat.pop("log.entries", 0)
    hot_list = [{"event_id": k, **json.loads(v)} for k, v in hot.items()]
    return {"day_id": day_id, "position": position_, "log_entries": entries,
            **build_document(flat, hot_list, booth=booth)}

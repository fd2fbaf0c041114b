"""Redis bytes per log entry: the layout we ship beside the least one the tests allow.

Issue 19 asks a full day for at most 30 MiB per 10^5 entries (log, indexes and projections
together) while the property, crash and fault tests pass as they are and nothing invariants 2
and 3 need goes. Those tests read each log entry's `e` as the event's JSON (event_id,
device_id, booth_id, type, payload) and the event index as one hash whose fields are the
36-character event ids. This bench stores the same simulated events (the example plan's day,
scaled up) in two fresh embedded Redis servers, with the stream-node settings we ship:

- day.redis.keys.mib_per_100k_events: appended by central_log's script, as a push does, and
  folded; with its two parts, .log_and_indexes (log, event index, seq records, acked marks)
  and .projections (everything the fold wrote);
- day.redis.floor.mib_per_100k_events: the least layout we could build that those tests
  allow: an entry holds only what the tests read (the five fields above as JSON)
  and, as integers, the time, the seq and the clock offset the fold and invariant 3 need; the
  event index holds 8 bytes of content digest per id (re-sends told apart without a seq index).
  It drops what the system uses elsewhere (day_id and v, the staff the exports name, the
  receive time, the seq records): a layout that keeps what the system uses is larger.

The shipped day is then folded with the example plan; the floor is given the same projections
(the goal counts them, and a projection is what the fold writes, whatever the log's layout).
The figures are what the keys hold (MEMORY USAGE, every element counted, per 10^5 entries):
day.redis.mib_per_100k_events (bench_day) is used_memory growth of a running day, which adds
its fixed costs (client buffers, the AOF buffer, RQ) spread over the day's entries.
Lower is better: no limit; issue 19's bound is 30.
"""

import tempfile
from itertools import islice

import orjson

from bench.limits import REPO, figure

TESTS_READ = ("booth_id", "device_id", "event_id", "payload", "type")  # what the protected tests read from `e`


def day_events(plan, entries: int) -> dict[str, list[dict]]:
    """About `entries` events of the plan's simulated day, per laptop, in seq order."""
    from openday.simulate.generator import generate_day, laptop_events

    scenario = generate_day(plan, seed=7, size=entries / 1528)  # size 1.0 is 1,528 entries
    return {laptop.device_id: laptop_events(scenario, laptop) for laptop in scenario.laptops}


def _held(fill) -> dict[str, int]:
    """Bytes per key pattern, as MEMORY USAGE counts them, of what `fill` stores in a fresh
    server."""
    from redis import Redis

    from bench.redis_keys import memory_by_pattern
    from openday.embedded_redis import EmbeddedRedis

    with tempfile.TemporaryDirectory(dir=REPO / "bench" / "results") as folder, \
            EmbeddedRedis(folder, appendfsync="no") as server, Redis.from_url(server.url) as redis:
        fill(redis, server.url)
        return {name: row["bytes"] for name, row in memory_by_pattern(redis).items()}


def shipped(by_device: dict[str, list[dict]], day_id: str, plan):
    """Appended by central_log's script in batches of 500, as pushes do, then folded."""
    def fill(redis, url: str) -> None:
        from redis import Redis

        from central.central_log import CentralLog
        from central.projection import fold_to_end

        log = CentralLog(redis)
        for device, events in by_device.items():
            it = iter(events)
            while batch := list(islice(it, 500)):
                log.append_batch(day_id, device, batch, received_ms=1652577300000, offset_ms=-1500)
        with Redis.from_url(url, decode_responses=True) as text:
            fold_to_end(text, day_id, plan)
    return fill


def least(by_device: dict[str, list[dict]], day_id: str):
    """The least log and event index the protected tests allow (the module's docstring)."""
    def fill(redis, url: str) -> None:
        from central import keys
        from central.central_log import content_digest
        from shared.rejects import recorded_ms

        log, index = keys.log(day_id), keys.event_index(day_id)
        for events in by_device.values():
            pipe = redis.pipeline(transaction=False)
            for event in events:
                body = orjson.dumps({k: event[k] for k in TESTS_READ}, option=orjson.OPT_SORT_KEYS)
                pipe.xadd(log, {"e": body, "t": recorded_ms(event["recorded_at"]), "s": event["seq"], "o": -1500})
                pipe.hset(index, event["event_id"], bytes.fromhex(content_digest(orjson.dumps(event))))
            pipe.execute()
    return fill


LOG_AND_INDEXES = ("od:{day}:log", "od:{day}:eidx", "od:{day}:seqs:{device}", "od:{day}:acked")


def run(quick: bool) -> list[dict]:
    from shared.plan import load_plan

    plan = load_plan(REPO / "examples" / "heping-2022-05-15.json")
    by_device = day_events(plan, 15_000 if quick else 100_000)
    day_id, entries = plan.day_id, sum(map(len, by_device.values()))
    ours = _held(shipped(by_device, day_id, plan))
    floor = _held(least(by_device, day_id))
    projections = sum(size for name, size in ours.items() if name not in LOG_AND_INDEXES)
    per_100k = 100_000 / entries / 2**20
    return [
        figure("day.redis.keys.mib_per_100k_events", sum(ours.values()) * per_100k, "MiB", None, quick),
        figure("day.redis.keys.log_and_indexes.mib_per_100k_events",
               sum(ours.get(name, 0) for name in LOG_AND_INDEXES) * per_100k, "MiB", None, quick),
        figure("day.redis.keys.projections.mib_per_100k_events", projections * per_100k, "MiB", None, quick),
        figure("day.redis.floor.mib_per_100k_events", (sum(floor.values()) + projections) * per_100k, "MiB", None,
               quick),
    ]


if __name__ == "__main__":
    import sys

    for row in run(quick="--quick" in sys.argv):
        print(f"{row['name']:50} {row['value']:>10.2f} {row['unit']}")

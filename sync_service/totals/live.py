"""Live totals as Server-Sent Events, fed by the day's Redis pub/sub channel.

Each message: `id: <log position>`, `event: totals`, `data: {"position", "changed":
{figure: new value}}`. The first message of every connection (a new one, or a reconnect
carrying Last-Event-ID) holds every figure at the current position: we keep no history
of changes, and the current totals are what a resuming viewer needs. The worker's commit
script publishes the changed figures of each chunk as it commits, so the stream does no
recomputation; it only drops messages at or before the position already sent (the
snapshot is read after subscribing, so nothing falls between the two).
"""

import json
import time

from central import keys
from central.chunk import position as log_position
from central.projection import read_flat


def _message(position: str, changed: dict, **extra) -> str:
    data = json.dumps({"position": position, "changed": changed, **extra}, ensure_ascii=False, sort_keys=True)
    return f"id: {position}\nevent: totals\ndata: {data}\n\n"


def _snapshot(redis, day_id: str) -> tuple[str, str]:
    flat, position, *_ = read_flat(redis, day_id)
    return position, _message(position, flat, snapshot=True)


def live_messages(redis, day_id: str, heartbeat: float = 15.0, max_seconds: float = 300.0):
    """The SSE text of one connection; ends after `max_seconds` (the browser reconnects with
    Last-Event-ID), or when the client goes away (the server closes this generator)."""
    pubsub = redis.pubsub(ignore_subscribe_messages=True)
    pubsub.subscribe(keys.updates_channel(day_id))
    try:
        position, first = _snapshot(redis, day_id)
        yield f"retry: 2000\n{first}"
        sent, last_beat, end = log_position(position), time.monotonic(), time.monotonic() + max_seconds
        while time.monotonic() < end:
            message = pubsub.get_message(timeout=min(heartbeat, max(end - time.monotonic(), 0.01)))
            if message is None:
                if time.monotonic() - last_beat >= heartbeat:
                    last_beat = time.monotonic()
                    yield ": heartbeat\n\n"
                continue
            update = json.loads(message["data"])
            if update.get("reset"):  # a rebuilt projection was swapped in: start again from its figures
                position, text = _snapshot(redis, day_id)
                sent = log_position(position)
                yield text
                continue
            if log_position(update["position"]) <= sent:
                continue
            sent = log_position(update["position"])
            yield _message(update["position"], update["changed"] or {})
    finally:
        pubsub.close()

"""Where the summary lives in Redis: the day's closing, the template, the versions, and
reading the central log in chunks."""

import json
import secrets

from redis import WatchError

from central import keys
from central.archive import archived_day
from central.summary.build import changes_between, content_sha256, plan_template, template_figure_names
from central.summary.figures import events_behind, position_key, void_target_ids
from shared.events import VOID
from shared.rejects import parse_stored, reject_reason, stored_reason

CHUNK = 2000

# Closing records the log position at the moment of closing, once: a second close
# returns the first record unchanged.
CLOSE_DAY = """
if redis.call('HEXISTS', KEYS[1], 'position') == 1 then
  return {0, unpack(redis.call('HGETALL', KEYS[1]))}
end
local last = redis.call('XREVRANGE', KEYS[2], '+', '-', 'COUNT', 1)
local position = '0-0'
if #last > 0 then position = last[1][1] end
redis.call('HSET', KEYS[1], 'position', position, 'closed_at', ARGV[1], 'closed_by', ARGV[2])
return {1, unpack(redis.call('HGETALL', KEYS[1]))}
"""


def read_log(redis, day_id: str, until: str = "+", chunk: int = CHUNK):
    """(position, event, offset_ms) for every log entry up to `until`, in order, chunk by chunk;
    not the entries the fold rejects (shared/rejects.py): they count nowhere but 'rejected'."""
    for stream_id, fields in read_log_raw(redis, day_id, chunk, until):
        event, offset = parse_stored(fields)
        if reject_reason(event, offset) is None:
            yield stream_id, event, offset


def read_log_raw(redis, day_id: str, chunk: int = CHUNK, until: str = "+"):
    """Raw stream entries (stream id, fields) in chunks: for exports that stream. An
    archived day's come from its archive file."""
    if archive := archived_day(redis, day_id):
        yield from archive.log_entries(until=until)
        return
    start = "-"
    while True:
        entries = redis.xrange(keys.log(day_id), start, until, count=chunk)
        yield from entries
        if len(entries) < chunk:
            return
        start = f"({entries[-1][0]}"


def read_voids(redis, day_id: str, until: str = "+"):
    """The void events of the log up to `until`; only entries that mention a void are parsed."""
    for _, fields in read_log_raw(redis, day_id, until=until):
        if VOID in fields.get("e", "") and stored_reason(fields) is None:
            event = json.loads(fields["e"])
            if event["type"] == VOID:
                yield event


def events_behind_figure(redis, day_id: str, plan, figure: str, content: dict) -> list[dict]:
    """The drill-down rows of one figure of a summary version: its log read twice (the voids
    first), so only the events some void names are held in memory."""
    position = content["position"]
    targets = void_target_ids(read_voids(redis, day_id, until=position))
    return events_behind(read_log(redis, day_id, until=position), plan, figure,
                         content["figures"]["closed_position"], void_targets=targets)


def log_end(redis, day_id: str) -> str:
    """The stream id of the last log entry, or '0-0' for an empty log."""
    if archive := archived_day(redis, day_id):
        return archive.manifest()["last_position"]
    last = redis.xrevrange(keys.log(day_id), count=1)
    return last[0][0] if last else "0-0"


def projected_totals(redis, day_id: str, plan, until: str) -> dict | None:
    """The day's totals as the project's own fold counts them (voids, quarantine and its
    resolutions) up to `until`, folded into scratch keys that are dropped afterwards; the
    counts only (no laptops' last-seen times, no texts). None for an empty log."""
    from central.projection import fold_to_end, read_totals
    from shared.totals import counts_only

    if until == "0-0":
        return None
    generation = f"summary-{secrets.token_hex(4)}"
    try:
        fold_to_end(redis, day_id, plan, generation=generation, until=until, publish=False)
        document = read_totals(redis, day_id, generation)
    finally:
        redis.delete(*keys.projection(day_id, generation))
    if document["position"] != until:
        raise RuntimeError(f"scratch fold reached {document['position']}, not {until}")
    return counts_only({k: v for k, v in document.items() if k not in ("day_id", "position", "log_entries")})


def close_day(redis, day_id: str, closed_by: str, closed_at: str) -> tuple[dict, bool]:
    """Record the closing (once); returns the record and whether this call closed the day."""
    answer = redis.eval(CLOSE_DAY, 2, keys.closed(day_id), keys.log(day_id), closed_at, closed_by)
    flat = answer[1:]
    return dict(zip(flat[::2], flat[1::2], strict=True)), bool(int(answer[0]))


def closed_record(redis, day_id: str) -> dict | None:
    archive = archived_day(redis, day_id)
    record = archive.hash(keys.closed(day_id)) if archive else redis.hgetall(keys.closed(day_id))
    return record or None


def get_template(redis, plan) -> dict:
    raw = redis.get(keys.summary_template(plan.day_id))
    return json.loads(raw) if raw else plan_template(plan)


def put_template(redis, plan, template: dict) -> dict:
    """Validate and store a coordinator's template (raises TemplateError)."""
    from shared.summary_text import validate_template

    validate_template(template, template_figure_names(plan))
    redis.set(keys.summary_template(plan.day_id), json.dumps(template, ensure_ascii=False, sort_keys=True))
    return template


def _raw_versions(redis, day_id: str) -> list[str]:
    if archive := archived_day(redis, day_id):
        return archive.summary_versions()
    return redis.lrange(keys.summary_versions(day_id), 0, -1)


def list_versions(redis, day_id: str) -> list[dict]:
    return [json.loads(raw) for raw in _raw_versions(redis, day_id)]


def get_version(redis, day_id: str, version: int | None = None) -> dict | None:
    index = -1 if version is None else version - 1
    if version is not None and version < 1:
        return None
    if archive := archived_day(redis, day_id):
        versions = archive.summary_versions()
        raw = versions[index] if -len(versions) <= index < len(versions) else None
    else:
        raw = redis.lindex(keys.summary_versions(day_id), index)
    return json.loads(raw) if raw else None


def append_version(redis, day_id: str, content: dict, created_at: str) -> tuple[dict, bool]:
    """Append `content` as the next version unless the latest has the same bytes, or
    reflects a later log position (a slower concurrent job). Returns (version, appended)."""
    key = keys.summary_versions(day_id)
    sha = content_sha256(content)
    while True:
        with redis.pipeline(transaction=True) as pipe:
            try:
                pipe.watch(key)
                raw = pipe.lindex(key, -1)
                last = json.loads(raw) if raw else None
                if last and (last["sha256"] == sha or
                             position_key(last["position"]) > position_key(content["position"])):
                    return last, False
                record = {"version": (last["version"] if last else 0) + 1, "position": content["position"],
                          "sha256": sha, "created_at": created_at,
                          "changes": changes_between(last and last["content"], content), "content": content}
                pipe.multi()
                pipe.rpush(key, json.dumps(record, ensure_ascii=False, sort_keys=True))
                pipe.execute()
                return record, True
            except WatchError:
                continue

"""CSV exports: every event of the log (streamed chunk by chunk, never the whole file in
memory) and the totals. UTF-8 with a BOM so Excel opens the Chinese text correctly.

Every text cell goes through shared/spreadsheet.safe_cell (no cell starts a formula), and
the citizens' free texts (comment, note, reason) are masked (shared/masking.py) unless the
caller, an organiser, asks for them as written."""

import csv
import io
from datetime import UTC, datetime

import orjson

from central import keys
from central.archive import archived_day
from central.summary.store import read_log_raw
from shared.events import RESOLUTION
from shared.masking import mask_payload
from shared.rejects import stored_reason
from shared.spreadsheet import safe_row

BOM = "\ufeff"
EVENT_COLUMNS = ["position", "received_at", "event_id", "device_id", "seq", "booth_id", "booth", "type",
                 "recorded_at", "staff", "party_size", "topic", "topic_label", "department", "department_label",
                 "outcome", "material", "material_label", "quantity", "rating", "hot_issue", "comment", "note",
                 "target_event_id", "reason", "voided_by", "quarantine_decision"]
PAYLOAD_FIELDS = ["party_size", "topic", "department", "outcome", "material", "quantity", "rating", "hot_issue",
                  "comment", "note", "target_event_id", "reason"]
LABELLED = {"topic": "topics", "department": "departments", "material": "materials"}
QUARANTINABLE = ("booth_id", "topic", "department", "material")  # shared.events.RESOLVABLE_FIELDS
# The figures that are not a catalogue key, labelled for people (the headline of totals.csv).
HEADLINE_LABELS = {
    "visitors": ("接待现场咨询群众", "Visitors received"),
    "inquiries.total": ("受理解答政策咨询", "Inquiries answered"),
    "feedback.total": ("收集意见卡", "Feedback cards"),
    "feedback.hot_issues": ("群众关心热点问题", "Hot issues"),
    "feedback.satisfaction_rate": ("满意率", "Satisfaction rate"),
    "voided": ("作废记录", "Voided entries"),
    "voids_ignored": ("未生效的作废", "Voids that took no effect"),
    "quarantined": ("待处理的未知项记录", "Entries held for unknown keys"),
    "rejected": ("无法计入的记录", "Entries that could not be counted"),
    "resolutions_ignored": ("未生效的处理意见", "Resolutions that took no effect"),
}


def _received_at(ms: str | None) -> str:
    if not ms:
        return ""
    return datetime.fromtimestamp(int(ms) / 1000, UTC).isoformat(timespec="milliseconds")


class _Labels:
    """Chinese labels of catalogue keys, looked up once per key (the export's hot loop)."""

    def __init__(self, plan):
        self.plan, self.cache = plan, {}

    def __call__(self, catalogue: str, key) -> str:
        if not key:
            return ""
        found = self.cache.get((catalogue, key))
        if found is None:
            found = self.cache[(catalogue, key)] = self.plan.label(catalogue, key)
        return found


def _said(field: str, key: str, decided: dict | None) -> str:
    if decided is None:
        return f"{field}={key}: 待处理 pending"
    if decided.get("action") == "map":
        return f"{field}={key}: 归入 mapped to {decided.get('to')}"
    return f"{field}={key}: 不计入 rejected"


def quarantine_decision(event: dict, resolutions: dict, pending: dict) -> str:
    """The decision column of events.csv: for a resolution, what it decided; for an entry whose
    key was unknown to the plan, what became of it (or that it still waits)."""
    payload = event["payload"]
    if event["type"] == RESOLUTION:
        return _said(payload.get("field"), payload.get("key"), payload)
    values, said = {"booth_id": event["booth_id"], **payload}, []
    for field in QUARANTINABLE:
        name = f"{field}|{values.get(field)}"
        if name in resolutions:
            said.append(_said(field, values[field], orjson.loads(resolutions[name])))
        elif name in pending:
            said.append(_said(field, values[field], None))
    return "; ".join(said)


def event_row(stream_id: str, fields: dict, labels, voided: dict, decisions: tuple[dict, dict] = ({}, {}),
              unmasked: bool = False) -> list:
    event = orjson.loads(fields["e"])
    payload = event["payload"] if unmasked else mask_payload(event["payload"])
    row = {"position": stream_id, "received_at": _received_at(fields.get("rt")),
           "booth": labels("booths", event["booth_id"]), "voided_by": voided.get(event["event_id"], ""),
           "staff": event.get("staff", ""), "quarantine_decision": quarantine_decision(event, *decisions)}
    for name in ("event_id", "device_id", "seq", "booth_id", "type", "recorded_at"):
        row[name] = event[name]
    for name in PAYLOAD_FIELDS:
        value = payload.get(name, "")
        row[name] = {True: "是", False: "否"}.get(value, value) if name == "hot_issue" else value
    for name, catalogue in LABELLED.items():
        row[f"{name}_label"] = labels(catalogue, payload.get(name))
    return safe_row(row[c] for c in EVENT_COLUMNS)


def events_csv(redis, day_id: str, plan, chunk: int = 2000, unmasked: bool = False):
    """Yield the events CSV as UTF-8 byte chunks, one XRANGE chunk at a time.

    `voided_by` comes from the live projection (the voids it has folded so far)."""
    archive = archived_day(redis, day_id)
    read_hash = archive.hash if archive else redis.hgetall  # an archived day's hashes are in its state file
    voided, labels = read_hash(keys.voided(day_id)), _Labels(plan)
    decisions = (read_hash(keys.resolutions(day_id)), read_hash(keys.quarantine(day_id)))
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write(BOM)
    writer.writerow(EVENT_COLUMNS)
    for rows, (stream_id, fields) in enumerate(read_log_raw(redis, day_id, chunk), start=1):
        if stored_reason(fields) is not None:
            continue  # rejected by the fold: listed at /rejected, not an event of the day
        writer.writerow(event_row(stream_id, fields, labels, voided, decisions, unmasked))
        if rows % chunk == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


def _walk(node: dict, path: str = ""):
    for key, value in node.items():
        name = f"{path}.{key}" if path else key
        if isinstance(value, dict):
            yield from _walk(value, name)
        else:
            yield name, value


def _label(plan, figure: str) -> tuple[str, str]:
    section, _, key = figure.rpartition(".")
    catalogue = {"materials.distributed": "materials", "materials.restocked": "materials",
                 "materials.remaining": "materials", "inquiries.by_topic": "topics",
                 "inquiries.by_department": "departments", "inquiries.by_outcome": "outcomes",
                 "feedback.by_rating": "ratings"}.get(section)
    if not catalogue:
        return HEADLINE_LABELS.get(figure, ("", ""))
    return plan.label(catalogue, key, "zh"), plan.label(catalogue, key, "en")


def totals_csv(totals: dict, plan, position: str) -> bytes:
    """One row per figure per scope (day, each booth, each hour), with Chinese and English labels."""
    buffer = io.StringIO()
    buffer.write(BOM)
    writer = csv.writer(buffer)
    writer.writerow(["position", "scope", "scope_key", "scope_label", "figure", "label_zh", "label_en", "value"])
    scopes = [("day", "", "", {k: v for k, v in totals.items() if k not in ("by_booth", "by_hour")})]
    scopes += [("booth", b, plan.label("booths", b), doc) for b, doc in totals.get("by_booth", {}).items()]
    scopes += [("hour", h, f"{h}:00", doc) for h, doc in totals.get("by_hour", {}).items()]
    for scope, key, scope_label, doc in scopes:
        for figure, value in _walk(doc):
            writer.writerow(safe_row([position, scope, key, scope_label, figure, *_label(plan, figure), value]))
    return buffer.getvalue().encode("utf-8")

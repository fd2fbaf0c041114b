"""Property: whatever the interleaving of device batches (each device's order kept) and
whatever pushes are duplicated, the folded projection equals a simple reference fold of
the deduplicated events, written here independently of worker/."""

import json
import random
import threading
from collections import defaultdict
from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from central import keys
from central.central_log import CentralLog
from central.projection import fold_chunk, fold_to_end
from shared.clock import parse_rfc3339
from shared.events import COORDINATOR_DEVICE, RESOLUTION
from shared.ids import new_event_id
from tests.helpers import DAY

BOOTHS = ["shashan", "bayi", "newbooth"]  # newbooth is not in the plan
TOPICS = ["dibao", "hunyin", "weilao", "newtopic"]
DEPARTMENTS = ["jiuzhu", "hunyin", "newdept"]
MATERIALS = ["leaflet", "handbook", "balloon"]
RATINGS = ["satisfied", "basically_satisfied", "dissatisfied"]
OUTCOMES = ["answered", "referred", "follow_up"]
UNKNOWN = {("booth_id", "newbooth"), ("topic", "newtopic"), ("department", "newdept"), ("material", "balloon")}
PLAN_KEYS = {"booth_id": {"shashan", "bayi"}, "topic": {"dibao", "hunyin", "weilao", "jiuzhu", "shequ", "youfu",
                                                        "canji", "binzang", "qita"},
             "department": {"jiuzhu", "hunyin", "shequ", "youfu", "yanglao", "shiwu", "diming", "zuzhi", "bangong"},
             "material": {"leaflet", "handbook", "poster", "card"}}
BASE_MS = 1_652_572_800_000


@st.composite
def payloads(draw, type_):
    pick = lambda xs: draw(st.sampled_from(xs))  # noqa: E731
    if type_ == "visitor.received":
        return {"party_size": draw(st.integers(1, 50))}
    if type_ == "inquiry.answered":
        return {"topic": pick(TOPICS), "department": pick(DEPARTMENTS), "outcome": pick(OUTCOMES)}
    if type_ in ("material.distributed", "material.restocked"):
        return {"material": pick(MATERIALS), "quantity": draw(st.integers(1, 10_000))}
    payload = {"rating": pick(RATINGS)}
    if draw(st.booleans()):
        payload["topic"] = pick(TOPICS)
    if draw(st.booleans()):
        payload["comment"] = draw(st.sampled_from(["希望多办", "排队太久", "low pension"]))
        payload["hot_issue"] = draw(st.booleans())
    return payload


def recorded_at(draw) -> str:
    hour, minute, second = draw(st.integers(5, 21)), draw(st.integers(0, 59)), draw(st.integers(0, 59))
    if draw(st.booleans()):
        return f"2022-05-15T{hour:02d}:{minute:02d}:{second:02d}.{draw(st.integers(0, 999)):03d}+08:00"
    return f"2022-05-15T{(hour - 8) % 24:02d}:{minute:02d}:{second:02d}Z"


@st.composite
def device_days(draw):
    devices = {}
    for n in range(draw(st.integers(1, 4))):
        device, booth = f"laptop-{n}", draw(st.sampled_from(BOOTHS))
        events = []
        for seq in range(1, draw(st.integers(1, 25)) + 1):
            kind = draw(st.sampled_from(["visitor.received", "inquiry.answered", "material.distributed",
                                         "material.restocked", "feedback.collected", "void", "void"]))
            event = {"event_id": new_event_id(), "device_id": device, "seq": seq, "day_id": DAY, "booth_id": booth,
                     "v": 1, "recorded_at": recorded_at(draw)}
            if kind == "void":
                choice = draw(st.sampled_from(["earlier", "earlier", "again", "unknown", "later"]))
                voids = [e for e in events if e["type"] == "event.voided"]
                if choice == "again" and voids:  # a second void of the same event
                    target = draw(st.sampled_from(voids))["payload"]["target_event_id"]
                elif choice in ("earlier", "again") and events:
                    target = draw(st.sampled_from(events))["event_id"]  # maybe a void, maybe voided already
                else:
                    target = new_event_id()  # unknown, or (below) an event recorded later
                event.update(type="event.voided", payload={"target_event_id": target, "reason": "录入错误"})
                event["_later"] = choice == "later"
            else:
                event.update(type=kind, payload=draw(payloads(kind)))
            events.append(event)
        for i, event in enumerate(events):  # a void naming an event recorded after it
            if event.pop("_later", False) and i + 1 < len(events):
                event["payload"]["target_event_id"] = events[draw(st.integers(i + 1, len(events) - 1))]["event_id"]
        devices[device] = {"events": events, "off": draw(st.sampled_from([0, -5_400_000, 1_800_000, 7_300_000]))}
    # a void of another device's event is ignored
    if len(devices) > 1 and draw(st.booleans()):
        first, second = devices["laptop-0"]["events"], devices["laptop-1"]["events"]
        void = next((e for e in second if e["type"] == "event.voided"), None)
        if void is not None:
            void["payload"]["target_event_id"] = draw(st.sampled_from(first))["event_id"]
    return devices


@st.composite
def resolutions(draw):
    out = []
    for seq in range(1, draw(st.integers(0, 4)) + 1):
        field, key = draw(st.sampled_from(sorted(UNKNOWN) + [("topic", "dibao")]))
        action = draw(st.sampled_from(["map", "reject"]))
        to = draw(st.sampled_from(sorted(PLAN_KEYS[field]) + ["nowhere"])) if action == "map" else None
        out.append({"event_id": new_event_id(), "device_id": COORDINATOR_DEVICE, "seq": seq, "day_id": DAY,
                    "booth_id": "_", "type": RESOLUTION, "v": 1, "recorded_at": recorded_at(draw), "staff": "gu",
                    "payload": {"field": field, "key": key, "action": action, "to": to}})
    return out


# ---------------------------------------------------------------- the reference fold
def ref_hour(at: str, off: int) -> str:
    moment = parse_rfc3339(at) - timedelta(milliseconds=off)
    return f"{(moment.utctimetuple().tm_hour + 8) % 24:02d}"  # Asia/Shanghai has no DST


def ref_figures(event, mapping):
    """(status, booth, figures, unresolved keys) of one event under the final mapping."""
    p = dict(event["payload"])
    booth, status, unresolved = event["booth_id"], "counted", []
    checks = [("booth_id", booth)] + [(f, p[f]) for f in ("topic", "department", "material") if f in p]
    for field, key in checks:
        if key in PLAN_KEYS[field]:
            continue
        if (field, key) not in mapping:
            unresolved.append((field, key))
            status = "rejected" if status == "rejected" else "quarantined"
        elif mapping[(field, key)] is None:
            status = "rejected"
        elif field == "booth_id":
            booth = mapping[(field, key)]
        else:
            p[field] = mapping[(field, key)]
    t = event["type"]
    if status != "counted":
        return status, booth, {status: 1}, unresolved, p
    if t == "visitor.received":
        return status, booth, {"visitors": p["party_size"]}, [], p
    if t == "inquiry.answered":
        return status, booth, {"inquiries.total": 1, f"inquiries.by_topic.{p['topic']}": 1,
                               f"inquiries.by_department.{p['department']}": 1,
                               f"inquiries.by_outcome.{p['outcome']}": 1}, [], p
    if t == "material.distributed":
        return status, booth, {f"materials.distributed.{p['material']}": p["quantity"]}, [], p
    if t == "material.restocked":
        return status, booth, {f"materials.restocked.{p['material']}": p["quantity"]}, [], p
    figures = {"feedback.total": 1, f"feedback.by_rating.{p['rating']}": 1}
    if p.get("hot_issue"):
        figures["feedback.hot_issues"] = 1
    return status, booth, figures, [], p


def reference_fold(devices, coordinator):
    flat, hot, quarantine = defaultdict(int), {}, defaultdict(int)

    def add(booth, hour, name, n):
        for scoped in (name, f"booth:{booth}|{name}", f"hour:{hour}|{name}", f"booth:{booth},hour:{hour}|{name}"):
            flat[scoped] += n

    mapping = {}
    for r in coordinator:
        p = r["payload"]
        fk = (p["field"], p["key"])
        valid = fk not in mapping and p["key"] not in PLAN_KEYS[p["field"]] and (
            p["action"] == "reject" or p["to"] in PLAN_KEYS[p["field"]])
        if valid:
            mapping[fk] = p["to"]
        else:
            flat["resolutions_ignored"] += 1
    flat["log.entries"] = len(coordinator)
    for device, day in devices.items():
        events, off = day["events"], day["off"]
        by_id = {e["event_id"]: e for e in events}
        voided = set()
        for e in events:
            if e["type"] != "event.voided":
                continue
            target = by_id.get(e["payload"]["target_event_id"])
            ok = target is not None and target["seq"] < e["seq"] and target["type"] != "event.voided" \
                and target["event_id"] not in voided
            if ok:
                voided.add(target["event_id"])
            outcome = "voided" if ok else "voids_ignored"
            flat[outcome] += 1
            flat[f"booth:{e['booth_id']}|{outcome}"] += 1
        for e in events:
            if e["type"] == "event.voided" or e["event_id"] in voided:
                continue
            status, booth, figures, unresolved, p = ref_figures(e, mapping)
            hour = ref_hour(e["recorded_at"], off)
            for name, n in figures.items():
                add(booth, hour, name, n)
            for field, key in unresolved:
                quarantine[f"{field}|{key}"] += 1
            if status == "counted" and e["type"] == "feedback.collected" and p.get("hot_issue"):
                hot[e["event_id"]] = {"text": p.get("comment", ""), "booth_id": booth, "topic": p.get("topic"),
                                      "recorded_at": e["recorded_at"], "hour": hour, "device_id": device}
        last = events[-1]
        flat[f"device:{device}|events"] += len(events)
        flat[f"booth:{last['booth_id']},device:{device}|events"] += len(events)
        flat[f"device:{device}|acked_seq"] = last["seq"]
        flat[f"device:{device}|last_seen_ms"] = BASE_MS + 1000 * last["seq"]
        flat[f"device:{device}|clock_offset_ms"] = off
        flat["log.entries"] += len(events)
    return {k: v for k, v in flat.items() if v}, hot, {k: v for k, v in quarantine.items() if v}


# ---------------------------------------------------------------- pushing in any order
def push_all(redis, devices, coordinator, rng: random.Random):
    log = CentralLog(redis)
    queues = {}
    for device, day in devices.items():
        events, batches, i = day["events"], [], 0
        while i < len(events):
            size = rng.randint(1, 6)
            batches.append(events[i:i + size])
            i += size
        queues[device] = batches
    queues[COORDINATOR_DEVICE] = [[r] for r in coordinator]
    sent = defaultdict(list)
    while any(queues.values()):
        device = rng.choice([d for d, q in queues.items() if q])
        batch = queues[device].pop(0)
        if sent[device] and rng.random() < 0.3:  # the response of the last push was lost: re-send with the new
            batch = sent[device][-1] + batch
        off = devices[device]["off"] if device in devices else 0
        log.append_batch(DAY, device, batch, received_ms=BASE_MS + 1000 * batch[-1]["seq"], offset_ms=off)
        if rng.random() < 0.3:  # an exact duplicate push
            log.append_batch(DAY, device, batch, received_ms=BASE_MS + 1000 * batch[-1]["seq"], offset_ms=off)
        sent[device].append(batch)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(devices=device_days(), coordinator=resolutions(), seed=st.integers(0, 2**32), chunk=st.integers(1, 40))
def test_any_interleaving_and_duplication_folds_to_the_reference(redis, plan, devices, coordinator, seed, chunk):
    redis.flushall()
    rng = random.Random(seed)
    push_all(redis, devices, coordinator, rng)
    while fold_chunk(redis, DAY, plan, chunk=chunk):
        pass
    flat, hot, quarantine = reference_fold(devices, coordinator)
    assert {k: int(v) for k, v in redis.hgetall(keys.totals(DAY)).items()} == flat
    assert {k: json.loads(v) for k, v in redis.hgetall(keys.hot_issues(DAY)).items()} == hot
    assert {k: int(v) for k, v in redis.hgetall(keys.quarantine(DAY)).items()} == quarantine


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(devices=device_days(), coordinator=resolutions(), seed=st.integers(0, 2**32), chunk=st.integers(1, 15))
def test_two_workers_folding_to_the_end_at_once_match_the_reference(redis, plan, devices, coordinator, seed, chunk):
    """fold_to_end reads the next chunk ahead while it folds; two of them race on one day."""
    redis.flushall()
    push_all(redis, devices, coordinator, random.Random(seed))
    workers = [threading.Thread(target=fold_to_end, args=(redis, DAY, plan), kwargs={"chunk": chunk + n})
               for n in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    flat, hot, quarantine = reference_fold(devices, coordinator)
    assert {k: int(v) for k, v in redis.hgetall(keys.totals(DAY)).items()} == flat
    assert {k: json.loads(v) for k, v in redis.hgetall(keys.hot_issues(DAY)).items()} == hot
    assert {k: int(v) for k, v in redis.hgetall(keys.quarantine(DAY)).items()} == quarantine

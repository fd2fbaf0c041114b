"""A seeded generator of a day modelled on summary one of the 2022 seed: two booths, nine
departments, ~2,600 leaflets, ~1,000 handbooks, ~200 posters, ~400 inquiries, ~300
visitors, 13 hot issues, and some mistaken entries that are voided.

It yields booth entries per laptop (what staff type) and the ground truth counted
independently of the code under test."""

import random
from collections import Counter
from datetime import datetime, timedelta

from shared.ids import new_event_id
from tests.helpers import DAY

TARGETS = {"leaflet": 2637, "handbook": 1018, "poster": 213, "inquiries": 396, "visitors": 312, "hot_issues": 13,
           "feedback": 60}
DEVICES = (("laptop-a", "shashan"), ("laptop-b", "shashan"), ("laptop-c", "bayi"), ("laptop-d", "bayi"))
STAFF = {"shashan": [f"S{i:02d}" for i in range(1, 13)], "bayi": [f"B{i:02d}" for i in range(1, 10)]}
TOPICS = ["dibao", "jiuzhu", "hunyin", "shequ", "youfu", "weilao", "canji", "binzang", "qita"]
DEPARTMENTS = ["jiuzhu", "hunyin", "shequ", "youfu", "yanglao", "shiwu", "diming", "zuzhi", "bangong"]
HOT_TEXTS = {"dibao": "低保申请材料能否简化", "weilao": "社区养老服务站太少", "hunyin": "婚姻登记能否网上预约",
             "youfu": "优抚金发放时间不清楚"}


def _split(rng, total: int, low: int, high: int) -> list[int]:
    parts = []
    while total > 0:
        part = min(total, rng.randint(low, high))
        parts.append(part)
        total -= part
    return parts


def generate_day(seed: int = 2022, devices=DEVICES, targets=TARGETS) -> dict[str, list[dict]]:
    """{device_id: [{"entry": {type, payload, staff}, "void_of": index | None, "mistake": bool}]}."""
    rng = random.Random(seed)
    booth_of = dict(devices)
    plan: list[tuple[dict, bool]] = []
    for material in ("leaflet", "handbook", "poster"):
        plan += [({"type": "material.distributed", "payload": {"material": material, "quantity": q}}, False)
                 for q in _split(rng, targets[material], 5, 60)]
    for i in range(targets["inquiries"]):
        department = DEPARTMENTS[i % len(DEPARTMENTS)]  # every department answers some
        plan.append(({"type": "inquiry.answered", "payload": {
            "topic": rng.choice(TOPICS), "department": department,
            "outcome": rng.choice(["answered", "answered", "referred", "follow_up"])}}, False))
    plan += [({"type": "visitor.received", "payload": {"party_size": n}}, False)
             for n in _split(rng, targets["visitors"], 1, 3)]
    hot_topics = sorted(HOT_TEXTS)
    for i in range(targets["feedback"]):
        payload = {"rating": rng.choice(["satisfied"] * 6 + ["basically_satisfied"] * 3 + ["dissatisfied"])}
        if i < targets["hot_issues"]:
            topic = hot_topics[i % len(hot_topics)]
            payload.update(topic=topic, comment=f"{HOT_TEXTS[topic]}（{i + 1}）", hot_issue=True)
        plan.append(({"type": "feedback.collected", "payload": payload}, False))
    mistakes = [{"type": "material.distributed", "payload": {"material": "leaflet", "quantity": 500}},
                {"type": "visitor.received", "payload": {"party_size": 5}},
                {"type": "inquiry.answered", "payload": {"topic": "qita", "department": "bangong",
                                                         "outcome": "answered"}},
                {"type": "feedback.collected", "payload": {"rating": "dissatisfied", "comment": "误录",
                                                           "hot_issue": True}}]
    plan += [(m, True) for m in mistakes]
    rng.shuffle(plan)
    per_device: dict[str, list[dict]] = {d: [] for d, _ in devices}
    for entry, mistake in plan:
        device = rng.choice(devices)[0]
        entry = {**entry, "staff": rng.choice(STAFF[booth_of[device]])}
        per_device[device].append({"entry": entry, "void_of": None, "mistake": mistake})
        if mistake:
            index = len(per_device[device]) - 1
            per_device[device].append({"entry": {"type": "event.voided", "payload": {"reason": "录入错误"},
                                                 "staff": entry["staff"]},
                                       "void_of": index, "mistake": False})
    return per_device


def ground_truth(day: dict[str, list[dict]], devices=DEVICES) -> dict:
    """The figures the summary must report, counted straight from the generated entries."""
    booth_of = dict(devices)
    truth, staff, staff_at = Counter(), set(), {}
    for device, items in day.items():
        for item in items:
            entry = item["entry"]
            if "staff" in entry:
                staff.add(entry["staff"])
                staff_at.setdefault(booth_of[device], set()).add(entry["staff"])
            if item["mistake"]:
                continue
            p = entry["payload"]
            if entry["type"] == "material.distributed":
                truth[f"materials.distributed.{p['material']}"] += p["quantity"]
            elif entry["type"] == "inquiry.answered":
                truth["inquiries.total"] += 1
                truth[f"inquiries.by_department.{p['department']}"] += 1
            elif entry["type"] == "visitor.received":
                truth["visitors"] += p["party_size"]
            elif entry["type"] == "feedback.collected":
                truth["feedback.total"] += 1
                truth["feedback.hot_issues"] += 1 if p.get("hot_issue") else 0
            elif entry["type"] == "event.voided":
                truth["voided"] += 1
    truth["laptops"] = sum(1 for items in day.values() if items)
    truth["staff"] = len(staff)
    return {"figures": dict(truth), "staff_by_booth": {b: len(s) for b, s in staff_at.items()}}


def as_events(day: dict[str, list[dict]], devices=DEVICES, start: str = "2022-05-15T08:30:00+08:00",
              seconds_apart: int = 30) -> dict[str, list[dict]]:
    """The entries as the laptops would have recorded them (for appending straight to a log)."""
    booth_of = dict(devices)
    moment0 = datetime.fromisoformat(start)
    events = {}
    for device, items in day.items():
        built = []
        for seq, item in enumerate(items, start=1):
            entry = item["entry"]
            payload = dict(entry["payload"])
            if item["void_of"] is not None:
                payload["target_event_id"] = built[item["void_of"]]["event_id"]
            moment = moment0 + timedelta(seconds=seconds_apart * seq)
            built.append({"event_id": new_event_id(), "device_id": device, "seq": seq, "day_id": DAY,
                          "booth_id": booth_of[device], "type": entry["type"], "v": 1,
                          "recorded_at": moment.isoformat(timespec="milliseconds"), "staff": entry["staff"],
                          "payload": payload})
        events[device] = built
    return events


EXPECTED_ZH_PHRASES = ["印发政务公开宣传品2600余份", "发放便民手册1000余册", "宣传海报200余张",
                       "受理解答各类政策咨询近400件", "接待现场咨询群众300余人", "收集群众关心热点问题13件"]
EXPECTED_EN_PHRASES = ["handed out more than 2,600 publicity leaflets",
                       "gave out more than 1,000 convenience handbooks", "handed out more than 200 posters",
                       "answered nearly 400 policy inquiries",
                       "received more than 300 visitors", "collected 13 hot issues raised by citizens"]

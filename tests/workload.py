"""A generated booth workload and its ground truth, tallied independently of the worker's
fold (so a test comparing the two checks the whole pipeline, not the fold against itself)."""

import random
from collections import Counter

import requests

TOPICS = ["dibao", "jiuzhu", "hunyin", "shequ", "weilao"]
DEPARTMENTS = ["jiuzhu", "hunyin", "shequ", "yanglao"]
MATERIALS = ["leaflet", "handbook", "poster", "card"]


def entry(rng: random.Random) -> dict:
    kind = rng.choices(["visitor", "inquiry", "material", "restock", "feedback"], [3, 4, 4, 1, 2])[0]
    if kind == "visitor":
        return {"type": "visitor.received", "payload": {"party_size": rng.randint(1, 5)}}
    if kind == "inquiry":
        return {"type": "inquiry.answered", "payload": {
            "topic": rng.choice(TOPICS), "department": rng.choice(DEPARTMENTS),
            "outcome": rng.choice(["answered", "referred", "follow_up"])}}
    if kind == "feedback":
        return {"type": "feedback.collected", "payload": {
            "rating": rng.choice(["satisfied", "basically_satisfied", "dissatisfied"]), "hot_issue": rng.random() < .3}}
    return {"type": "material.restocked" if kind == "restock" else "material.distributed",
            "payload": {"material": rng.choice(MATERIALS), "quantity": rng.randint(1, 50)}}


class Workload:
    """Entries recorded through one field app's API (some of them voids of earlier ones),
    each kept with its event_id."""

    def __init__(self, field_url: str, seed: int, void_share: float = 0.05):
        self.url, self.rng, self.void_share = field_url, random.Random(seed), void_share
        self.session = requests.Session()
        self.recorded: list[dict] = []

    def _next(self) -> dict:
        voidable = [e for e in self.recorded[-50:] if e["type"] != "event.voided" and not e.get("voided")]
        if voidable and self.rng.random() < self.void_share:
            target = self.rng.choice(voidable)
            target["voided"] = True
            return {"type": "event.voided", "payload": {"target_event_id": target["event_id"], "reason": "录入错误"}}
        return entry(self.rng)

    def record(self, count: int) -> "Workload":
        for _ in range(count):
            item = self._next()
            response = self.session.post(f"{self.url}/api/events", json=item, timeout=10)
            assert response.status_code == 201, response.text
            self.recorded.append({**item, "event_id": response.json()["event_id"]})
        return self


def record_workload(field_url: str, count: int, seed: int, void_share: float = 0.05) -> list[dict]:
    return Workload(field_url, seed, void_share).record(count).recorded


def ground_truth(recorded: list[dict]) -> dict:
    """The figures a correct centre shows for these entries."""
    live = [e for e in recorded if e["type"] != "event.voided" and not e.get("voided")]
    truth = {"visitors": 0, "inquiries": Counter(), "by_topic": Counter(), "distributed": Counter(),
             "restocked": Counter(), "feedback": Counter(), "hot_issues": 0,
             "voided": sum(1 for e in recorded if e["type"] == "event.voided"), "entries": len(recorded)}
    for e in live:
        p = e["payload"]
        if e["type"] == "visitor.received":
            truth["visitors"] += p["party_size"]
        elif e["type"] == "inquiry.answered":
            truth["inquiries"][p["outcome"]] += 1
            truth["by_topic"][p["topic"]] += 1
        elif e["type"] == "material.distributed":
            truth["distributed"][p["material"]] += p["quantity"]
        elif e["type"] == "material.restocked":
            truth["restocked"][p["material"]] += p["quantity"]
        else:
            truth["feedback"][p["rating"]] += 1
            truth["hot_issues"] += bool(p.get("hot_issue"))
    return truth


def _nonzero(mapping: dict) -> dict:
    return {k: v for k, v in mapping.items() if v}


def central_figures(totals: dict) -> dict:
    """The same figures read from the centre's totals document."""
    return {"visitors": totals["visitors"], "inquiries": Counter(_nonzero(totals["inquiries"]["by_outcome"])),
            "by_topic": Counter(_nonzero(totals["inquiries"]["by_topic"])),
            "distributed": Counter(_nonzero(totals["materials"]["distributed"])),
            "restocked": Counter(_nonzero(totals["materials"]["restocked"])),
            "feedback": Counter(_nonzero(totals["feedback"]["by_rating"])),
            "hot_issues": totals["feedback"]["hot_issues"], "voided": totals["voided"],
            "entries": totals["log_entries"]}


def merge(*truths: dict) -> dict:
    merged = {}
    for truth in truths:
        for name, value in truth.items():
            merged[name] = merged.get(name, Counter() if isinstance(value, Counter) else 0) + value
    return merged

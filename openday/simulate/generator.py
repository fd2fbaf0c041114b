"""A realistic Open Day, generated from a day plan and a seed. Pure: no I/O, no clock.

The day of summary one (size 1.0): two booths, ~2,600 leaflets, ~1,000 handbooks, ~200
posters, ~400 inquiries, ~300 visitors, ~120 feedback cards with a dozen hot issues and
a few double entries voided as mistakes, over the opening hours with a morning peak. Hand-outs come in
ones and in bundles; inquiries follow a skewed popularity of topics; visitors come
alone and in groups. Each booth has several laptops; some go offline for a spell, one
may sync only at the end of the day, one may have a clock off by hours.
"""

import random
import uuid
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from shared.clock import to_rfc3339
from shared.events import OUTCOMES, RATINGS

# Whole-day targets at size 1.0 (summary one: 2600余份, 1000余册, 200余张, 近400件, 300余人).
TARGETS = {"leaflet": 2640, "handbook": 1030, "poster": 212, "card": 300}
INQUIRIES, VISITORS, FEEDBACK, VOID_SHARE = 392, 318, 120, 0.012
OUTCOME_WEIGHTS = (0.74, 0.18, 0.08)
RATING_WEIGHTS = (0.78, 0.18, 0.04)
HOT_SHARE = 0.11
HOT_ISSUES = ("低保申请材料太多,希望简化", "养老服务补贴什么时候发放", "小区加装电梯进展", "婚姻登记预约难",
              "残疾人补贴标准能否提高", "社区活动场地不足", "殡葬费用减免政策不清楚")
NOTES = ("咨询申请条件", "询问办理流程", "需要的材料", "办理时限", "政策变化")
HOUR_GUARD = 10.0  # seconds kept clear on either side of every full hour (see _moment)
UNKNOWN_TOPIC = "xin-zhengce-2022"  # a topic added to the plan mid-day, unknown to the centre
COMMENTS = ("讲解很耐心", "希望多办这样的活动", "材料很实用", "排队时间有点长")


@dataclass(frozen=True)
class Entry:
    """One contact recorded on a laptop at `at` (the true time, UTC-aware)."""

    at: datetime
    type: str
    payload: dict
    staff: str
    void_of: int | None = None  # for a void: index of the target among this laptop's entries


@dataclass
class Laptop:
    device_id: str
    booth_id: str
    entries: list[Entry] = field(default_factory=list)
    clock_skew_ms: int = 0  # this laptop's clock runs ahead of the true time by this much
    offline: list[tuple[datetime, datetime]] = field(default_factory=list)  # spells with no network
    syncs_only_at_end: bool = False


@dataclass
class Scenario:
    day_id: str
    timezone: str
    seed: int
    size: float
    opens: datetime
    closes: datetime
    laptops: list[Laptop]
    duplicates: float = 0.0  # probability that a push is sent twice (a lost response, a retry)

    def events(self) -> int:
        return sum(len(laptop.entries) for laptop in self.laptops)


def with_booths(plan_raw: dict, booths: int) -> dict:
    """A copy of a plan with `booths` booths: the plan's own first, then numbered ones."""
    raw = {**plan_raw, "booths": list(plan_raw["booths"][:booths])}
    for n in range(len(raw["booths"]), booths):
        raw["booths"].append({"id": f"booth-{n + 1:02d}", "zh": f"第{n + 1}号展位", "en": f"Booth {n + 1}"})
    return raw


def _opening(plan) -> tuple[datetime, datetime]:
    hours = plan.raw.get("opening_hours") or {"start": "08:30", "end": "16:00"}
    tz, day = ZoneInfo(plan.timezone), datetime.fromisoformat(str(plan.raw["date"])).date()
    start, end = (time.fromisoformat(hours[k]) for k in ("start", "end"))
    return datetime.combine(day, start, tz), datetime.combine(day, end, tz)


def _moment(rng: random.Random, opens: datetime, closes: datetime) -> datetime:
    """A time in the opening hours, with a morning peak around 10:00, never within
    HOUR_GUARD seconds of a full hour: the centre buckets hours by device time corrected
    by an estimated clock offset, whose error (up to half a round trip) could move an
    entry made on the stroke of the hour into the next, so its true hour would be moot."""
    span = (closes - opens).total_seconds()
    if rng.random() < 0.55:
        peak = (opens.replace(hour=10, minute=0) - opens).total_seconds()
        offset = min(max(rng.gauss(peak, span / 9), 0), span - 1)
    else:
        offset = rng.uniform(0, span - 1)
    moment = opens + timedelta(seconds=offset)
    into_hour = moment.minute * 60 + moment.second + moment.microsecond / 1e6
    if into_hour < HOUR_GUARD:
        moment += timedelta(seconds=HOUR_GUARD - into_hour)
    elif into_hour > 3600 - HOUR_GUARD:
        moment -= timedelta(seconds=into_hour - (3600 - HOUR_GUARD))
    return moment


def _split(rng: random.Random, target: int, bundle) -> list[int]:
    """Quantities summing to exactly `target`, each drawn by `bundle(rng)`."""
    parts, left = [], target
    while left > 0:
        quantity = min(bundle(rng), left)
        parts.append(quantity)
        left -= quantity
    return parts


def _leaflets(rng):
    return 1 if rng.random() < 0.45 else rng.choice((2, 3, 5, 10, 10, 20, 30, 50))


def _handbooks(rng):
    return 1 if rng.random() < 0.6 else rng.choice((2, 3, 5, 10))


def _posters(rng):
    return rng.choice((1, 1, 2, 5, 10))


def _party(rng):
    return 1 if rng.random() < 0.7 else rng.choice((2, 2, 3, 3, 4, 5, 8, 12))


def _zipf_weights(n: int) -> list[float]:
    return [1 / (rank + 1) ** 1.1 for rank in range(n)]


def _contacts(rng: random.Random, plan, size: float) -> list[tuple[str, dict]]:
    """The day's contacts (type, payload), unordered, for the whole day."""
    contacts = []
    bundles = {"leaflet": _leaflets, "handbook": _handbooks, "poster": _posters, "card": _handbooks}
    for material in plan.keys("materials"):
        target = round(TARGETS.get(material, 200) * size)
        for quantity in _split(rng, target, bundles.get(material, _handbooks)):
            contacts.append(("material.distributed", {"material": material, "quantity": quantity}))
    for party_size in _split(rng, round(VISITORS * size), _party):
        contacts.append(("visitor.received", {"party_size": party_size}))
    topics, departments = plan.keys("topics"), plan.keys("departments")
    topic_weights = _zipf_weights(len(topics))
    for _ in range(round(INQUIRIES * size)):
        topic = rng.choices(topics, topic_weights)[0]
        department = topic if topic in departments else rng.choice(departments)
        payload = {"topic": topic, "department": department, "outcome": rng.choices(OUTCOMES, OUTCOME_WEIGHTS)[0]}
        if rng.random() < 0.2:
            payload["note"] = rng.choice(NOTES)
        contacts.append(("inquiry.answered", payload))
    for _ in range(round(FEEDBACK * size)):
        payload = {"rating": rng.choices(RATINGS, RATING_WEIGHTS)[0]}
        if rng.random() < 0.7:
            payload["topic"] = rng.choices(topics, topic_weights)[0]
        if rng.random() < HOT_SHARE:
            payload.update(hot_issue=True, comment=rng.choice(HOT_ISSUES))
        elif rng.random() < 0.3:
            payload["comment"] = rng.choice(COMMENTS)
        contacts.append(("feedback.collected", payload))
    return contacts


def _restocks(plan, booth_count: int, size: float) -> list[tuple[str, dict]]:
    """The stock each booth receives at opening: its share of the day's targets and a margin."""
    restocks = []
    for material in plan.keys("materials"):
        share = round(TARGETS.get(material, 200) * size * 1.3 / booth_count) + 10
        restocks.append(("material.restocked", {"material": material, "quantity": min(share, 10_000)}))
    return restocks


def generate_day(plan, seed: int = 1, size: float = 1.0, laptops_per_booth: int = 2, offline: int = 1,
                 late: int = 1, skew_hours: float = 0.0, duplicates: float = 0.05, prefix: str = "sim",
                 unknown_keys: int = 0) -> Scenario:
    """The whole day as entries per laptop, in time order. Same arguments, same day.
    `prefix` starts every device id, so several simulations can share one day.
    `unknown_keys` inquiries carry a topic the plan lacks (a laptop with a newer plan):
    the centre must keep and quarantine them (push mode only: a field app refuses them)."""
    rng = random.Random(seed)
    opens, closes = _opening(plan)
    booths = plan.keys("booths")
    laptops = [Laptop(f"{prefix}-{b}-{n + 1}", b) for b in booths for n in range(laptops_per_booth)]
    by_booth = {b: [lt for lt in laptops if lt.booth_id == b] for b in booths}
    booth_weights = [1 + rng.random() * 0.5 for _ in booths]
    staff = {b: [f"{i:02d}{b[:4]}s{n:02d}" for n in range(1, 11)] for i, b in enumerate(booths)}
    timed = {lt.device_id: [] for lt in laptops}
    for booth in booths:  # every booth gets its stock at opening, on its first laptop
        for type_, payload in _restocks(plan, len(booths), size):
            timed[by_booth[booth][0].device_id].append((opens, type_, payload, staff[booth][0]))
    contacts = _contacts(rng, plan, size)
    contacts += [("inquiry.answered", {"topic": UNKNOWN_TOPIC, "department": plan.keys("departments")[0],
                                       "outcome": "answered"})] * unknown_keys
    for type_, payload in contacts:
        booth = rng.choices(booths, booth_weights)[0]
        laptop = rng.choice(by_booth[booth])
        timed[laptop.device_id].append((_moment(rng, opens, closes), type_, payload, rng.choice(staff[booth])))
    for laptop in laptops:
        laptop.entries = _with_voids(rng, sorted(timed[laptop.device_id], key=lambda t: t[0]), closes)
    _assign_behaviours(rng, laptops, opens, closes, offline, late, skew_hours)
    return Scenario(plan.day_id, plan.timezone, seed, size, opens, closes, laptops, duplicates)


def _with_voids(rng: random.Random, timed: list[tuple], closes: datetime) -> list[Entry]:
    """Entries in time order. A few contacts are entered twice by mistake (a double tap);
    the extra entry is voided minutes later, so the day's figures stay as intended."""
    entries, voids = [], []
    for at, type_, payload, staff in timed:
        entries.append(Entry(at, type_, payload, staff))
        if type_ != "material.restocked" and rng.random() < VOID_SHARE:
            entries.append(Entry(at, type_, payload, staff))
            voids.append((min(at + timedelta(seconds=rng.uniform(20, 300)), closes), len(entries) - 1, staff))
    # merge voids into the timeline; a void's target index refers to the final list
    merged = [(e.at, 0, i, e) for i, e in enumerate(entries)] + [(at, 1, target, staff) for at, target, staff in voids]
    merged.sort(key=lambda m: (m[0], m[1]))
    final, index_of = [], {}
    for at, kind, ref, item in merged:
        if kind == 0:
            index_of[ref] = len(final)
            final.append(item)
        else:
            final.append(Entry(at, "event.voided", {"reason": "录入错误 entered by mistake"}, item, index_of[ref]))
    return final


def _assign_behaviours(rng, laptops, opens, closes, offline: int, late: int, skew_hours: float) -> None:
    order = rng.sample(laptops, len(laptops))
    for laptop in order[:late]:
        laptop.syncs_only_at_end = True
    for laptop in order[late:late + offline]:
        start = opens + timedelta(seconds=rng.uniform(0, (closes - opens).total_seconds() * 0.6))
        laptop.offline.append((start, start + timedelta(minutes=rng.uniform(30, 90))))
    if skew_hours:
        order[-1].clock_skew_ms = int(skew_hours * 3_600_000)


def event_id_for(rng: random.Random, at: datetime) -> str:
    """A UUIDv7 for a moment, its random bits from `rng` (deterministic per seed)."""
    millis = int(at.timestamp() * 1000)
    value = (millis & ((1 << 48) - 1)) << 80 | 0x7 << 76 | rng.getrandbits(12) << 64 | 0b10 << 62
    value |= rng.getrandbits(62)
    return str(uuid.UUID(int=value))


def laptop_events(scenario: Scenario, laptop: Laptop) -> list[dict]:
    """The events a laptop records for its entries (push mode builds them itself):
    seqs 1, 2, 3 ..., its own clock (skew included) in recorded_at."""
    rng = random.Random(f"{scenario.seed}:{laptop.device_id}")  # the prefix changes the ids too
    events = []
    for seq, entry in enumerate(laptop.entries, 1):
        payload = dict(entry.payload)
        if entry.void_of is not None:
            payload["target_event_id"] = events[entry.void_of]["event_id"]
        device_time = (entry.at + timedelta(milliseconds=laptop.clock_skew_ms)).astimezone(ZoneInfo(scenario.timezone))
        events.append({
            "event_id": event_id_for(rng, entry.at), "device_id": laptop.device_id, "seq": seq,
            "day_id": scenario.day_id, "booth_id": laptop.booth_id, "type": entry.type, "v": 1,
            "recorded_at": to_rfc3339(device_time), "staff": entry.staff, "payload": payload,
        })
    return events

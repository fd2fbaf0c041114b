import random
import threading

from central.central_log import CentralLog
from central.projection import fold_chunk, fold_to_end, read_totals
from tests.factories import PAYLOADS, make_event, void_of
from tests.helpers import DAY


def _device_day(device: str, booth: str, n: int, rng: random.Random) -> list[dict]:
    events = []
    for seq in range(1, n + 1):
        if events and rng.random() < 0.1:
            events.append(void_of(rng.choice(events), seq))
        else:
            events.append(make_event(seq, rng.choice(sorted(PAYLOADS)), device_id=device, booth_id=booth))
    return events


def _push_interleaved(redis, devices: dict[str, list[dict]], rng: random.Random, batch: int = 7):
    log, queues = CentralLog(redis), {d: list(e) for d, e in devices.items()}
    while any(queues.values()):
        device = rng.choice([d for d, q in queues.items() if q])
        chunk, queues[device] = queues[device][:batch], queues[device][batch:]
        log.append_batch(DAY, device, chunk, received_ms=0)
        if rng.random() < 0.3:  # a duplicated push
            log.append_batch(DAY, device, chunk, received_ms=0)


def _totals_without_position(redis):
    totals = read_totals(redis, DAY)
    totals.pop("position")
    return totals


def test_totals_do_not_depend_on_arrival_order(redis, plan):
    rng = random.Random(7)
    devices = {f"laptop-{i}": _device_day(f"laptop-{i}", ("shashan", "bayi")[i % 2], 60, rng) for i in range(4)}
    results = []
    for seed in range(3):
        redis.flushall()
        _push_interleaved(redis, devices, random.Random(seed))
        fold_to_end(redis, DAY, plan)
        results.append(_totals_without_position(redis))
    assert results[0] == results[1] == results[2]
    assert results[0]["log_entries"] == 240


def test_void_takes_back_exactly_once(redis, plan):
    handout = make_event(1, payload={"material": "leaflet", "quantity": 20})
    events = [handout, void_of(handout, 2), void_of(handout, 3), make_event(4, payload={"material": "leaflet",
                                                                                           "quantity": 5})]
    CentralLog(redis).append_batch(DAY, "laptop-a", events, received_ms=0)
    fold_to_end(redis, DAY, plan)
    totals = read_totals(redis, DAY)
    assert totals["materials"]["distributed"] == {"leaflet": 5}
    assert totals["voided"] == 1


def test_concurrent_folds_count_each_entry_once(redis, plan):
    log = CentralLog(redis)
    log.append_batch(DAY, "laptop-a", [make_event(s, "visitor.received") for s in range(1, 401)], received_ms=0)

    def fold_in_small_chunks():
        while fold_chunk(redis, DAY, plan, chunk=10):
            pass

    threads = [threading.Thread(target=fold_in_small_chunks) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert read_totals(redis, DAY)["visitors"] == 400 * 3
    assert fold_chunk(redis, DAY, plan) == 0

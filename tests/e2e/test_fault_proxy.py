"""Several laptops record through a flaky hotspot (refused connections, answers lost after
the server committed, long delays, 503s); once the faults stop every laptop drains and
the central totals equal the ground truth exactly."""

import threading
import time

import requests

from central import keys
from tests.fault_proxy import FaultProxy
from tests.helpers import DAY, central_totals, wait_until
from tests.workload import Workload, central_figures, ground_truth, merge

FLAKY_LAPTOP = {
    "OPENDAY_PUSH_INTERVAL": "0.1",
    "OPENDAY_SYNC_CONNECT_TIMEOUT": "1",
    "OPENDAY_SYNC_READ_TIMEOUT": "1.5",  # shorter than the proxy's longest delay: some pushes time out
    "OPENDAY_SYNC_BACKOFF_CAP": "1",  # the test's minute is a second
}
LAPTOPS = [("laptop-a", "shashan"), ("laptop-b", "shashan"), ("laptop-c", "bayi")]
FAULTS = ("cut", "delay", "503", "refuse")


def _status(field_url):
    return requests.get(f"{field_url}/api/status", timeout=5).json()


def _record_while_faulty(workloads, proxy, deadline_s=90):
    """Each laptop keeps recording (5 entries, a pause) until every fault struck >= 3 times."""
    def enough():
        return all(proxy.counts[m] >= 3 for m in FAULTS) and all(len(w.recorded) >= 60 for w in workloads)

    def run(workload):
        stop_at = time.monotonic() + deadline_s
        while not enough() and time.monotonic() < stop_at:
            workload.record(5)
            time.sleep(0.1)

    threads = [threading.Thread(target=run, args=(w,)) for w in workloads]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(deadline_s + 30)
    assert enough(), f"faults so far: {proxy.counts}"


def test_flaky_hotspot_loses_and_doubles_nothing(central, field_app_factory, redis):
    proxy = FaultProxy(int(central.rsplit(":", 1)[1])).start()
    try:
        fields = [field_app_factory(proxy.url, device, booth, **FLAKY_LAPTOP)[0] for device, booth in LAPTOPS]
        workloads = [Workload(url, seed=i) for i, url in enumerate(fields)]
        _record_while_faulty(workloads, proxy)
        proxy.calm()

        for url, workload in zip(fields, workloads, strict=True):
            status = wait_until(lambda u=url: (s := _status(u))["pending"] == 0 and s, timeout=60,
                                message="laptop drained")
            assert status["acked_seq"] == len(workload.recorded) and status["last_error"] is None
        truth = merge(*(ground_truth(w.recorded) for w in workloads))
        totals = wait_until(lambda: (t := central_totals(central))
                            ["log_entries"] == truth["entries"] and t, timeout=60, message="everything folded")
        assert central_figures(totals) == truth
        assert totals["quarantined"] == 0
        # Exactly once: each recorded event is in the central log once.
        recorded_ids = [e["event_id"] for w in workloads for e in w.recorded]
        assert redis.xlen(keys.log(DAY)) == len(recorded_ids) == truth["entries"]
        assert set(redis.hkeys(keys.event_index(DAY))) == set(recorded_ids)
    finally:
        proxy.stop()

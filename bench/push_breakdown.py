#!/usr/bin/env python3
"""Where bench_sync's 10k backlog spends its wall time, across processes (issue 19).

    .venv/bin/python bench/push_breakdown.py [rounds]

Runs marshmallow alone (bench/limits.py) and then bench_sync's backlog, `rounds` times
alternating, and prints for each backlog: the ratio, the laptop's per-batch timeline
(read, encode, gzip, request to answer, acked mark; sums over the batches) and the CPU
seconds each process used over the run, from /proc/<pid>/stat (utime + stime, plus the
reaped children's: a worker's work horses, gunicorn's workers when they exit).
Not a pass/fail test and not part of bench/run: docs/performance.md quotes it.
"""

import gzip
import os
import re
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path = [p for p in sys.path if Path(p or ".").resolve() != REPO / "bench"]

from bench import bench_sync  # noqa: E402
from bench.limits import MARSHMALLOW, marshmallow_validation  # noqa: E402

TICK = os.sysconf("SC_CLK_TCK")
SERVER_MS = r'"path": "/api/v1/sync/push", "status": \d+, "ms": ([\d.]+)'  # the sync service's request log


def _descendants(pid: int) -> list[int]:
    """pid and every live process below it (gunicorn's workers, rq's work horse)."""
    children = defaultdict(list)
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            children[int(fields[1])].append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        found.append(todo.pop())
        todo += children[found[-1]]
    return found


def _cpu(pid: int) -> float:
    """CPU seconds of pid and its reaped children (utime, stime, cutime, cstime)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return sum(int(value) for value in fields[11:15]) / TICK


def _snapshot(centre) -> dict[str, float]:
    """CPU seconds so far, by role (and each gunicorn worker's: do two batches validate at once?)."""
    sync, worker = centre.processes
    gunicorn = _descendants(sync.popen.pid)
    return {"sync service (gunicorn)": sum(_cpu(p) for p in gunicorn),
            **{f"  gunicorn pid {pid}": _cpu(pid) for pid in gunicorn[1:]},
            "worker (rq)": sum(_cpu(p) for p in _descendants(worker.popen.pid)),
            "redis-server": _cpu(centre.redis_server.process.pid)}


class Timeline:
    """Sums of the laptop's steps over the batches, by wrapping them."""

    def __init__(self):
        self.sums, self.calls = defaultdict(float), defaultdict(int)
        self.server_ms: list[float] = []

    def wrap(self, owner, name: str, label: str):
        original = getattr(owner, name)

        def timed(*args, **kwargs):
            start = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self.sums[label] += time.perf_counter() - start
                self.calls[label] += 1
        setattr(owner, name, timed)


def backlog_with_breakdown(folder: Path, n: int = 10_000) -> tuple[float, Timeline, dict, int, Counter]:
    from field_app import sync_client

    timeline = Timeline()
    centre = bench_sync.Centre(folder)
    try:
        log, pusher = bench_sync._laptop(folder, centre, "bench-laptop", n, 500)
        timeline.wrap(log, "events_after", "laptop: read pending (SQLite)")
        timeline.wrap(log, "mark_acked", "laptop: acked mark (durable write)")
        timeline.wrap(sync_client, "encode_batch", "laptop: encode JSON")
        timeline.wrap(gzip, "compress", "laptop: gzip")
        client = pusher._current_client()
        timeline.wrap(client.session, "post", "request to answer (HTTP + centre)")
        before, cpu_before, start = _snapshot(centre), os.times(), time.perf_counter()
        assert pusher.sync_now(), log.get_state("last_error")
        seconds = time.perf_counter() - start
        after, cpu_after = _snapshot(centre), os.times()
        time.sleep(1.0)  # the fold that follows the last batch, for the worker's CPU
        settled = _snapshot(centre)
        jobs = (folder / "worker.log").read_text(errors="replace").count("openday: worker.jobs.fold_day(")
        sync_log = (folder / "sync.log").read_text(errors="replace")
        statuses = Counter(re.findall(r'"POST /api/v1/sync/push HTTP/1.1" (\d{3})', sync_log))
        timeline.server_ms = [float(ms) for ms in re.findall(SERVER_MS, sync_log)]
    finally:
        centre.stop()
    cpu = {role: after[role] - before[role] for role in after}
    cpu["laptop (this process)"] = (cpu_after.user - cpu_before.user) + (cpu_after.system - cpu_before.system)
    cpu["worker (rq), +1 s after"] = settled["worker (rq)"] - before["worker (rq)"]
    return seconds, timeline, cpu, jobs, statuses


def main(rounds: int) -> None:
    for round_ in range(rounds):
        limit = marshmallow_validation(10_000)
        with tempfile.TemporaryDirectory(dir=REPO / "bench" / "results") as tmp:
            seconds, timeline, cpu, jobs, statuses = backlog_with_breakdown(Path(tmp))
        load = os.getloadavg()[0]
        print(f"round {round_ + 1}: backlog {seconds:.3f} s = {10_000 / seconds:,.0f}/s; {MARSHMALLOW} "
              f"{limit:,.0f}/s; ratio {10_000 / seconds / limit:.2f}; load {load:.2f}")
        for label, total in timeline.sums.items():
            print(f"   {label:42} {total * 1000:8.1f} ms over {timeline.calls[label]} calls")
        for role, used in cpu.items():
            print(f"   CPU {role:38} {used * 1000:8.0f} ms")
        print(f"   fold jobs logged by the worker (run + 1 s)   {jobs:8d}")
        print(f"   push answers by status                       {dict(statuses)}")
        server = timeline.server_ms
        print(f"   the centre's own time per push (its request log): sum {sum(server):.0f} ms, "
              f"each {', '.join(f'{ms:.0f}' for ms in server)}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1)

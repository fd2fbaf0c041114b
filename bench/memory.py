"""Resident memory of this process, for the benches' child processes (Linux /proc).

ru_maxrss would do, except that Linux carries a process's high-water mark into the child
it forks (and across exec): a child started by a bench that had loaded 10^6 entries
reported the parent's peak as its own. So the child resets its mark (clear_refs 5,
Linux >= 4.0) just before the measured work and reads VmHWM after it.
"""

from pathlib import Path

STATUS = Path("/proc/self/status")


def reset_peak() -> None:
    Path("/proc/self/clear_refs").write_text("5")


def _status_kb(field: str) -> int:
    for line in STATUS.read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    raise RuntimeError(f"{field} not in {STATUS}")


def rss_kb() -> int:
    return _status_kb("VmRSS")


def peak_rss_kb() -> int:
    """The peak resident set since the last reset_peak()."""
    return _status_kb("VmHWM")

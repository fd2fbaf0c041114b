"""Comparing the central totals with the ground truth, figure by figure."""

import time
from dataclasses import dataclass

import requests

from openday.simulate.truth import split_scope

SKIP = {"day_id", "position"}
NOT_HOURLY = ("voided", "materials.remaining.")  # which hour a void or a stock level belongs to is not a count


@dataclass(frozen=True)
class Difference:
    figure: str
    truth: int
    central: int


def flatten(document: dict, prefix: str = "") -> dict[str, int]:
    """The totals document as flat paths -> numbers ('by_booth.bayi.visitors': 12)."""
    flat = {}
    for key, value in document.items():
        if not prefix and key in SKIP:
            continue
        if isinstance(value, dict):
            flat.update(flatten(value, f"{prefix}{key}."))
        elif isinstance(value, int | float) and not isinstance(value, bool):
            flat[f"{prefix}{key}"] = value
    return flat


def _compared(name: str) -> bool:
    scope, rest = split_scope(name)
    if scope.startswith("by_booth.") and rest.startswith("by_hour."):  # a booth's hours
        scope, rest = split_scope(rest)
    if scope.startswith("by_hour.") and rest.startswith(NOT_HOURLY):
        return False
    if scope and rest == "log_entries":
        return False
    if rest == "feedback.satisfaction_rate":  # a ratio derived from the counts, not a count
        return False
    return rest in ("visitors", "voided", "quarantined", "log_entries") or rest.startswith(
        ("inquiries.", "materials.distributed.", "materials.restocked.", "materials.remaining.", "feedback."))


def _booth_hour(name: str) -> bool:
    return name.startswith("by_booth.") and ".by_hour." in name


def compare(truth: dict[str, int], document: dict) -> list[Difference]:
    """Every counted figure where the central totals and the truth disagree (missing = 0)."""
    central = {k: v for k, v in flatten(document).items() if _compared(k)}
    expected = {k: v for k, v in truth.items() if _compared(k)}
    if not any(_booth_hour(k) for k in central):  # this document has no hours per booth to check
        expected = {k: v for k, v in expected.items() if not _booth_hour(k)}
    names = sorted(set(central) | set(expected))
    return [Difference(n, expected.get(n, 0), central.get(n, 0)) for n in names
            if expected.get(n, 0) != central.get(n, 0)]


def format_differences(differences: list[Difference], limit: int = 60) -> str:
    if not differences:
        return "central totals match the ground truth: every figure is exact"
    width = max(len(d.figure) for d in differences[:limit])
    lines = [f"{len(differences)} figure(s) differ between the ground truth and the central totals:",
             f"  {'figure'.ljust(width)}  {'truth':>9}  {'central':>9}  {'difference':>10}"]
    for d in differences[:limit]:
        lines.append(f"  {d.figure.ljust(width)}  {d.truth:>9,}  {d.central:>9,}  {d.central - d.truth:>+10,}")
    if len(differences) > limit:
        lines.append(f"  ... and {len(differences) - limit} more")
    return "\n".join(lines)


class TotalsRefused(Exception):
    """The sync service would not show the totals to these credentials (401/403)."""


def fetch_totals(sync_url: str, day_id: str, auth: tuple[str, str] | None = None) -> dict:
    response = requests.get(f"{sync_url.rstrip('/')}/api/v1/days/{day_id}/totals", auth=auth, timeout=(3.05, 30))
    if response.status_code in (401, 403):
        raise TotalsRefused(response.json().get("message", response.reason))
    response.raise_for_status()
    return response.json()


def settled_totals(sync_url: str, day_id: str, log_entries: int, wait: float,
                   auth: tuple[str, str] | None = None) -> dict:
    """The totals once the fold has reached `log_entries` entries (or after `wait` s)."""
    deadline = time.monotonic() + wait
    while True:
        document = fetch_totals(sync_url, day_id, auth)
        if document.get("log_entries", 0) >= log_entries or time.monotonic() > deadline:
            return document
        time.sleep(0.2)

"""Redis memory by key pattern: what a day's log, indexes, projections and queues hold.

MEMORY USAGE (SAMPLES 0: every element counted, not estimated) of each key, grouped by
the key with its day and its ids replaced by placeholders, so a table says e.g.
`od:{day}:log` or `rq:job:{id}` once with the count of keys behind it. Only for benches:
it SCANs the whole database.
"""

import re

_IDS = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{32,64}|\d{6,}")


def pattern(key: str) -> str:
    """`od:{heping-2022-05-15}:log` -> `od:{day}:log`; ids and long numbers -> `{id}`."""
    name = re.sub(r"\{(?!enrol\})[^}]+\}", "{day}", key, count=1)
    return _IDS.sub("{id}", re.sub(r"^(od:\{day\}:seqs:).*", r"\1{device}", name))


def memory_by_pattern(redis) -> dict[str, dict]:
    """pattern -> {keys, bytes} (bytes as MEMORY USAGE counts them), largest first."""
    found: dict[str, dict] = {}
    for key in redis.scan_iter(count=1000):
        name = key.decode() if isinstance(key, bytes) else key
        row = found.setdefault(pattern(name), {"keys": 0, "bytes": 0})
        row["keys"] += 1
        row["bytes"] += redis.memory_usage(key, samples=0) or 0
    return dict(sorted(found.items(), key=lambda item: -item[1]["bytes"]))


def format_table(rows: dict[str, dict], entries: int) -> list[str]:
    """Markdown rows: pattern, keys, MiB, bytes per log entry."""
    def row(name: str, count: int, size: int) -> str:
        return f"| {name} | {count:,} | {size / 2**20:.2f} | {size / max(entries, 1):.0f} |"

    lines = ["| key | keys | MiB | bytes/entry |", "|---|---:|---:|---:|"]
    lines += [row(f"`{name}`", found["keys"], found["bytes"]) for name, found in rows.items()]
    return lines + [row("all", sum(r["keys"] for r in rows.values()), sum(r["bytes"] for r in rows.values()))]

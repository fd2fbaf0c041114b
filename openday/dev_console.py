"""What `openday dev` prints while it runs: what a person needs, not every request.

The sync service, worker and field app write their logs (the JSON request lines, the
access log, rq's chatter) to files in `<data dir>/logs/`; this follows those files and
prints one line per sync (a push that brought entries) and every error. The totals pull
every 10 s and the page's requests stay in the files.
"""

import json
import threading
import time
from pathlib import Path

PUSH_PATH = "/api/v1/sync/push"
ERROR_WORDS = ("Traceback", "ERROR", "CRITICAL", "Error:", "error:")


def sync_line(record: dict) -> str | None:
    """The console line for one JSON request line of the sync service, or None."""
    status = record.get("status", 0)
    if record.get("path") == PUSH_PATH and status == 200 and record.get("accepted"):
        return (f"{time.strftime('%H:%M:%S')} 同步 sync  +{record['accepted']} 条/entries "
                f"(acked seq {record.get('acked_seq')})")
    if record.get("path") == PUSH_PATH and status >= 400:
        return f"{time.strftime('%H:%M:%S')} 同步被拒 sync refused  {status} {record.get('error', '')}".rstrip()
    if status >= 500 or record.get("level") in ("error", "critical"):
        return f"{time.strftime('%H:%M:%S')} 错误 error  {record.get('method', '')} {record.get('path', '')} {status}"
    return None


def console_line(name: str, line: str) -> str | None:
    """What to print for one line of a child's log, or None to leave it in the file."""
    line = line.rstrip()
    if line.startswith("{"):
        try:
            return sync_line(json.loads(line))
        except ValueError:
            pass
    return f"{name}: {line}" if any(word in line for word in ERROR_WORDS) else None


def follow(path: Path, name: str, stop: threading.Event, echo=print) -> None:
    """Print the console lines of a growing log file until `stop` is set."""
    with open(path, encoding="utf-8", errors="replace") as stream:
        while not stop.is_set():
            line = stream.readline()
            if not line:
                stop.wait(0.2)
                continue
            if shown := console_line(name, line):
                echo(shown, flush=True)


def follow_all(logs: dict[str, Path], stop: threading.Event) -> list[threading.Thread]:
    threads = [threading.Thread(target=follow, args=(path, name, stop), daemon=True) for name, path in logs.items()]
    for thread in threads:
        thread.start()
    return threads

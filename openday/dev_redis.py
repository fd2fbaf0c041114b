"""Where the CLI finds Redis: REDIS_URL when set, else the Redis of a running `openday dev`.

The embedded Redis of `openday dev` listens on a port chosen at each start, so dev writes
its URL to `<data dir>/redis.json` (with its own pid) and removes it when it stops; the
other commands read it from `$OPENDAY_DATA_DIR` (default `.openday`, as dev's). A file
whose pid is gone (dev was killed) is ignored.
"""

import json
import os
from pathlib import Path
from urllib.parse import urlsplit

RUNTIME_FILE = "redis.json"
DEFAULT_DATA_DIR = ".openday"


def data_dir() -> Path:
    return Path(os.environ.get("OPENDAY_DATA_DIR") or DEFAULT_DATA_DIR)


def write_dev_redis(directory: Path, url: str) -> None:
    path = directory / RUNTIME_FILE
    path.write_text(json.dumps({"url": url, "pid": os.getpid()}))
    path.chmod(0o600)  # the URL may carry a password


def remove_dev_redis(directory: Path) -> None:
    (directory / RUNTIME_FILE).unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: it exists
        return True
    return True


def dev_redis_url(directory: Path | None = None) -> str | None:
    """The URL a running `openday dev` recorded in the data dir, or None."""
    try:
        record = json.loads(((directory or data_dir()) / RUNTIME_FILE).read_text())
    except (OSError, ValueError):
        return None
    pid = int(record.get("pid") or 0)
    return record.get("url") if pid > 0 and _alive(pid) else None


def use_dev_redis() -> None:
    """Point this process (and the commands it runs) at dev's Redis unless REDIS_URL says otherwise."""
    if not os.environ.get("REDIS_URL") and (url := dev_redis_url()):
        os.environ["REDIS_URL"] = url


def where(url: str) -> str:
    """host:port of a Redis URL, without the password it may carry."""
    parts = urlsplit(url)
    return f"{parts.hostname or '127.0.0.1'}:{parts.port or 6379}"

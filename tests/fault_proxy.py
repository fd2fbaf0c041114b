"""A TCP proxy on 127.0.0.1 that plays a flaky phone hotspot between field apps and the
sync service.

It forwards one HTTP request per connection (it asks the upstream to close after
answering, so every request meets the schedule afresh) and, while faulty, for each
request picks one of:
  pass   forward the request and the answer;
  cut    forward the request, wait for the whole answer (the server has committed),
         then reset the laptop's connection: the laptop never hears;
  delay  forward, then hold the answer back 0.3-2.5 s (past a short read timeout);
  503    answer 503 with Retry-After itself, never reaching the server.
and it refuses connections outright (its listening socket closed) for a slice of every
cycle. `calm()` stops every fault; `counts` says how often each one struck.
"""

import random
import socket
import struct
import threading
import time
from collections import Counter

from openday.embedded_redis import free_port

ANSWER_503 = (b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nRetry-After: 1\r\n"
              b"Content-Length: 54\r\nConnection: close\r\n\r\n"
              b'{"error": "unavailable", "message": "hotspot hiccup."}')
MODES = {"pass": 4, "cut": 2, "delay": 2, "503": 2}


def _read_request(conn: socket.socket) -> bytes | None:
    """One HTTP/1.1 request with a Content-Length body, its Connection header set to close."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return None
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = [line for line in head.split(b"\r\n") if not line.lower().startswith(b"connection:")]
    length = next((int(line.split(b":", 1)[1]) for line in lines if line.lower().startswith(b"content-length:")), 0)
    while len(body) < length:
        chunk = conn.recv(65536)
        if not chunk:
            return None
        body += chunk
    return b"\r\n".join([*lines, b"Connection: close"]) + b"\r\n\r\n" + body


def _reset(conn: socket.socket) -> None:
    """Close with RST, as a dropped mobile link looks to the laptop."""
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    conn.close()


class FaultProxy:
    def __init__(self, upstream_port: int, seed: int = 5, cycle: float = 2.0, refuse_for: float = 0.4,
                 modes: dict | None = None):
        self.port = free_port()
        self.upstream_port = upstream_port
        self.random = random.Random(seed)
        self.cycle, self.refuse_for = cycle, refuse_for
        self.modes = modes or MODES
        self.faulty = threading.Event()
        self.faulty.set()
        self.stopped = threading.Event()
        self.counts = Counter()
        self.lock = threading.Lock()
        self.thread = threading.Thread(target=self._serve, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "FaultProxy":
        self.thread.start()
        return self

    def calm(self) -> None:
        """No more faults: every request passes from now on."""
        self.faulty.clear()

    def stop(self) -> None:
        self.stopped.set()
        self.thread.join(5)

    def _refusing(self) -> bool:
        return self.faulty.is_set() and time.monotonic() % self.cycle < self.refuse_for

    def _pick(self) -> str:
        if not self.faulty.is_set():
            return "pass"
        with self.lock:
            return self.random.choices(list(self.modes), weights=list(self.modes.values()))[0]

    def _listen(self) -> socket.socket:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        listener.settimeout(0.05)
        return listener

    def _serve(self) -> None:
        listener = None
        while not self.stopped.is_set():
            if self._refusing():
                if listener is not None:
                    listener.close()  # connections are now refused by the kernel
                    listener = None
                    self.counts["refuse"] += 1
                time.sleep(0.02)
                continue
            listener = listener or self._listen()
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            threading.Thread(target=self._handle, args=(conn, self._pick()), daemon=True).start()
        if listener is not None:
            listener.close()

    def _handle(self, conn: socket.socket, mode: str) -> None:
        conn.settimeout(30)
        try:
            request = _read_request(conn)
            if request is None:
                return
            self.counts[mode] += 1
            if mode == "503":
                conn.sendall(ANSWER_503)
                return
            with socket.create_connection(("127.0.0.1", self.upstream_port), timeout=30) as upstream:
                upstream.sendall(request)
                answer = b""
                while chunk := upstream.recv(65536):
                    answer += chunk
            if mode == "cut":
                _reset(conn)
                return
            if mode == "delay":
                time.sleep(self.random.uniform(0.3, 2.5))
            conn.sendall(answer)
        except OSError:
            pass  # the laptop gave up (its timeout) or the server went away: both are the point
        finally:
            conn.close()

"""A real local Redis Cluster (six redis-server processes: three primaries, three
replicas) in a folder of its own, for tests and `bench/scale_run --cluster`.

Built the way an operator builds one: each node started with cluster-enabled, then
`redis-cli --cluster create --cluster-replicas 1 --cluster-yes`. Ports are free pairs
(a node's bus listens on port + 10000). Everything it writes stays under `folder`.
"""

import random
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

from redis import Redis
from redis.exceptions import RedisError

from openday.embedded_redis import STREAM_NODE_ARGS, redis_server_binary


def _port_free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_cluster_ports(count: int) -> list[int]:
    """`count` ports whose bus ports (port + 10000) are free as well."""
    ports: list[int] = []
    while len(ports) < count:
        port = random.randint(20000, 30000)
        if port not in ports and _port_free(port) and _port_free(port + 10000):
            ports.append(port)
    return ports


def wait_for(check, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if answer := check():
                return answer
        except RedisError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"local cluster: {what} not within {timeout} s")


class LocalCluster:
    def __init__(self, folder: str | Path, nodes: int = 6, replicas: int = 1, node_timeout_ms: int = 1000,
                 appendfsync: str = "everysec", maxmemory: str = ""):
        self.folder, self.replicas = Path(folder), replicas
        self.ports = free_cluster_ports(nodes)
        self.node_timeout_ms, self.appendfsync, self.maxmemory = node_timeout_ms, appendfsync, maxmemory
        self.processes: dict[int, subprocess.Popen] = {}

    @property
    def seeds(self) -> str:
        """OPENDAY_REDIS_CLUSTER for this cluster."""
        return ",".join(f"127.0.0.1:{port}" for port in self.ports)

    def _start_node(self, port: int) -> None:
        data = self.folder / str(port)
        data.mkdir(parents=True, exist_ok=True)
        args = [redis_server_binary(), "--port", str(port), "--bind", "127.0.0.1", "--dir", str(data.resolve()),
                "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
                "--cluster-node-timeout", str(self.node_timeout_ms), "--appendonly", "yes",
                "--appendfsync", self.appendfsync, "--save", "", "--daemonize", "no",
                "--repl-diskless-sync-delay", "0", "--cluster-replica-validity-factor", "0",
                "--logfile", str((data / "redis.log").resolve()), *STREAM_NODE_ARGS]
        if self.maxmemory:
            args += ["--maxmemory", self.maxmemory]
        self.processes[port] = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for(lambda: Redis(port=port, socket_connect_timeout=0.5).ping(), 15, f"node {port} up")

    def start(self) -> "LocalCluster":
        for port in self.ports:
            self._start_node(port)
        subprocess.run([shutil.which("redis-cli") or "redis-cli", "--cluster", "create",
                        *[f"127.0.0.1:{port}" for port in self.ports], "--cluster-replicas", str(self.replicas),
                        "--cluster-yes"], check=True, capture_output=True, timeout=60)
        self.wait_healthy()
        wait_for(self._replicas_in_sync, 30, "replicas in sync")
        return self

    def _replicas_in_sync(self) -> bool:
        """A replica that has not finished its first sync cannot take over."""
        roles = [Redis(port=p, socket_timeout=1, decode_responses=True).info("replication") for p in self.ports]
        replicas = [role for role in roles if role["role"] == "slave"]
        return len(replicas) == self.replicas * (len(self.ports) // (1 + self.replicas)) and \
            all(role["master_link_status"] == "up" for role in replicas)

    def wait_healthy(self, timeout: float = 30) -> None:
        """Every live node says cluster_state:ok and a live primary serves every slot."""
        def ok() -> bool:
            live = [p for p in self.ports if self.alive(p)]
            states = [Redis(port=p, socket_timeout=1).cluster("info")["cluster_state"] for p in live]
            return all(state == "ok" for state in states) and set(self._slot_primaries()) <= set(live)
        wait_for(ok, timeout, "cluster_state ok")

    def _slot_primaries(self) -> list[int]:
        port = next(p for p in self.ports if self.alive(p))
        return [int(primary[1]) for _, _, primary, *_ in Redis(port=port, socket_timeout=1).cluster("slots")]

    def alive(self, port: int) -> bool:
        return self.processes[port].poll() is None

    def _nodes(self) -> dict:
        port = next(p for p in self.ports if self.alive(p))
        return Redis(port=port, decode_responses=True, socket_timeout=1).cluster("nodes")

    def primaries(self) -> list[int]:
        """Ports of the live primaries, as the cluster sees them."""
        return sorted(int(address.split(":")[1].split("@")[0]) for address, node in self._nodes().items()
                      if "master" in node["flags"] and "fail" not in node["flags"] and node["connected"])

    def primary_for(self, key: str) -> int:
        """The port of the live primary that serves `key`'s slot now."""
        port = next(p for p in self.ports if self.alive(p))
        slot = Redis(port=port, socket_timeout=1).cluster("keyslot", key)
        for low, high, primary, *_ in Redis(port=port, socket_timeout=1).cluster("slots"):
            if low <= slot <= high:
                return int(primary[1])
        raise RuntimeError(f"no primary serves slot {slot}")

    def kill(self, port: int) -> None:
        """SIGKILL one node: no shutdown, no AOF flush, as a machine dies."""
        self.processes[port].send_signal(signal.SIGKILL)
        self.processes[port].wait(10)

    def wait_failover(self, dead: int, timeout: float = 30) -> None:
        """Wait until a replica has taken over the dead primary's slots, as every live node sees it."""
        def taken_over() -> bool:
            views = [Redis(port=p, socket_timeout=1).cluster("slots") for p in self.ports if self.alive(p)]
            return all(int(primary[1]) != dead for view in views for _, _, primary, *_ in view)
        wait_for(taken_over, timeout, f"failover of {dead}")
        self.wait_healthy(timeout)

    def restart(self, port: int, timeout: float = 30) -> None:
        """Start a killed node again (its nodes.conf remembers the cluster): it comes back as
        a replica of the node that took over, and waits until it has synced."""
        self._start_node(port)

        def synced() -> bool:
            role = Redis(port=port, socket_timeout=1, decode_responses=True).info("replication")
            return role["role"] == "slave" and role["master_link_status"] == "up"
        wait_for(synced, timeout, f"node {port} back as a replica")

    def used_memory_mib(self) -> float:
        return sum(Redis(port=p, socket_timeout=2).info("memory")["used_memory"]
                   for p in self.primaries()) / 2**20

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                process.terminate()
        for process in self.processes.values():
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def __enter__(self) -> "LocalCluster":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

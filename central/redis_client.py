"""The one place that builds Redis clients.

Data: a single Redis from REDIS_URL, or a Redis Cluster when OPENDAY_REDIS_CLUSTER names
seed nodes (host:port, comma-separated). RQ: always a plain Redis of its own
(OPENDAY_RQ_REDIS_URL, default REDIS_URL), since RQ does not run on a Cluster (rq/rq
#1048, #2021). Every key of a day shares the hash tag {day_id}, so a day's scripts and
transactions touch one slot; the global keys each have their own (see keys.py).
"""

from urllib.parse import urlparse

from redis import Redis
from redis.cluster import ClusterNode, RedisCluster

from central.config import rq_redis_url


def seed_nodes(spec: str) -> list[ClusterNode]:
    nodes = []
    for part in filter(None, (p.strip() for p in spec.split(","))):
        host, _, port = part.rpartition(":")
        nodes.append(ClusterNode(host or "127.0.0.1", int(port)))
    return nodes


def data_redis(config: dict, decode: bool = True, **options):
    """The client of the data: RedisCluster in cluster mode, else Redis. `options` go to
    either (e.g. socket_timeout)."""
    if config.get("REDIS_CLUSTER"):
        url = urlparse(config.get("REDIS_URL") or "")  # the cluster's ACL user and password, if any
        options = {"socket_timeout": 5, "socket_connect_timeout": 2, **options}
        return RedisCluster(startup_nodes=seed_nodes(config["REDIS_CLUSTER"]), decode_responses=decode,
                            username=url.username or None, password=url.password, **options)
    return Redis.from_url(config["REDIS_URL"], decode_responses=decode, **options)


def rq_redis(config: dict) -> Redis:
    """RQ's connection: bytes replies, never a cluster."""
    return Redis.from_url(rq_redis_url(config))


def is_cluster(client) -> bool:
    return isinstance(client, RedisCluster)


def node_client(client, key: str) -> Redis:
    """A plain Redis client of the server that holds `key` now: a WAIT must go down the
    connection that wrote, so the write and the WAIT are sent there in one pipeline."""
    if not is_cluster(client):
        return client
    return client.get_redis_connection(client.get_node_from_key(key))


def bytes_twin(client):
    """A client of the same data whose replies stay bytes."""
    if is_cluster(client):
        startup = [ClusterNode(n.host, n.port) for n in client.get_nodes()]
        kwargs = client.get_nodes()[0].redis_connection.connection_pool.connection_kwargs
        return RedisCluster(startup_nodes=startup, decode_responses=False, username=kwargs.get("username"),
                            password=kwargs.get("password"), socket_timeout=5, socket_connect_timeout=2)
    from redis import ConnectionPool

    pool = client.connection_pool
    kwargs = {**pool.connection_kwargs, "decode_responses": False}
    return Redis(connection_pool=ConnectionPool(connection_class=pool.connection_class, **kwargs))

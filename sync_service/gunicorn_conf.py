"""gunicorn settings for `openday sync-service`: prometheus-client's multiprocess mode,
so /metrics adds up the counters of every gunicorn worker.

This runs in the gunicorn master before it forks the workers. Unless the operator gave
a PROMETHEUS_MULTIPROC_DIR, each start gets a fresh, empty one.
"""

import os
import tempfile

if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="openday-metrics-")


def child_exit(server, worker):
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)

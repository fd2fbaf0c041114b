"""gunicorn settings for `openday sync-service`: prometheus-client's multiprocess mode,
so /metrics adds up the counters of every gunicorn worker.

This runs in the gunicorn master before it forks the workers. Unless the operator gave
a PROMETHEUS_MULTIPROC_DIR, each start gets a fresh, empty one, removed when the master exits.
"""

import os
import shutil
import tempfile

_OWN_DIR = None  # the folder this master made, removed when it exits
if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    _OWN_DIR = os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="openday-metrics-")


def on_exit(server):
    if _OWN_DIR:
        shutil.rmtree(_OWN_DIR, ignore_errors=True)


def child_exit(server, worker):
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)

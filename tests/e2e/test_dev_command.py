"""The README's run command: `openday dev` brings everything up, and Ctrl-C leaves
no process behind."""

import os
import re
import signal
import subprocess
from pathlib import Path

import psutil
import requests

from openday.embedded_redis import free_port
from tests.helpers import DAY, Process, openday, wait_until
from tests.signin import sign_in_requests


def test_dev_runs_everything_and_stops_cleanly(tmp_path):
    sync_port, field_port = free_port(), free_port()
    dev = Process(openday("dev", "--data-dir", str(tmp_path / "data"), "--sync-port", str(sync_port),
                          "--field-port", str(field_port)), {"REDIS_URL": ""}, tmp_path / "dev.log")
    try:
        wait_until(lambda: "Ctrl-C stops everything" in dev.output(), timeout=60, message="dev ready")
        output = dev.output()
        assert f"http://127.0.0.1:{sync_port}" in output and f"http://127.0.0.1:{field_port}" in output
        children = psutil.Process(dev.popen.pid).children(recursive=True)
        assert len(children) >= 4  # redis-server, gunicorn (+ its worker), rq worker, field app

        entry = {"type": "visitor.received", "payload": {"party_size": 4}}
        assert requests.post(f"http://127.0.0.1:{field_port}/api/events", json=entry, timeout=5).status_code == 201
        username, password = re.search(r"coordinator (\S+), password (\S+)\)", output).groups()
        totals_url = f"http://127.0.0.1:{sync_port}/api/v1/days/{DAY}/totals"
        assert requests.get(totals_url, timeout=5).status_code == 401  # citizens' words are not public
        wait_until(lambda: requests.get(totals_url, auth=(username, password), timeout=5).json()["visitors"] == 4,
                   message="visitor in totals")
        with requests.Session() as browser:
            day_page = sign_in_requests(browser, f"http://127.0.0.1:{sync_port}", username, password)
            assert day_page.status_code == 200 and f"/dashboard/days/{DAY}" in day_page.text
        _console_is_quiet_and_the_cli_finds_dev(dev, tmp_path / "data")
    finally:
        dev.popen.send_signal(signal.SIGINT)  # what Ctrl-C sends
        dev.popen.wait(30)
    assert not (tmp_path / "data" / "redis.json").exists()  # a stopped dev is not found by the CLI
    wait_until(lambda: not any(c.is_running() and c.status() != psutil.STATUS_ZOMBIE for c in children),
               timeout=30, message="every child stopped")


def _console_is_quiet_and_the_cli_finds_dev(dev: Process, data: Path) -> None:
    """A line per sync on the console, the request lines in the log files; and the CLI,
    without REDIS_URL, reaches dev's embedded Redis (its port is new at every start)."""
    wait_until(lambda: "同步 sync  +1" in dev.output(), message="a console line for the sync")
    output = dev.output()
    assert '"path"' not in output and "GET /" not in output and "/totals" in output  # the URL line only
    assert '"path": "/api/v1/sync/push"' in (data / "logs" / "sync-service.log").read_text()
    assert "booth page: http://127.0.0.1:" in (data / "logs" / "field-app.log").read_text()  # a laptop's console
    listed = subprocess.run(openday("enrollment-code", "create", "--day", DAY, "--booth", "shashan"),
                            env={**os.environ, "REDIS_URL": "", "OPENDAY_DATA_DIR": str(data)},
                            capture_output=True, text=True, timeout=60)
    assert listed.returncode == 0 and '"booth_id": "shashan"' in listed.stdout, listed.stderr

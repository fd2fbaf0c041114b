"""/metrics on the sync service (two gunicorn workers, counters added up across them)
and on a worker, and the sync service's JSON log lines with request ids."""

import json
import subprocess

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families

from central import keys
from openday.embedded_redis import free_port
from tests.helpers import DAY, PLAN_PATH, READER_ARGS, Process, grant_reader, openday, wait_until

METRICS_TOKEN = "metrics-scraper-token"


def _samples(url: str) -> dict:
    text = requests.get(url, headers={"Authorization": f"Bearer {METRICS_TOKEN}"}, timeout=5).text
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


@pytest.fixture
def observed(redis_url, tmp_path):
    sync_port, metrics_port = free_port(), free_port()
    env = {"REDIS_URL": redis_url, "OPENDAY_PLAN_DIR": str(PLAN_PATH.parent), "OPENDAY_METRICS_TOKEN": METRICS_TOKEN}
    grant_reader(redis_url)
    sync = Process(openday("sync-service", "--bind", f"127.0.0.1:{sync_port}", "--workers", "2"), env,
                   tmp_path / "sync.log")
    worker = Process(openday("worker"), {**env, "OPENDAY_METRICS_PORT": str(metrics_port)}, tmp_path / "worker.log")
    urls = f"http://127.0.0.1:{sync_port}", f"http://127.0.0.1:{metrics_port}/metrics"
    try:
        wait_until(lambda: requests.get(f"{urls[0]}/healthz", timeout=1).ok, message="sync service up")
        wait_until(lambda: requests.get(urls[1], timeout=1).ok, message="worker metrics up")
        yield (*urls, sync)
    finally:
        sync.stop()
        worker.stop()


def test_metrics_count_every_push_across_gunicorn_workers(observed, redis_url, redis, tmp_path):
    sync_url, worker_metrics, sync = observed
    truth = tmp_path / "truth.json"
    made = subprocess.run(openday("simulate", *READER_ARGS, "--sync-url", sync_url, "--redis-url", redis_url,
                                  "--truth", str(truth),
                                  "--size", "0.2", "--duplicates", "0.4", "--push-every", "600"),
                          capture_output=True, text=True, timeout=180)
    assert made.returncode == 0, made.stdout + made.stderr
    run = json.loads(truth.read_text())["run"]
    bad = {"device_id": "x", "sent_at": "2022-05-15T09:00:00+08:00", "events": []}
    assert requests.post(f"{sync_url}/api/v1/sync/push", json=bad, timeout=5).status_code == 401
    assert requests.post(f"{sync_url}/api/v1/sync/push", json=bad, timeout=5,
                         headers={"X-Request-Id": "probe-42"}).headers["X-Request-Id"] == "probe-42"

    assert requests.get(f"{sync_url}/metrics", timeout=5).status_code == 401  # not without the token
    scrapes = [_samples(f"{sync_url}/metrics") for _ in range(6)]  # answered by either gunicorn worker
    counters = [{k: v for k, v in s.items() if k[0].startswith(("openday_events", "openday_push"))} for s in scrapes]
    assert all(c == counters[0] for c in counters[1:]), "every gunicorn worker reports the same sums"
    metrics = scrapes[0]
    length = redis.xlen(keys.log(DAY))
    assert metrics[("openday_events_ingested_total", ())] == length == run["accepted"]
    assert metrics[("openday_push_duplicates_total", ())] == run["duplicates"] > 0
    assert metrics[("openday_push_rejects_total", (("reason", "unauthorized"),))] == 2
    answered = run["pushes"] + run["retries"] + 2  # a push refused with 429 and retried was answered too
    assert metrics[("openday_push_seconds_count", ())] == answered
    assert metrics[("openday_devices_seen", (("day", DAY),))] == 4
    assert metrics[("openday_log_entries", (("day", DAY),))] == length

    worker = wait_until(lambda: (m := _samples(worker_metrics))[("openday_fold_lag_entries", (("day", DAY),))] == 0
                        and m, message="fold caught up")
    assert worker[("openday_folded_entries", (("day", DAY),))] == length
    assert worker[("openday_queue_depth", ())] == 0
    assert worker[("openday_worker_jobs_total", (("outcome", "successful"),))] >= 1

    lines = [json.loads(line) for line in sync.output().splitlines() if line.startswith("{")]
    pushes = [line for line in lines if line["path"] == "/api/v1/sync/push"]
    assert len(pushes) == answered
    assert all(len(line["request_id"]) >= 1 and "ms" in line for line in pushes)
    assert sum(line.get("accepted", 0) for line in pushes) == length
    assert any(line["request_id"] == "probe-42" and line["status"] == 401 for line in pushes)

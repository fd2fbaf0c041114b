"""Two sync-service processes behind nginx (least_conn): pushes and live streams through
either, totals exact; a session made on one replica is good on the other; failed sign-ins
counted on one lock the other too. They share nothing but Redis."""

import subprocess
import threading

import pytest
import requests

from openday.embedded_redis import free_port
from tests.helpers import DAY, PLAN_PATH, READER, READER_ARGS, Process, grant_reader, openday, wait_until
from tests.nginx_proxy import NginxProxy
from tests.signin import csrf_token_in

pytestmark = pytest.mark.e2e


@pytest.fixture
def replicas(redis_url, tmp_path):
    grant_reader(redis_url)
    env = {"REDIS_URL": redis_url, "OPENDAY_PLAN_DIR": str(PLAN_PATH.parent), "OPENDAY_LIVE_HEARTBEAT": "1"}
    ports = [free_port(), free_port()]
    started = [Process(openday("sync-service", "--bind", f"127.0.0.1:{port}", "--workers", "1"), env,
                       tmp_path / f"sync-{port}.log") for port in ports]
    started.append(Process(openday("worker"), env, tmp_path / "worker.log"))
    urls = [f"http://127.0.0.1:{port}" for port in ports]
    try:
        for url in urls:
            wait_until(lambda u=url: requests.get(f"{u}/healthz", timeout=1).ok, message="sync service up")
        with NginxProxy(tmp_path / "nginx", [u.removeprefix("http://") for u in urls]) as proxy:
            yield proxy, urls
    finally:
        for process in started:
            process.stop()


def _listen(url: str, seen: list, stop: threading.Event) -> None:
    """Collect a live stream's update messages (seen[0] is the snapshot) until `stop`."""
    with requests.get(f"{url}/api/v1/days/{DAY}/live", auth=READER, stream=True, timeout=(5, 60)) as response:
        for line in response.iter_lines(decode_unicode=True):
            if line.startswith("data:"):
                seen.append(line)
            if stop.is_set():
                return


def test_pushes_and_live_streams_through_either_replica_totals_exact(replicas, redis_url, tmp_path):
    proxy, _ = replicas
    seen, stop = [[], []], threading.Event()
    listeners = [threading.Thread(target=_listen, args=(proxy.url, s, stop), daemon=True) for s in seen]
    for listener in listeners:
        listener.start()
    wait_until(lambda: all(seen), message="both live streams open")  # least_conn: one on each replica
    truth = tmp_path / "truth.json"
    run = subprocess.run(openday("simulate", *READER_ARGS, "--sync-url", proxy.url, "--redis-url", redis_url,
                                 "--truth", str(truth), "--size", "0.3", "--seed", "3"),
                         capture_output=True, text=True, timeout=180)
    assert run.returncode == 0, run.stdout + run.stderr
    check = subprocess.run(openday("simulate", "--check", "--truth", str(truth), "--sync-url", proxy.url,
                                   *READER_ARGS), capture_output=True, text=True, timeout=120)
    assert check.returncode == 0, check.stdout + check.stderr
    wait_until(lambda: all(len(s) > 1 for s in seen), message="both live streams saw the day's updates")
    stop.set()
    for listener in listeners:
        listener.join(10)
    assert len(proxy.upstreams_of("POST /api/v1/sync/push")) == 2, "least_conn spread the pushes over both"
    # nginx logs a stream when it ends: the two streams were served by the two replicas
    wait_until(lambda: len(proxy.upstreams_of("/live")) == 2, message="one live stream on each replica")


def test_a_session_and_the_sign_in_throttle_hold_on_either_replica(replicas):
    _, (first, second) = replicas
    browser = requests.Session()
    form = browser.get(f"{first}/dashboard/signin", timeout=10)
    signed = browser.post(f"{second}/dashboard/signin", timeout=10, allow_redirects=False,
                          data={"csrf_token": csrf_token_in(form.text), "username": READER[0],
                                "password": READER[1]})
    assert signed.status_code == 302, signed.text
    for url in (first, second):
        page = browser.get(f"{url}/dashboard/days/{DAY}", timeout=10, allow_redirects=False)
        assert page.status_code == 200, (url, page.status_code)
    guesser = requests.Session()
    token = csrf_token_in(guesser.get(f"{first}/dashboard/signin", timeout=10).text)
    answers = [guesser.post(f"{(first, second)[n % 2]}/dashboard/signin", timeout=10,
                            data={"csrf_token": token, "username": "mallory", "password": f"guess-{n}"}).status_code
               for n in range(7)]
    assert answers == [401] * 4 + [429] * 3, answers  # the 5th failure locks, whichever replica counted them

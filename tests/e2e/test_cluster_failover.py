"""Several simulated days at once on a real six-node Redis Cluster; the primary holding one
day is SIGKILLed mid-day, its replica takes over. Pushes are acknowledged only after WAIT
saw a replica hold them, so every event a laptop holds as acked is in the log after the
failover, every day's totals are exact and `openday verify` passes. The killed node is
started again (as a supervisor would) and comes back as the new primary's replica: until
then that day's pushes are answered 503 not_replicated and the laptops retry."""

import json
import subprocess
import time

import pytest
import requests

from central import keys
from central.redis_client import data_redis
from openday.embedded_redis import EmbeddedRedis
from openday.local_cluster import LocalCluster
from tests.cluster_helpers import central_on_cluster, cluster_env, day_plans, grant_reader_on_cluster
from tests.helpers import READER, READER_ARGS, openday

pytestmark = pytest.mark.e2e
DAYS = ["heping", "hexi", "nankai"]


def _simulate(url: str, rq_url: str, plan, truth, env: dict, seed: int) -> subprocess.Popen:
    args = openday("simulate", *READER_ARGS, "--plan", str(plan), "--sync-url", url, "--redis-url", rq_url,
                   "--truth", str(truth), "--seed", str(seed), "--size", "0.4", "--speed-up", "2400",
                   "--push-every", "120", "--duplicates", "0.1", "--device-prefix", f"sim{seed}")
    return subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def _live_message_count(url: str, day_id: str, seconds: float) -> int:
    """Totals messages (after the snapshot) a live stream receives within `seconds`."""
    count, end = 0, time.monotonic() + seconds
    with requests.get(f"{url}/api/v1/days/{day_id}/live", auth=READER, stream=True, timeout=(5, seconds)) as response:
        for line in response.iter_lines(decode_unicode=True):
            count += line.startswith("data:") and '"snapshot"' not in line
            if count >= 3 or time.monotonic() > end:
                break
    return count


def test_days_on_a_cluster_survive_a_primary_killed_mid_day(tmp_path, monkeypatch):
    plans = day_plans(tmp_path / "plans", DAYS)
    with LocalCluster(tmp_path / "cluster") as cluster, EmbeddedRedis(tmp_path / "rq") as rq:
        env = cluster_env(cluster.seeds, rq.url, tmp_path / "plans", OPENDAY_WAIT_REPLICAS="1")
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        grant_reader_on_cluster(cluster.seeds, list(plans))
        redis = data_redis({"REDIS_CLUSTER": cluster.seeds})
        with central_on_cluster(env, tmp_path) as url:
            runs = {day: _simulate(url, rq.url, path, tmp_path / f"{day}.truth.json", env, seed)
                    for seed, (day, path) in enumerate(plans.items(), start=1)}
            victim_day = next(iter(plans))
            assert _live_message_count(url, victim_day, 20) >= 1, "live updates reach a viewer through the cluster"
            victim = cluster.primary_for(keys.log(victim_day))
            assert redis.xlen(keys.log(victim_day)) > 0 and all(run.poll() is None for run in runs.values())
            cluster.kill(victim)  # mid-day: the simulations are still pushing
            cluster.wait_failover(victim)
            # The promoted replica has no replica of its own: its pushes get 503 not_replicated
            # (nothing is acked that one more crash could lose) until the dead node is back.
            cluster.restart(victim)
            for day, run in runs.items():
                output = run.communicate(timeout=120)[0]
                assert run.returncode == 0, f"{day}: {output}"
            for day in plans:
                _assert_every_acked_event_in_the_log(redis, day, tmp_path / f"{day}.truth.json")
                check = subprocess.run(openday("simulate", "--check", "--truth", str(tmp_path / f"{day}.truth.json"),
                                               "--sync-url", url, *READER_ARGS), env=env, capture_output=True,
                                       text=True, timeout=120)
                assert check.returncode == 0, check.stdout + check.stderr
                verify = subprocess.run(openday("verify", "--day", day), env=env, capture_output=True, text=True,
                                        timeout=120)
                assert verify.returncode == 0, verify.stdout + verify.stderr
        assert cluster.primary_for(keys.log(victim_day)) != victim


def _assert_every_acked_event_in_the_log(redis, day_id: str, truth_path) -> None:
    """Each laptop was answered acked_seq = all its entries: the centre holds all of them."""
    truth = json.loads(truth_path.read_text(encoding="utf-8"))
    acked = redis.hgetall(keys.acked(day_id))
    for laptop in truth["laptops"]:
        assert int(acked.get(laptop["device_id"], 0)) == laptop["entries"], laptop["device_id"]
    assert redis.xlen(keys.log(day_id)) == sum(laptop["entries"] for laptop in truth["laptops"])
    assert redis.hlen(keys.event_index(day_id)) == redis.xlen(keys.log(day_id))

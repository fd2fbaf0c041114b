"""Running a simulation and checking it: the functions behind `openday simulate`."""

import json
import tempfile
import time
from pathlib import Path

from central import keys
from central.config import load_config
from central.redis_client import data_redis
from openday.simulate import check, truth
from openday.simulate.drivers import FieldAppDriver, PushDriver
from openday.simulate.generator import Scenario, generate_day
from shared.plan import load_plan
from sync_service.devices.tokens import Device, register_device


def register_laptops(redis_url: str, scenario: Scenario) -> dict[str, str]:
    """A device token for every simulated laptop (enrollment codes can replace this)."""
    redis = data_redis(load_config({"REDIS_URL": redis_url}))  # a cluster if OPENDAY_REDIS_CLUSTER says so
    try:
        return {lt.device_id: register_device(redis, Device(lt.device_id, lt.booth_id, scenario.day_id))
                for lt in scenario.laptops}
    finally:
        redis.close()


def baseline(sync_url: str, redis_url: str, day_id: str, wait: float, auth=None) -> dict[str, int]:
    """The central figures before the simulation, once the fold has caught up with the log:
    the truth is this baseline plus the simulated day, so a day in use can be simulated on."""
    redis = data_redis(load_config({"REDIS_URL": redis_url}))
    try:
        length = redis.xlen(keys.log(day_id))
    finally:
        redis.close()
    return check.flatten(check.settled_totals(sync_url, day_id, length, wait, auth))


def simulate(plan_path: str, sync_url: str, redis_url: str, truth_path: Path, via: str = "push",
             work_dir: Path | None = None, speed_up: float = 0, push_every: float = 60, wait: float = 60,
             auth=None, **knobs) -> dict:
    """Generate the day, drive it, write the ground truth; returns the truth document."""
    plan = load_plan(plan_path)
    scenario = generate_day(plan, **knobs)
    before = baseline(sync_url, redis_url, plan.day_id, wait, auth)
    tokens = register_laptops(redis_url, scenario)
    if via == "push":
        driver = PushDriver(sync_url, scenario, tokens, speed_up=speed_up, push_every=push_every)
        run = driver.run()
        events = driver.all_events()
    else:
        folder = Path(work_dir or tempfile.mkdtemp(prefix="openday-sim-"))
        driver = FieldAppDriver(sync_url, scenario, tokens, str(Path(plan_path).resolve()), folder,
                                speed_up=speed_up, push_every=push_every).start()
        try:
            run = driver.run()
            events = driver.recorded_events()
        finally:
            driver.stop()
    skew = {lt.device_id: lt.clock_skew_ms for lt in scenario.laptops}
    simulated = truth.reference_totals(events, plan, skew)
    document = {
        "day_id": plan.day_id, "seed": scenario.seed, "size": scenario.size, "via": via,
        "made_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "laptops": [{"device_id": lt.device_id, "booth_id": lt.booth_id, "entries": len(lt.entries),
                     "offline": [[a.isoformat(), b.isoformat()] for a, b in lt.offline],
                     "syncs_only_at_end": lt.syncs_only_at_end, "clock_skew_ms": lt.clock_skew_ms}
                    for lt in scenario.laptops],
        "run": run,
        "simulated": simulated,
        "figures": truth.add(before, simulated),
    }
    truth_path.write_text(json.dumps(document, indent=1, ensure_ascii=False, sort_keys=False), encoding="utf-8")
    return document


def check_truth(truth_path: Path, sync_url: str, wait: float = 60, auth=None) -> list[check.Difference]:
    """Differences between the central totals and the ground truth (empty: exact)."""
    document = json.loads(truth_path.read_text(encoding="utf-8"))
    figures = document["figures"]
    central = check.settled_totals(sync_url, document["day_id"], figures.get("log_entries", 0), wait, auth)
    return check.compare(figures, central)

"""The `openday simulate` command: parse options, call one function, report."""

import secrets
import sys
from pathlib import Path

import click

EXAMPLE_PLAN = str(Path(__file__).resolve().parent.parent.parent / "examples" / "heping-2022-05-15.json")


NEEDS_COORDINATOR = ("读取中心汇总需要该日的协调员账号 / The central totals need a coordinator of the day: "
                     "--user and --password (or OPENDAY_COORDINATOR_USER / OPENDAY_COORDINATOR_PASSWORD).")

@click.command()
@click.option("--plan", "plan_path", default=EXAMPLE_PLAN, show_default=True, envvar="OPENDAY_PLAN",
              help="The day plan (the sync service must serve the same plan).")
@click.option("--sync-url", default="http://127.0.0.1:8700", show_default=True, envvar="OPENDAY_SYNC_URL")
@click.option("--redis-url", envvar="REDIS_URL", help="Central Redis, to issue the laptops' device tokens.")
@click.option("--truth", "truth_path", default="simulated-day.json", show_default=True, type=click.Path(path_type=Path),
              help="Where the ground truth is written (or read, with --check).")
@click.option("--check", "check_only", is_flag=True, help="Only compare the central totals with --truth.")
@click.option("--via", type=click.Choice(["push", "field-app"]), default="push", show_default=True,
              help="push: play the laptops against the push API; field-app: one real field app per laptop.")
@click.option("--seed", default=1, show_default=True)
@click.option("--size", default=1.0, show_default=True, help="1.0 = the day of summary one (~1,400 entries).")
@click.option("--laptops-per-booth", default=2, show_default=True)
@click.option("--offline", default=1, show_default=True, help="Laptops that go offline for a 30-90 minute spell.")
@click.option("--late", default=1, show_default=True, help="Laptops that sync only at the end of the day.")
@click.option("--skew-hours", default=0.0, show_default=True, help="One laptop's clock is off by this many hours.")
@click.option("--duplicates", default=0.05, show_default=True, help="Share of pushes sent twice.")
@click.option("--unknown-keys", default=0, show_default=True,
              help="Inquiries with a topic the plan lacks; the centre must quarantine them (--via push).")
@click.option("--speed-up", default=0.0, show_default=True, help="Simulated seconds per real second; 0 = flat out.")
@click.option("--push-every", default=60.0, show_default=True, help="Simulated seconds between syncs.")
@click.option("--device-prefix", default=None, help="Start of the laptops' device ids (default: sim-<random>).")
@click.option("--work-dir", type=click.Path(path_type=Path), help="Field apps' logs and databases (--via field-app).")
@click.option("--wait", default=60.0, show_default=True, help="Seconds to wait for the fold to catch up.")
@click.option("--user", envvar="OPENDAY_COORDINATOR_USER", help="Coordinator, if the totals need one.")
@click.option("--password", envvar="OPENDAY_COORDINATOR_PASSWORD")
def simulate(plan_path, sync_url, redis_url, truth_path, check_only, via, seed, size, laptops_per_booth, offline,
             late, skew_hours, duplicates, unknown_keys, speed_up, push_every, device_prefix, work_dir, wait, user,
             password) -> None:
    """Generate a realistic Open Day, drive it through the real system and write its
    ground truth; with --check, compare the central totals with it (exit 1 on any difference).

    生成一个逼真的政务公开日并通过真实系统运行;--check 核对中心汇总与真实值。"""
    from openday.simulate.check import TotalsRefused, format_differences
    from openday.simulate.drivers import SimulationError  # the simulator needs the centre's packages
    from openday.simulate.run import check_truth
    from openday.simulate.run import simulate as run_simulation

    auth = (user, password) if user else None
    if check_only:
        try:
            differences = check_truth(truth_path, sync_url, wait, auth)
        except TotalsRefused as exc:
            raise click.ClickException(f"{exc}\n{NEEDS_COORDINATOR}") from exc
        click.echo(format_differences(differences))
        sys.exit(1 if differences else 0)
    if unknown_keys and via == "field-app":
        raise click.UsageError("--unknown-keys needs --via push: a field app refuses keys its plan lacks")
    if not redis_url:
        raise click.UsageError("--redis-url (or REDIS_URL) is needed to issue the simulated laptops' tokens")
    try:
        document = run_simulation(
            plan_path, sync_url, redis_url, truth_path, via=via, work_dir=work_dir, speed_up=speed_up,
            push_every=push_every, wait=wait, auth=auth, seed=seed, size=size, laptops_per_booth=laptops_per_booth,
            offline=offline, late=late, skew_hours=skew_hours, duplicates=duplicates,
            prefix=device_prefix or f"sim-{secrets.token_hex(2)}", unknown_keys=unknown_keys)
    except SimulationError as exc:
        raise click.ClickException(f"the simulation stopped: {exc}") from exc
    except TotalsRefused as exc:
        raise click.ClickException(f"{exc}\n{NEEDS_COORDINATOR}") from exc
    sim, run = document["simulated"], document["run"]
    click.echo(f"simulated {sim.get('log_entries', 0):,} events on {len(document['laptops'])} laptops "
               f"in {run['seconds']} s ({run['pushes']:,} pushes, {run['duplicate_pushes']} sent twice); "
               f"leaflets {sim.get('materials.distributed.leaflet', 0):,}, inquiries {sim.get('inquiries.total', 0):,},"
               f" visitors {sim.get('visitors', 0):,}; ground truth in {truth_path}")

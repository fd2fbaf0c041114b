"""Commands a person types: a day or booth that is not in the plans is refused with the
reason (zh and en, naming the days there are), and nothing is written to Redis."""

import pytest
from click.testing import CliRunner

from central import keys
from openday.cli import main
from tests.helpers import DAY

REFUSED = [
    (["device", "register", "--day", DAY, "--booth", "nowhere", "--device-id", "x"], "nowhere 不是"),
    (["device", "register", "--day", "no-such-day", "--booth", "shashan", "--device-id", "x"], "no-such-day"),
    (["coordinator", "add", "bob", "--day", "no-such-day", "--password", "long enough"], "no-such-day"),
    (["enrollment-code", "create", "--day", DAY, "--booth", "nowhere"], "nowhere is not a booth"),
    (["close-day", "--day", "no-such-day"], "no day plan for no-such-day"),
    (["rebuild", "--day", "no-such-day"], "没有 no-such-day 的计划"),
    (["verify", "--day", "no-such-day"], f"(days: {DAY})"),
]


@pytest.mark.parametrize("args, reason", REFUSED, ids=[" ".join(a[:2]) + " " + a[-1] for a, _ in REFUSED])
def test_unknown_day_or_booth_is_refused_and_nothing_written(args, reason, redis_url, redis, monkeypatch):
    monkeypatch.setenv("REDIS_URL", redis_url)
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2, result.output
    assert reason in result.output
    assert redis.dbsize() == 0


def test_known_day_and_booth_are_accepted(redis_url, redis, monkeypatch):
    monkeypatch.setenv("REDIS_URL", redis_url)
    runner = CliRunner()
    assert runner.invoke(main, ["device", "register", "--day", DAY, "--booth", "shashan",
                                "--device-id", "laptop-z"]).exit_code == 0
    assert redis.hexists(keys.devices(DAY), "laptop-z")
    added = runner.invoke(main, ["coordinator", "add", "bob", "--day", DAY, "--day", "*", "--password", "long enough"])
    assert added.exit_code == 0 and "days *, " + DAY in added.output

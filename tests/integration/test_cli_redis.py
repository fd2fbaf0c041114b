"""The CLI finds Redis as a person would expect: REDIS_URL, else a running `openday dev`
(its data dir records the URL of its embedded Redis); and with no Redis reachable every
command says so in one zh/en line and exits 1 - no traceback. The command list is walked
from click itself, so a command added later is covered without touching this file."""

import os
import subprocess
import sys

import click
from click.testing import CliRunner

from central import keys
from openday.cli import main
from openday.cli_group import SERVICES, STARTS_ITS_OWN
from openday.dev_redis import dev_redis_url, write_dev_redis
from openday.embedded_redis import free_port
from tests.helpers import DAY, REPO

VALUES = {"day_id": DAY, "days": DAY, "booth_id": "shashan", "device_id": "laptop-x", "username": "bob",
          "code": "ABCD-EFGH"}


def _leaf_commands(group: click.Group, path: tuple[str, ...] = ()):
    for name, command in sorted(group.commands.items()):
        if not path and name in STARTS_ITS_OWN | SERVICES:
            continue
        if isinstance(command, click.Group):
            yield from _leaf_commands(command, (*path, name))
        else:
            yield (*path, name), command


def _args(path: tuple[str, ...], command: click.Command) -> list[str]:
    """The command with a plausible value for each required option and argument."""
    args = list(path)
    for param in command.params:
        value = VALUES.get(param.name, "x")
        if isinstance(param, click.Argument):
            args.append(value)
        elif param.required:
            args += [param.opts[0], value]
    return args


def test_every_command_without_a_reachable_redis_says_so_in_one_line(tmp_path):
    env = {**os.environ, "REDIS_URL": f"redis://127.0.0.1:{free_port()}/0", "OPENDAY_DATA_DIR": str(tmp_path),
           "OPENDAY_COORDINATOR_PASSWORD": "a long enough password", "PYTHONPATH": str(REPO)}
    commands = [_args(path, command) for path, command in _leaf_commands(main)]
    assert len(commands) >= 10 and ["close-day", "--day", DAY] in commands
    runs = {" ".join(args): subprocess.Popen([sys.executable, "-m", "openday", *args], env=env, cwd=tmp_path,
                                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for args in commands}
    for name, run in runs.items():
        out, err = run.communicate(timeout=120)
        lines = [line for line in (out + err).splitlines() if line.strip()]
        assert run.returncode == 1, (name, out, err)
        assert "Traceback" not in err and len(lines) == 1, (name, lines)
        assert "无法连接" in lines[0] and "Cannot reach" in lines[0], (name, lines)


def test_the_cli_finds_the_redis_of_a_running_dev(redis_url, redis, tmp_path, monkeypatch):
    monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.setenv("OPENDAY_DATA_DIR", str(tmp_path))
    write_dev_redis(tmp_path, redis_url)  # as `openday dev` does, with this (living) pid
    made = CliRunner().invoke(main, ["enrollment-code", "create", "--day", DAY, "--booth", "shashan"])
    assert made.exit_code == 0, made.output
    assert redis.hlen(keys.ENROLLMENT_CODES) == 1


def test_a_dev_that_is_gone_is_not_used(redis_url, tmp_path):
    write_dev_redis(tmp_path, redis_url)
    assert dev_redis_url(tmp_path) == redis_url
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    record = (tmp_path / "redis.json").read_text().replace(str(os.getpid()), gone.stdout.strip())
    (tmp_path / "redis.json").write_text(record)
    assert dev_redis_url(tmp_path) is None  # dev was killed: its Redis went with it

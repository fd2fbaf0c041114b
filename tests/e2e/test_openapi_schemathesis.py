"""Schemathesis against the served OpenAPI document of the sync API (real gunicorn, real
Redis): no 5xx, every answer's status, content type and body as documented. Bounded:
a fixed number of examples per operation, a time budget, a fixed seed."""

import subprocess
import sys

import requests

from central import keys
from sync_service.coordinators import ORGANISER, add_coordinator
from sync_service.devices.tokens import Device, register_device
from tests.helpers import DAY

CHECKS = "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance"


# One worker thread: CPython 3.11's ast.parse is not safe in two threads at once
# (python/cpython#106905), and with --workers 2 hypothesis describing a filter lambda raised
# "AST constructor recursion depth mismatch" inside schemathesis itself (twice in a row in CI).
def _schemathesis(central, tmp_path, name, *auth):
    run = _schemathesis_run(central, tmp_path, name, *auth)
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]
    return run.stdout


def _schemathesis_run(central, tmp_path, name, *auth) -> subprocess.CompletedProcess:
    report = tmp_path / f"{name}.xml"
    return subprocess.run(
        [sys.executable, "-m", "schemathesis.cli", "run", f"{central}/api/v1/openapi.json", "--checks", CHECKS,
         "--max-examples", "10", "--max-time", "12", "--seed", "515", "--phases", "examples,coverage,fuzzing",
         "--workers", "1", "--request-timeout", "10", "--generation-database", "none", "--no-color",
         "--report", "junit", "--report-junit-path", str(report), *auth],
        capture_output=True, text=True, timeout=120, cwd=tmp_path)


def test_sync_api_matches_its_openapi_document(central, redis, tmp_path):
    spec = requests.get(f"{central}/api/v1/openapi.json", timeout=5).json()
    assert {"/api/v1/sync/push", "/api/v1/enroll", "/api/v1/days/{day_id}/devices"} <= set(spec["paths"])
    assert spec["components"]["schemas"]["Envelope"]["properties"]["type"]["enum"]  # generated from marshmallow
    token = register_device(redis, Device("laptop-a", "shashan", DAY))
    add_coordinator(redis, "lead", "lead-password", ["*"], ORGANISER)  # days and accounts are exercised too
    as_device = _schemathesis(central, tmp_path, "device", "-H", f"Authorization: Bearer {token}")
    as_coordinator = _schemathesis(central, tmp_path, "coordinator", "--auth", "lead:lead-password")
    assert "passed" in as_device and "passed" in as_coordinator
    assert redis.exists(keys.DEVICE_TOKENS)

"""The lock files stay true to pyproject.toml: every dependency of an install is pinned,
with hashes, in that install's lock (scripts/lock refreshes them)."""

import re
import tomllib

import pytest

from tests.helpers import REPO

PROJECT = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
INSTALLS = {"laptop": [], "central": ["central"], "test": ["central", "test"]}


def _names(requirements: list[str]) -> set[str]:
    names = {re.split(r"[\s<>=!~;\[]", req, maxsplit=1)[0].lower().replace("_", "-") for req in requirements}
    return names - {"openday"}


def _pins(lock: str) -> dict[str, str]:
    """name -> the text of its entry (the pin and its hashes)."""
    entries = re.split(r"\n(?=[A-Za-z0-9])", lock)
    return {re.split(r"==", entry, maxsplit=1)[0].lower(): entry for entry in entries if "==" in entry.split("\n")[0]}


@pytest.mark.parametrize("install, extras", INSTALLS.items())
def test_every_dependency_is_pinned_with_hashes(install, extras):
    wanted = [req for req in PROJECT["dependencies"] if "Windows" not in req]
    for extra in extras:
        wanted += [req for req in PROJECT["optional-dependencies"][extra] if "Windows" not in req]
    pins = _pins((REPO / "requirements" / f"{install}.lock").read_text())
    assert _names(wanted) - set(pins) == set(), f"not in {install}.lock: run scripts/lock"
    assert all("--hash=sha256:" in entry for entry in pins.values())
    assert not any(line.startswith(("openday", "-e", "file:")) for line in pins)

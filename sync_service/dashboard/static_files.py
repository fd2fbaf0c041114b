"""The dashboard's own script and style sheet, kept by the browser until they change.

Flask serves static files with `Cache-Control: no-cache`, so every page load asked again
for dashboard.css and dashboard.js (a conditional request through gunicorn, answered 304)
before the page could run its script. The pages name them with a hash of their content
(`?v=<hash>`, `static_url`), and a request naming the current hash is answered with a
year's max-age: a changed file gets a new URL, so a browser never runs an old script.
A request without the hash (or an old one) is served as before.
"""

import hashlib
from functools import cache
from pathlib import Path

from flask import Blueprint, request, url_for

YEAR = 365 * 24 * 3600


class VersionedStatic(Blueprint):
    """A blueprint whose static files are cached for a year when asked for by their hash."""

    def get_send_file_max_age(self, filename: str | None) -> int | None:
        if filename and request.args.get("v") == content_hash(self.static_folder, filename):
            return YEAR
        return super().get_send_file_max_age(filename)


@cache  # the files do not change while the service runs (a release restarts it)
def content_hash(folder: str, filename: str) -> str | None:
    path = Path(folder) / filename
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12] if path.is_file() else None


def static_url(blueprint: Blueprint, filename: str) -> str:
    return url_for(f"{blueprint.name}.static", filename=filename, v=content_hash(blueprint.static_folder, filename))

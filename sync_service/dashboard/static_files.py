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
        version = request.args.get("v")
        if version and filename and version == content_hashes(self.static_folder).get(filename):
            return YEAR
        return super().get_send_file_max_age(filename)


@cache  # the files do not change while the service runs (a release restarts it)
def content_hashes(folder: str) -> dict[str, str]:
    """{file name: hash} of the folder's own files, read once: a requested name is only
    looked up here, never joined to a path (no '../', and no cache entry per name asked for)."""
    return {path.name: hashlib.sha256(path.read_bytes()).hexdigest()[:12]
            for path in Path(folder).iterdir() if path.is_file()}


def static_url(blueprint: Blueprint, filename: str) -> str:
    return url_for(f"{blueprint.name}.static", filename=filename,
                   v=content_hashes(blueprint.static_folder).get(filename))

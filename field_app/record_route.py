"""`POST /api/events`, the booth's hottest route, answered before Flask's request machinery.

Every tap on the booth page is one of these, and the page waits for its 201 (sent only
after the durable commit). Flask's per-request work (request and app contexts, URL
adapter built twice, session lookup, response object) cost about as much as the
validation itself (bench/bench_field.py; cProfile inside the waitress process), so this
WSGI wrapper answers exactly that route with the same parse -> record() -> answer steps
and hands every other request, untouched, to Flask. Refusals are rendered by the same
function as Flask's error handler (routes.refusal), in the same language.
"""

import json

from werkzeug.wrappers import Request

from field_app.recording import EntryRefused, record
from field_app.routes import refusal

JSON_TYPES = ("application/json",)


def _is_json(content_type: str) -> bool:
    """What Flask's request.is_json accepts: application/json or application/*+json."""
    mimetype = content_type.split(";", 1)[0].strip().lower()
    return mimetype in JSON_TYPES or (mimetype.startswith("application/") and mimetype.endswith("+json"))


class RecordRoute:
    def __init__(self, flask_wsgi_app, laptop):
        self.flask_wsgi_app, self.laptop = flask_wsgi_app, laptop

    def __call__(self, environ, start_response):
        if environ.get("PATH_INFO") != "/api/events" or environ.get("REQUEST_METHOD") != "POST":
            return self.flask_wsgi_app(environ, start_response)
        entry = None  # like request.get_json(silent=True): not JSON -> None -> "_body" refusal
        if _is_json(environ.get("CONTENT_TYPE", "")):
            try:
                length = int(environ.get("CONTENT_LENGTH") or 0)
                entry = json.loads(environ["wsgi.input"].read(length)) if length > 0 else None
            except ValueError:
                entry = None
        try:
            event = record(entry, self.laptop)
        except EntryRefused as exc:
            request = Request(environ)
            body, status = refusal(exc, request.args, request.cookies, request.headers.get("Accept-Language"))
            return _answer(start_response, status, json.dumps(body, ensure_ascii=False))
        # Both fields are plain (a UUID and an int): a literal body instead of an encoder.
        return _answer(start_response, 201, f'{{"event_id": "{event["event_id"]}", "seq": {event["seq"]}}}\n')


STATUS_LINES = {201: "201 CREATED", 400: "400 BAD REQUEST", 422: "422 UNPROCESSABLE ENTITY"}


def _answer(start_response, status: int, text: str):
    body = text.encode()
    start_response(STATUS_LINES[status], [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]

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
from shared.security_headers import with_security_headers

JSON_TYPES = ("application/json",)


def _is_json(content_type: str) -> bool:
    """What Flask's request.is_json accepts: application/json or application/*+json."""
    mimetype = content_type.split(";", 1)[0].strip().lower()
    return mimetype in JSON_TYPES or (mimetype.startswith("application/") and mimetype.endswith("+json"))


class RecordRoute:
    def __init__(self, flask_wsgi_app, laptop, max_bytes: int, trusted_host=lambda host: True):
        self.flask_wsgi_app, self.laptop, self.max_bytes = flask_wsgi_app, laptop, max_bytes
        self.trusted_host = trusted_host  # Flask answers an untrusted Host with its own 400

    def __call__(self, environ, start_response):
        if (environ.get("PATH_INFO") != "/api/events" or environ.get("REQUEST_METHOD") != "POST"
                or not self.trusted_host(environ.get("HTTP_HOST"))):
            return self.flask_wsgi_app(environ, start_response)
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        try:
            if length > self.max_bytes:  # refused unread, as Flask's MAX_CONTENT_LENGTH does elsewhere
                raise EntryRefused({"_body": [f"Larger than {self.max_bytes} bytes."]})
            event = record(_json_body(environ, length), self.laptop)
        except EntryRefused as exc:
            request = Request(environ)
            body, status = refusal(exc, request.args, request.cookies, request.headers.get("Accept-Language"))
            status = 413 if length > self.max_bytes else status
            return _answer(start_response, status, json.dumps(body, ensure_ascii=False))
        # Both fields are plain (a UUID and an int): a literal body instead of an encoder.
        return _answer(start_response, 201, f'{{"event_id": "{event["event_id"]}", "seq": {event["seq"]}}}\n')


def _json_body(environ, length: int):
    """Like request.get_json(silent=True): a body that is not JSON is None (a "_body" refusal)."""
    if length <= 0 or not _is_json(environ.get("CONTENT_TYPE", "")):
        return None
    try:
        return json.loads(environ["wsgi.input"].read(length))
    except ValueError:
        return None


STATUS_LINES = {201: "201 CREATED", 400: "400 BAD REQUEST", 413: "413 REQUEST ENTITY TOO LARGE",
                422: "422 UNPROCESSABLE ENTITY"}


def _answer(start_response, status: int, text: str):
    body = text.encode()
    start_response(STATUS_LINES[status], with_security_headers(
        [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]))
    return [body]

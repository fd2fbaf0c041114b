"""CSRF for HTTP Basic, which browsers cache and send again on their own.

After a coordinator opened /days/<day>/summary with Basic, the browser sends the
credentials again, unasked, with a form another site auto-submits to
/days/<day>/summary/close. A browser sends a cross-origin request without asking first (a
CORS preflight, which this service never grants) only as a "simple" request: a POST whose
Content-Type is form-urlencoded, multipart/form-data, text/plain or none. So when Basic
credentials are about to be *used* for such a POST, the request must show it was not sent
by a form: an X-Requested-With header (a form cannot set one, and a cross-origin script
cannot send it without that preflight) or a valid CSRF token. JSON, .xlsx and other types
pass: a browser asks first before sending them across origins. Routes that do not use the
credentials (enrolment, a laptop's push) are not affected by a browser's cached Basic.
"""

from flask import request
from flask_wtf.csrf import CSRFError, validate_csrf
from wtforms import ValidationError

SIMPLE_CONTENT_TYPES = ("", "application/x-www-form-urlencoded", "multipart/form-data", "text/plain")


def forgeable_basic_write() -> bool:
    """A POST that another site's form or no-cors fetch could have made a browser send."""
    if request.method != "POST" or request.headers.get("X-Requested-With"):
        return False
    return (request.mimetype or "") in SIMPLE_CONTENT_TYPES


def refuse_forged_basic_write() -> None:
    """Raise CSRFError (403, zh/en, dashboard/guard.py answers it) for a forgeable Basic write
    that carries no valid CSRF token."""
    if not forgeable_basic_write():
        return
    token = request.headers.get("X-CSRFToken") or request.form.get("csrf_token")
    try:
        validate_csrf(token)
    except ValidationError as exc:
        raise CSRFError(exc.args[0]) from exc

"""App-wide protection for whatever a browser carries on its own: cookies and cached Basic.

CSRF: Flask-WTF's CSRFProtect checks every write (POST/PUT/PATCH/DELETE) that a browser
session could make on its own: any request to the dashboard, and any request to any
route that carries a signed-in session cookie (the day page calls the JSON APIs of the
other blueprints with the token in an X-CSRFToken header).

HTTP Basic is cached by browsers too: a form-type POST that uses Basic credentials must
carry X-Requested-With or the token (sync_service/basic_csrf.py, checked where the
credentials are used).

Headers: every response of the service gets shared/security_headers.py.
"""

from flask import current_app, jsonify, render_template, request, session
from flask_wtf.csrf import CSRFError, CSRFProtect

from shared.security_headers import add_security_headers
from sync_service.dashboard.i18n import STRINGS, pick_lang
from sync_service.dashboard.sessions import LIFETIME, drop_dead_session

csrf = CSRFProtect()


def init_guard(app) -> None:
    app.config.setdefault("WTF_CSRF_CHECK_DEFAULT", False)  # checked by _guard below, not on every route
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)  # valid as long as the session: a page stays open all day
    # Flask's defaults hold these keys already (SameSite None, 31 days), so setdefault would do nothing
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    if app.config.get("SESSION_COOKIE_SAMESITE") not in ("Lax", "Strict"):
        app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    app.config["PERMANENT_SESSION_LIFETIME"] = LIFETIME
    csrf.init_app(app)
    app.before_request(_guard)
    app.after_request(_security_headers)
    app.register_error_handler(CSRFError, _csrf_refused)


def _guard():
    drop_dead_session(current_app.extensions["openday"]["redis"])
    if request.blueprint == "dashboard" or "coordinator" in session:
        csrf.protect()


def _security_headers(response):
    add_security_headers(response.headers)
    if response.mimetype == "text/html":
        response.headers.setdefault("Cache-Control", "no-store")
    return response


def _csrf_refused(exc: CSRFError):
    if request.blueprint == "dashboard" and not request.is_json:
        lang = pick_lang(request.args.get("lang"), session.get("lang"))
        return render_template("dashboard/message.html", t=STRINGS[lang], lang=lang,
                               message=STRINGS[lang]["csrf_failed"]), 403
    return jsonify(error="csrf_failed",
                   message=f"请求来源无法确认，未作任何改动 / CSRF check failed: {exc.description} "
                   "Nothing changed. Scripts using HTTP Basic: send JSON or an X-Requested-With header.",
                   errors={"X-Requested-With": ["表单类请求须带此请求头或 CSRF 令牌 / required for a form-type "
                                                "request with HTTP Basic, or a CSRF token"]}), 403

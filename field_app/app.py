"""The field app's one wiring place: config, the SQLite log, the day plan, the totals,
the pusher and the puller."""

import uuid
from pathlib import Path

from flask import Flask, jsonify, request
from werkzeug.exceptions import SecurityError
from werkzeug.sansio.utils import host_is_trusted

from field_app.central import Puller, cached_plan
from field_app.centre_tls import CentreTLS, from_config
from field_app.event_log import EventLog
from field_app.laptop import Laptop
from field_app.laptop_totals import LaptopTotals
from field_app.pusher import Pusher
from field_app.sync_client import SyncClient
from shared.plan import load_plan
from shared.security_headers import add_security_headers

REPO = Path(__file__).resolve().parent.parent
DEFAULTS = {
    "FIELD_DB": ".openday/field.sqlite3",  # the laptop's log
    "PLAN": str(REPO / "examples" / "heping-2022-05-15.json"),  # day plan file
    "BOOTH_ID": None,  # booth this laptop serves; defaults to the plan's first booth
    "DEVICE_ID": None,  # set by enrolment; else made once and kept in the log
    "SYNC_URL": None,  # the sync service, e.g. https://openday.example.org
    "SYNC_CA": None,  # a PEM CA bundle that signed the centre's certificate (a private CA); else the system's
    "ALLOW_HTTP": False,  # plain http:// to a centre off this machine (the page then warns)
    "DEVICE_TOKEN": None,  # this laptop's token at the sync service
    "PUSH_INTERVAL": 2.0,  # seconds between background push attempts; 0 = no background pusher
    "PULL_INTERVAL": 10.0,  # seconds between pulls of the central totals; 0 = only on "sync now"
    "UNDO_SECONDS": 8.0,  # "undo last" is allowed this long after an entry (the page and POST /api/undo)
    "MAX_CONTENT_LENGTH": 64 * 1024,  # bytes of a request body: an entry is well under 2 KiB
    # Host headers answered (Flask's own check): a web page that rebinds its DNS name to
    # 127.0.0.1 must not reach the booth's log. `openday field-app --host` other than loopback
    # answers any host unless OPENDAY_TRUSTED_HOSTS names them.
    "TRUSTED_HOSTS": ["127.0.0.1", "localhost"],
}


def create_app(config: dict | None = None) -> Flask:
    app = Flask(__name__)
    app.config.from_mapping(DEFAULTS)
    app.config.from_prefixed_env("OPENDAY")
    app.config.update(config or {})

    log = EventLog(app.config["FIELD_DB"])
    plan = load_plan(app.config["PLAN"])
    plan = cached_plan(log, plan.day_id) or plan  # the centre's latest, pulled while online
    _settle_identity(app.config, log, plan)
    laptop = Laptop(log, plan, LaptopTotals(plan).load(log.events_after(0, 1 << 62)),
                    log.get_state("device_id"), log.get_state("booth_id"),
                    tls=from_config(app.config), undo_seconds=float(app.config["UNDO_SECONDS"]))
    laptop.pusher = Pusher(log, lambda: _client(log, laptop.tls), laptop.device_id, float(app.config["PUSH_INTERVAL"]))
    laptop.puller = Puller(laptop, float(app.config["PULL_INTERVAL"]))
    app.extensions["openday"] = {"log": log, "plan": plan, "pusher": laptop.pusher, "laptop": laptop}
    # (the "plan" entry is the plan at start; routes read laptop.plan, which follows pulls)
    if laptop.pusher.interval > 0:
        laptop.pusher.start()
    if laptop.puller.interval > 0:
        laptop.puller.start()

    from field_app.enrollment import bp as enrollment_bp
    from field_app.record_route import RecordRoute
    from field_app.routes import bp

    app.register_blueprint(bp)
    app.register_blueprint(enrollment_bp)
    app.register_error_handler(SecurityError, _untrusted_host)
    app.after_request(_security_headers)
    # POST /api/events without Flask's per-request work
    app.wsgi_app = RecordRoute(app.wsgi_app, laptop, int(app.config["MAX_CONTENT_LENGTH"]),
                               lambda host: host_is_trusted(host, app.config["TRUSTED_HOSTS"]))
    return app


def _security_headers(response):
    add_security_headers(response.headers)  # the booth page's Void button is never framed by another page
    return response


def _untrusted_host(exc: SecurityError):
    from field_app.i18n import pick_language, t

    lang = pick_language(request.args, request.cookies, request.headers.get("Accept-Language"))
    return jsonify(message=t("untrusted_host", lang), errors={"Host": [t("err.untrusted_host", lang)]}), 400


def _settle_identity(config: dict, log: EventLog, plan) -> None:
    """Configured values win; otherwise keep what the log holds; a device id is made once."""
    device_id = config["DEVICE_ID"] or log.get_state("device_id") or f"dev-{uuid.uuid4().hex[:12]}"
    log.set_state("device_id", device_id)
    log.set_state("booth_id", config["BOOTH_ID"] or log.get_state("booth_id") or plan.keys("booths")[0])
    for key in ("SYNC_URL", "DEVICE_TOKEN"):
        if config[key]:
            log.set_state(key.lower(), config[key])


def _client(log: EventLog, tls: CentreTLS) -> SyncClient | None:
    url, token = log.get_state("sync_url"), log.get_state("device_token")
    return SyncClient(url, token, tls=tls) if url and token else None

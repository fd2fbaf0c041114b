"""The sync service's one wiring place: config, Redis, the central log, routes."""

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from central.central_log import CentralLog
from central.config import load_config, wait_replicas
from central.redis_client import data_redis, rq_redis
from central.secrets_config import read_secret, secret_key
from shared.plan import load_plans
from sync_service.login_guard import dummy_hash


def create_app(config: dict | None = None) -> Flask:
    app = Flask(__name__)
    app.config.from_mapping(load_config())
    app.config.from_prefixed_env("OPENDAY")
    app.config.update(config or {})

    redis = data_redis(app.config)
    app.config["SECRET_KEY"] = secret_key(app.config, redis)
    app.config["METRICS_TOKEN"] = app.config.get("METRICS_TOKEN") or read_secret("OPENDAY_METRICS_TOKEN")
    app.config.setdefault("SESSION_COOKIE_SAMESITE", "Lax")
    dummy_hash()  # made now, so no sign-in try ever pays for it
    _trust_proxies(app, int(app.config["PROXY_HOPS"]))
    app.extensions["openday"] = {
        "redis": redis,
        "rq_redis": rq_redis(app.config),
        "log": CentralLog(redis, wait_replicas(app.config), int(app.config["WAIT_TIMEOUT_MS"])),
        "plans": load_plans(app.config["PLAN_DIR"]),
    }

    from sync_service import observability, openapi
    from sync_service.dashboard import bp as dashboard_bp
    from sync_service.devices import api as device_api
    from sync_service.errors import register_error_handlers
    from sync_service.push import api as push_api
    from sync_service.routes import bp
    from sync_service.summary.routes import bp as summary_bp
    from sync_service.totals.api import bp as totals_bp  # totals, live, quarantine

    register_error_handlers(app)
    observability.init_app(app)
    app.register_blueprint(bp)
    app.register_blueprint(push_api.bp)
    app.register_blueprint(device_api.bp)
    app.register_blueprint(openapi.bp)
    app.register_blueprint(dashboard_bp)
    app.register_blueprint(summary_bp)
    app.register_blueprint(totals_bp)
    return app


def _trust_proxies(app: Flask, hops: int) -> None:
    """Behind `hops` reverse proxies (nginx in compose: 1) take the client address,
    scheme and host from their X-Forwarded-* headers, so throttles and logs see the real
    client; with 0 (no proxy) those headers are ignored, as anyone can send them."""
    if hops > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops)

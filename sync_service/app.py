"""The sync service's one wiring place: config, Redis, the central log, routes."""

import contextlib

from flask import Flask
from redis import Redis
from redis.exceptions import RedisError

from central.central_log import CentralLog
from central.config import load_config
from central.plan_store import PlanCache, PlanDir, import_all
from central.queue import rq_connection
from sync_service.coordinators import secret_key


def create_app(config: dict | None = None) -> Flask:
    app = Flask(__name__)
    app.config.from_mapping(load_config())
    app.config.from_prefixed_env("OPENDAY")
    app.config.update(config or {})

    redis = Redis.from_url(app.config["REDIS_URL"], decode_responses=True)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = secret_key(redis)
    app.config.setdefault("SESSION_COOKIE_SAMESITE", "Lax")
    # days of OPENDAY_PLAN_DIR not yet in Redis; if Redis is not up yet the service starts and
    # answers 503, and each day is imported on first use
    with contextlib.suppress(RedisError):
        import_all(redis, PlanDir(app.config["PLAN_DIR"]))
    app.extensions["openday"] = {
        "redis": redis,
        "rq_redis": rq_connection(app.config["REDIS_URL"]),
        "log": CentralLog(redis),
        "plans": PlanCache(redis, app.config["PLAN_DIR"]),  # current versions, from Redis
    }

    from sync_service import observability, openapi
    from sync_service.accounts import api as accounts_api
    from sync_service.dashboard import bp as dashboard_bp
    from sync_service.devices import api as device_api
    from sync_service.errors import register_error_handlers
    from sync_service.plans import api as plans_api
    from sync_service.push import api as push_api
    from sync_service.routes import bp
    from sync_service.summary.routes import bp as summary_bp
    from sync_service.totals.api import bp as totals_bp  # totals, live, quarantine

    register_error_handlers(app)
    observability.init_app(app)
    app.register_blueprint(bp)
    app.register_blueprint(push_api.bp)
    app.register_blueprint(device_api.bp)
    app.register_blueprint(plans_api.bp)
    app.register_blueprint(accounts_api.bp)
    app.register_blueprint(openapi.bp)
    app.register_blueprint(dashboard_bp)
    app.register_blueprint(summary_bp)
    app.register_blueprint(totals_bp)
    return app

"""What the sync service tells operators: /metrics in Prometheus text format and one
JSON log line per request, each with a request id.

Counters are per process; under gunicorn (`openday sync-service`) prometheus-client's
multiprocess mode adds them up over the workers (PROMETHEUS_MULTIPROC_DIR, set by
sync_service/gunicorn_conf.py). Push outcomes are read from the push response, so the
push route itself knows nothing of metrics. Day gauges are read from Redis when scraped.
"""

import hmac
import json
import logging
import os
import re
import sys
import time
import uuid

from flask import Response, current_app, g, request
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector

from central.metrics import DayCollector
from sync_service.errors import ApiError

PUSH_PATH = "/api/v1/sync/push"
REQUEST_ID = re.compile(r"^[A-Za-z0-9._\-]{1,64}$")
REGISTRY = CollectorRegistry()  # this process's counters (when not in multiprocess mode)
INGESTED = Counter("openday_events_ingested_total", "Events appended to the central log by pushes.",
                   registry=REGISTRY)
DUPLICATES = Counter("openday_push_duplicates_total", "Re-sent events a push skipped (already held).",
                     registry=REGISTRY)
REJECTS = Counter("openday_push_rejects_total", "Pushes refused, by reason (the error code answered).",
                  ["reason"], registry=REGISTRY)
PUSH_SECONDS = Histogram("openday_push_seconds", "Time to answer a push, seconds.", registry=REGISTRY,
                         buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10))
log = logging.getLogger("openday.sync")


class JsonLines(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = {"ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + f".{int(record.msecs):03d}Z",
                "level": record.levelname.lower(), "msg": record.getMessage(), **getattr(record, "fields", {})}
        return json.dumps(line, ensure_ascii=False)


def _configure_logging() -> None:
    if not log.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(JsonLines())
        log.addHandler(handler)
        log.setLevel(logging.INFO)
        log.propagate = False


def _start() -> None:
    incoming = request.headers.get("X-Request-Id", "")
    g.request_id = incoming if REQUEST_ID.match(incoming) else uuid.uuid4().hex
    g.started = time.perf_counter()


def _record_push(response, seconds: float) -> None:
    PUSH_SECONDS.observe(seconds)
    body = response.get_json(silent=True) or {}
    if response.status_code == 200:
        INGESTED.inc(body.get("accepted", 0))
        DUPLICATES.inc(body.get("duplicates", 0))
    else:
        REJECTS.labels(body.get("error") or str(response.status_code)).inc()
    return body


def _finish(response):
    seconds = time.perf_counter() - g.get("started", time.perf_counter())
    fields = {"request_id": g.get("request_id"), "method": request.method, "path": request.path,
              "status": response.status_code, "ms": round(seconds * 1000, 2),
              "client": request.remote_addr}  # the real client behind OPENDAY_PROXY_HOPS proxies
    if request.path == PUSH_PATH:
        body = _record_push(response, seconds)
        fields.update({k: body[k] for k in ("accepted", "duplicates", "acked_seq", "error") if k in body})
    response.headers["X-Request-Id"] = fields["request_id"]
    log.info("request", extra={"fields": fields})
    return response


def _metrics_allowed() -> bool:
    """Day ids, counts and reject reasons are not for the public: /metrics answers only
    `Authorization: Bearer <OPENDAY_METRICS_TOKEN>`, and nobody while no token is set."""
    token = current_app.config.get("METRICS_TOKEN")
    given = request.headers.get("Authorization", "")
    return bool(token) and hmac.compare_digest(given.encode(), f"Bearer {token}".encode())


def metrics():
    if not _metrics_allowed():
        raise ApiError(401, "unauthorized", "需要监控令牌 / /metrics needs the bearer token OPENDAY_METRICS_TOKEN.")
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        counters = CollectorRegistry()
        MultiProcessCollector(counters)
    else:
        counters = REGISTRY
    days = CollectorRegistry()
    extensions = current_app.extensions["openday"]
    days.register(DayCollector(extensions["redis"], extensions["rq_redis"]))
    return Response(generate_latest(counters) + generate_latest(days), mimetype=CONTENT_TYPE_LATEST)


def init_app(app) -> None:
    """Request ids and JSON log lines on every request, push metrics, GET /metrics."""
    _configure_logging()
    app.before_request(_start)
    app.after_request(_finish)
    app.add_url_rule("/metrics", "metrics", metrics)

# The central image: sync service and worker share it; docker-compose.yml picks the command.
FROM python:3.11-slim
WORKDIR /app
# Dependencies first, exactly as locked, every file checked against its hash (scripts/lock
# makes the lock; docs/production.md says when to refresh it).
COPY requirements/central.lock requirements/central.lock
RUN pip install --no-cache-dir --require-hashes -r requirements/central.lock
COPY pyproject.toml README.md ./
COPY shared shared
COPY field_app field_app
COPY central central
COPY sync_service sync_service
COPY worker worker
COPY openday openday
COPY examples examples
RUN pip install --no-cache-dir --no-deps '.[central]'
# Never root: a hole in a service is not a hole in the container's root.
RUN useradd --system --uid 10001 --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin openday
USER openday
ENV OPENDAY_PLAN_DIR=/app/examples
# The worker's check (Redis answers its user); compose gives the sync service its /healthz.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 CMD ["openday", "healthcheck"]

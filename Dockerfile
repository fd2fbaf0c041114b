# The central image: sync service and worker share it; docker-compose.yml picks the command.
FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY shared shared
COPY field_app field_app
COPY sync_service sync_service
COPY worker worker
COPY openday openday
COPY examples examples
RUN pip install --no-cache-dir '.[central]'
ENV OPENDAY_PLAN_DIR=/app/examples

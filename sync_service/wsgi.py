"""WSGI entry point for gunicorn: `gunicorn sync_service.wsgi:app`."""

from sync_service.app import create_app
from sync_service.dashboard.warm import warm_up

app = create_app()
warm_up(app)  # each worker imports this module: its set-up is done before its first page

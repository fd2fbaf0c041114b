"""WSGI entry point for gunicorn: `gunicorn sync_service.wsgi:app`."""

from sync_service.app import create_app

app = create_app()

"""Dashboard sessions: a signed cookie that names a server-side session in Redis.

Flask's cookie is signed, so it cannot be forged, but on its own it cannot be taken
back either. Each sign-in makes a new random session id kept in Redis with a TTL and
starts a fresh cookie (no fixation); sign-out deletes the id, so a copied cookie stops
working at once.
"""

import secrets
from datetime import timedelta

from flask import session

from central import keys

LIFETIME = timedelta(hours=12)  # a whole Open Day


def start_session(redis, username: str) -> None:
    """Replace whatever session the browser had with a new signed-in one."""
    session_id = secrets.token_urlsafe(32)
    redis.set(keys.coordinator_session(session_id), username, ex=int(LIFETIME.total_seconds()))
    session.clear()
    session.permanent = True
    session["coordinator"], session["sid"] = username, session_id


def end_session(redis) -> None:
    if session_id := session.get("sid"):
        redis.delete(keys.coordinator_session(session_id))
    session.clear()


def drop_dead_session(redis) -> None:
    """Forget a session whose server-side id was signed out, expired or never made here."""
    username = session.get("coordinator")
    if username is None:
        return
    session_id = session.get("sid")
    if not session_id or redis.get(keys.coordinator_session(session_id)) != username:
        session.clear()

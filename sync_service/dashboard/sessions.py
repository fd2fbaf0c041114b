"""Dashboard sessions: a signed cookie that names a server-side session in Redis.

Flask's cookie is signed, so it cannot be forged, but on its own it cannot be taken
back either. Each sign-in makes a new random session id kept in Redis with a TTL and
starts a fresh cookie (no fixation); sign-out deletes the id, so a copied cookie stops
working at once.

Redis keeps only sha256 of the id: whoever reads Redis (its AOF, a backup) learns no
id a cookie could carry, and the signing key is not in Redis either (secrets_config.py).
"""

import hashlib
import secrets
from datetime import timedelta

from flask import session

from central import keys

LIFETIME = timedelta(hours=12)  # a whole Open Day


def _stored_as(session_id: str) -> str:
    return keys.coordinator_session(hashlib.sha256(session_id.encode()).hexdigest())


def start_session(redis, username: str) -> None:
    """Replace whatever session the browser had with a new signed-in one."""
    session_id = secrets.token_urlsafe(32)
    redis.set(_stored_as(session_id), username, ex=int(LIFETIME.total_seconds()))
    session.clear()
    session.permanent = True
    session["coordinator"], session["sid"] = username, session_id


def end_session(redis) -> None:
    if session_id := session.get("sid"):
        redis.delete(_stored_as(session_id))
    session.clear()


def drop_dead_session(redis) -> None:
    """Forget a session whose server-side id was signed out, expired or never made here."""
    username = session.get("coordinator")
    if username is None:
        return
    session_id = session.get("sid")
    if not session_id or redis.get(_stored_as(session_id)) != username:
        session.clear()

"""Signing in to the dashboard the way a browser does: fetch the form, send it back with
its CSRF token. Works with requests.Session and Flask's test client alike."""

import re

CSRF_FIELD = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf-token" content="([^"]+)"')


def csrf_token_in(html: str) -> str:
    match = CSRF_FIELD.search(html)
    assert match, "no CSRF token in the page"
    return match.group(1) or match.group(2)


def sign_in_requests(session, base_url: str, username: str, password: str):
    """Sign a requests.Session in; returns the final response (the page after the redirect)."""
    form = session.get(f"{base_url}/dashboard/signin", timeout=10)
    token = csrf_token_in(form.text)
    return session.post(f"{base_url}/dashboard/signin", data={"csrf_token": token, "username": username,
                                                              "password": password}, timeout=10)

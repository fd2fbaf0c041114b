"""The headers every response of both services carries (the booth page, the dashboard, the
summary page, exports, JSON, errors). Pure data: each service's app adds them.

- CSP: scripts and styles only from the service itself (inline styles are allowed: the
  summary's HTML export and a few templates use them), images also as data: URIs (charts
  embedded in the HTML export), and `frame-ancestors 'none'` so no other page can frame a
  Void, Enrol or Close button under a decoy (clickjacking). X-Frame-Options says the same to
  older browsers.
- nosniff: a CSV or JSON export is never run as a script or page.
- Referrer-Policy same-origin: day ids and figure names in URLs stay on this site.
"""

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def add_security_headers(headers) -> None:
    """Set each header the response does not set itself (`headers`: any mapping with setdefault)."""
    for name, value in SECURITY_HEADERS.items():
        headers.setdefault(name, value)


def with_security_headers(headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """A WSGI header list with the security headers added (for responses made outside Flask)."""
    present = {name.lower() for name, _ in headers}
    return headers + [(n, v) for n, v in SECURITY_HEADERS.items() if n.lower() not in present]

"""The coordinator's pages on the sync service: sign-in, the list of granted days and the
live day page. Registered with one line in sync_service/app.py; `_init_app` runs once
at registration and adds what the whole app needs for browser sessions (CSRF checks on
every session-authenticated write, dead-session cleanup, security headers)."""

from sync_service.dashboard.static_files import VersionedStatic, static_url

bp = VersionedStatic("dashboard", __name__, url_prefix="/dashboard", template_folder="templates",
                     static_folder="static", static_url_path="/static")


@bp.app_template_global("dashboard_static")
def _dashboard_static(filename: str) -> str:
    """The URL of one of the dashboard's static files, with its content's hash (static_files.py)."""
    return static_url(bp, filename)


@bp.record_once
def _init_app(state) -> None:
    from sync_service.dashboard.guard import init_guard

    init_guard(state.app)


from sync_service.dashboard import accounts_page, pages, setup_pages, signin  # noqa: E402,F401  (routes register on bp)  # noqa: E402,F401  (day setup, accounts)

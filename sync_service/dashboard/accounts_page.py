"""The accounts page (organisers): every account with its role and days; make an account
organiser or coordinator, grant or revoke a day. Forms carry the session's CSRF token."""

from flask import redirect, render_template, request, url_for

from sync_service.accounts.roles import AccountRefused, grant_day, list_accounts, revoke_day, set_role
from sync_service.context import ctx
from sync_service.dashboard import bp
from sync_service.dashboard.i18n import current_lang
from sync_service.dashboard.setup_i18n import words
from sync_service.dashboard.setup_pages import _organiser


def _page(lang: str, status: int = 200, notice: str | None = None):
    account = _organiser(lang)[0]
    return render_template("dashboard/accounts.html", t=words(lang), lang=lang, coordinator=account,
                           accounts=list_accounts(ctx()["redis"]), days=ctx()["plans"].days(), notice=notice), status


@bp.get("/accounts")
def accounts():
    lang = current_lang()
    _, refusal = _organiser(lang)
    if refusal:
        return refusal
    done = request.args.get("done")
    return _page(lang, notice=words(lang)["account_done"].format(user=done) if done else None)


def _change(username: str, change):
    """Run one account change for a signed-in organiser; the page again, or the refusal."""
    lang = current_lang()
    organiser, refusal = _organiser(lang)
    if refusal:
        return refusal
    try:
        change(organiser)
    except AccountRefused as exc:
        return _page(lang, exc.status, exc.message)
    return redirect(url_for("dashboard.accounts", done=username))


@bp.post("/accounts/<username>/role")
def account_role(username: str):
    return _change(username, lambda me: set_role(ctx()["redis"], username, request.form.get("role"), me.username))


@bp.post("/accounts/<username>/grant")
def account_grant(username: str):
    day_id = request.form.get("day_id", "")

    def grant(_):
        if day_id not in ctx()["plans"]:
            raise AccountRefused(404, "day_id", f"没有活动日 {day_id} / No day {day_id}.")
        grant_day(ctx()["redis"], username, day_id)

    return _change(username, grant)


@bp.post("/accounts/<username>/revoke")
def account_revoke(username: str):
    return _change(username, lambda _: revoke_day(ctx()["redis"], username, request.form.get("day_id", "")))

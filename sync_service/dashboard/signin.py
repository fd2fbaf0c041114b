"""Sign-in and sign-out: parse the form, call the throttle and the account check, answer."""

from flask import current_app, redirect, render_template, request, session, url_for
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from sync_service.dashboard import bp
from sync_service.dashboard.i18n import STRINGS, current_lang
from sync_service.dashboard.sessions import end_session, start_session
from sync_service.login_guard import SignInLocked, sign_in


class SignInForm(FlaskForm):
    username = StringField(validators=[DataRequired(), Length(max=100)])
    password = PasswordField(validators=[DataRequired(), Length(max=200)])


def _redis():
    return current_app.extensions["openday"]["redis"]


def _safe_next(target: str | None) -> str:
    """Only a path on this dashboard, never another site (open redirect)."""
    if target and target.startswith("/dashboard/") and not target.startswith("//"):
        return target
    return url_for("dashboard.days")


def _page(form, lang, message=None, status=200):
    return render_template("dashboard/signin.html", form=form, t=STRINGS[lang], lang=lang,
                           message=message, next=request.args.get("next", "")), status


@bp.route("/signin", methods=["GET", "POST"])
def signin():
    lang, form = current_lang(), SignInForm()
    if request.method == "GET":
        return _page(form, lang)
    if not form.validate_on_submit():
        return _page(form, lang, STRINGS[lang]["signin_failed"], 400)
    username, address = form.username.data.strip(), request.remote_addr or "-"
    try:  # the same throttle and check as HTTP Basic (login_guard.py)
        signed_in = sign_in(_redis(), username, form.password.data, address)
    except SignInLocked as exc:
        return _refuse_locked(form, lang, exc.seconds)
    if signed_in is None:
        return _page(form, lang, STRINGS[lang]["signin_failed"], 401)
    start_session(_redis(), signed_in)
    session["lang"] = lang
    return redirect(_safe_next(request.args.get("next")))


def _refuse_locked(form, lang, seconds):
    body, status = _page(form, lang, STRINGS[lang]["signin_locked"].format(seconds=seconds), 429)
    return body, status, {"Retry-After": str(seconds)}


@bp.post("/signout")
def signout():
    lang = session.get("lang", "zh")
    end_session(_redis())
    return redirect(url_for("dashboard.signin", lang=lang))

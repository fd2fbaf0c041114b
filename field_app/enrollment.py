"""The field app's half of enrolment: the laptop sends an enrolment code with its
device id to the sync service (`POST /api/v1/enroll`) and keeps the token it gets.

Entries recorded before enrolment carry this laptop's device id and booth; they are
pushed afterwards. So a code for another booth or day is refused once the laptop has
recorded anything: its events cannot change booth (they are never rewritten). The laptop
sends its day and (once it has entries) its booth with the code, and the centre refuses a
mismatch before spending the code (sync_service/devices/enrollment.py), so the coordinator's code
stays good for the booth it was made for.
"""

import re

import requests
from flask import Blueprint, current_app, jsonify, request

from field_app.centre_tls import STRICT, CentreTLS, is_certificate_error
from field_app.i18n import TEXT, pick_language, t, translate_message

bp = Blueprint("enrollment", __name__)
TIMEOUT = (3.05, 15)
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O/1/I
CODE = re.compile(f"^[{CODE_ALPHABET}]{{4}}-?[{CODE_ALPHABET}]{{4}}$")


class EnrollmentRefused(Exception):
    def __init__(self, errors: dict):
        super().__init__(errors)
        self.errors = errors  # {field: [message in the user's language]}


def normalise_code(text: str) -> str | None:
    """'abcd efgh', 'ABCD-EFGH' -> 'ABCD-EFGH'; None if it cannot be a code."""
    compact = re.sub(r"[\s\-]", "", text or "").upper()
    if not CODE.match(compact):
        return None
    return f"{compact[:4]}-{compact[4:]}"


def parse_form(body, lang: str, tls: CentreTLS = STRICT) -> tuple[str, str, str | None]:
    if not isinstance(body, dict):
        raise EnrollmentRefused({"_body": [t("err.not_json_object", lang)]})
    errors = {}
    url = str(body.get("sync_url") or "").strip()
    if not re.match(r"^https?://[^\s/]+", url):
        errors["sync_url"] = [t("err.bad_url", lang)]
    elif tls.insecure(url) and not tls.allow_http:
        errors["sync_url"] = [t("err.plain_http", lang)]
    code = normalise_code(str(body.get("code") or ""))
    if code is None:
        errors["code"] = [t("err.bad_code", lang)]
    label = str(body.get("label") or "").strip()[:64] or None
    if errors:
        raise EnrollmentRefused(errors)
    return url.rstrip("/"), code, label


def _ask_centre(url: str, code: str, laptop, label: str | None, lang: str) -> dict:
    """The centre's answer for this code. The laptop says which day it is set up for and,
    once it has entries, which booth they are for: the centre refuses a code for another
    day or booth before spending it, so a refused code is still good for its own booth."""
    body = {"code": code, "device_id": laptop.device_id, "expected_day_id": laptop.plan.day_id,
            **({"label": label} if label else {})}
    if laptop.log.last_seq():
        body["expected_booth_id"] = laptop.booth_id
    try:
        response = requests.post(f"{url}/api/v1/enroll", json=body, timeout=TIMEOUT, verify=laptop.tls.verify)
    except requests.RequestException as exc:
        if is_certificate_error(exc):
            raise EnrollmentRefused({"sync_url": [t("err.certificate", lang)]}) from exc
        raise EnrollmentRefused({"sync_url": [t("err.enroll_unreachable", lang)]}) from exc
    try:
        answer = response.json()
    except ValueError:
        answer = {}
    if response.status_code != 201:
        raise EnrollmentRefused({"code": [_refusal(answer, response.status_code, laptop, lang)]})
    return answer


def _refusal(answer: dict, status: int, laptop, lang: str) -> str:
    """The centre's reason in the user's language: by its machine word when we know it."""
    word = answer.get("error")
    if word == "wrong_day":
        return _day_mismatch(answer.get("code_day_id"), laptop, lang)
    if word == "wrong_booth":
        return _booth_mismatch(answer.get("code_booth_id"), laptop, lang)
    if f"enroll.{word}" in TEXT:
        return t(f"enroll.{word}", lang)
    reason = answer.get("message") or word or f"HTTP {status}"
    return t("err.enroll_refused", lang, reason=translate_message(reason, lang))


def _day_mismatch(theirs, laptop, lang: str) -> str:
    return t("err.day_mismatch", lang, theirs=theirs, ours=laptop.plan.day_id)


def _booth_mismatch(theirs, laptop, lang: str) -> str:
    plan = laptop.plan
    return t("err.booth_mismatch", lang, count=laptop.log.last_seq(), theirs=plan.label("booths", theirs, lang),
             ours=plan.label("booths", laptop.booth_id, lang))


def enroll(laptop, url: str, code: str, label: str | None, lang: str) -> dict:
    """Enrol at the centre and keep the token; returns what the laptop is now."""
    answer = _ask_centre(url, code, laptop, label, lang)
    # The centre checked day and booth before spending the code; checked again here so a
    # token that could not push this laptop's entries is never kept, whatever answered.
    if answer.get("day_id") != laptop.plan.day_id:
        raise EnrollmentRefused({"code": [_day_mismatch(answer.get("day_id"), laptop, lang)]})
    if laptop.log.last_seq() and answer.get("booth_id") != laptop.booth_id:
        raise EnrollmentRefused({"code": [_booth_mismatch(answer.get("booth_id"), laptop, lang)]})
    if answer.get("device_id") != laptop.device_id:
        raise EnrollmentRefused({"code": [t("err.enroll_refused", lang, reason="device id differs")]})
    laptop.booth_id = answer["booth_id"]
    for key, value in (("booth_id", answer["booth_id"]), ("sync_url", url), ("device_token", answer["token"]),
                       ("last_error", None)):
        laptop.log.set_state(key, value)
    return {"device_id": laptop.device_id, "booth_id": laptop.booth_id, "day_id": laptop.plan.day_id,
            "sync_url": url}


def choose_booth(laptop, booth_id, lang: str) -> None:
    """Before the first entry of an unenrolled laptop, staff say which booth it serves."""
    if booth_id not in laptop.plan.keys("booths"):
        raise EnrollmentRefused({"booth_id": [t("err.not_in_plan", lang, key=booth_id)]})
    if laptop.log.last_seq() or laptop.enrolled():
        raise EnrollmentRefused({"booth_id": [t("err.booth_fixed", lang)]})
    laptop.booth_id = booth_id
    laptop.log.set_state("booth_id", booth_id)


@bp.post("/api/booth")
def post_booth():
    lang = pick_language(request.args, request.cookies, request.headers.get("Accept-Language"))
    laptop = current_app.extensions["openday"]["laptop"]
    body = request.get_json(silent=True)
    try:
        choose_booth(laptop, body.get("booth_id") if isinstance(body, dict) else None, lang)
    except EnrollmentRefused as exc:
        return jsonify(message=t("entry_refused", lang), errors=exc.errors), 422
    return jsonify(booth_id=laptop.booth_id)


@bp.post("/api/enroll")
def post_enroll():
    lang = pick_language(request.args, request.cookies, request.headers.get("Accept-Language"))
    laptop = current_app.extensions["openday"]["laptop"]
    try:
        url, code, label = parse_form(request.get_json(silent=True), lang, laptop.tls)
        enrolled = enroll(laptop, url, code, label, lang)
    except EnrollmentRefused as exc:
        return jsonify(message=t("entry_refused", lang), errors=exc.errors), 422
    if laptop.puller is not None:
        laptop.puller.pull_now()
    return jsonify(enrolled=True, **enrolled), 201

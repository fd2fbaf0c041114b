"""The booth page and the laptop's JSON API. Each route: parse, call, map errors."""

from flask import Blueprint, current_app, jsonify, render_template, request

from field_app.i18n import LANGUAGES, catalogue, pick_language, plain_sync_error, t, translate_errors
from field_app.recording import EntryRefused, undo_last
from shared.masking import mask_payload, mask_personal

bp = Blueprint("field", __name__)
RECENT = 20  # entries the page lists


def _laptop():
    return current_app.extensions["openday"]["laptop"]


def _lang() -> str:
    return pick_language(request.args, request.cookies, request.headers.get("Accept-Language"))


def refusal(exc: EntryRefused, args, cookies, accept_language: str | None) -> tuple[dict, int]:
    """The JSON body and status of a refused entry, in the user's language: 400 for a body
    that is not an entry at all, 422 for per-field reasons."""
    lang = pick_language(args, cookies, accept_language)
    status = 400 if "_body" in exc.errors else 422
    return {"message": t("entry_refused", lang), "errors": translate_errors(exc.errors, lang)}, status


# POST /api/events (record one entry) is answered by field_app/record_route.py, in front of Flask.


@bp.post("/api/undo")
def post_undo():
    """Undo the newest entry: {"target_event_id", "staff"?}, within the laptop's undo window."""
    try:
        event = undo_last(request.get_json(silent=True), _laptop(), t("undo_reason", _lang()))
    except EntryRefused as exc:
        body, status = refusal(exc, request.args, request.cookies, request.headers.get("Accept-Language"))
        return jsonify(body), status
    return jsonify(event_id=event["event_id"], seq=event["seq"]), 201


@bp.get("/api/events")
def list_events():
    limit = max(1, min(request.args.get("limit", 50, type=int), 500))
    return jsonify(events=_laptop().log.recent(limit))


def _status(lang: str) -> dict:
    laptop = _laptop()
    log = laptop.log
    last, acked = log.last_seq(), log.acked_seq()
    contact = log.get_state("contact")
    last_error = log.get_state("last_error")
    return {
        "device_id": laptop.device_id,
        "booth_id": laptop.booth_id,
        "day_id": laptop.plan.day_id,
        "last_seq": last,
        "acked_seq": acked,
        "pending": last - acked,
        "enrolled": laptop.enrolled(),
        "blocked": bool(laptop.pusher.blocked()),  # revoked or in conflict: enrol again to sync
        "sync_url": log.get_state("sync_url"),
        "insecure": laptop.tls.insecure(log.get_state("sync_url")),  # plain http allowed: the page warns
        "online": bool(contact and contact.get("ok")) and not _unreachable(last_error),
        "contact": contact,
        "last_sync": log.get_state("last_sync"),
        "last_error": last_error,
        "last_error_text": plain_sync_error(last_error, lang),
    }


def _unreachable(error) -> bool:
    text = error.get("message", "") if isinstance(error, dict) else str(error or "")
    return "unreachable" in text.lower()


@bp.get("/api/status")
def status():
    return jsonify(_status(_lang()))


@bp.get("/api/board")
def board():
    """Everything the page shows, in one read: status, totals, recent entries. The entries'
    free texts are masked (phone and ID-card numbers): the board faces the public."""
    laptop = _laptop()
    recent = laptop.log.recent(RECENT)
    for event in recent:
        event["voided"] = event["event_id"] in laptop.totals.voided
        event["payload"] = mask_payload(event["payload"])
    return jsonify(
        status=_status(_lang()),
        laptop=laptop.totals.document(),
        central=_masked_central(laptop.log.get_state("central_totals")),
        recent=recent,
    )


def _masked_central(cached: dict | None) -> dict | None:
    """The cached central totals with hot-issue texts masked (a cache from an older centre may
    hold them as written)."""
    feedback = ((cached or {}).get("day") or {}).get("feedback") or {}
    for item in feedback.get("hot_issue_list", []):
        item["text"] = mask_personal(item.get("text"))
    return cached


@bp.post("/api/sync")
def sync_now():
    laptop = _laptop()
    laptop.pusher.sync_now()
    if laptop.puller is not None:
        laptop.puller.pull_now()
    return status()


@bp.get("/")
def booth_page():
    # The page is Chinese unless the switch (or ?lang=) says otherwise, whatever the browser's locale.
    laptop, lang = _laptop(), pick_language(request.args, request.cookies, None)
    plan = laptop.plan
    labels = {name: plan.catalogue_labels(name, lang) for name in ("materials", "topics", "departments",
                                                                     "outcomes", "ratings", "booths")}
    response = current_app.make_response(render_template(
        "booth.html",
        lang=lang,
        other_lang=[x for x in LANGUAGES if x != lang][0],
        t=lambda name, /, **values: t(name, lang, **values),
        text=catalogue(lang),
        labels=labels,
        order={name: list(keys) for name, keys in labels.items()},  # tojson sorts keys; the plan's order is kept here
        booth=plan.label("booths", laptop.booth_id, lang),
        day_title=(plan.raw.get("title") or {}).get(lang, plan.day_id),
        undo_seconds=laptop.undo_seconds,
    ))
    if request.args.get("lang") in LANGUAGES:
        response.set_cookie("lang", lang, max_age=365 * 24 * 3600, samesite="Lax")
    return response

"""Every Redis key OpenDay uses, declared once.

A day's keys share the hash tag `{day_id}` so the whole day lives on one Redis Cluster
slot and one Lua script or MULTI may touch them all. Keys enrolment writes together
(device tokens, enrollment codes, each day's device registry) share the tag `{enrol}`.
Every other global key stands alone and is only ever touched by one-key commands.
"""


def _day(day_id: str, name: str) -> str:
    return f"od:{{{day_id}}}:{name}"


def log(day_id: str) -> str:
    """Stream: the central event log. Entry fields: e (event JSON), d (device id),
    rt (server receive time, ms), off (device clock offset at receipt, ms)."""
    return _day(day_id, "log")


def acked(day_id: str) -> str:
    """Hash: device id -> highest seq appended (the device's acked_seq)."""
    return _day(day_id, "acked")


def seq_ids(day_id: str) -> str:
    """Hash: 'device:seq' -> 'event-id digest' (older entries: the id alone); tells an exact
    re-send from a conflict. Written before seq_records existed (and for an id that is not a
    canonical UUID); still read for the seqs it holds."""
    return _day(day_id, "seqids")


def seq_records(day_id: str, device_id: str, part: int) -> str:
    """String of 8,160 bytes: seqs 170 * part + 1 .. 170 * (part + 1) of one device as
    fixed-width records, 48 bytes each in seq order: the event id's 32 hex digits (no
    dashes), then the 16-hex digest of its canonical JSON (central_log.content_digest).
    Zero bytes where a seq is not held here (not yet appended, or in seq_ids)."""
    return _day(day_id, f"seqs:{device_id}:{part}")


def event_index(day_id: str) -> str:
    """Hash: event id -> stream id of the entry in the log."""
    return _day(day_id, "eidx")


def totals(day_id: str, generation: str = "live") -> str:
    """Hash: flat figure name (e.g. 'booth:bayi|inquiries.by_topic.dibao') -> count."""
    return _day(day_id, f"{generation}:totals")


def voided(day_id: str, generation: str = "live") -> str:
    """Hash: voided event id -> id of the void that took effect."""
    return _day(day_id, f"{generation}:voided")


def checkpoint(day_id: str, generation: str = "live") -> str:
    """String: stream id of the last log entry folded into the projection."""
    return _day(day_id, f"{generation}:checkpoint")


def hot_issues(day_id: str, generation: str = "live") -> str:
    """Hash: event id of a counted hot-issue feedback card -> JSON {text, booth_id, topic,
    recorded_at, hour}; an entry leaves when its card is voided or rejected."""
    return _day(day_id, f"{generation}:hot")


def quarantine(day_id: str, generation: str = "live") -> str:
    """Hash: 'field|key' of an unresolved unknown catalogue key -> events (not voided) holding it."""
    return _day(day_id, f"{generation}:quarantine")


def quarantine_index(day_id: str, generation: str = "live") -> str:
    """Hash: 'field|key' -> comma-separated stream ids of the log entries quarantined by that key
    (what a resolution re-folds)."""
    return _day(day_id, f"{generation}:qindex")


def resolutions(day_id: str, generation: str = "live") -> str:
    """Hash: 'field|key' -> JSON {action, to, event_id, by, at} of a folded quarantine resolution."""
    return _day(day_id, f"{generation}:resolutions")


def rejected(day_id: str, generation: str = "live") -> str:
    """Hash: stream id of a log entry the fold rejected -> JSON {sid, reason, device_id, seq,
    event_id, type, booth_id, recorded_at, received_ms} (shared/rejects.py)."""
    return _day(day_id, f"{generation}:rejected")


def projection(day_id: str, generation: str = "live") -> list[str]:
    """All keys of one generation of the projection (rebuilt and swapped together)."""
    return [totals(day_id, generation), voided(day_id, generation), checkpoint(day_id, generation),
            hot_issues(day_id, generation), quarantine(day_id, generation),
            quarantine_index(day_id, generation), resolutions(day_id, generation), rejected(day_id, generation)]


def plan_versions(day_id: str) -> str:
    """List: the day's plan versions, oldest first; element i is version i+1 as JSON {version,
    plan, by, at, changes}. Appended only (sync_service/plan_store.py); AOF keeps it."""
    return _day(day_id, "plan:versions")


def projection_epoch(day_id: str) -> str:
    """Integer: bumped when a rebuilt generation is swapped in as 'live', so a fold that
    started before the swap cannot commit on top of it."""
    return _day(day_id, "epoch")



def fold_requested(day_id: str) -> str:
    """String flag: a fold job for the day is queued; pushes do not queue another."""
    return _day(day_id, "fold-requested")


def updates_channel(day_id: str) -> str:
    """Pub/sub channel: after each folded chunk, JSON {"position", "changed": {figure: new value}}
    (published by the commit script itself, so it is sent exactly when the chunk commits);
    after a rebuild swap, {"position", "reset": true}."""
    return _day(day_id, "updates")


ENROL_TAG = "{enrol}"  # hash tag of the keys enrolment changes together (one Cluster slot)
DEVICE_TOKENS = f"od:{ENROL_TAG}:device-tokens"  # Hash: sha256(token) -> JSON {device_id, booth_id, day_id}
DAYS = "od:days"  # Set: day ids that have a log
COORDINATORS = "od:coordinators"  # Hash: username -> JSON {password_hash, days, role ('organiser' or absent)}
PLAN_DAYS = "od:plan-days"  # Set: day ids with a plan in Redis (plan_versions); see docs/plans.md
SECRET_KEY = "od:secret-key"  # String: session signing key, for `openday dev` only (secrets_config.py)


def signin_failures(username: str, address: str) -> str:
    """Hash with a TTL: failed coordinator sign-ins for one username from one client
    address (both hashed into the key, so odd characters cannot shape it): n (failures
    in the window), until (epoch seconds before which tries are refused). See
    sync_service/signin_throttle.py."""
    import hashlib

    digest = hashlib.sha256(f"{username}\n{address}".encode()).hexdigest()[:32]
    return f"od:signin-failures:{digest}"


def _hashed(text: str) -> str:
    import hashlib

    return hashlib.sha256(text.encode()).hexdigest()[:32]


def signin_user_failures(username: str) -> str:
    """Hash with a TTL: failed sign-ins (form or HTTP Basic) for one username from any
    address: n, until. See sync_service/signin_throttle.py."""
    return f"od:signin-user-failures:{_hashed(username)}"


def signin_address_failures(address: str) -> str:
    """Hash with a TTL: failed sign-ins (form or HTTP Basic) from one client address for any
    username, known or not: n, until. See sync_service/signin_throttle.py."""
    return f"od:signin-address-failures:{_hashed(address)}"


def basic_verified(digest: str) -> str:
    """String with a 60 s TTL: username whose HTTP Basic credentials were verified; the key
    holds an HMAC of the credentials and the stored hash, never the password
    (login_guard.py). Spares a scrypt on every push and page a script or browser repeats."""
    return f"od:basic-verified:{digest}"


def unmasked_exports(day_id: str) -> str:
    """List: JSON {by, at, export} of each export made with personal data unmasked
    (an organiser's, recorded because it is personal data leaving the system). Appended only."""
    return _day(day_id, "unmasked-exports")


def coordinator_session(session_digest: str) -> str:
    """String with a TTL: username of a signed-in dashboard session, keyed by sha256 of the
    session id the cookie carries (never the id itself). Sign-out deletes it, so a copied
    session cookie stops working (dashboard/sessions.py)."""
    return f"od:coordinator-session:{session_digest}"


def closed(day_id: str) -> str:
    """Hash: the day's closing — position (log stream id at close), closed_at (RFC 3339),
    closed_by (coordinator). Absent while the day is open. Set once (HSETNX on position)."""
    return _day(day_id, "closed")


def archived(day_id: str) -> str:
    """String: JSON {archived_at, entries, folder} while the day lives in archive files
    (OPENDAY_ARCHIVE_DIR/<day>/) instead of Redis; pushes to it are refused. See archive.py."""
    return _day(day_id, "archived")


def summary_versions(day_id: str) -> str:
    """List: summary versions, oldest first; element i is version i+1 as JSON
    {version, position, sha256, created_at, changes, content}. Appended only."""
    return _day(day_id, "summary:versions")


def summary_template(day_id: str) -> str:
    """String: the coordinator's edited summary template (JSON); absent = the plan's default."""
    return _day(day_id, "summary:template")


def summary_requested(day_id: str) -> str:
    """String flag: a summary job for the day is queued; late folds do not queue another."""
    return _day(day_id, "summary:requested")


# Devices and enrollment (issue 5).


def devices(day_id: str) -> str:
    """Hash: device id -> JSON {device_id, booth_id, day_id, label, enrolled_at, revoked_at, tokens
    (sha256 of each token issued to it)}: the day's enrolled laptops. In the enrolment slot
    ({enrol}), not the day's: issuing a token writes it, the token index and a code's use
    in one transaction, which a Redis Cluster allows only within one slot."""
    return f"od:{ENROL_TAG}:devices:{day_id}"


def device_health(day_id: str) -> str:
    """Hash: device id -> JSON {last_seen, pending (as the laptop last reported it), far_off_events}:
    written after each push."""
    return _day(day_id, "health")


def device_clock(day_id: str) -> str:
    """Hash: device id -> JSON {offset_ms (device minus server), rtt_ms, at}: the device's
    lowest-RTT NTP-style clock sample (replaced when a better or much newer one comes)."""
    return _day(day_id, "clock")


# Hash: scrypt hash of a code (8 chars, no dash; enrollment.code_field) -> JSON {id (random, listed), day_id,
# booth_id, expires_at, uses_left, created_by, created_at}; deleted when revoked. The code itself is never kept.
ENROLLMENT_CODES = f"od:{ENROL_TAG}:enrollment-codes"


def push_rate(token_digest: str, second: int) -> str:
    """Counter: pushes made with one token within one wall-clock second (expires after 2 s)."""
    return f"od:rate:{token_digest}:{second}"


def enroll_tries(address: str, minute: int) -> str:
    """Counter: enrollment attempts from one client address (hashed into the key) within
    one wall-clock minute (expires after 2 minutes); bounds guessing of codes."""
    import hashlib

    return f"od:enroll-tries:{hashlib.sha256(address.encode()).hexdigest()[:32]}:{minute}"


def fold_failure(day_id: str) -> str:
    """String: JSON {since_ms, last_ms, failures, reason} while the day's fold job keeps
    failing (central/fold_health.py); deleted by the next fold that succeeds."""
    return _day(day_id, "fold-failure")


FOLD_FAILURES_TOTAL = "od:fold-failures-total"  # Integer: fold jobs that failed, every day, ever

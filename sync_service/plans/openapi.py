"""The OpenAPI description of days, plans and accounts (sync_service/plans/api.py and
accounts/api.py), added to the document by openapi.build_spec."""

COORDINATOR_AUTH = [{"coordinator": []}]
DAY_READER = [{"device": []}, {"coordinator": []}]
PLAN = {"type": "object", "description": "A day plan document (docs/plans.md); also accepted as an .xlsx workbook."}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
REASONS = {304: "The plan is the version named by If-None-Match.",
           400: "The body is not a JSON object (or a readable workbook), or a bad gzip body.",
           401: "No or unknown credentials.", 403: "Not an organiser, or not granted this day.",
           404: "No such day, version or account.", 409: "The day exists, or the change is refused (reason named).",
           412: "If-Match names a version that is no longer current (current_version given).",
           413: "The body is too large.", 415: "Unreadable body.",
           422: "Fields that break a rule, each named, zh / en; nothing changed.",
           428: "If-Match is required."}


def _answers(ok: int, schema, *errors: int) -> dict:
    answers = {str(ok): {"description": "OK", **({"content": {"application/json": {"schema": schema}}}
                                                 if schema else {})}}
    for status in errors:
        error = {"$ref": "#/components/schemas/Error"}
        body = {} if status == 304 else {"content": {"application/json": {"schema": error}}}
        answers[str(status)] = {"description": REASONS[status], **body}
    return answers


def _op(summary: str, answers: dict, security, parameters=(), body=None) -> dict:
    operation = {"summary": summary, "responses": answers, "security": security, "parameters": list(parameters)}
    if body:
        operation["requestBody"] = {"required": True, "content": {"application/json": {"schema": body},
                                                                  XLSX: {"schema": {"type": "string",
                                                                                    "format": "binary"}}}}
    return operation


def _header(name: str, required: bool) -> dict:
    return {"name": name, "in": "header", "required": required, "schema": {"type": "string"}}


def describe_plans(spec, day: dict) -> None:
    user = {"name": "username", "in": "path", "required": True, "schema": {"type": "string"}}
    listed = {"type": "array", "items": {"type": "object"}}
    versions = {"type": "object", "properties": {"day_id": {"type": "string"}, "versions": listed}}
    spec.path("/api/v1/days", operations={"post": _op(
        "Create a day from a plan document (organiser)",
        _answers(201, {"type": "object"}, 400, 401, 403, 409, 413, 415, 422),
        COORDINATOR_AUTH, body=PLAN)})
    spec.path("/api/v1/days/{day_id}/plan", operations={
        "get": _op("The current plan with its version (ETag; 304 with If-None-Match)",
                   _answers(200, PLAN, 304, 401, 403, 404), DAY_READER, [day, _header("If-None-Match", False)]),
        "put": _op("Replace the plan with a new version (If-Match: the version edited)",
                   _answers(200, {"type": "object"}, 400, 401, 403, 404, 412, 413, 415, 422, 428), COORDINATOR_AUTH,
                   [day, _header("If-Match", True)], PLAN)})
    spec.path("/api/v1/days/{day_id}/plan/versions", operations={"get": _op(
        "Every version: who, when, what changed", _answers(200, versions, 401, 403, 404), COORDINATOR_AUTH, [day])})
    spec.path("/api/v1/days/{day_id}/plan/versions/{version}", operations={"get": _op(
        "One version with its plan", _answers(200, {"type": "object"}, 401, 403, 404), COORDINATOR_AUTH,
        [day, {"name": "version", "in": "path", "required": True, "schema": {"type": "integer", "minimum": 1}}])})
    spec.path("/api/v1/accounts", operations={"get": _op(
        "Accounts with role and days (organiser)", _answers(200, {"type": "object"}, 401, 403), COORDINATOR_AUTH)})
    spec.path("/api/v1/accounts/{username}/role", operations={"put": _op(
        "Make an account organiser or coordinator; never yourself down, never the last organiser",
        _answers(200, {"type": "object"}, 400, 401, 403, 404, 409, 413, 415, 422), COORDINATOR_AUTH, [user],
        {"type": "object", "properties": {"role": {"type": "string", "enum": ["organiser", "coordinator"]}}})})
    spec.path("/api/v1/days/{day_id}/coordinators/{username}", operations={
        "put": _op("Grant a coordinator the day (organiser)", _answers(200, {"type": "object"}, 401, 403, 404),
                   COORDINATOR_AUTH, [day, user]),
        "delete": _op("Revoke a coordinator's grant of the day (organiser)", _answers(204, None, 401, 403, 404),
                      COORDINATOR_AUTH, [day, user])})

"""A plan sent as a request body: JSON, or an Excel workbook (its content type, or an
upload field named `workbook`). Workbook errors name the sheet, row and column."""

from flask import request

from central.plan_workbook import workbook_to_plan
from shared.plan_rules import PlanInvalid
from sync_service.errors import ApiError
from sync_service.request_body import read_json_object

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def workbook_or_json(limit: int) -> dict:
    if request.mimetype == XLSX:
        return _from_workbook(request.get_data(cache=False), limit)
    if request.mimetype == "multipart/form-data" and "workbook" in request.files:
        return _from_workbook(request.files["workbook"].read(limit + 1), limit)
    return read_json_object(limit)


def _from_workbook(data: bytes, limit: int) -> dict:
    if len(data) > limit:
        raise ApiError(413, "too_large", f"工作簿超过 {limit} 字节 / The workbook is over {limit} bytes.")
    try:
        return workbook_to_plan(data)
    except PlanInvalid as exc:
        raise ApiError(422, "invalid", "工作簿有误,未作任何改动 / The workbook has mistakes; nothing changed.",
                       errors=exc.errors) from exc

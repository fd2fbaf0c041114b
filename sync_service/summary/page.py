"""The summary page for coordinators: Chinese first, English by ?lang=en. It shows the
paragraph, the figures exact beside rounded (each linked to the events behind it), what
changed since the previous version, hot issues, charts, exports, the template editor and
the close button. Parse, call, render."""

from flask import Blueprint, Response, render_template, request

from central.summary.charts import CHARTS
from central.summary.documents import figure_label, figure_rows, peak_line, satisfaction_line
from central.summary.store import closed_record, events_behind_figure, get_version, list_versions
from shared.people_time import people_time_filter
from sync_service.context import ctx
from sync_service.errors import ApiError
from sync_service.summary.access import coordinated_plan, masked_record, version_arg

bp = Blueprint("summary_page", __name__, template_folder="templates", static_folder="static",
               static_url_path="/summary-static")

STRINGS = {
    "zh": {"summary": "活动总结", "other": "English", "closed": "已关闭", "open": "进行中", "close": "关闭活动日",
           "closing": "正在关闭并生成总结……",
           "confirm": "确定关闭活动日并生成总结吗？闭幕后到达的记录仍会计入，并生成新版本。",
           "no_summary": "尚无总结：关闭活动日后生成。", "preparing": "活动日已关闭，总结正在生成……",
           "version": "版本", "position": "日志位置", "created": "生成时间", "changes": "与上一版本相比的变化",
           "no_changes": "数字无变化。", "text_changed": "总结文字已更新。", "template_changed": "模板已修改。",
           "figure": "项目", "exact": "精确数", "rounded": "总结用语", "before": "之前", "after": "之后",
           "figures": "数据", "hot": "群众关心热点问题", "charts": "图表", "exports": "导出", "template": "总结模板",
           "save": "保存模板", "saved": "已保存；将生成新版本。", "satisfaction": "满意度", "peak": "高峰时段",
           "voided": "作废记录", "late": "闭幕后到达的记录", "laptops": "记录终端", "staff": "工作人员编号",
           "events": "依据记录", "back": "返回总结", "amount": "数量", "voided_by": "被作废", "by_booth": "各点位",
           "closed_by": "关闭人", "no_topic": "未分类", "paragraph": "总结段落", "first": "首个版本。",
           "events_csv": "全部记录 CSV", "totals_csv": "汇总 CSV", "day_page": "现场数据页",
           "entry_id": "记录编号", "type": "类型", "laptop": "电脑", "booth": "展位", "staff_code": "工号",
           "recorded_at": "记录时间", "checksum": "校验码", "timezone": "时间均为活动所在地时间"},
    "en": {"summary": "Summary", "other": "中文", "closed": "Closed", "open": "Open", "close": "Close the day",
           "closing": "Closing and preparing the summary…",
           "confirm": "Close the day and make its summary? Late entries still count and make a new version.",
           "no_summary": "No summary yet: close the day to make it.",
           "preparing": "The day is closed; the summary is being prepared…", "version": "Version",
           "position": "Log position", "created": "Made at", "changes": "What changed since the previous version",
           "no_changes": "No figure changed.", "text_changed": "The paragraph changed.",
           "template_changed": "The template was edited.", "figure": "Figure", "exact": "Exact",
           "rounded": "As written", "before": "Before", "after": "After", "figures": "Figures",
           "hot": "Hot issues raised by citizens", "charts": "Charts", "exports": "Exports", "template": "Template",
           "save": "Save template", "saved": "Saved; a new version will follow.", "satisfaction": "Satisfaction",
           "peak": "Peak hour", "voided": "Voided entries", "late": "Entries after close", "laptops": "Laptops",
           "staff": "Staff codes", "events": "Events behind", "back": "Back to the summary", "amount": "Amount",
           "voided_by": "Voided by", "by_booth": "By booth", "closed_by": "Closed by", "no_topic": "No topic",
           "paragraph": "Paragraph", "first": "The first version.", "events_csv": "All events CSV",
           "totals_csv": "Totals CSV", "day_page": "Day page", "entry_id": "Entry id", "type": "Type",
           "laptop": "Laptop", "booth": "Booth", "staff_code": "Staff code", "recorded_at": "Recorded at",
           "checksum": "checksum", "timezone": "Times are the Open Day's local time"},
}


TYPE_LABELS = {
    "visitor.received": ("接待群众", "Visitors received"), "inquiry.answered": ("解答咨询", "Inquiry answered"),
    "material.distributed": ("发放资料", "Material handed out"), "material.restocked": ("资料补货", "Stock delivered"),
    "feedback.collected": ("意见卡", "Feedback card"), "event.voided": ("作废", "Void"),
    "quarantine.resolved": ("未知项处理意见", "Quarantine decision"),
}


def _page_words(plan, lang: str) -> dict:
    """What every summary page renders with: its words, times in the plan's zone, type names."""
    return {"t": STRINGS[lang], "lang": lang, "when": people_time_filter(plan.timezone, lang),
            "type_label": lambda name: TYPE_LABELS.get(name, (name, name))[0 if lang == "zh" else 1]}


def _lang() -> str:
    return "en" if request.args.get("lang") == "en" else "zh"


def _booth_value(doc: dict, name: str) -> int:
    """A whole-day figure name looked up in one booth's totals document."""
    node = doc
    for part in name.split("."):
        node = node.get(part, 0) if isinstance(node, dict) else 0
    return node if isinstance(node, int) else 0


BOOTH_FIGURES = ("visitors", "inquiries.total", "feedback.total", "feedback.hot_issues", "voided")


def _csrf_token() -> str:
    """The dashboard's CSRF token when Flask-WTF is installed (session sign-in), else ''."""
    try:
        from flask_wtf.csrf import generate_csrf
    except ImportError:
        return ""
    return generate_csrf()


class _CredentialsNeeded(Exception):
    pass


@bp.errorhandler(_CredentialsNeeded)
def _ask_for_credentials(_exc):
    """A browser without a session is asked for coordinator credentials (HTTP Basic)."""
    return Response("需要协调员登录 / Coordinator sign-in required.", 401, mimetype="text/plain",
                    headers={"WWW-Authenticate": 'Basic realm="OpenDay", charset="UTF-8"'})


def _page_plan(day_id: str):
    try:
        return coordinated_plan(day_id)[1]
    except ApiError as exc:
        if exc.status == 401:
            raise _CredentialsNeeded() from exc
        raise


@bp.get("/days/<day_id>/summary")
def summary_page(day_id: str):
    plan = _page_plan(day_id)
    lang, version = _lang(), version_arg()
    redis = ctx()["redis"]
    record = masked_record(get_version(redis, day_id, version))
    if record is None and version is not None:
        raise ApiError(404, "unknown_version", f"Day {day_id} has no summary version {version}.")
    rows, labels = [], {}
    if record:
        names = [p["figure"] for p in record["content"]["phrases"]]
        names += [n for n in ("feedback.total", "laptops", "staff", "voided", "late") if n not in names]
        names += sorted(n for n in record["content"]["values"]
                        if n.startswith("inquiries.by_department.") and n not in names)
        rows = list(zip(names, figure_rows(record["content"], plan, lang), strict=True))
        changes = record["changes"]["figures"]
        labels = {c["figure"]: figure_label(plan, c["figure"], lang)[0] for c in changes}
    return render_template(
        "summary/page.html", **_page_words(plan, lang), day_id=day_id, plan=plan, record=record, rows=rows,
        satisfaction_line=satisfaction_line, peak_line=peak_line,
        labels=labels, closed=closed_record(redis, day_id), charts=CHARTS, csrf_token=_csrf_token(),
        booth_value=_booth_value,
        booth_figures={n for n, _ in rows if n.startswith("materials.") or n in BOOTH_FIGURES},
        versions=[{k: v[k] for k in ("version", "position", "created_at")} for v in list_versions(redis, day_id)],
        title=plan.raw.get("title", {}).get(lang, day_id))


@bp.get("/days/<day_id>/summary/figure")
def figure_page(day_id: str):
    """The events behind one figure of a version (the drill-down, as a page)."""
    plan = _page_plan(day_id)
    lang, version = _lang(), version_arg()
    figure = request.args.get("figure", "")
    record = get_version(ctx()["redis"], day_id, version)
    if record is None or not figure:
        raise ApiError(404, "no_summary", "No such summary version or figure.")
    content = record["content"]
    rows = events_behind_figure(ctx()["redis"], day_id, plan, figure, content)
    total = sum(r["amount"] for r in rows if r["voided_by"] is None)
    return render_template("summary/figure.html", **_page_words(plan, lang), day_id=day_id, plan=plan,
                           record=record, figure=figure, label=figure_label(plan, figure, lang)[0],
                           rows=rows, total=total)

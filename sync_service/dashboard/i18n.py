"""The dashboard's words in zh-CN (first) and English. Catalogue labels come from the plan."""

from flask import request, session

LANGS = ("zh", "en")

STRINGS = {
    "zh": {
        "app": "政务公开日 · 协调员", "signin": "登录", "signout": "退出", "username": "用户名",
        "password": "密码", "signin_failed": "用户名或密码不正确。",
        "signin_locked": "登录失败次数过多，请 {seconds} 秒后再试。",
        "csrf_failed": "页面已过期或请求来源不明，请刷新后重试。", "your_days": "您可查看的活动日",
        "no_days": "您的账号尚未被授权任何活动日。",
        "day_forbidden": "您的账号无权查看活动日 {day}。", "day_unknown": "没有活动日 {day}。",
        "switch_lang": "English", "switch_lang_code": "en",
        "live": "实时更新中", "connecting": "正在连接…", "live_unavailable": "实时更新暂不可用（页面不会自动刷新）",
        "reconnecting": "连接中断，正在重连…", "position": "日志位置",
        "headline": "总体数据", "visitors": "接待群众", "inquiries": "解答咨询", "handed_out": "发放",
        "feedback": "意见卡", "satisfaction": "满意率", "hot_issues": "热点问题", "quarantined": "待处理未知项",
        "unit_people": "人", "unit_items": "件", "unit_cards": "张", "unit_issues": "个",
        "by_booth": "各展位", "booth": "展位", "by_department": "各科室咨询", "by_topic": "各类咨询话题",
        "by_hour": "每小时咨询与接待", "hour": "时段",
        "materials": "宣传资料", "material": "资料", "distributed": "已发放", "restocked": "已配送",
        "remaining": "剩余", "low_stock": "库存不足", "low_stock_alert": "以下展位资料库存不足：",
        "threshold": "预警线", "no_stock_info": "未登记配送",
        "devices": "现场电脑", "device": "设备", "label": "名称", "last_seen": "最近同步",
        "pending": "待上传", "clock_offset": "时钟偏差", "status": "状态", "revoked": "已停用",
        "stale": "长时间未同步", "skewed": "时钟偏差大", "ok": "正常", "never": "从未",
        "no_devices": "暂无设备。",
        "quarantine": "待处理的未知项", "field": "类别", "key": "未知值", "count": "条数",
        "map_to": "归入", "map": "归入", "reject": "不计入", "no_quarantine": "没有待处理的未知项。",
        "stalled": "统计自 {since} 起停滞（已失败 {failures} 次）：{reason}", "rejected_entries": "无法计入的记录",
        "no_rejected": "没有无法计入的记录。", "received": "收到时间", "seq": "序号", "reason": "原因",
        "rejected_more": "共 {count} 条，仅列出前 {shown} 条。",
        "enrollment": "设备登记码", "create_code": "生成登记码", "uses": "可用次数", "ttl_minutes": "有效期（分钟）",
        "code": "登记码", "expires_at": "过期时间", "uses_left": "剩余次数", "revoke": "作废",
        "no_codes": "暂无有效登记码。",
        "code_shown_once": "登记码只在生成时显示这一次（中心只保存其散列），请现在抄下或交给展位。",
        "not_available": "此功能暂不可用（服务端接口尚未提供）。", "load_failed": "数据加载失败",
        "action_failed": "操作失败", "ago_s": "{n} 秒前", "ago_m": "{n} 分钟前", "ago_h": "{n} 小时前",
        "ms": "毫秒", "unit_s": "秒", "unit_min": "分钟", "unit_h": "小时",
        "total": "合计", "back": "返回", "revoke_device_confirm": "确定停用这台电脑？",
        "revoke_device": "停用", "far_off": "{n} 条记录时间异常",
        "code_inactive": "已失效", "resolved_note": "已提交，统计稍后更新。", "field_topic": "咨询话题",
        "field_department": "科室", "field_material": "资料", "refresh": "刷新列表",
        "no_hot": "暂无热点问题。", "hot_more": "另有 {n} 条较早的热点问题。",
        "summary_link": "活动总结", "close_day": "关闭活动日", "day_closed": "已于 {time} 关闭",
        "close_confirm": "确定关闭活动日并生成总结吗？闭幕后到达的记录仍会计入，并生成新版本。",
        "code_expired": "已过期", "code_used_up": "已用完", "choose": "请选择…", "choose_first": "请先选择要归入的项。",
        "delivery_missing": "未登记补货", "scroll_hint": "← 左右滑动查看更多 →",
        "col_remaining_note": "发放数大于已登记的配送数",
    },
    "en": {
        "app": "Open Day · Coordinator", "signin": "Sign in", "signout": "Sign out", "username": "Username",
        "password": "Password", "signin_failed": "Wrong username or password.",
        "signin_locked": "Too many failed sign-ins. Try again in {seconds} s.",
        "csrf_failed": "This page has expired or the request came from elsewhere. Reload and try again.",
        "your_days": "Your Open Days", "no_days": "Your account has not been granted any day.",
        "day_forbidden": "Your account is not granted the day {day}.", "day_unknown": "There is no day {day}.",
        "switch_lang": "中文", "switch_lang_code": "zh",
        "live": "Live", "connecting": "Connecting…",
        "live_unavailable": "Live updates not available yet (no auto-refresh)",
        "reconnecting": "Connection lost, reconnecting…", "position": "log position",
        "headline": "At a glance", "visitors": "Visitors received", "inquiries": "Inquiries answered",
        "handed_out": "Handed out", "feedback": "Feedback cards", "satisfaction": "Satisfied",
        "hot_issues": "Hot issues", "quarantined": "Unknown keys waiting", "unit_people": "",
        "unit_items": "", "unit_cards": "", "unit_issues": "",
        "by_booth": "By booth", "booth": "Booth", "by_department": "Inquiries by department",
        "by_topic": "Inquiries by topic", "by_hour": "Inquiries and visitors by hour", "hour": "Hour",
        "materials": "Materials", "material": "Material", "distributed": "Handed out", "restocked": "Delivered",
        "remaining": "Remaining", "low_stock": "Low stock", "low_stock_alert": "Low stock at:",
        "threshold": "threshold", "no_stock_info": "no delivery recorded",
        "devices": "Laptops", "device": "Device", "label": "Label", "last_seen": "Last seen",
        "pending": "Pending", "clock_offset": "Clock offset", "status": "Status", "revoked": "Revoked",
        "stale": "Not synced lately", "skewed": "Clock skewed", "ok": "OK", "never": "never",
        "no_devices": "No laptops yet.",
        "quarantine": "Quarantine: unknown keys", "field": "Field", "key": "Unknown key", "count": "Events",
        "map_to": "Map to", "map": "Map", "reject": "Reject", "no_quarantine": "Nothing waiting.",
        "stalled": "Totals stalled since {since} ({failures} failures): {reason}",
        "rejected_entries": "Entries that cannot be counted", "no_rejected": "No rejected entries.",
        "received": "Received", "seq": "Seq", "reason": "Reason",
        "rejected_more": "{count} in all; the first {shown} are listed.",
        "enrollment": "Enrollment codes", "create_code": "Create code", "uses": "Uses",
        "ttl_minutes": "Valid for (minutes)", "code": "Code", "expires_at": "Expires", "uses_left": "Uses left",
        "revoke": "Revoke", "no_codes": "No active codes.",
        "code_shown_once": "A code is shown only now, as it is made (the centre keeps only its hash): "
                           "write it down or hand it to the booth.",
        "not_available": "Not available yet (the server does not offer this API).",
        "load_failed": "Could not load", "action_failed": "Action failed", "ago_s": "{n} s ago",
        "ago_m": "{n} min ago", "ago_h": "{n} h ago", "ms": "ms",
        "unit_s": "s", "unit_min": "min", "unit_h": "h", "total": "Total", "back": "Back",
        "revoke_device_confirm": "Revoke this laptop?",
        "revoke_device": "Revoke", "far_off": "{n} entries stamped far from now", "code_inactive": "used up or expired",
        "resolved_note": "Sent; the totals follow shortly.", "field_topic": "Topic", "field_department": "Department",
        "field_material": "Material", "refresh": "Refresh list", "no_hot": "No hot issues yet.",
        "hot_more": "{n} earlier hot issues not shown.",
        "summary_link": "Summary", "close_day": "Close the day", "day_closed": "Closed at {time}",
        "close_confirm": "Close the day and make its summary? Late entries still count and make a new version.",
        "code_expired": "expired", "code_used_up": "used up", "choose": "Choose…",
        "choose_first": "Choose what to map it to first.", "delivery_missing": "delivery not recorded",
        "scroll_hint": "← swipe sideways for more →", "col_remaining_note": "more handed out than delivered",
    },
}


def pick_lang(requested: str | None, remembered: str | None) -> str:
    """The page language: asked for in ?lang=, else the one remembered, else Chinese."""
    for lang in (requested, remembered):
        if lang in LANGS:
            return lang
    return "zh"


def current_lang() -> str:
    """The language of this request's page, remembered in the session for the next one."""
    lang = pick_lang(request.args.get("lang"), session.get("lang"))
    session["lang"] = lang
    return lang

"""The booth page's words in zh-CN (default) and English: one catalogue in code.

A plain dict instead of gettext/Flask-Babel: the page has a hundred short strings, two
languages, no plural forms, and nothing to compile, so a laptop runs it from a clean
checkout. Catalogue labels (topics, departments, materials, outcomes, ratings) come
from the day plan in both languages, not from here. Marshmallow's English messages
are translated by pattern (`translate_errors`), so an API client gets per-field
reasons in the user's language.
"""

import re

LANGUAGES = ("zh", "en")
DEFAULT = "zh"

TEXT = {
    "title": ("政务公开日现场记录", "Open Day booth log"),
    "switch_language": ("English", "中文"),
    "materials": ("发放材料", "Materials handed out"),
    "quantity": ("数量", "Quantity"),
    "quantity_hint": ("一次点击记 1；成批发放先填数量", "One tap = 1; set a number first for a batch"),
    "visitors": ("接待群众", "Visitors received"),
    "visitor_one": ("接待", "Received"),
    "party_size": ("人数", "Party size"),
    "people": ("人", "visitor(s)"),
    "inquiries": ("政策咨询", "Inquiries answered"),
    "topic": ("咨询事项", "Topic"),
    "department": ("科室", "Department"),
    "outcome": ("结果", "Outcome"),
    "note": ("备注（可选）", "Note (optional)"),
    "pick_topic_first": ("请先选咨询事项", "Pick a topic first"),
    "feedback": ("意见卡", "Feedback card"),
    "rating": ("评价", "Rating"),
    "feedback_topic": ("相关事项（可选）", "Topic (optional)"),
    "none": ("—", "—"),
    "comment": ("意见内容（可选）", "Comment (optional)"),
    "hot_issue": ("群众关心热点问题", "Hot issue citizens raised"),
    "recent": ("最近记录", "Recent entries"),
    "void": ("作废", "Void"),
    "void_reason": ("作废原因（必填）", "Reason (required)"),
    "void_confirm": ("确认作废", "Confirm void"),
    "cancel": ("取消", "Cancel"),
    "voided": ("已作废", "voided"),
    "undo_last": ("撤销上一条", "Undo last"),
    "undo_reason": ("撤销（录入后立即撤回）", "Undo (taken back right after entry)"),
    "saved": ("已保存", "Saved"),
    "restocked": ("补货", "Restocked"),
    "restock": ("补货入库", "Record restock"),
    "restock_material": ("补货材料（送到展位的库存）", "Stock delivered to the booth"),
    "remaining": ("剩余", "Left"),
    "totals": ("合计", "Totals"),
    "laptop_totals": ("本机合计", "This laptop"),
    "booth_totals": ("本展位合计（中心）", "This booth (central)"),
    "day_totals": ("全天合计（中心）", "Whole day (central)"),
    "central_as_of": ("中心数据时间", "Central figures as of"),
    "central_unknown": ("尚未取得中心数据", "No central figures yet"),
    "delivery_missing": ("未登记补货", "delivery not recorded"),
    "not_synced": ("尚未同步", "not yet synced"),
    "day_closed": ("本场开放日已于 {time} 结束。新记录仍会保存并同步，计为补录。",
                   "This Open Day was closed at {time}. Entries are still saved and synced, as late entries."),
    "whole_number": ("请输入整数（如 20）", "Whole numbers only (e.g. 20)"),
    "jump_record": ("记录", "Record"),
    "jump_totals": ("合计", "Totals"),
    "jump_recent": ("最近记录", "Recent"),
    "inquiries_total": ("咨询", "Inquiries"),
    "feedback_total": ("意见卡", "Feedback cards"),
    "hot_issues": ("热点问题", "Hot issues"),
    "voided_total": ("作废", "Voided"),
    "sync": ("同步", "Sync"),
    "online": ("在线", "Online"),
    "offline": ("离线", "Offline"),
    "connecting": ("连接中", "Connecting"),
    "staff_code": ("工号（可选）", "Staff code (optional)"),
    "staff_code_short": ("工号", "Staff code"),
    "not_enrolled": ("未登记", "Not enrolled"),
    "pending": ("待同步", "Pending"),
    "last_sync": ("上次同步", "Last sync"),
    "never": ("从未", "never"),
    "last_error": ("问题", "Problem"),
    "sync_now": ("立即同步", "Sync now"),
    "ago_s": ("{n} 秒前", "{n} s ago"),
    "ago_m": ("{n} 分钟前", "{n} min ago"),
    "ago_h": ("{n} 小时前", "{n} h ago"),
    "enroll_title": ("登记本机", "Enrol this laptop"),
    "enroll_hint": (
        "向协调员索取同步服务地址和登记码。未登记也可以记录，登记后自动上传。",
        "Ask the coordinator for the sync service address and an enrolment code. "
        "You can record before enrolling; entries are sent afterwards.",
    ),
    "sync_url": ("同步服务地址", "Sync service address"),
    "enrollment_code": ("登记码", "Enrolment code"),
    "label": ("本机名称（可选）", "Laptop name (optional)"),
    "enroll": ("登记", "Enrol"),
    "booth": ("本机所在展位", "This laptop's booth"),
    "field.booth_id": ("展位", "Booth"),
    "enrolled_as": ("已登记", "Enrolled"),
    "shortcuts": ("键盘：按按钮上的字母或数字即可记录；输入框中按 Esc 返回。",
                  "Keyboard: press the key shown on a button; Esc leaves a text box."),
    "device": ("本机", "Laptop"),
    "entry_refused": ("未保存：请检查", "Not saved: please check"),
    "untrusted_host": ("拒绝访问：地址不是本机", "Refused: not addressed to this laptop"),
    "err.untrusted_host": ("本机只接受 127.0.0.1 或 localhost 的访问。",
                           "This laptop's app answers only 127.0.0.1 or localhost."),
    # Field names, used to say which field an error is about.
    "field.quantity": ("数量", "Quantity"),
    "field.party_size": ("人数", "Party size"),
    "field.material": ("材料", "Material"),
    "field.topic": ("咨询事项", "Topic"),
    "field.department": ("科室", "Department"),
    "field.outcome": ("结果", "Outcome"),
    "field.note": ("备注", "Note"),
    "field.rating": ("评价", "Rating"),
    "field.comment": ("意见内容", "Comment"),
    "field.hot_issue": ("热点问题", "Hot issue"),
    "field.reason": ("作废原因", "Reason"),
    "field.target_event_id": ("作废的记录", "Entry to void"),
    "field.type": ("类型", "Type"),
    "field.staff": ("工作人员", "Staff"),
    "field.code": ("登记码", "Enrolment code"),
    "field.sync_url": ("同步服务地址", "Sync service address"),
    "field.label": ("本机名称", "Laptop name"),
    "field._body": ("请求", "Request"),
    # Reasons of our own (not marshmallow's).
    "err.not_in_plan": ("当日方案中没有“{key}”。", "Not in the day plan: {key}"),
    "err.no_such_entry": ("本机没有这条记录。", "No such entry on this laptop."),
    "err.already_voided": ("这条记录已经作废。", "This entry is already voided."),
    "err.void_of_void": ("作废记录不能再作废。", "A void cannot itself be voided."),
    "err.undo_not_last": ("只能撤销本机刚录入的最后一条；其他记录请用“作废”并填写原因。",
                          "Only this laptop's latest entry can be undone; void others with a reason."),
    "err.not_json_object": ("请求内容不是 JSON 对象。", "Not a JSON object."),
    "err.unknown_field": ("未知字段。", "Unknown field."),
    "err.required": ("必填项。", "Missing data for required field."),
    "err.bad_url": ("请填写 https:// 开头的地址。", "Give an address starting with https://."),
    "err.plain_http": ("不能用未加密的 http:// 连接其他机器上的同步服务，请填写 https:// 地址。",
                       "Plain http:// to a sync service on another machine is refused: give its https:// address."),
    "err.certificate": ("无法验证同步服务的证书（可能连到了冒充的服务器，或需设置 OPENDAY_SYNC_CA），未登记，"
                        "也未发送任何数据。",
                        "The sync service's certificate could not be verified (an impostor, or OPENDAY_SYNC_CA "
                        "must name its CA): not enrolled, nothing was sent."),
    "insecure_warning": ("警告：本机与同步服务之间未加密（http://），登记凭证和记录可能被人截获或篡改。",
                         "Warning: this laptop talks to the sync service unencrypted (http://): its token and "
                         "entries can be read or changed on the way."),
    "err.bad_code": ("登记码是 8 位字母或数字（可带短横线）。",
                     "An enrolment code is 8 letters or digits (a dash is optional)."),
    "err.already_enrolled": ("本机已经登记。", "This laptop is already enrolled."),
    "err.booth_mismatch": (
        "登记码属于“{theirs}”，但本机已按“{ours}”记录了 {count} 条。请向协调员索取“{ours}”的登记码。",
        "The code is for {theirs}, but this laptop has recorded {count} entries for {ours}. "
        "Ask the coordinator for a code for {ours}.",
    ),
    "err.booth_fixed": ("本机已有记录或已登记，展位不能再改。",
                        "This laptop has entries or is enrolled: its booth cannot change."),
    "err.day_mismatch": ("登记码属于另一天的活动（{theirs}），本机是 {ours}。",
                         "The code is for another day ({theirs}); this laptop is set up for {ours}."),
    "err.enroll_refused": ("同步服务拒绝了登记：{reason}", "The sync service refused the enrolment: {reason}"),
    "enroll.invalid_code": ("没有这个登记码（可能输错或已被撤销）。", "No such enrolment code (mistyped or revoked)."),
    "enroll.expired_code": ("登记码已过期，请向协调员索取新码。", "The enrolment code has expired; ask for a new one."),
    "enroll.used_code": ("登记码已用完，请向协调员索取新码。", "The enrolment code is used up; ask for a new one."),
    "enroll.device_exists": ("本机已在中心登记过。如需重新登记，请协调员先撤销本机。",
                             "This laptop is already enrolled at the centre; a coordinator must revoke it first."),
    "err.enroll_unreachable": ("连不上同步服务，请检查地址和网络。",
                               "Cannot reach the sync service: check the address and the network."),
    # Sync problems in plain words.
    "sync.certificate": ("无法验证同步服务的证书（可能连到了冒充的服务器），未上传也未下载任何数据；记录保存在本机。",
                         "The sync service's certificate could not be verified (an impostor?): nothing was sent "
                         "or received; entries stay on this laptop."),
    "sync.plain_http": ("不使用未加密的 http:// 连接同步服务，请重新登记为 https:// 地址；记录保存在本机。",
                        "Plain http:// to the sync service is refused: enrol again with its https:// address; "
                        "entries stay on this laptop."),
    "sync.unreachable": ("连不上同步服务（网络断开或服务未运行），记录已保存在本机，恢复后自动上传。",
                         "Cannot reach the sync service (no network, or it is down). Entries are safe on "
                         "this laptop and will be sent when it is back."),
    "sync.unauthorized": ("同步服务不认本机的凭证（可能已被吊销），请重新登记。",
                          "The sync service does not accept this laptop's token (revoked?). Please enrol again."),
    "sync.conflict": ("中心已有本机同一序号的另一条记录（可能用了旧备份），请联系协调员重新登记。",
                      "The centre holds a different entry at one of this laptop's numbers (old backup?). "
                      "Ask the coordinator to enrol this laptop again."),
    "sync.revoked": ("协调员已撤销本机的同步资格。请索取新的登记码重新登记；本机记录都还在。",
                     "A coordinator revoked this laptop. Enrol again with a new code; its entries are all kept."),
    "sync.timeout": ("同步服务响应超时（网络慢或服务忙），稍后自动重试；记录已保存在本机。",
                     "The sync service timed out (slow network or busy service); retrying. Entries are safe here."),
    "sync.refused": ("同步服务拒收了一批记录：{detail}", "The sync service refused a batch: {detail}"),
    "sync.server_error": ("同步服务出错（{detail}），稍后自动重试。",
                          "The sync service had an error ({detail}); retrying automatically."),
    "sync.not_enrolled": ("本机尚未登记，记录暂存本机。", "This laptop is not enrolled yet; entries stay on it."),
}


def t(name: str, lang: str, /, **values) -> str:
    pair = TEXT.get(name)
    if pair is None:
        return name
    text = pair[0] if lang == "zh" else pair[1]
    return text.format(**values) if values else text


def catalogue(lang: str) -> dict[str, str]:
    """Every string in one language (the page's script gets this)."""
    return {key: t(key, lang) for key in TEXT}


def pick_language(args, cookies, accept_language: str | None) -> str:
    """?lang= wins, then the cookie the switch sets, then the browser's first choice; zh by default."""
    for choice in (args.get("lang"), cookies.get("lang")):
        if choice in LANGUAGES:
            return choice
    if accept_language and accept_language.strip().lower().startswith("en"):
        return "en"
    return DEFAULT


# marshmallow's English messages (and the model's own) -> zh-CN, by pattern.
_ZH_PATTERNS = [
    (r"Missing data for required field\.", "必填项。"),
    (r"Unknown field\.", "未知字段。"),
    (r"Field may not be null\.", "不能为空。"),
    (r"Not a valid integer\.", "请填整数。"),
    (r"Not a valid string\.", "请填文字。"),
    (r"Not a valid boolean\.", "请选是或否。"),
    (r"Not a valid mapping type\.", "格式不对（应为对象）。"),
    (r"Invalid input type\.", "格式不对。"),
    (r"Must be greater than or equal to (-?\d+) and less than or equal to (-?\d+)\.", "须在 {0} 到 {1} 之间。"),
    (r"Must be greater than or equal to (-?\d+)\.", "不能小于 {0}。"),
    (r"Must be less than or equal to (-?\d+)\.", "不能大于 {0}。"),
    (r"Longer than maximum length (\d+)\.", "不能超过 {0} 个字。"),
    (r"Shorter than minimum length (\d+)\.", "至少 {0} 个字。"),
    (r"Length must be between 1 and (\d+)\.", "不能为空，且不超过 {0} 个字。"),
    (r"Length must be between (\d+) and (\d+)\.", "长度须在 {0} 到 {1} 个字之间。"),
    (r"Must be one of: (.*)\.", "须是以下之一：{0}。"),
    (r"Not a catalogue key\.", "不是当日方案中的编号。"),
    (r"Not a lowercase UUID\.", "不是有效的记录编号。"),
    (r"Not a device id\.", "不是有效的设备编号。"),
    (r"Not a day id\.", "不是有效的活动编号。"),
    (r"Not an RFC 3339 timestamp with an offset\.", "时间格式不对（需带时区）。"),
    (r"Not in the day plan: (.*)", "当日方案中没有“{0}”。"),
    (r"No such entry on this laptop\.", "本机没有这条记录。"),
    (r"This entry is already voided\.", "这条记录已经作废。"),
    (r"A void cannot itself be voided\.", "作废记录不能再作废。"),
    (r"Not a JSON object\.", "请求内容不是 JSON 对象。"),
    (r"Larger than (\d+) bytes\.", "请求内容过长（超过 {0} 字节）。"),
    (r"Only this laptop's latest entry can be undone; void others with a reason\.",
     "只能撤销本机刚录入的最后一条；其他记录请用“作废”并填写原因。"),
    (r"Too late to undo: only within (\S+) s of the entry\. Void it with a reason instead\.",
     "已超过撤销时限（录入后 {0} 秒内）：请用“作废”并填写原因。"),
]
_ZH_COMPILED = [(re.compile(f"^{pattern}$"), zh) for pattern, zh in _ZH_PATTERNS]


def translate_message(message: str, lang: str) -> str:
    if not isinstance(message, str):
        return message
    if " / " in message:  # the model's own '中文 / English' messages (shared/events.py)
        return _one_language(message, lang)
    if lang != "zh":
        return message
    for pattern, zh in _ZH_COMPILED:
        if match := pattern.match(message):
            return zh.format(*match.groups())
    return message


def translate_errors(errors, lang: str):
    """marshmallow's nested {field: [messages]} with every message in `lang`."""
    if isinstance(errors, dict):
        return {key: translate_errors(value, lang) for key, value in errors.items()}
    if isinstance(errors, list):
        return [translate_errors(item, lang) for item in errors]
    return translate_message(errors, lang)


def plain_sync_error(error, lang: str) -> str | None:
    """The pusher's last error (a message, or {message, status, error}) in plain words."""
    if not error:
        return None
    text = error.get("message") or "" if isinstance(error, dict) else str(error)
    status = error.get("status") if isinstance(error, dict) else None
    word = error.get("error") if isinstance(error, dict) else None
    lowered = text.lower()
    if word == "seq_conflict" or status == 409 and "conflict" in lowered:
        return t("sync.conflict", lang)
    if word == "revoked" or "revoked" in lowered:
        return t("sync.revoked", lang)
    if "not enrolled" in lowered:
        return t("sync.not_enrolled", lang)
    if "certificate" in lowered:
        return t("sync.certificate", lang)
    if "plain http://" in lowered:
        return t("sync.plain_http", lang)
    if "timed out" in lowered or "timeout" in lowered:
        return t("sync.timeout", lang)
    if "unreachable" in lowered or "connection" in lowered:
        return t("sync.unreachable", lang)
    if status == 401 or "token" in lowered or "unauthori" in lowered:
        return t("sync.unauthorized", lang)
    if status and status >= 500 or re.search(r"\bHTTP 5\d\d\b", text):
        return t("sync.server_error", lang, detail=text)
    return t("sync.refused", lang, detail=_one_language(text, lang))


def _one_language(text: str, lang: str) -> str:
    """'中文 / English' messages (the pusher's own) -> the half in `lang`."""
    zh, sep, en = text.partition(" / ")
    if not sep or not any("\u4e00" <= ch <= "\u9fff" for ch in zh):
        return text
    return zh if lang == "zh" else en

"""The day-setup and accounts pages' words, zh-CN first, then English (the other pages'
words are in i18n.py)."""

from sync_service.dashboard.i18n import STRINGS

SETUP_STRINGS = {
    "zh": {
        "new_day": "新建活动日", "setup": "活动日设置", "accounts": "账号管理", "save": "保存为新版本",
        "create": "创建活动日", "copy_from": "从往期活动日复制", "copy": "复制", "upload": "上传 Excel",
        "upload_create": "从 Excel 创建", "upload_replace": "用 Excel 替换为新版本", "template": "下载空白模板",
        "export_xlsx": "导出 Excel", "export_json": "导出 JSON", "day_fields": "基本信息",
        "day_id": "编号", "date": "日期", "timezone": "时区", "opening_start": "开始时间", "opening_end": "结束时间",
        "title_zh": "标题(中文)", "title_en": "标题(英文)", "organiser_zh": "主办单位(中文)",
        "organiser_en": "主办单位(英文)",
        "booths": "展位", "departments": "科室", "topics": "咨询事项", "materials": "宣传材料",
        "id": "编号", "zh": "中文名称", "en": "英文名称", "team_zh": "队伍(中文)", "team_en": "队伍(英文)",
        "leader_zh": "带队领导(中文)", "leader_en": "带队领导(英文)", "measure_zh": "单位(中文)",
        "measure_en": "单位(英文)", "opening_stock": "期初库存", "low_stock": "低库存提醒", "retired": "停用",
        "versions": "版本记录", "version": "版本", "by": "修改人", "at": "时间", "changes": "改动",
        "current_version": "当前版本", "saved": "已保存为第 {version} 版。", "created": "已创建,第 {version} 版。",
        "stale": "第 {version} 版已由他人保存,您的修改未保存。请刷新后在最新版本上修改。",
        "invalid": "计划有误,未保存:", "exists": "活动日 {day} 已存在。", "organiser_only": "只有组织者可以这样做。",
        "retire_hint": "已被记录使用的项目只能停用,不能删除;停用后不再出现在展位页面,统计中仍保留名称。",
        "blank_hint": "空行会被忽略;在空行填写即可新增。",
        "role": "角色", "organiser": "组织者", "coordinator": "协调员", "days": "活动日", "grant": "授权",
        "revoke": "撤销", "make": "设为", "account_done": "已更新 {user}。",
        "added": "新增", "removed": "删除", "changed": "修改", "restored": "恢复",
        "added_by_plan": "计划新增此项后计入",
    },
    "en": {
        "new_day": "New Open Day", "setup": "Day setup", "accounts": "Accounts", "save": "Save as a new version",
        "create": "Create the day", "copy_from": "Copy from a past day", "copy": "Copy", "upload": "Upload Excel",
        "upload_create": "Create from Excel", "upload_replace": "Replace from Excel (new version)",
        "template": "Download the empty template", "export_xlsx": "Export Excel", "export_json": "Export JSON",
        "day_fields": "The day", "day_id": "Id", "date": "Date", "timezone": "Time zone",
        "opening_start": "Opens", "opening_end": "Closes", "title_zh": "Title (zh)", "title_en": "Title (en)",
        "organiser_zh": "Organiser (zh)", "organiser_en": "Organiser (en)",
        "booths": "Booths", "departments": "Departments", "topics": "Topics", "materials": "Materials",
        "id": "Id", "zh": "Chinese", "en": "English", "team_zh": "Team (zh)", "team_en": "Team (en)",
        "leader_zh": "Leader (zh)", "leader_en": "Leader (en)", "measure_zh": "Unit (zh)", "measure_en": "Unit (en)",
        "opening_stock": "Opening stock", "low_stock": "Low-stock alert", "retired": "Retired",
        "versions": "Versions", "version": "Version", "by": "By", "at": "At", "changes": "Changes",
        "current_version": "Current version", "saved": "Saved as version {version}.",
        "created": "Created, version {version}.",
        "stale": "Someone else saved version {version}; your changes were not saved. Reload and edit that version.",
        "invalid": "The plan has mistakes; nothing was saved:", "exists": "Day {day} already exists.",
        "organiser_only": "Only an organiser may do this.",
        "retire_hint": "A key entries have used can be retired, not deleted: booth pages stop offering it, "
                       "figures keep its label.",
        "blank_hint": "Blank rows are ignored; fill one in to add an entry.",
        "role": "Role", "organiser": "Organiser", "coordinator": "Coordinator", "days": "Days", "grant": "Grant",
        "revoke": "Revoke", "make": "Make", "account_done": "{user} updated.",
        "added": "added", "removed": "removed", "changed": "changed", "restored": "restored",
        "added_by_plan": "Counted once a plan version added it:",
    },
}


def words(lang: str) -> dict:
    """Every dashboard word with the setup pages' own."""
    return {**STRINGS[lang], **SETUP_STRINGS[lang]}

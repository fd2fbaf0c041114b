"""A summary version as documents the office can edit: Markdown, HTML and .docx, each
with the paragraph, the figures (exact beside rounded), hot issues and charts as images."""

import base64
import html
import io

from central.summary.charts import CHARTS, chart_png
from shared.markdown_text import escape_markdown
from shared.summary_text import round_count

FIXED_LABELS = {
    "visitors": ("接待现场咨询群众", "Visitors received", "人"),
    "inquiries.total": ("受理解答政策咨询", "Inquiries answered", "件"),
    "feedback.total": ("收集意见评议", "Feedback cards", "份"),
    "feedback.hot_issues": ("群众关心热点问题", "Hot issues", "件"),
    "laptops": ("记录终端（笔记本）", "Laptops", "台"),
    "staff": ("工作人员编号", "Staff codes seen", "名"),
    "voided": ("作废记录", "Voided entries", "条"),
    "late": ("闭幕后到达的记录", "Entries arriving after close", "条"),
}
WORDS = {
    "zh": {"title": "活动总结", "figures": "数据", "figure": "项目", "exact": "精确数", "rounded": "总结用语",
           "hot": "群众关心热点问题", "charts": "图表", "satisfaction": "满意度", "peak": "高峰时段",
           "source": "数据来源", "no_topic": "未分类"},
    "en": {"title": "Summary", "figures": "Figures", "figure": "Figure", "exact": "Exact", "rounded": "As written",
           "hot": "Hot issues raised by citizens", "charts": "Charts", "satisfaction": "Satisfaction",
           "peak": "Peak hour", "source": "Source", "no_topic": "No topic"},
}


def figure_label(plan, name: str, lang: str) -> tuple[str, str]:
    """(label, measure word) of a whole-day figure name."""
    if name in FIXED_LABELS:
        zh, en, measure = FIXED_LABELS[name]
        return (zh if lang == "zh" else en), measure
    section, _, key = name.rpartition(".")
    catalogue = {"materials.distributed": "materials", "materials.restocked": "materials",
                 "inquiries.by_topic": "topics", "inquiries.by_department": "departments",
                 "inquiries.by_outcome": "outcomes", "feedback.by_rating": "ratings"}.get(section)
    label = plan.label(catalogue, key, lang) if catalogue else name
    measure = (plan.item("materials", key) or {}).get("measure", {}).get("zh", "份") if catalogue == "materials" \
        else "件"
    if section == "materials.restocked":
        label += "（补货）" if lang == "zh" else " (restocked)"
    return label, measure


def figure_rows(content: dict, plan, lang: str) -> list[tuple[str, int, str]]:
    """(label, exact, as written) for every whole-day figure worth reporting."""
    names = [p["figure"] for p in content["phrases"]]
    names += [n for n in ("feedback.total", "laptops", "staff", "voided", "late") if n not in names]
    names += sorted(n for n in content["values"] if n.startswith("inquiries.by_department.") and n not in names)
    rows = []
    for name in names:
        label, measure = figure_label(plan, name, lang)
        value = content["values"].get(name, 0)
        rounded = round_count(value)
        rows.append((label, value, rounded.zh(measure) if lang == "zh" else rounded.en()))
    return rows


def _title(plan, lang: str) -> str:
    return f"{plan.raw.get('title', {}).get(lang, plan.day_id)} {WORDS[lang]['title']}"


def satisfaction_line(s: dict, lang: str) -> str:
    """"66.7% (1 + 1 / 3)" read as a sum or a fraction: say what is counted, of what."""
    if lang == "zh":
        return (f"{s['rate']}（满意 {s['satisfied']:,} 张 + 基本满意 {s['basically_satisfied']:,} 张，"
                f"共 {s['total']:,} 张意见卡）")
    cards = "feedback card" if s["total"] == 1 else "feedback cards"
    return (f"{s['rate']} ({s['satisfied']:,} satisfied + {s['basically_satisfied']:,} basically satisfied, "
            f"of {s['total']:,} {cards})")


def peak_line(p: dict, lang: str) -> str:
    if lang == "zh":
        return f"{p['hour']}:00–{p['hour']}:59（接待群众 {p['visitors']:,} 人）"
    return f"{p['hour']}:00–{p['hour']}:59 ({p['visitors']:,} {'visitor' if p['visitors'] == 1 else 'visitors'})"


def _extras(content: dict, lang: str) -> list[str]:
    words, figures = WORDS[lang], content["figures"]
    colon = "：" if lang == "zh" else ": "
    lines = []
    if figures["satisfaction"]["rate"]:
        lines.append(f"{words['satisfaction']}{colon}{satisfaction_line(figures['satisfaction'], lang)}")
    if figures["peak_hour"]:
        lines.append(f"{words['peak']}{colon}{peak_line(figures['peak_hour'], lang)}")
    return lines


def _hot_issues(content: dict, plan, lang: str) -> list[tuple[str, list[str]]]:
    return [(plan.label("topics", topic, lang) if topic != "_none" else WORDS[lang]["no_topic"],
             [h["text"] for h in items]) for topic, items in content["figures"]["hot_issues"].items()]


def _footer(record: dict, lang: str) -> str:
    """Which version this is, in the report's language (the log position is for the API)."""
    day, version, digest = record["content"]["day_id"], record["version"], record["sha256"][:12]
    if lang == "zh":
        return f"{WORDS[lang]['source']}：{day} 第 {version} 版，校验码 {digest}"
    return f"{WORDS[lang]['source']}: {day}, version {version}, checksum {digest}"


def summary_markdown(record: dict, plan, lang: str = "zh") -> str:
    """Every text that is not ours (the paragraph, labels, citizens' hot issues) is escaped:
    it shows as typed, never as markup or HTML (shared/markdown_text.py)."""
    content, words, md = record["content"], WORDS[lang], escape_markdown
    out = [f"# {md(_title(plan, lang))}", "", md(content["text"][lang]), "", f"## {words['figures']}", "",
           f"| {words['figure']} | {words['exact']} | {words['rounded']} |", "|---|---:|---|"]
    out += [f"| {md(label)} | {exact:,} | {md(rounded)} |"
            for label, exact, rounded in figure_rows(content, plan, lang)]
    out += ["", *[f"- {md(line)}" for line in _extras(content, lang)], "", f"## {words['hot']}", ""]
    for topic, texts in _hot_issues(content, plan, lang):
        out += [f"### {md(topic)} ({len(texts)})", "", *[f"- {md(t)}" for t in texts], ""]
    out += [f"## {words['charts']}", ""]
    for name in CHARTS:
        data = base64.b64encode(chart_png(content, plan, name, lang)).decode()
        out += [f"![{name}](data:image/png;base64,{data})", ""]
    out += [f"_{md(_footer(record, lang))}_", ""]
    return "\n".join(out)


def summary_html(record: dict, plan, lang: str = "zh") -> str:
    content, words, e = record["content"], WORDS[lang], html.escape
    rows = "".join(f"<tr><td>{e(label)}</td><td class=num>{exact:,}</td><td>{e(rounded)}</td></tr>"
                   for label, exact, rounded in figure_rows(content, plan, lang))
    hot = "".join(f"<h3>{e(topic)} ({len(texts)})</h3><ul>{''.join(f'<li>{e(t)}</li>' for t in texts)}</ul>"
                  for topic, texts in _hot_issues(content, plan, lang))
    charts = "".join(f'<p><img alt="{name}" src="data:image/png;base64,'
                     f'{base64.b64encode(chart_png(content, plan, name, lang)).decode()}"></p>' for name in CHARTS)
    extras = "".join(f"<li>{e(line)}</li>" for line in _extras(content, lang))
    return (f'<!doctype html><html lang="{"zh-CN" if lang == "zh" else "en"}"><head><meta charset="utf-8">'
            f"<title>{e(_title(plan, lang))}</title><style>body{{font-family:'WenQuanYi Micro Hei',sans-serif;"
            f"max-width:48em;margin:2em auto;line-height:1.7}}td,th{{border:1px solid #ccc;padding:.2em .6em}}"
            f"table{{border-collapse:collapse}}.num{{text-align:right}}</style></head><body>"
            f"<h1>{e(_title(plan, lang))}</h1><p class=paragraph>{e(content['text'][lang])}</p>"
            f"<h2>{words['figures']}</h2><table><tr><th>{words['figure']}</th><th>{words['exact']}</th>"
            f"<th>{words['rounded']}</th></tr>{rows}</table><ul>{extras}</ul><h2>{words['hot']}</h2>{hot}"
            f"<h2>{words['charts']}</h2>{charts}<p><small>{e(_footer(record, lang))}</small></p></body></html>")


def summary_docx(record: dict, plan, lang: str = "zh") -> bytes:
    from docx import Document
    from docx.oxml.ns import qn
    from docx.shared import Cm

    content, words = record["content"], WORDS[lang]
    document = Document()
    style = document.styles["Normal"]
    style.font.name = "WenQuanYi Micro Hei"
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "宋体")  # Word shows Chinese in a Chinese font
    document.add_heading(_title(plan, lang), level=1)
    document.add_paragraph(content["text"][lang])
    document.add_heading(words["figures"], level=2)
    table = document.add_table(rows=1, cols=3)
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, (words["figure"], words["exact"], words["rounded"]), strict=True):
        cell.text = text
    for label, exact, rounded in figure_rows(content, plan, lang):
        cells = table.add_row().cells
        cells[0].text, cells[1].text, cells[2].text = label, f"{exact:,}", rounded
    for line in _extras(content, lang):
        document.add_paragraph(line, style="List Bullet")
    document.add_heading(words["hot"], level=2)
    for topic, texts in _hot_issues(content, plan, lang):
        document.add_heading(f"{topic} ({len(texts)})", level=3)
        for text in texts:
            document.add_paragraph(text, style="List Bullet")
    document.add_heading(words["charts"], level=2)
    for name in CHARTS:
        document.add_picture(io.BytesIO(chart_png(content, plan, name, lang)), width=Cm(15))
    document.add_paragraph(_footer(record, lang)).runs[0].italic = True
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()

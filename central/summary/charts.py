"""Charts of a summary version as PNG images (matplotlib, headless), labelled in Chinese
with the WenQuanYi Micro Hei font (Debian fonts-wqy-microhei), registered by cjk_font.py.

STYLE_LOCK: matplotlib's rcParams are one global dict, and `rc_context` sets and restores
it around a drawing. Two threads drawing at once (gunicorn threads: the summary's charts)
would draw with each other's settings. Every drawing that uses rc_context holds this lock;
drawing is CPU work under the GIL anyway. (The day page's charts are written without
matplotlib since issue 19; they only measure labels with explicit fonts, no rcParams.)
"""

import io
import threading

import matplotlib

matplotlib.use("Agg")  # no display on a server
import matplotlib.pyplot as plt  # noqa: E402

from central.summary.cjk_font import cjk_font  # noqa: E402

__all__ = ["CHARTS", "STYLE_LOCK", "chart_png", "cjk_font"]  # cjk_font: for the day page's charts
STYLE_LOCK = threading.Lock()


def _series(content: dict, plan, name: str, lang: str) -> tuple[str, list[str], list[int]]:
    totals = content["figures"]["totals"]
    if name == "materials":
        data = totals["materials"]["distributed"]
        return ("发放材料" if lang == "zh" else "Materials handed out"), \
            [plan.label("materials", k, lang) for k in data], list(data.values())
    if name == "departments":
        data = {k: v for k, v in totals["inquiries"]["by_department"].items() if v}
        return ("各科室受理咨询" if lang == "zh" else "Inquiries by department"), \
            [plan.label("departments", k, lang) for k in data], list(data.values())
    if name == "topics":
        data = {k: v for k, v in totals["inquiries"]["by_topic"].items() if v}
        return ("咨询主题" if lang == "zh" else "Inquiries by topic"), \
            [plan.label("topics", k, lang) for k in data], list(data.values())
    if name == "hours":
        hours = totals["by_hour"]
        return ("各时段接待群众" if lang == "zh" else "Visitors by hour"), \
            [f"{h}:00" for h in hours], [doc["visitors"] for doc in hours.values()]
    raise KeyError(name)


CHARTS = ("materials", "departments", "topics", "hours")


def chart_png(content: dict, plan, name: str, lang: str = "zh") -> bytes:
    """One chart as PNG bytes; raises KeyError for an unknown chart name."""
    font = cjk_font()  # None is logged as an error there; a zh chart stays zh, never quietly English
    title, labels, values = _series(content, plan, name, lang)
    with STYLE_LOCK, plt.rc_context({"font.family": [font] if font else ["DejaVu Sans"], "axes.unicode_minus": False}):
        figure, axes = plt.subplots(figsize=(7, 0.45 * max(len(labels), 4) + 1.2), dpi=100)
        try:
            bars = axes.barh(labels[::-1], values[::-1], color="#b22222")
            axes.bar_label(bars, padding=3)
            axes.set_title(title)
            axes.spines[["top", "right"]].set_visible(False)
            figure.tight_layout()
            buffer = io.BytesIO()
            figure.savefig(buffer, format="png", metadata={"Software": None})
            return buffer.getvalue()
        finally:
            plt.close(figure)

"""What every server process does once for the day page, done when the process starts.

The first day page a gunicorn worker served paid for compiling its templates (~35 ms)
and opening the chart fonts (~10 ms) on top of the page itself: the first coordinator
to open a day after a restart waited for it. Only the process's own set-up moves here;
no day's figures are read and no chart is written before a page asks for it.
"""

from sync_service.dashboard.chart_svg import FONT_PT
from sync_service.dashboard.chart_text import text_width

TEMPLATES = ("dashboard/base.html", "dashboard/day.html", "dashboard/days.html", "dashboard/signin.html")


def warm_up(app) -> None:
    for name in TEMPLATES:
        app.jinja_env.get_template(name)  # compiled once, kept by Jinja's cache
    text_width("0123456789,展位 Booth", FONT_PT)  # opens the fonts and reads their character maps

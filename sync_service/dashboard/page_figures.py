"""The day page's first data, read once and sent inside the page's HTML.

Until issue 19 the page came with its charts and then fetched the whole totals document
(183 KiB on a 10^5-entry day, ~120 ms to build) before it could show a figure: a second
round trip, and a document mostly of figures the page never shows (every booth by every
hour, every laptop). Now the page's own figures — the headline, the booth cards and the
stock table, by the flat names the live stream uses — come in the page's boot JSON, read
in the same MULTI as the charts' figures: figures and charts show one log position. The
live stream's first message (a snapshot of every figure) then takes over.

The hot issues: only the newest the page lists (dashboard.js shows 20) and how many there
are; their texts masked like every reader's (issue 15).
"""

import json
from typing import NamedTuple

from central import keys
from sync_service.dashboard.chart_figures import CHARTS, build_chart, figure_names
from sync_service.devices.readers import DayReader, readable_hot_issues

HOT_SHOWN = 20  # dashboard.js renderHotIssues lists this many


class DayPageData(NamedTuple):
    position: str
    charts: dict  # chart name -> chart_svg.Chart
    figures: dict[str, int]  # flat figure name -> value, the page's own
    hot_issues: list[dict]  # the newest HOT_SHOWN, oldest first, texts masked
    hot_count: int


def page_figure_names(plan) -> list[str]:
    """The flat names dashboard.js's renderers read: headline, booth cards, stock table."""
    materials, booths = plan.keys("materials"), plan.keys("booths")
    headline = ["visitors", "inquiries.total", "feedback.total", "feedback.hot_issues", "quarantined",
                "feedback.by_rating.satisfied", "feedback.by_rating.basically_satisfied",
                *(f"materials.distributed.{m}" for m in materials)]
    per_booth = ["visitors", "inquiries.total", "feedback.total", "feedback.hot_issues",
                 *(f"materials.{kind}.{m}" for m in materials for kind in ("distributed", "restocked"))]
    return headline + [f"booth:{b}|{name}" for b in booths for name in per_booth]


def _newest_hot_issues(hot: dict, reader: DayReader) -> tuple[list[dict], int]:
    issues = readable_hot_issues([{"event_id": k, **json.loads(v)} for k, v in hot.items()], reader)
    issues.sort(key=lambda h: (h["recorded_at"], h["event_id"]))  # as the totals document orders them
    return issues[-HOT_SHOWN:], len(issues)


def read_day_page(redis, plan, day_id: str, lang: str, reader: DayReader) -> DayPageData:
    """Everything the page shows before the live stream, in one MULTI: the position, one
    HMGET of the charts' and the page's figures, and the hot issues."""
    shown = page_figure_names(plan)
    wanted = list(dict.fromkeys([*shown, *(name for chart in CHARTS for name in figure_names(plan, chart))]))
    with redis.pipeline(transaction=True) as pipe:
        pipe.get(keys.checkpoint(day_id))
        pipe.hmget(keys.totals(day_id), wanted)
        pipe.hgetall(keys.hot_issues(day_id))
        position, values, hot = pipe.execute()
    figures = {name: int(value or 0) for name, value in zip(wanted, values, strict=True)}
    charts = {chart: build_chart(plan, chart, figures, lang) for chart in CHARTS}
    newest, count = _newest_hot_issues(hot, reader)
    return DayPageData(position or "0-0", charts, {name: figures[name] for name in shown}, newest, count)

"""The day page's charts as SVG text, drawn by matplotlib on the server.

Why here and not in the browser: a charting script big enough to be worth using (plotly.js
was 4.8 MB) costs a phone seconds to parse on a cold load, while an SVG bar chart is a
few kilobytes and is part of the first HTML. `svg.fonttype: none` keeps the labels as
<text> (small files, the browser's own CJK font, selectable text) instead of glyph paths.

Only matplotlib's object-oriented API (`Figure`, no pyplot): pyplot keeps global state
that gunicorn's threads would share. The settings (rcParams) are global too, so a drawing
holds STYLE_LOCK (worker/summary/charts.py) while it uses them. `render_svg` is a pure function of a `Chart`, cached:
a chart whose figures did not change is not drawn again (a page load, or a second
coordinator fetching the same chart after a live message).
"""

import io
import re
import textwrap
from functools import lru_cache
from typing import NamedTuple

from matplotlib import rc_context
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.textpath import text_to_path

from central.summary.charts import STYLE_LOCK, cjk_font

WIDTH_IN = 4.8  # 460 CSS px: drawn at (about) this size on a phone, so its text stays readable
FONT_PT = 11
VALUE_PT = 10  # the value written at the end of a bar
LINE_IN = 0.18  # one line of a category's name
WRAP_IN = 1.6  # a longer name is wrapped: the bars keep most of a phone's width
BAR_IN = 0.17  # one bar of a horizontal chart
GAP_IN = 0.12  # between categories
COLUMNS_IN = 2.8  # height of a column chart
PAD_IN = 0.08
LEGEND_IN = 0.3  # above the axes, for charts of more than one series
TICKS_IN = 0.3  # the value axis' numbers under a horizontal chart


class Series(NamedTuple):
    name: str
    color: str
    values: tuple[int, ...]


class Chart(NamedTuple):
    """What a chart shows: `kind` is 'hbars' (categories down the side, first on top) or
    'columns' (categories along the bottom, in order); one bar per series per category.
    `keys` are the categories' ids: each bar is drawn in an SVG group with the id
    '<name>-<series index>-<key>' and its value label (hbars) '<name>-<series index>-<key>-value',
    for the page's tests and for anyone reading the SVG."""

    name: str
    kind: str
    keys: tuple[str, ...]
    categories: tuple[str, ...]
    series: tuple[Series, ...]


def _style(chart: Chart) -> dict:
    font = cjk_font()
    return {
        "svg.fonttype": "none",  # text stays text
        "svg.hashsalt": chart.name,  # ids (clip paths): the same for the same chart, unique in the page
        # the SVG names these: a browser without them uses its default font
        "font.family": [font, "DejaVu Sans"] if font else ["DejaVu Sans"],
        "font.size": FONT_PT,
        "axes.unicode_minus": False,
    }


# Margins are measured, not found by a layout engine: the widest label's width comes from
# the font itself (text_to_path, no drawing), while bbox_inches="tight" or constrained
# layout would draw every chart twice (profiled: 40% of a chart's time).
def _text_in(texts, size: float = FONT_PT) -> float:
    """Width in inches of the widest of `texts` in the chart's font (call inside rc_context)."""
    prop = FontProperties(size=size)
    return max((text_to_path.get_text_width_height_descent(t, prop, ismath=False)[0] for t in texts), default=0) / 72


def _wrapped(label: str) -> str:
    """The name on as many lines as it needs to be at most about WRAP_IN wide."""
    width = _text_in([label])
    if width <= WRAP_IN:
        return label
    per_line = max(4, int(len(label) * WRAP_IN / width))
    if " " in label:  # words
        return "\n".join(textwrap.wrap(label, per_line))
    return "\n".join(label[i:i + per_line] for i in range(0, len(label), per_line))  # CJK: any character


def _legend_columns(chart: Chart) -> int:
    """As many legend entries side by side as fit the width (a handle and the spacing
    around an entry take about 4 em)."""
    widths = [_text_in([series.name]) + 4 * FONT_PT / 72 for series in chart.series]
    columns = len(widths)
    while columns > 1 and max(sum(widths[i:i + columns]) for i in range(0, len(widths), columns)) > WIDTH_IN:
        columns -= 1
    return columns


def _top_in(chart: Chart) -> float:
    if len(chart.series) == 1:
        return PAD_IN
    rows = -(-len(chart.series) // _legend_columns(chart))
    return LEGEND_IN + (rows - 1) * LINE_IN


def _largest(chart: Chart) -> int:
    return max((v for series in chart.series for v in series.values), default=0)


def _place(figure: Figure, left: float, right: float, top: float, bottom: float):
    width, height = figure.get_size_inches()
    return figure.add_axes((left / width, bottom / height, 1 - (left + right) / width, 1 - (top + bottom) / height))


def _hbars(chart: Chart) -> Figure:
    count, bars = len(chart.categories), len(chart.series)
    names = [_wrapped(label) for label in chart.categories]
    lines = max((name.count("\n") + 1 for name in names), default=1)
    top, bottom = _top_in(chart), TICKS_IN
    figure = Figure(figsize=(WIDTH_IN, top + bottom + count * (max(bars * BAR_IN, lines * LINE_IN) + GAP_IN)))
    left = _text_in(line for name in names for line in name.split("\n")) + 2 * PAD_IN
    right = 2.5 * PAD_IN  # the last number of the axis
    axes = _place(figure, left, right, top, bottom)
    height = 0.8 / bars
    for index, series in enumerate(chart.series):
        # the first category on top: positions count down
        positions = [count - 1 - i + (bars - 1 - 2 * index) * height / 2 for i in range(count)]
        drawn = axes.barh(positions, series.values, height, color=series.color, label=series.name)
        labels = axes.bar_label(drawn, fmt="{:,.0f}", padding=2, fontsize=VALUE_PT)
        for label, value in zip(labels, series.values, strict=True):
            if not value:  # an empty booth is no "0 0 0" stack: the 0 stays in the SVG's text, unseen
                label.set_alpha(0)
        _name_bars(chart, index, drawn, labels)
    axes.set_yticks(range(count), names[::-1])
    axes.set_ylim(-0.6, count - 0.4)
    # room after the longest bar for its value
    room = _text_in([f"{_largest(chart):,}"], VALUE_PT) + PAD_IN
    plot = WIDTH_IN - left - right
    axes.set_xlim(0, max(_largest(chart), 1) * plot / max(plot - room, 0.1 * plot))
    _finish(axes, chart, value_axis=axes.xaxis)
    return figure


def _columns(chart: Chart) -> Figure:
    count, bars = len(chart.categories), len(chart.series)
    figure = Figure(figsize=(WIDTH_IN, COLUMNS_IN))
    slanted = count > 6
    labels = _text_in(chart.categories)
    bottom = (labels + FONT_PT / 72) * 0.71 if slanted else FONT_PT / 72  # 0.71: sin 45°
    left = _text_in([f"{_largest(chart)}"]) + 2 * PAD_IN
    axes = _place(figure, left, PAD_IN, _top_in(chart), bottom + 2 * PAD_IN)
    width = 0.8 / bars
    for index, series in enumerate(chart.series):
        positions = [i + (2 * index - bars + 1) * width / 2 for i in range(count)]
        _name_bars(chart, index, axes.bar(positions, series.values, width, color=series.color, label=series.name))
    axes.set_xticks(range(count), chart.categories, rotation=45 if slanted else 0,
                    rotation_mode="anchor", ha="right" if slanted else "center")
    axes.set_xlim(-0.6, count - 0.4)
    _finish(axes, chart, value_axis=axes.yaxis)
    return figure


def _name_bars(chart: Chart, series: int, bars, labels=()) -> None:
    for key, bar in zip(chart.keys, bars, strict=True):
        bar.set_gid(f"{chart.name}-{series}-{key}")
    for key, label in zip(chart.keys, labels, strict=False):
        label.set_gid(f"{chart.name}-{series}-{key}-value")


def _finish(axes, chart: Chart, value_axis) -> None:
    axes.spines[["top", "right"]].set_visible(False)
    axes.tick_params(length=0)
    value_axis.get_major_locator().set_params(integer=True)  # counts: no 0.5 ticks on small charts
    axes.set_axisbelow(True)
    value_axis.grid(True, color="#e5e5e5")
    if len(chart.series) > 1:
        # at the figure's left edge, not the axes': long names push the axes to the right
        axes.figure.legend(loc="upper left", bbox_to_anchor=(0, 1), ncols=_legend_columns(chart), frameon=False,
                           handlelength=1, borderaxespad=0.2)


DRAW = {"hbars": _hbars, "columns": _columns}
AUTO_ID = re.compile(r'id="([A-Za-z][A-Za-z0-9.]*_\d+)"')


@lru_cache(maxsize=512)
def render_svg(chart: Chart) -> str:
    """The chart as an SVG document (text), sized by its number of bars."""
    with STYLE_LOCK, rc_context(_style(chart)):  # rcParams are global: see STYLE_LOCK
        figure = DRAW[chart.kind](chart)
        buffer = io.StringIO()
        figure.savefig(buffer, format="svg", transparent=True, metadata={"Date": None, "Creator": None})
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg"):]  # no XML prolog or DOCTYPE: the text goes inside the HTML page
    # matplotlib numbers its groups figure_1, axes_1, text_1 ... in every chart; five charts in one
    # page would repeat them. Referenced ids are hashed with the chart's name already (svg.hashsalt)
    # and the bars' ids carry it, so only these plain numbered ones need the chart's name.
    return AUTO_ID.sub(lambda m: f'id="{chart.name}-{m.group(1)}"', svg)

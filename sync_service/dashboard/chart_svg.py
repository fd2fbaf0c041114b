"""The day page's charts as SVG text, written directly from the figures on the server.

Why here and not in the browser: a charting script big enough to be worth using (plotly.js
was 4.8 MB) costs a phone seconds to parse on a cold load, while an SVG bar chart is a
few kilobytes and is part of the first HTML. Why not matplotlib (as until issue 19): it
took ~60 ms a chart (five on a cold page: most of the page's first byte) to draw what is a
few rectangles and labels; written here a chart takes well under a millisecond, and its
SVG is a third of the size. The summary's charts (PNG, .docx) still use matplotlib.

Sizes are in points (72 to the inch), as matplotlib's were. Labels stay <text> in the CJK
font (chart_text.py); every piece of text is escaped. `render_svg` is a pure function of a
`Chart`, cached: a chart whose figures did not change is not written again.
"""

import textwrap
from functools import lru_cache
from html import escape
from typing import NamedTuple

from sync_service.dashboard.chart_text import font_family_attribute, text_width

PT = 72  # points per inch
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
GRID, AXIS = "#e5e5e5", "#333"


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


class Box(NamedTuple):
    """The plot area, in points from the SVG's top left."""

    left: float
    top: float
    right: float
    bottom: float


def _n(x: float) -> str:
    return f"{x:.2f}".rstrip("0").rstrip(".")


def _text(x: float, y: float, text: str, size: float = FONT_PT, anchor: str = "start", extra: str = "") -> str:
    return (f'<text x="{_n(x)}" y="{_n(y)}" font-size="{size}" text-anchor="{anchor}" dy="0.35em"{extra}>'
            f"{escape(text)}</text>")


def _bar(chart: Chart, series: int, key: str, x: float, y: float, width: float, height: float, color: str) -> str:
    # the group carries the id (tests and readers find a bar by it); the path is the bar
    return (f'<g id="{escape(f"{chart.name}-{series}-{key}")}"><path d="M{_n(x)} {_n(y)}h{_n(width)}v{_n(height)}'
            f'h{_n(-width)}z" fill="{escape(color)}"/></g>')


def _tick_step(largest: float) -> int:
    """Whole-number ticks 1, 2 or 5 times a power of ten apart, at most 6 steps to
    `largest` (counts: no 0.5 ticks on small charts)."""
    power = 1
    while True:
        for times in (1, 2, 5):
            if largest <= 6 * times * power:
                return times * power
        power *= 10


def _largest(chart: Chart) -> int:
    return max((v for series in chart.series for v in series.values), default=0)


def _wrapped(label: str) -> list[str]:
    """The name on as many lines as it needs to be at most about WRAP_IN wide."""
    width = text_width(label, FONT_PT)
    if width <= WRAP_IN * PT:
        return [label]
    per_line = max(4, int(len(label) * WRAP_IN * PT / width))
    if " " in label:  # words
        return textwrap.wrap(label, per_line)
    return [label[i:i + per_line] for i in range(0, len(label), per_line)]  # CJK: any character


def _name(x: float, y: float, lines: list[str]) -> str:
    """A category's name, right-aligned at x, its lines centred on y."""
    first = y - (len(lines) - 1) * LINE_IN * PT / 2
    # dy on every line: on the <text> it would move only the first one
    spans = "".join(f'<tspan x="{_n(x)}" y="{_n(first + i * LINE_IN * PT)}" dy="0.35em">{escape(line)}</tspan>'
                    for i, line in enumerate(lines))
    return f'<text text-anchor="end">{spans}</text>'


# ---- the legend, above the axes, for charts of more than one series ----------------------
def _legend_widths(chart: Chart) -> list[float]:
    # a handle and the spacing around an entry take about 4 em
    return [text_width(series.name, FONT_PT) + 4 * FONT_PT for series in chart.series]


def _legend_columns(chart: Chart) -> int:
    """As many legend entries side by side as fit the width."""
    widths = _legend_widths(chart)
    columns = len(widths)
    while columns > 1 and max(sum(widths[i:i + columns]) for i in range(0, len(widths), columns)) > WIDTH_IN * PT:
        columns -= 1
    return columns


def _top(chart: Chart) -> float:
    if len(chart.series) == 1:
        return PAD_IN * PT
    rows = -(-len(chart.series) // _legend_columns(chart))
    return (LEGEND_IN + (rows - 1) * LINE_IN) * PT


def _legend(chart: Chart) -> list[str]:
    if len(chart.series) == 1:
        return []
    columns, widths = _legend_columns(chart), _legend_widths(chart)
    starts = [sum(max(widths[c::columns]) for c in range(column)) for column in range(columns)]
    parts = []
    for index, series in enumerate(chart.series):
        row, column = divmod(index, columns)
        x, y = 0.2 * FONT_PT + starts[column], LEGEND_IN * PT / 2 + row * LINE_IN * PT
        parts.append(f'<rect x="{_n(x)}" y="{_n(y - 0.35 * FONT_PT)}" width="{FONT_PT}" '
                     f'height="{_n(0.7 * FONT_PT)}" fill="{escape(series.color)}"/>')
        parts.append(_text(x + 1.5 * FONT_PT, y, series.name))
    return parts


def _axes(box: Box) -> str:
    """The left and bottom axis lines (no frame at the top and right)."""
    return (f'<path d="M{_n(box.left)} {_n(box.top)}V{_n(box.bottom)}H{_n(box.right)}" fill="none" '
            f'stroke="{AXIS}" stroke-width="0.8"/>')


def _line(x1: float, y1: float, x2: float, y2: float) -> str:
    return (f'<line x1="{_n(x1)}" y1="{_n(y1)}" x2="{_n(x2)}" y2="{_n(y2)}" stroke="{GRID}" '
            'stroke-width="0.8"/>')


# ---- horizontal bars: categories down the side, the first on top --------------------------
def _value_axis_across(box: Box, top_value: float, scale: float) -> list[str]:
    """Grid lines up the chart and their numbers under it, every tick that fits."""
    step = _tick_step(top_value)
    parts = []
    for tick in range(0, int(top_value) + 1, step):
        x = box.left + tick * scale
        parts += [_line(x, box.top, x, box.bottom), _text(x, box.bottom + 0.8 * FONT_PT, f"{tick:,}", anchor="middle")]
    return parts


def _hbar_values(chart: Chart, box: Box, band: float, scale: float) -> list[str]:
    bars, parts = len(chart.series), []
    thickness = 0.8 / bars * band
    for index, series in enumerate(chart.series):
        for i, (key, value) in enumerate(zip(chart.keys, series.values, strict=True)):
            # the first series on top within its category
            middle = box.top + (i + 0.5) * band - (bars - 1 - 2 * index) * thickness / 2
            end = box.left + value * scale
            parts.append(_bar(chart, index, key, box.left, middle - thickness / 2, value * scale, thickness,
                              series.color))
            # an empty booth is no "0 0 0" stack: the 0 stays in the SVG's text, unseen
            label = _text(end + 2, middle, f"{value:,}", VALUE_PT, extra="" if value else ' opacity="0"')
            parts.append(f'<g id="{escape(f"{chart.name}-{index}-{key}-value")}">{label}</g>')
    return parts


def _hbars(chart: Chart) -> tuple[float, list[str]]:
    names = [_wrapped(label) for label in chart.categories]
    lines = max((len(name) for name in names), default=1)
    band = (max(len(chart.series) * BAR_IN, lines * LINE_IN) + GAP_IN) * PT
    top = _top(chart)
    height = top + TICKS_IN * PT + len(names) * band
    left = max((text_width(line, FONT_PT) for name in names for line in name), default=0) + 2 * PAD_IN * PT
    box = Box(left, top, WIDTH_IN * PT - 2.5 * PAD_IN * PT, height - TICKS_IN * PT)
    largest, plot = _largest(chart), box.right - box.left
    room = text_width(f"{largest:,}", VALUE_PT) + PAD_IN * PT  # after the longest bar, for its value
    scale = max(plot - room, 0.1 * plot) / max(largest, 1)
    parts = _value_axis_across(box, plot / scale, scale)
    parts += [_name(left - PAD_IN * PT / 2, top + (i + 0.5) * band, name) for i, name in enumerate(names)]
    return height, [*parts, *_hbar_values(chart, box, band, scale), _axes(box)]


# ---- columns: categories along the bottom, in order -----------------------------------------
def _category_labels(chart: Chart, box: Box, unit: float) -> list[str]:
    slanted, parts = len(chart.categories) > 6, []
    for i, label in enumerate(chart.categories):
        x = box.left + (i + 0.5) * unit
        if slanted:  # ending under its column, rising to the left
            y = box.bottom + 0.5 * FONT_PT
            parts.append(_text(x, y, label, anchor="end", extra=f' transform="rotate(-45 {_n(x)} {_n(y)})"'))
        else:
            parts.append(_text(x, box.bottom + 0.9 * FONT_PT, label, anchor="middle"))
    return parts


def _value_axis_up(box: Box, top_value: int, step: int) -> list[str]:
    scale = (box.bottom - box.top) / top_value
    parts = []
    for tick in range(0, top_value + 1, step):
        y = box.bottom - tick * scale
        parts += [_line(box.left, y, box.right, y), _text(box.left - 3, y, f"{tick:,}", anchor="end")]
    return parts


def _columns(chart: Chart) -> tuple[float, list[str]]:
    count, bars = len(chart.categories), len(chart.series)
    labels = max((text_width(label, FONT_PT) for label in chart.categories), default=0)
    bottom = (labels + FONT_PT) * 0.71 if count > 6 else FONT_PT  # 0.71: sin 45°
    step = _tick_step(max(_largest(chart), 1))
    top_value = step * -(-max(_largest(chart), 1) // step)
    left = text_width(f"{top_value:,}", FONT_PT) + 2 * PAD_IN * PT
    height = COLUMNS_IN * PT
    box = Box(left, _top(chart), WIDTH_IN * PT - PAD_IN * PT, height - bottom - 2 * PAD_IN * PT)
    unit, scale = (box.right - box.left) / max(count, 1), (box.bottom - box.top) / top_value
    width, parts = 0.8 / bars * unit, _value_axis_up(box, top_value, step)
    for index, series in enumerate(chart.series):
        for i, (key, value) in enumerate(zip(chart.keys, series.values, strict=True)):
            x = box.left + (i + 0.5) * unit + (2 * index - bars + 1) * width / 2 - width / 2
            parts.append(_bar(chart, index, key, x, box.bottom - value * scale, width, value * scale, series.color))
    return height, [*parts, *_category_labels(chart, box, unit), _axes(box)]


DRAW = {"hbars": _hbars, "columns": _columns}


@lru_cache(maxsize=512)
def render_svg(chart: Chart) -> str:
    """The chart as an SVG document (text, no XML prolog: it goes inside the HTML page),
    sized by its number of bars."""
    height, parts = DRAW[chart.kind](chart)
    width, height = _n(WIDTH_IN * PT), _n(height)
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}pt" height="{height}pt" '
            f'viewBox="0 0 {width} {height}" font-family="{escape(font_family_attribute())}" '
            f'font-size="{FONT_PT}">{"".join(_legend(chart) + parts)}</svg>')

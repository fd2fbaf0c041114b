"""The day page charts' text: which font the SVG names, and how wide a label is in it.

The SVG keeps its labels as <text> (small, selectable, drawn by the browser in its own CJK
font), so the chart only needs to know each label's width to leave room for it. The width
comes from the font's own metrics through matplotlib's text_to_path (no drawing), with an
explicit font list rather than matplotlib's global settings: no lock, no rc_context.

A character neither font has is an error, as in the summary's charts (issue 17): the
same "Glyph … missing from font" warning that the tests turn into errors, and an ERROR in
the log — the browser would otherwise pick some other font for it, unseen.
"""

import logging
import warnings
from functools import cache, lru_cache

from matplotlib import font_manager
from matplotlib.font_manager import FontProperties
from matplotlib.ft2font import FT2Font
from matplotlib.textpath import text_to_path

from central.summary.charts import cjk_font

log = logging.getLogger(__name__)
FALLBACK = "DejaVu Sans"  # matplotlib's own font: always there


@cache  # the fonts installed do not change while a process runs
def families() -> tuple[str, ...]:
    """The fonts the charts are measured in and the SVG names, CJK first when there is one."""
    font = cjk_font()
    return (font, FALLBACK) if font else (FALLBACK,)


def font_family_attribute() -> str:
    return ", ".join(f"'{family}'" for family in families())


@cache
def _charmaps() -> tuple[dict, ...]:
    paths = [font_manager.findfont(FontProperties(family=family)) for family in families()]
    return tuple(FT2Font(path).get_charmap() for path in paths)


def _check_glyphs(text: str) -> None:
    for char in set(text) - set(" \n"):
        if not any(ord(char) in charmap for charmap in _charmaps()):
            message = f"Glyph {ord(char)} ({char}) missing from font(s) {', '.join(families())}."
            log.error("chart label %r: %s", text, message)
            warnings.warn(message, UserWarning, stacklevel=3)


@lru_cache(maxsize=4096)  # labels repeat in every drawing of a chart; values mostly do too
def text_width(text: str, size: float) -> float:
    """Width of one line of `text` at `size` points, in points."""
    _check_glyphs(text)
    prop = FontProperties(family=list(families()), size=size)
    return text_to_path.get_text_width_height_descent(text, prop, ismath=False)[0]

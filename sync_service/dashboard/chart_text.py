"""The day page charts' text: which font the SVG names, and how wide a label is in it.

The SVG keeps its labels as <text> (small, selectable, drawn by the browser in its own CJK
font), so the chart only needs to know each label's width to leave room for it: the sum
of its characters' advances, read once per character from the font files matplotlib
finds (FreeType through matplotlib's FT2Font; no layout engine, no drawing, no global
settings). CJK text has no kerning; a Latin label comes within a few hundredths of a
point of what matplotlib's text layout gives.

A character neither font has is an error, as in the summary's charts (issue 17): the
same "Glyph … missing from font" warning that the tests turn into errors, and an ERROR in
the log — the browser would otherwise pick some other font for it, unseen.
"""

import logging
import threading
import warnings
from functools import cache, lru_cache

from matplotlib import font_manager
from matplotlib.font_manager import FontProperties
from matplotlib.ft2font import FT2Font, LoadFlags

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


REFERENCE_PT = 100  # advances are read at this size and scaled
_FONT_LOCK = threading.Lock()  # an FT2Font is not safe to use from two threads at once


@cache
def _fonts() -> tuple[tuple[FT2Font, dict], ...]:
    """(font, its character map) for each of families(), sized REFERENCE_PT."""
    fonts = []
    for family in families():
        font = FT2Font(font_manager.findfont(FontProperties(family=family)))
        font.set_size(REFERENCE_PT, 72)
        fonts.append((font, font.get_charmap()))
    return tuple(fonts)


@lru_cache(maxsize=8192)  # a day's labels use a few hundred characters
def _advance(char: str) -> float | None:
    """The character's advance at REFERENCE_PT in the first font that has it; None if none has."""
    with _FONT_LOCK:
        for font, charmap in _fonts():
            if ord(char) in charmap:
                return font.load_char(ord(char), flags=LoadFlags.NO_HINTING).linearHoriAdvance / 65536
    return None


def _missing(text: str, char: str) -> float:
    message = f"Glyph {ord(char)} ({char}) missing from font(s) {', '.join(families())}."
    log.error("chart label %r: %s", text, message)
    warnings.warn(message, UserWarning, stacklevel=4)
    return 0.6 * REFERENCE_PT  # room for the browser's stand-in glyph


@lru_cache(maxsize=4096)  # labels repeat in every drawing of a chart; values mostly do too
def text_width(text: str, size: float) -> float:
    """Width of one line of `text` at `size` points, in points."""
    total = 0.0
    for char in text:
        advance = _advance(char)
        total += _missing(text, char) if advance is None else advance
    return total * size / REFERENCE_PT

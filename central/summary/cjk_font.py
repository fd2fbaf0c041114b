"""Find the CJK font and hand it to matplotlib explicitly.

matplotlib's font list is a cache built once per user (~/.cache/matplotlib): when it was
built before fonts-wqy-microhei was installed, matplotlib does not know the font and every
Chinese label would come out as empty boxes, or (as the charts did) silently in English.
So the file is located here, however the machine was set up, and registered with
`font_manager.fontManager.addfont`. No font found is an ERROR in the log, not English.
"""

import logging
import shutil
import subprocess
from functools import cache
from pathlib import Path

from matplotlib import font_manager

log = logging.getLogger(__name__)

CJK_FAMILIES = ("WenQuanYi Micro Hei", "Noto Sans CJK SC", "Noto Sans CJK JP")
KNOWN_FILES = (  # Debian/Ubuntu packages fonts-wqy-microhei and fonts-noto-cjk
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/noto/NotoSansCJK-Regular.ttc",
)


def _fc_match(family: str) -> str | None:
    """The file fontconfig gives for the family, if fontconfig is there and has it."""
    if not shutil.which("fc-match"):
        return None
    try:
        out = subprocess.run(["fc-match", "-f", "%{family}\t%{file}", family], capture_output=True,
                             text=True, timeout=5, check=False).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    families, _, path = out.partition("\t")
    return path if family in families.split(",") and Path(path).is_file() else None


def _system_font_file() -> str | None:
    """A CJK font file: known paths first, then fontconfig, then matplotlib's own scan."""
    for path in KNOWN_FILES:
        if Path(path).is_file():
            return path
    for family in CJK_FAMILIES:
        if path := _fc_match(family):
            return path
    names = ("wqy-microhei", "notosanscjk")
    return next((p for p in font_manager.findSystemFonts() if any(n in Path(p).name.lower() for n in names)), None)


def _known_family() -> str | None:
    known = {f.name for f in font_manager.fontManager.ttflist}
    return next((family for family in CJK_FAMILIES if family in known), None)


@cache  # the fonts installed do not change while a process runs
def cjk_font() -> str | None:
    """The CJK family matplotlib draws Chinese with, registered from its file if need be;
    None (and an ERROR in the log) when the machine has none."""
    family = _known_family()
    if family is None and (path := _system_font_file()):
        font_manager.fontManager.addfont(path)  # a font cache built before the font was installed
        family = _known_family()
    if family is None:
        log.error("no CJK font found (install fonts-wqy-microhei): Chinese charts cannot be drawn; "
                  "未找到中文字体，中文图表无法绘制")
    return family

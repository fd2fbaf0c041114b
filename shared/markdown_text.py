"""Text written into a Markdown document as text, never as markup. Pure functions.

Citizens' comments (hot issues), plan labels and the summary paragraph go into
summary.md; a comment holding <script>, <img onerror=…>, a [link](javascript:…) or a
line starting with # must show as typed in any Markdown viewer. Every ASCII punctuation
mark that means something anywhere in a line is backslash-escaped (a backslash before
punctuation always means the mark itself); a -, + or "1." that would start a list or a
rule is escaped only at the start, so dates (2022-05-15) and decimals stay readable.
Line breaks become spaces, so a text cannot start a block (a heading, a list, a table
row) of its own.
"""

import re

_ANYWHERE = re.compile(r"([\\`*_{}\[\]()#!|<>&~])")
_LEADING = re.compile(r"^(\s*)([-+=]|\d+(?=[.)]))")


def escape_markdown(text) -> str:
    """`text` (anything; str() of it) escaped for use inside a Markdown paragraph or table cell."""
    flat = _ANYWHERE.sub(r"\\\1", " ".join(str(text).splitlines()))
    return _LEADING.sub(_escape_start, flat)


def _escape_start(match: re.Match) -> str:
    space, mark = match.groups()
    return f"{space}{mark}\\" if mark[0].isdigit() else f"{space}\\{mark}"

"""Cells of a CSV export that a spreadsheet will not run as a formula. Pure functions.

OWASP's rule (CSV injection): a text cell beginning with =, +, -, @, a tab or a carriage
return is read by Excel, WPS and LibreOffice as a formula (=HYPERLINK(...), @SUM(...)),
so it gets a leading ' , which the spreadsheet shows as text and does not display. Plain
numbers stay numbers: an int, or text that is only a signed decimal number (-3, +1.5),
is written as it is, so a figure like remaining stock -3 still sums.
"""

import re

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?")


def safe_cell(value):
    """`value` as a CSV cell that cannot start a formula (see above)."""
    if not isinstance(value, str) or not value.startswith(FORMULA_STARTS):
        return value
    if _PLAIN_NUMBER.fullmatch(value):
        return value
    return "'" + value


def safe_row(values) -> list:
    return [safe_cell(v) for v in values]

"""Personal data in citizens' free text, masked for display and export (PIPL: minimum need).

Citizens write their phone numbers and ID-card numbers into comments, notes and void
reasons. The log keeps what was written; everything that shows or exports those texts
masks them unless an organiser asks otherwise. Pure functions, no I/O.

- An 18-digit resident ID card number (17 digits and a digit or X): the region code
  (first 6) and the last 4 stay, the birth date and order code go: 110101********123X.
- A mainland mobile number (11 digits, 1[3-9]…), with or without +86/86 and spaces or
  dashes between the groups: the first 3 and last 4 digits stay: 138****5678.
- A landline with its area code (0xx-xxxxxxxx, 0xxx-xxxxxxx): the area code and last
  2 digits stay: 010-******78.
A number inside a longer run of digits (an order number, say) is none of these and is
left alone.
"""

import re

_ID_CARD = re.compile(r"(?<!\d)(\d{6})(\d{8})(\d{3}[\dXx])(?!\d)")
_MOBILE = re.compile(r"(?<!\d)((?:\+?86[ -]?)?1[3-9]\d)[ -]?(\d{4})[ -]?(\d{4})(?!\d)")
_LANDLINE = re.compile(r"(?<!\d)(0\d{2,3})[ -]?(\d{5,6})(\d{2})(?!\d)")
FREE_TEXT_FIELDS = ("comment", "note", "reason")


def mask_personal(text):
    """`text` with ID-card, mobile and landline numbers masked; anything not a str as given."""
    if not isinstance(text, str) or not any(c.isdigit() for c in text):
        return text
    text = _ID_CARD.sub(lambda m: f"{m.group(1)}{'*' * 8}{m.group(3)}", text)
    text = _MOBILE.sub(lambda m: f"{m.group(1)}****{m.group(3)}", text)
    return _LANDLINE.sub(lambda m: f"{m.group(1)}-{'*' * len(m.group(2))}{m.group(3)}", text)


def mask_payload(payload: dict) -> dict:
    """A copy of an event payload with its free-text fields masked."""
    return {k: mask_personal(v) if k in FREE_TEXT_FIELDS else v for k, v in payload.items()}

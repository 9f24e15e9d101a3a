"""Reads a count as people write it — in a chat answer, a CLI option or a file's cell.

"1.234" is 1234 (SPEC §2.3); anything that is not a whole number ≥ 0 is refused with a
`CountError` saying what is wrong with it: empty, negative, a decimal, too big, not a number.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final

from reporting.errors import CountError

_PLAIN: Final = re.compile(r"[0-9]+")
# No count of forms or households comes near a billion; the cap also keeps every count within
# PostgreSQL's INTEGER and far below Python's 4,300-digit limit on int().
MAX_DIGITS: Final = 9
_SHOWN: Final = 20  # characters of a wrong value quoted back
_THOUSANDS: Final = re.compile(r"[0-9]{1,3}(?:\.[0-9]{3})+")
_NEGATIVE: Final = re.compile(r"[-−–]\s*[0-9][0-9.,]*")
_DECIMAL: Final = re.compile(r"[0-9]*[.,][0-9.,]*")


def whole_number(value: str) -> int | None:
    """Returns the whole number ≥ 0 written in `value`, or None when it is not one.

    The one reading of "a number" for every input: ASCII digits after NFKC (so "²", "③" and
    full-width "２" are the digits they show), "1.234" = 1234 (SPEC §2.3). Digits of other
    scripts ("٣") pass `str.isdigit()` but are not numbers here.
    """
    cleaned = unicodedata.normalize("NFKC", value).strip()
    if _PLAIN.fullmatch(cleaned) or _THOUSANDS.fullmatch(cleaned):
        digits = cleaned.replace(".", "").lstrip("0") or "0"
        return int(digits) if len(digits) <= MAX_DIGITS else None
    return None


def parse_count(value: str) -> int:
    """Returns the whole number ≥ 0 in `value` (" 45 ", "1.234" = 1234), else raises CountError."""
    number = whole_number(value)
    if number is not None:
        return number
    cleaned = unicodedata.normalize("NFKC", value).strip()
    shown = cleaned if len(cleaned) <= _SHOWN else f"{cleaned[:_SHOWN]}…"
    if _PLAIN.fullmatch(cleaned) or _THOUSANDS.fullmatch(cleaned):
        raise CountError("import.count_too_big", shown)
    if not cleaned:
        raise CountError("import.count_empty", value)
    if _NEGATIVE.fullmatch(cleaned):
        raise CountError("import.count_negative", shown)
    if _DECIMAL.fullmatch(cleaned):
        raise CountError("import.count_decimal", shown)
    raise CountError("import.count_not_number", shown)

"""The user-facing text catalog (one module per language) and Vietnamese number formatting."""

from __future__ import annotations

from fractions import Fraction
from typing import Final

from reporting.i18n import en, vi

LANGUAGES: Final = ("vi", "en")
DEFAULT_LANGUAGE: Final = "vi"
_CATALOGS: Final = {"vi": vi.MESSAGES, "en": en.MESSAGES}


def text(key: str, lang: str = DEFAULT_LANGUAGE, /, **params: object) -> str:
    """Returns the message `key` in `lang` (Vietnamese when missing), filled with `params`."""
    catalog = _CATALOGS.get(lang, vi.MESSAGES)
    # an empty message is deliberate (a blank column header), only a missing one falls back
    template = catalog[key] if key in catalog else vi.MESSAGES[key]
    return template.format(**params) if params else template


def fmt_count(value: int) -> str:
    """Formats a count the Vietnamese way: 24275 -> "24.275"."""
    return f"{value:,}".replace(",", ".")


def fmt_percent(value: Fraction | None, lang: str = DEFAULT_LANGUAGE) -> str:
    """Formats a 0..1 ratio as "98,61 %", truncated so that 79,996 % never shows as 80,00 %."""
    if value is None:
        return "—"
    hundredths = (value * 10_000).__floor__()
    whole, cents = divmod(hundredths, 100)
    separator = "," if lang == "vi" else "."
    thousands = fmt_count(whole) if lang == "vi" else f"{whole:,}"
    return f"{thousands}{separator}{cents:02d} %"

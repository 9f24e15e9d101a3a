"""The user-facing text catalog (one module per language) and Vietnamese number formatting."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import date
from fractions import Fraction
from typing import Final

from reporting.i18n import en, vi

LANGUAGES: Final = ("vi", "en")
DEFAULT_LANGUAGE: Final = "vi"
_CATALOGS: Final = {"vi": vi.MESSAGES, "en": en.MESSAGES}
# each verdict's mark, by `Verdict` value: the chat, the table and the alerts show these
VERDICT_MARKS: Final = {"met": "✅", "on_track": "🟢", "at_risk": "⚠️", "not_met": "❌"}


Phrase = Callable[[str], str]  # words said in the reader's language, whatever it is


def phrase(key: str, /, **params: object) -> Phrase:
    """Returns catalog message `key` to be said inside another message, in that one's language.

    `text("campaign.bad_value", "en", problem=phrase("campaign.want_date"))` says the whole
    sentence in English, where a problem written out up front would stay in Vietnamese.
    """
    return lambda lang: text(key, lang, **params)


def text(key: str, lang: str = DEFAULT_LANGUAGE, /, **params: object) -> str:
    """Returns the message `key` in `lang` (Vietnamese when missing), filled with `params`;
    a `Phrase` among them (any callable of the language) is said in `lang` too."""
    catalog = _CATALOGS.get(lang, vi.MESSAGES)
    # an empty message is deliberate (a blank column header), only a missing one falls back
    template = catalog[key] if key in catalog else vi.MESSAGES[key]
    if not params:
        return template
    said = {name: value(lang) if callable(value) else value for name, value in params.items()}
    return template.format(**said)


def fmt_count(value: int) -> str:
    """Formats a count the Vietnamese way: 24275 -> "24.275"."""
    return f"{value:,}".replace(",", ".")


def fmt_day(day: date, *, year: bool = True) -> str:
    """Formats a day as Vietnamese dates are written: "28/01/2024", or "28/01" without the year."""
    return f"{day:%d/%m/%Y}" if year else f"{day:%d/%m}"


def verdict_mark(verdict: str | None) -> str:
    """Returns a verdict's emoji (a dash when there is nothing to judge yet)."""
    return VERDICT_MARKS.get(verdict, "—") if verdict else "—"


def fmt_verdict(verdict: str | None, lang: str = DEFAULT_LANGUAGE) -> str:
    """Returns a verdict as the chat shows it, its mark then its words: "✅ Đạt"."""
    return f"{verdict_mark(verdict)} {verdict_words(verdict, lang)}"


def verdict_words(verdict: str | None, lang: str = DEFAULT_LANGUAGE) -> str:
    """Returns a verdict in plain words, as documents show it: "Đạt", "Chưa có số liệu"."""
    return text(f"verdict.{verdict or 'none'}", lang)


def fmt_percent(
    value: Fraction | None, lang: str = DEFAULT_LANGUAGE, threshold: Fraction | None = None
) -> str:
    """Formats a 0..1 ratio as published reports do: "98,61 %", rounded half up.

    `threshold` is the percent the figure is judged against (70 for 70 %), when it has one: a
    figure below it never shows as reaching it (79,996 % against 80 % shows "79,99 %"), and a
    figure reaching it never shows below it.
    """
    if value is None:
        return "—"
    whole, cents = divmod(shown_hundredths(value, threshold), 100)
    separator = "," if lang == "vi" else "."
    thousands = fmt_count(whole) if lang == "vi" else f"{whole:,}"
    return f"{thousands}{separator}{cents:02d} %"


def shown_hundredths(value: Fraction, threshold: Fraction | None = None) -> int:
    """Returns the 0..1 ratio in hundredths of a percent as shown: half up, on its side."""
    rounded = math.floor(value * 10_000 + Fraction(1, 2))
    if threshold is None:
        return rounded
    reaching = math.ceil(threshold * 100)  # the fewest hundredths that read as reaching it
    if value * 100 < threshold:
        return min(rounded, reaching - 1)
    return max(rounded, reaching)


def fmt_questions(numbers: tuple[int, ...] | range) -> str:
    """Names a group of question numbers as people write them: "1–9", "1–8, 10", "2, 4"."""
    runs: list[list[int]] = []
    for number in sorted(numbers):
        if runs and number == runs[-1][-1] + 1:
            runs[-1].append(number)
        else:
            runs.append([number])
    return ", ".join(
        f"{run[0]}–{run[-1]}" if len(run) > 2 else ", ".join(map(str, run)) for run in runs
    )

"""The text catalogs agree with each other, and numbers are written the Vietnamese way."""

from __future__ import annotations

import string
from datetime import date, datetime
from fractions import Fraction
from zoneinfo import ZoneInfo

import pytest

from reporting.i18n import en, fmt_count, fmt_day, fmt_percent, text, vi


def _placeholders(template: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(template) if field is not None}


def test_vietnamese_and_english_catalogs_have_the_same_keys() -> None:
    assert set(vi.MESSAGES) - set(en.MESSAGES) == set()
    assert set(en.MESSAGES) - set(vi.MESSAGES) == set()


# What the campaign calls its levels ("thôn", "cụm") are Vietnamese words: the chat says them
# in Vietnamese, while English keeps its own hamlet/commune/district.
LEVEL_WORDS = {"hamlet_level", "commune_level", "district_level"}


@pytest.mark.parametrize("key", sorted(vi.MESSAGES))
def test_placeholders_match_between_languages(key: str) -> None:
    english = _placeholders(en.MESSAGES[key])
    assert _placeholders(vi.MESSAGES[key]) - LEVEL_WORDS == english - LEVEL_WORDS
    assert english & LEVEL_WORDS == set()


def test_every_vietnamese_message_has_text() -> None:
    assert [key for key, message in vi.MESSAGES.items() if not message.strip()] == []


def test_text_fills_placeholders_in_the_chosen_language() -> None:
    assert text("user.unknown", user_id=7) == "Không có người dùng số 7."
    assert text("user.unknown", "en", user_id=7) == "There is no user 7."


def test_unknown_language_falls_back_to_vietnamese() -> None:
    assert text("invite.used", "fr") == vi.MESSAGES["invite.used"]


def test_a_deliberately_empty_message_is_not_replaced_by_vietnamese(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(en.MESSAGES, "verdict.none", "")
    assert text("verdict.none", "en") == ""


def test_vietnamese_text_keeps_its_diacritics() -> None:
    assert "Hãy chạy: tallybot init" in text("db.no_campaign")


@pytest.mark.parametrize(
    ("value", "shown"),
    [(0, "0"), (999, "999"), (1000, "1.000"), (24275, "24.275"), (1234567, "1.234.567")],
)
def test_fmt_count_uses_a_dot_for_thousands(value: int, shown: str) -> None:
    assert fmt_count(value) == shown


def test_fmt_day_writes_day_month_and_year_as_vietnamese_dates_are_written() -> None:
    assert fmt_day(date(2024, 2, 3)) == "03/02/2024"
    assert fmt_day(date(2024, 2, 3), year=False) == "03/02"
    moment = datetime(2024, 1, 28, 23, 30, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
    assert fmt_day(moment) == "28/01/2024"  # a moment's own day, in its own time zone


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (Fraction(9861, 10000), "98,61 %"),
        (Fraction(7, 10), "70,00 %"),
        (Fraction(1), "100,00 %"),
        (Fraction(0), "0,00 %"),
        (Fraction(1, 3), "33,33 %"),
        (Fraction(2, 3), "66,67 %"),
    ],
)
def test_fmt_percent_uses_a_decimal_comma(value: Fraction, shown: str) -> None:
    assert fmt_percent(value) == shown


@pytest.mark.parametrize(
    ("collected", "households", "shown"),
    [(2840, 2842, "99,93 %"), (972, 1043, "93,19 %"), (39200, 60160, "65,16 %")],
)
def test_fmt_percent_shows_published_figures_rounded_half_up(
    collected: int, households: int, shown: str
) -> None:
    assert fmt_percent(Fraction(collected, households)) == shown


def test_fmt_percent_rounds_an_exact_half_up() -> None:
    assert fmt_percent(Fraction(98615, 100000)) == "98,62 %"
    assert fmt_percent(Fraction(986149, 1000000)) == "98,61 %"


def test_fmt_percent_never_shows_a_figure_below_its_threshold_as_reaching_it() -> None:
    assert fmt_percent(Fraction(79996, 100000), threshold=Fraction(80)) == "79,99 %"
    assert fmt_percent(Fraction(799999, 1000000), threshold=Fraction(80)) == "79,99 %"
    assert fmt_percent(Fraction(8, 10), threshold=Fraction(80)) == "80,00 %"
    assert fmt_percent(Fraction(79996, 100000)) == "80,00 %"  # no threshold: plain rounding


def test_fmt_percent_never_shows_a_figure_reaching_a_finer_threshold_below_it() -> None:
    assert fmt_percent(Fraction(79992, 100000), threshold=Fraction("79.991")) == "80,00 %"
    assert fmt_percent(Fraction(79990, 100000), threshold=Fraction("79.991")) == "79,99 %"


def test_fmt_percent_in_english_uses_a_decimal_point() -> None:
    assert fmt_percent(Fraction(9861, 10000), "en") == "98.61 %"


def test_fmt_percent_without_a_figure_is_a_dash() -> None:
    assert fmt_percent(None) == "—"

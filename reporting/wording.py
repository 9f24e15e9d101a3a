"""How a campaign's own form reads in text: its question groups, measures and one-line format.

Messages name "câu 1–9" or "câu 10" only through the parameters made here, so that a campaign
of 19 questions reads "câu 1–18" and "câu 19" everywhere; likewise the units' levels, so that a
commune campaign over its thôn reads "thôn", never "xóm".
"""

from __future__ import annotations

from reporting.campaign import Levels
from reporting.i18n import fmt_questions, text
from reporting.thresholds import Form


def form_words(form: Form) -> dict[str, object]:
    """Returns the parameters every message about the form may use: `group` (the averaged
    questions, "1–9"), `overall` (the overall question's number) and `count` (how many)."""
    return {"group": fmt_questions(form.average), "overall": form.overall, "count": form.questions}


def level_words(levels: Levels) -> dict[str, object]:
    """Returns the parameters every message about units may use: what the campaign calls its
    levels, `district_level`, `commune_level` and `hamlet_level` ("huyện", "xã", "xóm")."""
    return {
        "district_level": levels.district,
        "commune_level": levels.commune,
        "hamlet_level": levels.hamlet,
    }


def measure_name(measure: str, form: Form, lang: str) -> str:
    """Returns a measure's name as alerts say it: "bình quân câu 1–9", "câu 10"."""
    return text(f"alert.measure_{measure}", lang, **form_words(form))


_EXAMPLE = (44, 43, 45, 45, 42, 44, 45, 44, 45, 45)  # satisfied of 45 valid forms
_EXAMPLE_INVALID = (44, 43, 44, 44, 42, 43, 44, 43, 44, 44)  # of 44, one form of 45 invalid


def example_line(questions: int, invalid: bool = False) -> str:
    """Returns an example one-line report of `questions` answers: "45 44 43 …" (45 collected,
    with 1 invalid form when `invalid`)."""
    pattern = _EXAMPLE_INVALID if invalid else _EXAMPLE
    answers = [pattern[place % len(pattern)] for place in range(questions)]
    return " ".join(map(str, [45, *([1] if invalid else []), *answers]))


def oneline_params(form: Form, found: int) -> dict[str, object]:
    """Returns the parameters of the one-line format's help ("chat.oneline_format"): how many
    numbers it takes, how many were found, and examples for this form."""
    return {
        "found": found,
        "short": form.questions + 1,
        "long": form.questions + 2,
        "example": example_line(form.questions),
        "example_invalid": example_line(form.questions, invalid=True),
        **form_words(form),
    }

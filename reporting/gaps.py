"""What would fix a measure that is not met, in numbers (SPEC §3.3), as users read it."""

from __future__ import annotations

from fractions import Fraction

from reporting.i18n import fmt_count, text
from reporting.measures import Measures
from reporting.wording import form_words


def households_gap(m: Measures, threshold: Fraction, lang: str) -> str | None:
    """Returns "cần thêm N hộ để đạt 70 %" (or "không thể đạt"), None when participation is met."""
    if m.households_needed <= 0 or m.counts.households == 0:
        return None
    if m.households_needed > m.counts.households - m.counts.collected:
        what = text("status.gap_participation", lang)
        return text("status.impossible", lang, what=what, percent=plain_percent(threshold))
    count = fmt_count(m.households_needed)
    return text("status.need_households", lang, count=count, percent=plain_percent(threshold))


def forms_gap(m: Measures, key: str, threshold: Fraction | None, lang: str) -> str | None:
    """Returns "câu 4 cần thêm 6 phiếu hài lòng để đạt 80 %" (or "không thể đạt"); None when
    met or not judged.

    `key` is a question number ("1".."N") or "average".
    """
    if threshold is None or key not in m.forms_needed:
        return None
    needed = m.forms_needed[key]
    if needed == 0 or m.counts.valid == 0:
        return None
    what = (
        text("status.gap_average", lang, **form_words(m.form))
        if key == "average"
        else text("status.gap_question", lang, question=key)
    )
    if needed is None:
        return text("status.impossible", lang, what=what, percent=plain_percent(threshold))
    count = fmt_count(needed)
    return text(
        "status.need_forms", lang, what=what, count=count, percent=plain_percent(threshold)
    )


def plain_percent(threshold: Fraction) -> str:
    """Formats a threshold as people say it: "70 %", "92,5 %"."""
    if threshold.denominator == 1:
        return f"{threshold.numerator} %"
    return f"{float(threshold):g} %".replace(".", ",")

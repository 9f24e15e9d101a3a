"""Which alerts a verdict that got worse calls for (SPEC §2.5), decided from a summary and
the verdicts remembered: pure, no I/O."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction

from reporting.alerts import Alert, Audience, Kind, Responsible, gap_phrase, percent_phrase
from reporting.gaps import forms_gap, households_gap, plain_percent
from reporting.i18n import Phrase, fmt_percent, fmt_verdict, text
from reporting.measures import lowest_question
from reporting.summaries import CampaignSummary, UnitSummary
from reporting.verdicts import Verdict, got_worse
from reporting.wording import measure_name

VerdictMemory = Mapping[tuple[int, str], Verdict | None]


def verdict_changes(
    summary: CampaignSummary,
    previous: VerdictMemory,
    now: datetime,
    changes: Mapping[tuple[int, str], int] | None = None,
    responsible: Responsible | None = None,
) -> tuple[list[Alert], dict[tuple[int, str], Verdict | None]]:
    """Returns alerts for every verdict that got worse since `previous`, and the new memory.

    A unit seen for the first time is remembered without an alert. `changes` counts the
    changes remembered so far per unit and measure: an alert is keyed by the change it
    reports (the next one), so two evaluations that see the same change, in two processes
    at once, claim one alert, and a verdict that recovers and falls again alerts again.
    A commune's alert names the officials who answer for it (`responsible`).
    """
    alerts: list[Alert] = []
    memory: dict[tuple[int, str], Verdict | None] = {}
    for unit in (summary.district, *summary.communes):
        for measure in summary.campaign.thresholds.judged:
            new = unit.measures.verdicts[measure]
            memory[(unit.unit_id, measure)] = new
            old = previous.get((unit.unit_id, measure))
            if (unit.unit_id, measure) in previous and got_worse(old, new):
                change = (changes or {}).get((unit.unit_id, measure), 0) + 1
                names = (responsible or {}).get(unit.unit_id, ())
                alerts.append(_verdict_alert(summary, unit, measure, (old, new), change, names))
    return alerts, memory


@dataclass(frozen=True, slots=True)
class _Figure:
    """A measure's value, its threshold, and what would fix it, for a verdict alert."""

    value: Phrase
    threshold: Fraction
    gap: Phrase


def _verdict_alert(
    summary: CampaignSummary,
    unit: UnitSummary,
    measure: str,
    verdicts: tuple[Verdict | None, Verdict | None],
    change: int,
    responsible: Sequence[str],
) -> Alert:
    old, new = verdicts
    figure = _figure_of(summary, unit, measure)
    params = {
        "unit": unit.name,
        "measure": lambda lang: measure_name(measure, summary.campaign.form, lang),
        "old": lambda lang: fmt_verdict(old, lang),
        "new": lambda lang: fmt_verdict(new, lang),
        "figure": figure.value,
        "threshold": plain_percent(figure.threshold),
        "gap": figure.gap,
        "responsible": lambda lang: (
            text("alert.responsible", lang, names="; ".join(responsible)) if responsible else ""
        ),
    }
    district = unit.level == "district"
    audience = Audience.DISTRICT if district else Audience.DISTRICT_AND_COMMUNE
    key = f"verdict:{unit.unit_id}:{measure}:{new}:{change}"
    return Alert(
        Kind.VERDICT,
        key,
        audience,
        "alert.verdict",
        params,
        commune_id=None if district else unit.unit_id,
    )


def _figure_of(summary: CampaignSummary, unit: UnitSummary, measure: str) -> _Figure:
    """Returns the figure a verdict alert reports, for a measure the campaign judges."""
    m, t = unit.measures, summary.campaign.thresholds
    threshold = getattr(t, measure)
    assert threshold is not None, f"{measure} is not judged"
    if measure == "participation":
        if unit.level == "district":
            threshold = t.district_participation or threshold
        gap = gap_phrase(lambda lang: households_gap(m, threshold, lang))
        return _Figure(percent_phrase(m.participation, threshold), threshold, gap)
    if measure == "average":
        gap = gap_phrase(lambda lang: forms_gap(m, "average", threshold, lang))
        return _Figure(percent_phrase(m.average, threshold), threshold, gap)
    if measure == "overall":
        overall = str(t.form.overall)
        gap = gap_phrase(lambda lang: forms_gap(m, overall, threshold, lang))
        return _Figure(percent_phrase(m.overall, threshold), threshold, gap)
    named = unit.level == "district" and bool(summary.communes)
    if named:  # the district's question_min is its worst commune's: show that commune
        unit = min(summary.communes, key=_lowest_rate)
        m = unit.measures
    lowest = lowest_question(m.counts, t.form) or t.form.average[0]
    gap = gap_phrase(lambda lang: forms_gap(m, str(lowest), threshold, lang))
    rate = m.rates[lowest - 1]
    value = _question_figure(unit.name if named else None, lowest, rate, threshold)
    return _Figure(value, threshold, gap)


def _lowest_rate(commune: UnitSummary) -> Fraction:
    lowest = lowest_question(commune.measures.counts, commune.measures.form)
    rate = commune.measures.rates[lowest - 1] if lowest else None
    return rate if rate is not None else Fraction(2)


def _question_figure(
    commune: str | None, question: int, rate: Fraction | None, threshold: Fraction
) -> Phrase:
    def said(lang: str) -> str:
        percent = fmt_percent(rate, lang, threshold)
        figure = text("alert.question_figure", lang, question=question, percent=percent)
        return f"{commune}: {figure}" if commune else figure

    return said

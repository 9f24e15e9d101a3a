"""A fixed-width table of the district and its communes, for the terminal and the transcript."""

from __future__ import annotations

from bot.views.status import overall_verdict, worst_first
from reporting.gaps import forms_gap, households_gap
from reporting.i18n import fmt_count, fmt_percent, text, verdict_mark
from reporting.measures import lowest_question, question_threshold
from reporting.summaries import CampaignSummary, UnitSummary
from reporting.thresholds import Thresholds
from reporting.wording import form_words

COLUMNS = (
    "unit",
    "households",
    "collected",
    "participation",
    "lowest",
    "average",
    "overall",
    "verdict",
)
WIDTHS = (16, 8, 8, 9, 15, 9, 9, 8)


def district_table(summary: CampaignSummary, lang: str = "vi") -> str:
    """Returns the district line, the communes worst first, then what each still needs."""
    words = form_words(summary.campaign.form)
    header = [text(f"table.{name}", lang, **words) for name in COLUMNS]
    lines = [_row(header), "-" * (sum(WIDTHS) + len(WIDTHS) - 1)]
    thresholds = summary.campaign.thresholds
    lines.append(_row(_cells(summary.district, thresholds, lang)))
    communes = worst_first(summary.communes)
    lines.extend(_row(_cells(commune, thresholds, lang)) for commune in communes)
    gaps = [line for commune in communes for line in _gap_lines(summary, commune, lang)]
    if gaps:
        lines += ["", text("table.gaps", lang), *gaps]
    return "\n".join(lines)


def _cells(unit: UnitSummary, t: Thresholds, lang: str) -> list[str]:
    m = unit.measures
    lowest = lowest_question(m.counts, t.form)
    lowest_text = (
        text("table.question", lang, question=lowest)
        + " "
        + fmt_percent(m.rates[lowest - 1], lang, question_threshold(lowest, t))
        if lowest
        else "—"
    )
    return [
        unit.name,
        fmt_count(m.counts.households),
        fmt_count(m.counts.collected),
        fmt_percent(m.participation, lang, t.participation),
        lowest_text,
        fmt_percent(m.average, lang, t.average),
        fmt_percent(m.overall, lang, t.overall),
        verdict_mark(overall_verdict(m)),
    ]


def _row(cells: list[str]) -> str:
    # The verdict mark goes last and left-aligned: emoji widths differ between terminals.
    name, *figures, mark = cells
    padded = [cell.rjust(width) for cell, width in zip(figures, WIDTHS[1:-1], strict=True)]
    return " ".join([name.ljust(WIDTHS[0]), *padded, f" {mark}"]).rstrip()


def _gap_lines(summary: CampaignSummary, commune: UnitSummary, lang: str) -> list[str]:
    m = commune.measures
    thresholds = summary.campaign.thresholds
    gaps = [households_gap(m, thresholds.participation, lang)]
    form = thresholds.form
    gaps += [forms_gap(m, str(q), thresholds.question_min, lang) for q in form.average]
    gaps += [forms_gap(m, "average", thresholds.average, lang)]
    if form.overall is not None:
        gaps += [forms_gap(m, str(form.overall), thresholds.overall, lang)]
    return [f"  {commune.name}: {gap}" for gap in gaps if gap]

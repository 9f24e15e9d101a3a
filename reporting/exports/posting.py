"""The public-posting sheet (SPEC §4.3): one printable A4 page per commune, as a PDF.

Drawn with matplotlib's PDF backend on a page laid out in millimetres (y grows downwards), in
black on white so that it photocopies: the official heading, the title, the collection period,
the counts, a table of satisfied forms and rates per question, and a signature block.
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Collection, Sequence

from matplotlib.axes import Axes
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure

from reporting.i18n import fmt_count, fmt_day, fmt_percent, text
from reporting.measures import question_threshold
from reporting.summaries import CampaignSummary, UnitSummary
from reporting.wording import form_words

A4 = (8.27, 11.69)  # inches
PAGE_MM = (210, 297)
FONT = "DejaVu Sans"
LEFT, RIGHT = 18.0, 192.0
# the table: number, question, satisfied forms, rate — x positions of the column borders
TABLE_X = (LEFT, 30.0, 132.0, 162.0, RIGHT)
LABEL_WIDTH = 52  # characters of a question label per line in the table


def posting_pdf(
    summary: CampaignSummary, commune_ids: Collection[int] | None = None, lang: str = "vi"
) -> bytes:
    """Returns a PDF with one A4 posting page per commune (all surveyed ones when None).

    Raises KeyError for an id that is not a surveyed commune, ValueError when none is left.
    """
    communes = (
        list(summary.communes)
        if commune_ids is None
        else [summary.commune(unit_id) for unit_id in commune_ids]
    )
    if not communes:
        raise ValueError("no commune to post")
    buffer = io.BytesIO()
    with PdfPages(buffer, metadata={"Title": summary.campaign.name, "Creator": "tallybot"}) as pdf:
        for commune in communes:
            pdf.savefig(posting_page(summary, commune, lang))
    return buffer.getvalue()


def posting_page(summary: CampaignSummary, commune: UnitSummary, lang: str = "vi") -> Figure:
    """Returns one commune's posting page as an A4 figure (no pyplot; saved by the caller)."""
    figure = Figure(figsize=A4)
    page = figure.add_axes((0, 0, 1, 1))
    page.set_xlim(0, PAGE_MM[0])
    page.set_ylim(PAGE_MM[1], 0)
    page.axis("off")
    y = _heading(page, summary, commune, lang)
    y = _title(page, summary, commune, lang, y)
    y = _facts(page, summary, commune, lang, y)
    y = _table(page, summary, commune, lang, y)
    _signature(page, summary, commune, lang, y)
    for label in page.texts:  # the page's own texts: no ticks or labels exist to set
        label.set_fontfamily(FONT)
    return figure


def _heading(page: Axes, summary: CampaignSummary, commune: UnitSummary, lang: str) -> float:
    level = summary.campaign.levels.commune
    front = [text("posting.front", lang), f"{level} {commune.name}".upper()]
    state = [text("posting.state", lang), text("posting.motto", lang)]
    for x, lines in ((52.0, front), (142.0, state)):
        page.text(x, 14, lines[0], ha="center", va="baseline", size=9.5, weight="bold")
        page.text(x, 19, lines[1], ha="center", va="baseline", size=9.5, weight="bold")
        page.plot([x - 18, x + 18], [21, 21], color="black", linewidth=0.6)
    return 34.0


def _title(
    page: Axes, summary: CampaignSummary, commune: UnitSummary, lang: str, y: float
) -> float:
    page.text(105, y, text("posting.title", lang), ha="center", size=14, weight="bold")
    y += 7
    for line in textwrap.wrap(summary.campaign.name, 72):
        page.text(105, y, line, ha="center", size=11, weight="bold")
        y += 5.5
    where = text("posting.unit", lang, level=summary.campaign.levels.commune, name=commune.name)
    where = where[:1].upper() + where[1:]
    page.text(105, y, where, ha="center", size=11, style="italic")
    return y + 10


def _facts(
    page: Axes, summary: CampaignSummary, commune: UnitSummary, lang: str, y: float
) -> float:
    counts = commune.measures.counts
    campaign = summary.campaign
    moment = summary.as_of.astimezone(campaign.timezone)
    lines = [
        text(
            "posting.period",
            lang,
            start=fmt_day(campaign.phases.collection[0]),
            end=fmt_day(campaign.phases.collection[1]),
        ),
        text("posting.as_of", lang, time=moment.strftime("%H:%M"), day=fmt_day(moment.date())),
        text("posting.households", lang, count=fmt_count(counts.households)),
        text(
            "posting.collected",
            lang,
            count=fmt_count(counts.collected),
            percent=fmt_percent(
                commune.measures.participation, lang, campaign.thresholds.participation
            ),
        ),
        text(
            "posting.valid", lang, valid=fmt_count(counts.valid), invalid=fmt_count(counts.invalid)
        ),
    ]
    for line in lines:
        page.text(LEFT, y, line, size=10.5)
        y += 6.5
    if not commune.confirmed:
        notice = text("posting.unconfirmed", lang, level=summary.campaign.levels.commune)
        page.text(LEFT, y, notice, size=10, style="italic")
        y += 6.5
    return y + 3


def _table(
    page: Axes, summary: CampaignSummary, commune: UnitSummary, lang: str, y: float
) -> float:
    headers = [
        text(f"posting.column_{key}", lang) for key in ("number", "question", "satisfied", "rate")
    ]
    top = y
    rows = [y := _table_row(page, y, headers, bold=True, height=11)]
    m, thresholds = commune.measures, summary.campaign.thresholds
    for question, label in enumerate(summary.campaign.questions, start=1):
        cells = [
            str(question),
            label,
            fmt_count(m.counts.satisfied[question - 1]),
            fmt_percent(m.rates[question - 1], lang, question_threshold(question, thresholds)),
        ]
        rows.append(y := _table_row(page, y, cells))
    average_rate = fmt_percent(m.average, lang, thresholds.average)
    average = ["", text("posting.average", lang, **form_words(thresholds.form)), "", average_rate]
    rows.append(y := _table_row(page, y, average, bold=True))
    page.hlines([top, *rows], LEFT, RIGHT, colors="black", linewidth=0.6)
    page.vlines(TABLE_X, top, y, colors="black", linewidth=0.6)
    page.text(LEFT, y + 5, text("posting.rate_note", lang), size=8.5, style="italic")
    return y + 14


def _table_row(
    page: Axes, y: float, cells: Sequence[str], bold: bool = False, height: float = 0
) -> float:
    """Writes one table row at y, the question cell wrapped; returns where the next row starts."""
    wrapped = [
        textwrap.wrap(cell, LABEL_WIDTH if index == 1 else 14) or [""]
        for index, cell in enumerate(cells)
    ]
    lines = max(len(cell) for cell in wrapped)
    height = max(height, 3 + 4.6 * lines)
    for index, cell_lines in enumerate(wrapped):
        left, right = TABLE_X[index], TABLE_X[index + 1]
        x, align = (left + 2, "left") if index == 1 else ((left + right) / 2, "center")
        middle = y + height / 2 - 2.3 * (len(cell_lines) - 1)
        for number, line in enumerate(cell_lines):
            page.text(
                x,
                middle + 4.6 * number,
                line,
                ha=align,
                va="center",
                size=9.5,
                weight="bold" if bold else "normal",
            )
    return y + height


def _signature(
    page: Axes, summary: CampaignSummary, commune: UnitSummary, lang: str, y: float
) -> None:
    """Writes the place and date line to fill in by hand, then who signs, right of centre."""
    year = summary.campaign.phases.posting[0].year
    signer = text("posting.signer", lang, level=summary.campaign.levels.commune).upper()
    lines = [
        (text("posting.place_date", lang, place=commune.name, year=year), 10, "normal", "italic"),
        *((line, 10, "bold", "normal") for line in textwrap.wrap(signer, 40)),
        (text("posting.signer_title", lang), 10, "bold", "normal"),
        (text("posting.sign_hint", lang), 9, "normal", "italic"),
    ]
    for number, (words, size, weight, style) in enumerate(lines):
        gap = 7 if number == 1 else 5
        y += gap if number else 0
        page.text(140, y, words, ha="center", size=size, weight=weight, style=style)

"""The bar and heat-map charts of SPEC §4.2 drawn to PNG bytes, with matplotlib's object API.

Each is drawn on the phone-wide figure of `reporting.charts.canvas`, in large type.
"""

from __future__ import annotations

import textwrap
from collections.abc import Collection, Sequence
from fractions import Fraction
from typing import Any, Literal

from matplotlib.axes import Axes
from matplotlib.colors import to_rgb
from matplotlib.patches import Patch
from matplotlib.transforms import ScaledTranslation

from reporting.charts.canvas import FONT, canvas, png_bytes
from reporting.charts.data import (
    Bar,
    HeatRow,
    heatmap_cells,
    paginate,
    participation_bars,
    question_bars,
)
from reporting.charts.notes import Note, NoteLayer
from reporting.i18n import fmt_day, fmt_percent, text
from reporting.summaries import CampaignSummary, UnitSummary

TITLE_SIZE = 17
LABEL_SIZE = 14
SMALL_SIZE = 12
TICK_LENGTH = 3.5  # points: matplotlib's default tick marks, and their labels' distance
TICK_PAD = 3.5
TITLE_WIDTH = 56  # characters of a title line that fit the image's width
# Columns that fit a phone-wide image side by side, figures written out: the reference form's
# 10 questions and their average. A form with more questions is drawn in two rows of labels
# (question chart) or over more images (heat map).
WIDE_COLUMNS = 11

MET = "#2e7d32"
BELOW = "#ef6c00"
WORST = "#c62828"
LINE = "#212121"
CELL_MET = "#c8e6c9"
CELL_BELOW = "#ffab91"
CELL_NONE = "#eeeeee"
_BOLD: dict[str, Any] = {"size": SMALL_SIZE, "weight": "bold"}


def render_participation(
    summary: CampaignSummary, lang: str = "vi", pages: Collection[int] | None = None
) -> list[bytes]:
    """Returns PNGs of participation by commune, lowest first, at most 30 communes an image.

    `pages` picks which images to draw (numbered from 1; all when None): the first holds the
    communes furthest behind.
    """
    chosen = paginate(participation_bars(summary))
    return [
        _participation_page(summary, bars, _page_note(number, len(chosen), lang), lang)
        for number, bars in enumerate(chosen, start=1)
        if pages is None or number in pages
    ]


def render_questions(
    summary: CampaignSummary, unit: UnitSummary | None = None, lang: str = "vi"
) -> bytes:
    """Returns a PNG of satisfaction by question for a commune or (None) the district."""
    unit = unit or summary.district
    bars = question_bars(unit, summary.campaign, lang)
    figure, axes = canvas(6.4)
    positions = range(len(bars))
    axes.bar(positions, [_height(bar) for bar in bars], color=[_colour(b) for b in bars])
    # above the threshold's line too
    tops = [max(_height(bar), 100 * float(bar.threshold or 0)) for bar in bars]
    # more bars than fit: every other figure a line higher, so that neighbours do not touch
    staggered = len(bars) > WIDE_COLUMNS
    notes = [
        Note(
            position,
            top + 1.5 + (5 if staggered and position % 2 else 0),
            _short_percent(bar, lang),
        )
        for position, bar, top in zip(positions, bars, tops, strict=True)
    ]
    axes.add_artist(NoteLayer(notes, SMALL_SIZE, axes.transData, va="bottom"))
    _threshold_segments(axes, bars, lang)
    # "Câu 10" and "BQ 1–9" side by side only fit a phone-wide image on two lines; more
    # questions than that, only their numbers, under an axis label that says what they are
    labels = [bar.label.replace(" ", "\n", 1) for bar in bars]
    if staggered:
        labels = [bar.label.split(" ")[-1] for bar in bars[:-1]] + [labels[-1]]
        axes.set_xlabel(text("chart.questions_numbers", lang), size=LABEL_SIZE)
    axes.set_xticks(list(positions), labels)
    axes.tick_params(axis="x", labelsize=SMALL_SIZE, labelfontfamily=FONT)
    percent_axis(axes, "y", text("chart.questions_axis", lang))
    axes.set_ylim(0, 112)
    title = text("chart.questions_title", lang, unit=unit_name(summary, unit, lang))
    titled(axes, title, summary, lang)
    legend(axes, [(MET, "chart.legend_met"), (BELOW, "chart.legend_below")], lang)
    return png_bytes(figure)


def render_heatmap(
    summary: CampaignSummary, lang: str = "vi", pages: Collection[int] | None = None
) -> list[bytes]:
    """Returns PNGs of the communes × questions heat map, name order, at most 30 rows an image.

    A form with more questions than fit side by side (WIDE_COLUMNS) is drawn over more
    images, each with some of the columns: a page of communes, each group of its columns.
    `pages` picks which images to draw (numbered from 1; all when None).
    """
    cells = heatmap_cells(summary, lang)
    chosen = [
        [HeatRow(row.name, tuple(row.cells[i] for i in shown)) for row in rows]
        for rows in paginate(cells)
        for shown in _column_groups(cells)
    ]
    return [
        _heatmap_page(summary, rows, _page_note(number, len(chosen), lang), lang)
        for number, rows in enumerate(chosen, start=1)
        if pages is None or number in pages
    ]


def heatmap_first_pages(summary: CampaignSummary) -> set[int]:
    """Returns the numbers of the heat map's images of the first communes: one per group of
    columns, every question shown."""
    return set(range(1, len(_column_groups(heatmap_cells(summary))) + 1))


def _column_groups(cells: Sequence[HeatRow]) -> list[list[int]]:
    """Returns the heat map's columns (questions, then the average) split into the fewest
    groups that fit side by side."""
    return paginate(range(len(cells[0].cells) if cells else 0), WIDE_COLUMNS)


def _participation_page(
    summary: CampaignSummary, bars: Sequence[Bar], page: str, lang: str
) -> bytes:
    figure, axes = canvas(2.4 + 0.36 * max(len(bars), 4))
    rows = range(len(bars))
    colours = [WORST if bar.highlight else _colour(bar) for bar in bars]
    axes.barh(rows, [_height(bar) for bar in bars], color=colours, height=0.72)
    notes = [
        Note(_height(bar) + 1, row, _bar_percent(bar, lang), bold=bar.highlight)
        for row, bar in zip(rows, bars, strict=True)
    ]
    axes.add_artist(NoteLayer(notes, SMALL_SIZE, axes.transData, ha="left"))
    names = [
        Note(0, row, bar.label, bold=bar.highlight, colour=WORST if bar.highlight else "black")
        for row, bar in zip(rows, bars, strict=True)
    ]
    _names_beside(axes, names, LABEL_SIZE, TICK_PAD + TICK_LENGTH)
    axes.set_ylim(max(len(bars), 1) - 0.5, -0.5)
    threshold = summary.campaign.thresholds.participation
    axes.axvline(float(threshold), color=LINE, linestyle="--", linewidth=2)
    above = axes.get_xaxis_transform()  # x in data, y in axes: just over the top edge
    label = percent_label(threshold, lang)
    axes.text(float(threshold), 1.005, label, ha="center", va="bottom", transform=above, **_BOLD)
    percent_axis(axes, "x", text("chart.participation_axis", lang))
    axes.set_xlim(0, 118)
    district = unit_name(summary, summary.district, lang)
    level = summary.campaign.levels.commune
    title = text("chart.participation_title", lang, level=level, unit=district)
    titled(axes, title, summary, lang, page)
    entries = [(MET, "met"), (BELOW, "below"), (WORST, "worst")]
    legend(axes, [(colour, f"chart.legend_{key}") for colour, key in entries], lang)
    return png_bytes(figure)


def _heatmap_page(
    summary: CampaignSummary, rows: Sequence[HeatRow], page: str, lang: str
) -> bytes:
    figure, axes = canvas(2.6 + 0.36 * max(len(rows), 4))
    columns = [cell.label for cell in rows[0].cells] if rows else []
    if rows:
        _cell_grid(axes, rows)
    notes = [
        Note(x, y, _short_percent(cell, lang))
        for y, row in enumerate(rows)
        for x, cell in enumerate(row.cells)
    ]
    axes.add_artist(NoteLayer(notes, SMALL_SIZE - 2, axes.transData))
    names = [Note(0, y, row.name) for y, row in enumerate(rows)]
    _names_beside(axes, names, LABEL_SIZE - 1, TICK_PAD)
    axes.set_xticks([])
    offset = ScaledTranslation(0, TICK_PAD / 72, figure.dpi_scale_trans)
    over = axes.get_xaxis_transform() + offset  # x in data, y in axes: over the top edge
    headers = [Note(x, 1, column) for x, column in enumerate(columns)]
    axes.add_artist(NoteLayer(headers, SMALL_SIZE - 1, over, va="bottom", in_layout=True))
    for side in axes.spines.values():
        side.set_visible(False)
    district = unit_name(summary, summary.district, lang)
    level = summary.campaign.levels.commune
    titled(
        axes, text("chart.heatmap_title", lang, level=level, unit=district), summary, lang, page
    )
    entries = [(CELL_MET, "met"), (CELL_BELOW, "below"), (CELL_NONE, "none")]
    legend(axes, [(colour, f"chart.legend_{key}") for colour, key in entries], lang)
    return png_bytes(figure)


def _cell_grid(axes: Axes, rows: Sequence[HeatRow]) -> None:
    """Fills one rectangle per cell in its colour, row 0 at the top, cell (x, y) around (x, y)."""
    # a mesh drawn as vectors: an image (imshow) is resampled to the PNG's full size at each draw
    colours = [[to_rgb(_cell_colour(cell)) for cell in row.cells] for row in rows]
    columns = len(colours[0])
    edges = ([x - 0.5 for x in range(columns + 1)], [y - 0.5 for y in range(len(rows) + 1)])
    axes.pcolormesh(*edges, colours, shading="flat")
    axes.set_xlim(-0.5, columns - 0.5)
    axes.set_ylim(len(rows) - 0.5, -0.5)


def _names_beside(axes: Axes, names: Sequence[Note], size: float, pad: float) -> None:
    """Writes the rows' names left of the axes, where tick labels sit, `pad` points away."""
    # one layer instead of a tick each: 30 matplotlib labels, measured over and over by the
    # layout, cost more than the rest of the chart
    axes.set_yticks([])
    offset = ScaledTranslation(-pad / 72, 0, axes.figure.dpi_scale_trans)
    beside = axes.get_yaxis_transform() + offset  # x in axes, y in data
    layer = NoteLayer(names, size, beside, ha="right", va="center_baseline", in_layout=True)
    axes.add_artist(layer)


# --- pieces shared with the pace chart ----------------------------------------------------


def titled(axes: Axes, title: str, summary: CampaignSummary, lang: str, page: str = "") -> None:
    """Sets the title at the image's left edge: what it shows, then the as-of moment and page."""
    moment = summary.as_of.astimezone(summary.campaign.timezone)
    as_of = text("chart.as_of", lang, time=moment.strftime("%H:%M"), day=fmt_day(moment))
    lines = [*textwrap.wrap(title, TITLE_WIDTH), f"{as_of}{page}"]
    axes.figure.suptitle("\n".join(lines), x=0.02, ha="left", size=TITLE_SIZE, linespacing=1.4)


def legend(axes: Axes, entries: Sequence[tuple[str, str]], lang: str) -> None:
    """Adds a one-row legend of coloured patches (colour, catalog key) under the chart."""
    handles = [Patch(facecolor=colour, label=text(key, lang)) for colour, key in entries]
    axes.figure.legend(
        handles=handles,
        loc="outside lower center",
        ncols=len(handles),
        fontsize=SMALL_SIZE,
        frameon=False,
    )


def percent_axis(axes: Axes, which: Literal["x", "y"], label: str) -> None:
    """Makes an axis run 0 % .. 100 % in steps of 20, with a light grid and a label."""
    ticks = [0, 20, 40, 60, 80, 100]
    labels = [f"{tick} %" for tick in ticks]
    if which == "x":
        axes.set_xticks(ticks, labels)
        axes.set_xlabel(label, size=LABEL_SIZE)
    else:
        axes.set_yticks(ticks, labels)
        axes.set_ylabel(label, size=LABEL_SIZE)
    axes.tick_params(axis=which, labelsize=SMALL_SIZE, labelfontfamily=FONT)
    axes.grid(axis=which, color="#dddddd", linewidth=0.8)
    axes.set_axisbelow(True)


def percent_label(percent: Fraction, lang: str) -> str:
    """Formats a percent threshold: "70 %", or "79,50 %" when it is not whole."""
    if percent.denominator == 1:
        return f"{percent.numerator} %"
    return fmt_percent(percent / 100, lang)


def unit_name(summary: CampaignSummary, unit: UnitSummary, lang: str) -> str:
    """Returns "Huyện Định Hóa" / "Xã Bảo Cường": the campaign's level word and the name."""
    levels = summary.campaign.levels
    level = {"district": levels.district, "commune": levels.commune}.get(unit.level, levels.hamlet)
    words = text("chart.unit", lang, level=level, name=unit.name)
    return words[:1].upper() + words[1:]


def _threshold_segments(axes: Axes, bars: Sequence[Bar], lang: str) -> None:
    """Draws one dashed line over each run of neighbouring bars that share a threshold."""
    start = 0
    for end in range(1, len(bars) + 1):
        if end < len(bars) and bars[end].threshold == bars[start].threshold:
            continue
        threshold, first, start = bars[start].threshold, start, end
        if threshold is None:  # questions held to no threshold: no line
            continue
        level = 100 * float(threshold)
        axes.hlines(level, first - 0.45, end - 0.55, colors=LINE, linestyles="--", linewidth=2)
        label = percent_label(threshold * 100, lang)
        box = {"facecolor": "white", "edgecolor": "none", "pad": 1}
        axes.text(end - 0.55, level - 1, label, ha="right", va="top", bbox=box, **_BOLD)


def _height(bar: Bar) -> float:
    return 0.0 if bar.value is None else 100 * float(bar.value)


def _colour(bar: Bar) -> str:
    return MET if bar.met else BELOW


def _cell_colour(cell: Bar) -> str:
    if cell.met is None:
        return CELL_NONE
    return CELL_MET if cell.met else CELL_BELOW


def _bar_percent(bar: Bar, lang: str) -> str:
    """Formats a bar's figure, never on the other side of the threshold it faces."""
    return fmt_percent(bar.value, lang, None if bar.threshold is None else 100 * bar.threshold)


def _short_percent(bar: Bar, lang: str) -> str:
    return _bar_percent(bar, lang).removesuffix(" %")


def _page_note(number: int, pages: int, lang: str) -> str:
    return text("chart.page", lang, page=number, pages=pages) if pages > 1 else ""

"""The district's aggregation workbook (SPEC §4.3): one sheet per level, the figures of the JSON.

Each sheet is the table a Front office signs: a title row with the campaign and the as-of
moment, a two-row header (a question's label above its "satisfied" and "rate" columns), then one
row per unit. Counts are numbers, rates are numbers formatted "0.00%" (empty without valid forms),
verdicts are words, and a commune that has not confirmed its figures is marked in colour and bold.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from reporting.exports.json_csv import measures_json
from reporting.i18n import fmt_day, fmt_percent, shown_hundredths, text, verdict_words
from reporting.measures import Measures, question_threshold, rate
from reporting.summaries import CampaignSummary, UnitSummary
from reporting.wording import form_words

TITLE_ROW, AS_OF_ROW, GROUP_ROW, HEADER_ROW, FIRST_DATA_ROW = 1, 2, 4, 5, 6
GENERAL = "General"
PERCENT = "0.00%"
COUNT = "#,##0"
UNCONFIRMED, MARK = " unconfirmed", " unconfirmed mark"  # name cells, and the "confirmed" cell
HEADER = "tallybot header"

_THIN = Side(style="thin", color="000000")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEADER_FILL = PatternFill("solid", fgColor="D9D9D9")
_UNCONFIRMED_FILL = PatternFill("solid", fgColor="FFE699")
_UNCONFIRMED_FONT = Font(bold=True, color="C00000")
_WRAP = Alignment(horizontal="center", vertical="center", wrap_text=True)
_BAD_TITLE = str.maketrans({c: " " for c in "[]:*?/\\"})


@dataclass(frozen=True, slots=True)
class Column:
    """One measure column: its header, the group above it, its width and how to get its value."""

    header: str
    width: float
    value: Callable[[dict[str, Any], UnitSummary], object]
    number_format: str = GENERAL
    group: str | None = None


@dataclass(frozen=True, slots=True)
class SheetRows:
    """One sheet: its title, the unit-name columns, its rows (names, unit) and a total row."""

    title: str
    name_headers: tuple[str, ...]
    rows: list[tuple[tuple[str, ...], UnitSummary]]
    total: tuple[str, UnitSummary] | None = None


def workbook_bytes(summary: CampaignSummary, lang: str = "vi") -> bytes:
    """Returns the XLSX aggregation workbook: district, communes and hamlets sheets."""
    book = Workbook()
    styles = _add_styles(book)
    columns = measure_columns(summary, lang)
    for index, sheet in enumerate(sheet_rows(summary, lang)):
        worksheet = book.active if index == 0 else book.create_sheet()
        _write_sheet(worksheet, summary, sheet, columns, styles, lang)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def sheet_rows(summary: CampaignSummary, lang: str = "vi") -> list[SheetRows]:
    """Returns the three sheets' rows, named by the campaign's levels (Huyện, Xã, Xóm)."""
    levels = summary.campaign.levels
    district = summary.district
    communes = summary.communes
    total = text("xlsx.total", lang, level=levels.district, name=district.name)
    return [
        SheetRows(
            _title(levels.district), (_title(levels.district),), [((district.name,), district)]
        ),
        SheetRows(
            _title(levels.commune),
            (_title(levels.commune),),
            [((commune.name,), commune) for commune in communes],
            (total, district),
        ),
        SheetRows(
            _title(levels.hamlet),
            (_title(levels.commune), _title(levels.hamlet)),
            [((c.name, hamlet.name), hamlet) for c in communes for hamlet in c.children],
        ),
    ]


def measure_columns(summary: CampaignSummary, lang: str = "vi") -> list[Column]:
    """Returns the measure columns after the names: counts, questions, average, verdicts."""
    thresholds = summary.campaign.thresholds
    participation = _rate(lambda m: m.participation or Fraction(0), thresholds.participation)
    columns = [
        Column(text("xlsx.households", lang), 10, _field("households"), COUNT),
        Column(text("xlsx.collected", lang), 10, _field("collected"), COUNT),
        Column(text("xlsx.participation", lang), 10, participation, PERCENT),
        Column(text("xlsx.valid", lang), 10, _field("valid"), COUNT),
        Column(text("xlsx.invalid", lang), 10, _field("invalid"), COUNT),
    ]
    for question, label in enumerate(summary.campaign.questions, start=1):
        group = text("xlsx.question", lang, question=question, label=label)
        key = str(question)
        rate_cell = _rate(_rate_of(question), question_threshold(question, thresholds))
        columns += [
            Column(text("xlsx.satisfied", lang), 10, _nested("satisfied", key), COUNT, group),
            Column(text("xlsx.rate", lang), 9, rate_cell, PERCENT, group),
        ]
    words = form_words(thresholds.form)
    average = _rate(lambda m: m.average, thresholds.average)
    columns.append(Column(text("xlsx.average", lang, **words), 11, average, PERCENT))
    group = text("xlsx.verdicts", lang)
    for key in thresholds.judged:
        percent = _percent(getattr(thresholds, key), lang)
        header = text(f"xlsx.verdict_{key}", lang, percent=percent, **words)
        columns.append(Column(header, 14, _verdict(key, lang), group=group))
    columns.append(Column(text("xlsx.confirmed", lang), 11, _confirmed(lang)))
    return columns


def _write_sheet(
    sheet: Worksheet,
    summary: CampaignSummary,
    rows: SheetRows,
    columns: Sequence[Column],
    styles: dict[str, StyleArray],
    lang: str,
) -> None:
    sheet.title = rows.title
    names = len(rows.name_headers) + 1  # the running number, then the unit names
    width = names + len(columns)
    _write_title(sheet, summary, width, lang)
    _write_header(sheet, rows, columns, lang)
    # the data rows are appended after the header's last row, HEADER_ROW: from FIRST_DATA_ROW
    for number, (unit_names, unit) in enumerate(rows.rows, start=1):
        _append_row(sheet, [number, *unit_names], unit, columns, styles)
    if rows.total is not None:
        label, unit = rows.total
        cells = ["", label, *[""] * (len(rows.name_headers) - 1)]
        _append_row(sheet, cells, unit, columns, styles, bold=True)
    sheet.freeze_panes = sheet.cell(row=FIRST_DATA_ROW, column=names + 1)
    sheet.print_title_rows = f"{GROUP_ROW}:{HEADER_ROW}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True


def _write_title(sheet: Worksheet, summary: CampaignSummary, width: int, lang: str) -> None:
    moment = summary.as_of.astimezone(summary.campaign.timezone)
    start, end = summary.campaign.phases.collection
    lines = [
        (TITLE_ROW, summary.campaign.name, Font(bold=True, size=14)),
        (
            AS_OF_ROW,
            text(
                "xlsx.as_of",
                lang,
                level=_title(summary.campaign.levels.district),
                name=summary.district.name,
                time=moment.strftime("%H:%M"),
                day=fmt_day(moment),
                start=fmt_day(start),
                end=fmt_day(end),
            ),
            Font(italic=True, size=11),
        ),
    ]
    for row, words, font in lines:
        sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)
        cell = sheet.cell(row=row, column=1, value=words)
        cell.font = font
        cell.alignment = Alignment(horizontal="left", vertical="center")
    sheet.row_dimensions[TITLE_ROW].height = 24


def _write_header(sheet: Worksheet, rows: SheetRows, columns: Sequence[Column], lang: str) -> None:
    fixed = [(text("xlsx.number", lang), 6.0), *((header, 22.0) for header in rows.name_headers)]
    for index, (header, width) in enumerate(fixed, start=1):
        _header_cell(sheet, index, header, None)
        sheet.column_dimensions[get_column_letter(index)].width = width
    start = len(fixed) + 1
    for offset, column in enumerate(columns):
        index = start + offset
        _header_cell(sheet, index, column.header, column.group)
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    _merge_groups(sheet, start, columns)
    sheet.row_dimensions[GROUP_ROW].height = 48
    sheet.row_dimensions[HEADER_ROW].height = 34


def _header_cell(sheet: Worksheet, column: int, header: str, group: str | None) -> None:
    for row in (GROUP_ROW, HEADER_ROW):
        sheet.cell(row=row, column=column).style = HEADER
    if group is None:
        sheet.cell(row=GROUP_ROW, column=column, value=header)
        sheet.merge_cells(
            start_row=GROUP_ROW, start_column=column, end_row=HEADER_ROW, end_column=column
        )
    else:
        sheet.cell(row=GROUP_ROW, column=column, value=group)
        sheet.cell(row=HEADER_ROW, column=column, value=header)


def _merge_groups(sheet: Worksheet, start: int, columns: Sequence[Column]) -> None:
    """Merges each run of neighbouring columns under the same group into one header cell."""
    first = 0
    for end in range(1, len(columns) + 1):
        group = columns[first].group
        if end < len(columns) and columns[end].group == group:
            continue
        if group is not None and end - first > 1:
            sheet.merge_cells(
                start_row=GROUP_ROW,
                start_column=start + first,
                end_row=GROUP_ROW,
                end_column=start + end - 1,
            )
        first = end


def _append_row(
    sheet: Worksheet,
    names: Sequence[object],
    unit: UnitSummary,
    columns: Sequence[Column],
    styles: dict[str, StyleArray],
    bold: bool = False,
) -> None:
    """Appends a unit's row; an unconfirmed unit's names and "confirmed" cell are marked."""
    flat = measures_json(unit.measures)
    values = [*names, *(column.value(flat, unit) for column in columns)]
    looks = [_look(GENERAL, bold)] * len(names) + [_look(c.number_format, bold) for c in columns]
    if not unit.confirmed:
        looks[1 : len(names)] = [_look(GENERAL, bold, UNCONFIRMED)] * (len(names) - 1)
        looks[-1] = _look(GENERAL, False, MARK)
    # cells born with their named style's array: setting `cell.style` (a look-up by name), a
    # fill or a font cell by cell costs seconds over a province's 3,000 hamlets
    cells = zip(values, (styles[look] for look in looks), strict=True)
    sheet.append([_as_text(Cell(sheet, value=value, style_array=array)) for value, array in cells])


def _as_text(cell: Cell) -> Cell:
    """Returns the cell with text that openpyxl took for a formula ("=SUM(…)") kept as text.

    Names come from the roster, which anyone may have typed; a string cell is never evaluated
    by Excel, so only openpyxl's own reading of a leading "=" needs undoing.
    """
    if cell.data_type == "f":
        cell.data_type = "s"
    return cell


def _add_styles(book: Workbook) -> dict[str, StyleArray]:
    """Adds the header's and the data cells' named styles; returns the latter's arrays by name."""
    looks = [(f, bold, "") for f in (GENERAL, COUNT, PERCENT) for bold in (False, True)]
    looks += [(GENERAL, False, UNCONFIRMED), (GENERAL, True, UNCONFIRMED), (GENERAL, False, MARK)]
    book.add_named_style(
        NamedStyle(HEADER, font=Font(bold=True), fill=_HEADER_FILL, border=_BOX, alignment=_WRAP)
    )
    styles = {}
    for number_format, bold, marking in looks:
        style = NamedStyle(
            name=_look(number_format, bold, marking),
            number_format=number_format,
            border=_BOX,
            font=_UNCONFIRMED_FONT if marking == MARK else Font(bold=bold),
            fill=_UNCONFIRMED_FILL if marking else PatternFill(),
        )
        book.add_named_style(style)
        styles[style.name] = style.as_tuple()
    return styles


def _look(number_format: str, bold: bool, marking: str = "") -> str:
    """Returns the name of a data cell's named style."""
    return f"tallybot {number_format}{' bold' if bold else ''}{marking}"


def _field(key: str) -> Callable[[dict[str, Any], UnitSummary], object]:
    return lambda flat, _unit: flat[key]


def _nested(key: str, question: str) -> Callable[[dict[str, Any], UnitSummary], object]:
    return lambda flat, _unit: flat[key][question]


def _rate(
    figure: Callable[[Measures], Fraction | None], threshold: Fraction | None
) -> Callable[[dict[str, Any], UnitSummary], object]:
    """Returns a rate cell's value: exact, for whoever computes with it, except where Excel's
    "0.00%" would round it across its threshold (79,996 % showing "80,00 %" beside "not met"):
    there the hundredth the chat shows, 79,99 %."""

    def value(_flat: dict[str, Any], unit: UnitSummary) -> float | None:
        exact = figure(unit.measures)
        if exact is None:
            return None
        rounded, shown = shown_hundredths(exact), shown_hundredths(exact, threshold)
        return float(exact) if shown == rounded else shown / 10_000

    return value


def _rate_of(question: int) -> Callable[[Measures], Fraction | None]:
    # one question's rate alone: `Measures.rates` makes all ten each time it is read
    return lambda measures: rate(measures.counts, question)


def _verdict(key: str, lang: str) -> Callable[[dict[str, Any], UnitSummary], object]:
    return lambda flat, _unit: verdict_words(flat["verdicts"][key], lang)


def _confirmed(lang: str) -> Callable[[dict[str, Any], UnitSummary], object]:
    return lambda _flat, unit: text("xlsx.yes" if unit.confirmed else "xlsx.no", lang)


def _percent(percent: Fraction, lang: str) -> str:
    if percent.denominator == 1:
        return f"{percent.numerator} %"
    return fmt_percent(percent / 100, lang)


def _title(level: str) -> str:
    """Returns a level word as a sheet title: capitalised, without characters Excel refuses."""
    cleaned = level.translate(_BAD_TITLE).strip()[:31] or "-"
    return cleaned[:1].upper() + cleaned[1:]

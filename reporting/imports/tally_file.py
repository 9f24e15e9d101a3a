"""Parses a tally file for `tally import` (SPEC §6.2): one row per hamlet and day.

Columns, in any order, headers in any case, diacritics and punctuation optional:
- commune:   commune, xã, tên xã, xã/thị trấn (as in the roster file)
- hamlet:    hamlet, xóm, thôn, bản, tổ dân phố, tên xóm, xóm/thôn (as in the roster file)
- date:      date, day, ngày, ngày thu phiếu, ngày báo cáo, ngày lấy ý kiến
- collected: collected, số phiếu thu, phiếu thu, số phiếu thu về, phiếu thu về, số phiếu,
             tổng số phiếu, số hộ tham gia, số hộ cho ý kiến
- invalid (optional, empty = 0): invalid, phiếu không hợp lệ, số phiếu không hợp lệ, không hợp lệ
- q1 … qN:   one per question of the campaign, no more, no fewer: q1, Q 1, câu 1, câu hỏi 1,
             question 1, hài lòng câu 1, số hộ hài lòng câu 1; anything may follow the
             number, so "Câu 1 (Quy hoạch)" and "Câu 2: Giao thông" work too
- note (optional): note, ghi chú, kiến nghị, ý kiến, ý kiến kiến nghị, and anything starting with
             "ghi chú" or "kiến nghị" ("Ghi chú / kiến nghị", "Kiến nghị của nhân dân")
Dates are dd/mm/yyyy (also with - or .), yyyy-mm-dd, or real dates in an XLSX cell. Only the
format is checked here; whether the figures add up is the tally service's business.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Final

from reporting.errors import ImportFileError
from reporting.i18n import DEFAULT_LANGUAGE, fmt_day
from reporting.imports.roster_file import COMMUNE_HEADERS, HAMLET_HEADERS
from reporting.imports.tables import (
    Problems,
    Table,
    cell_count,
    cell_name,
    match_columns,
    open_table,
)
from reporting.names import match_key

_HEADERS: Final = {
    "commune": COMMUNE_HEADERS,
    "hamlet": HAMLET_HEADERS,
    "date": frozenset(
        {"date", "day", "ngay", "ngay thu", "ngay thu phieu", "ngay bao cao", "ngay lay y kien"}
    ),
    "collected": frozenset(
        {"collected", "forms collected", "so phieu thu", "phieu thu", "so phieu thu ve"}
        | {
            "phieu thu ve",
            "so phieu",
            "tong so phieu",
            "tong so phieu thu ve",
            "so phieu thu duoc",
        }
        | {"so ho tham gia", "so ho cho y kien"}
    ),
    "invalid": frozenset(
        {"invalid", "invalid forms", "phieu khong hop le", "so phieu khong hop le", "khong hop le"}
    ),
    "note": frozenset(
        {
            "note",
            "notes",
            "ghi chu",
            "kien nghi",
            "y kien",
            "y kien kien nghi",
            "kien nghi de xuat",
        }
    ),
}
_QUESTION_HEADER: Final = re.compile(
    r"(?:(?:so )?(?:ho |phieu )?hai long )?(?:q|cau|cau hoi|question) ?([0-9]+)(?: .*)?"
)
_NOTE_HEADER: Final = re.compile(r"(?:ghi chu|kien nghi|notes?)(?: .*)?")
_REQUIRED: Final = {
    "commune": "xã",
    "hamlet": "xóm",
    "date": "ngày",
    "collected": "số phiếu thu",
}
_TIME: Final = r"(?:[ T][0-9]{1,2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?)?"
_DAY_MONTH_YEAR: Final = re.compile(r"([0-9]{1,2})([/.-])([0-9]{1,2})\2([0-9]{4})" + _TIME)
_YEAR_MONTH_DAY: Final = re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})" + _TIME)


class TallyFileError(ImportFileError):
    """A tally file refused as a whole; `problems` lists every problem, with its line."""


@dataclass(frozen=True, slots=True)
class TallyRow:
    """One hamlet-day of a tally file; `satisfied[0]` is question 1."""

    line: int
    commune: str
    hamlet: str
    day: date
    collected: int
    invalid: int
    satisfied: tuple[int, ...]
    note: str | None


def parse_tally_file(
    path: str | Path, questions: int, lang: str = DEFAULT_LANGUAGE
) -> list[TallyRow]:
    """Returns the rows of a tally file for a campaign of `questions` questions, or raises
    TallyFileError listing every problem (a question column missing or beyond the last)."""
    problems = Problems(lang)
    fields = _question_fields(questions)
    required = _REQUIRED | {field: f"câu {number}" for number, field in enumerate(fields, 1)}
    table, columns = open_table(
        path,
        _field_of,
        required,
        problems,
        TallyFileError,
        lambda table: _columns(table, fields, problems),
    )
    parsed = [
        _parse_row(table, line, cells, columns, fields, problems) for line, cells in table.rows
    ]
    rows = [row for row in parsed if row is not None]
    _check_repeats(rows, problems)
    if problems:
        raise TallyFileError(problems.messages())
    return rows


def parse_day(value: str) -> date:
    """Returns the date in "27/01/2024", "27-1-2024", "2024-01-27"; raises ValueError otherwise."""
    cleaned = unicodedata.normalize("NFKC", value).strip()
    if found := _DAY_MONTH_YEAR.fullmatch(cleaned):
        return date(int(found[4]), int(found[3]), int(found[1]))
    if found := _YEAR_MONTH_DAY.fullmatch(cleaned):
        return date(int(found[1]), int(found[2]), int(found[3]))
    raise ValueError(f"not a date: {value!r}")


def _question_fields(questions: int) -> tuple[str, ...]:
    return tuple(f"q{number}" for number in range(1, questions + 1))


def _columns(table: Table, fields: tuple[str, ...], problems: Problems) -> dict[str, str]:
    """Returns {field: header key}, recording question columns beyond the form's last question."""
    columns = match_columns(table, _field_of, problems)
    for name in [name for name in columns if name.startswith("q")]:
        if name not in fields:
            written = table.headers[columns.pop(name)]
            problems.add_row(
                table.header_line, "import.unknown_question", column=written, count=len(fields)
            )
    return columns


def _field_of(header: str) -> str | None:
    """Returns the tally field a header names ("q3" for "Câu 3 (Thủy lợi)"), or None."""
    named = next((name for name, aliases in _HEADERS.items() if header in aliases), None)
    if named is not None:
        return named
    if question := _QUESTION_HEADER.fullmatch(header):
        return f"q{int(question[1])}"
    return "note" if _NOTE_HEADER.fullmatch(header) else None


def _parse_row(
    table: Table,
    line: int,
    cells: dict[str, str],
    columns: dict[str, str],
    fields: tuple[str, ...],
    problems: Problems,
) -> TallyRow | None:
    """Returns one row, or None after recording every problem in it."""
    commune = cell_name(table, line, cells, columns["commune"], problems, "import.empty_commune")
    hamlet = cell_name(table, line, cells, columns["hamlet"], problems, "import.empty_hamlet")
    day = _day(table, line, cells, columns["date"], problems)
    collected = cell_count(table, line, cells, columns["collected"], problems)
    invalid = _invalid(table, line, cells, columns.get("invalid"), problems)
    satisfied = [cell_count(table, line, cells, columns[q], problems) for q in fields]
    note = _note(cells, columns.get("note"))
    figures = tuple(count for count in satisfied if count is not None)
    if collected is None or invalid is None or day is None or len(figures) < len(fields):
        return None
    if not commune or not hamlet:
        return None
    return TallyRow(line, commune, hamlet, day, collected, invalid, figures, note)


def _day(
    table: Table, line: int, cells: dict[str, str], column: str, problems: Problems
) -> date | None:
    """Returns the day in a cell, or None after recording what is wrong with it."""
    value = cells[column]
    if not value.strip():
        problems.add_cell(line, table.headers[column], "import.date_empty")
        return None
    try:
        return parse_day(value)
    except ValueError:
        problems.add_cell(line, table.headers[column], "import.date_invalid", value=value)
        return None


def _invalid(
    table: Table, line: int, cells: dict[str, str], column: str | None, problems: Problems
) -> int | None:
    """Returns the invalid forms of a row: 0 without a column or with an empty cell."""
    if column is None or not cells[column].strip():
        return 0
    return cell_count(table, line, cells, column, problems)


def _note(cells: dict[str, str], column: str | None) -> str | None:
    """Returns a row's note, trimmed, or None when there is none."""
    note = unicodedata.normalize("NFC", cells[column]).strip() if column else ""
    return note or None


def _check_repeats(rows: list[TallyRow], problems: Problems) -> None:
    """Records each row for a hamlet and day that an earlier row already gave."""
    first: dict[tuple[str, str, date], TallyRow] = {}
    for row in rows:
        seen = first.setdefault((match_key(row.commune), match_key(row.hamlet), row.day), row)
        if seen is not row:
            problems.add_row(
                row.line,
                "import.duplicate_tally",
                hamlet=row.hamlet,
                commune=row.commune,
                day=fmt_day(row.day),
                first=seen.line,
            )

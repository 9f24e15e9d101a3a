"""Parses a roster file (SPEC §6.2): one row per hamlet, with its commune and households.

Columns, in any order, headers in any case, diacritics and punctuation optional:
- commune:    commune, xã, tên xã, xã/thị trấn, xã/phường/thị trấn
- hamlet:     hamlet, village, xóm, thôn, bản, tổ dân phố, tdp, tên xóm, tên thôn, xóm/thôn, …
- households: households, số hộ, tổng số hộ, số hộ gia đình, số hộ dân
- surveyed (optional): surveyed, khảo sát, có khảo sát, tham gia khảo sát
Other columns (STT, ghi chú, …) are ignored. `surveyed` takes 1/0, yes/no, có/không, true/false,
or x marks. An empty cell means surveyed — unless the column marks communes with x, in which case
an empty cell means not surveyed (the usual way of ticking a list in Excel).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Final

from reporting.errors import ImportFileError
from reporting.i18n import DEFAULT_LANGUAGE
from reporting.imports.tables import (
    Problems,
    Table,
    cell_count,
    cell_name,
    line_list,
    open_table,
)
from reporting.names import fold, match_key

COMMUNE_HEADERS: Final = frozenset(
    {"commune", "xa", "ten xa", "xa thi tran", "xa phuong", "xa phuong thi tran"}
)
HAMLET_HEADERS: Final = frozenset(
    {"hamlet", "village", "xom", "thon", "ban", "to dan pho", "tdp", "ten xom", "ten thon"}
    | {"xom thon", "thon xom", "xom to dan pho", "thon to dan pho", "xom thon to dan pho"}
    | {"xom thon ban", "thon ban", "xom ban", "to", "khu dan cu"}
)
_HEADERS: Final = {
    "commune": COMMUNE_HEADERS,
    "hamlet": HAMLET_HEADERS,
    "households": frozenset(
        {"households", "so ho", "tong so ho", "so ho gia dinh", "so ho dan", "ho"}
    ),
    "surveyed": frozenset(
        {"surveyed", "khao sat", "co khao sat", "tham gia khao sat", "lay y kien"}
    ),
}
_REQUIRED: Final = {"commune": "xã", "hamlet": "xóm", "households": "số hộ"}
_YES: Final = frozenset({"1", "yes", "y", "co", "true", "x", "✓", "✔"})
_NO: Final = frozenset({"0", "no", "n", "khong", "false"})
_MARKS: Final = frozenset({"x", "✓", "✔"})


class RosterFileError(ImportFileError):
    """A roster file refused as a whole; `problems` lists every problem, with its line."""


@dataclass(frozen=True, slots=True)
class RosterRow:
    """One hamlet of the roster file, names as written (NFC, spaces collapsed)."""

    line: int
    commune: str
    hamlet: str
    households: int
    surveyed: bool


@dataclass(frozen=True, slots=True)
class _Entry:
    """A row whose names are known, while its figures may still be wrong."""

    line: int
    commune: str
    hamlet: str
    households: int | None
    surveyed: bool | None


def parse_roster(path: str | Path, lang: str = DEFAULT_LANGUAGE) -> list[RosterRow]:
    """Returns the rows of a roster file, or raises RosterFileError listing every problem."""
    problems = Problems(lang)
    table, columns = open_table(path, _field_of, _REQUIRED, problems, RosterFileError)
    blank = _blank_means_surveyed(table, columns.get("surveyed"))
    entries = [_entry(table, line, cells, columns, blank, problems) for line, cells in table.rows]
    named = [entry for entry in entries if entry is not None]
    _check_communes(named, problems)
    _check_hamlets(named, problems)
    if problems:
        raise RosterFileError(problems.messages())
    return _rows(named)


def _field_of(header: str) -> str | None:
    """Returns the roster field a header names, or None for a column we ignore."""
    return next((name for name, aliases in _HEADERS.items() if header in aliases), None)


def _blank_means_surveyed(table: Table, column: str | None) -> bool:
    """Returns whether an empty `surveyed` cell means surveyed: yes, unless the column uses x."""
    if column is None:
        return True
    return not any(fold(cells[column]) in _MARKS for _, cells in table.rows)


def _entry(
    table: Table,
    line: int,
    cells: dict[str, str],
    columns: dict[str, str],
    blank: bool,
    problems: Problems,
) -> _Entry | None:
    """Returns a row's names and figures, recording each problem; None when a name is missing."""
    commune = cell_name(table, line, cells, columns["commune"], problems, "import.empty_commune")
    hamlet = cell_name(table, line, cells, columns["hamlet"], problems, "import.empty_hamlet")
    households = cell_count(table, line, cells, columns["households"], problems)
    if households == 0:
        problems.add_cell(line, table.headers[columns["households"]], "roster.households_zero")
        households = None
    surveyed = _surveyed(table, line, cells, columns.get("surveyed"), blank, problems)
    if not commune or not hamlet:
        return None
    return _Entry(line, commune, hamlet, households, surveyed)


def _surveyed(
    table: Table,
    line: int,
    cells: dict[str, str],
    column: str | None,
    blank: bool,
    problems: Problems,
) -> bool | None:
    """Returns a row's survey flag, or None after recording a value we cannot read."""
    if column is None:
        return True
    value = fold(cells[column])
    if not value:
        return blank
    if value in _YES or value in _NO:
        return value in _YES
    problems.add_cell(line, table.headers[column], "roster.surveyed_invalid", value=cells[column])
    return None


def _check_communes(entries: list[_Entry], problems: Problems) -> None:
    """Records communes spelt two ways, and communes marked both surveyed and not surveyed."""
    first: dict[str, _Entry] = {}
    flagged: dict[str, dict[bool, list[int]]] = {}
    for entry in entries:
        key = match_key(entry.commune)
        seen = first.setdefault(key, entry)
        if seen.commune != entry.commune:
            problems.add_row(
                entry.line,
                "roster.commune_spelling",
                commune=entry.commune,
                first=seen.line,
                first_commune=seen.commune,
            )
        if entry.surveyed is not None:
            flagged.setdefault(key, {True: [], False: []})[entry.surveyed].append(entry.line)
    for key, lines in flagged.items():
        if lines[True] and lines[False]:
            problems.add_file(
                "roster.surveyed_conflict",
                commune=first[key].commune,
                surveyed=line_list(lines[True]),
                excluded=line_list(lines[False]),
            )


def _check_hamlets(entries: list[_Entry], problems: Problems) -> None:
    """Records each hamlet listed again in its commune, naming the line it repeats."""
    first: dict[tuple[str, str], _Entry] = {}
    for entry in entries:
        seen = first.setdefault((match_key(entry.commune), match_key(entry.hamlet)), entry)
        if seen is not entry:
            problems.add_row(
                entry.line,
                "roster.duplicate_hamlet",
                hamlet=entry.hamlet,
                commune=entry.commune,
                first=seen.line,
                first_hamlet=seen.hamlet,
            )


def _rows(entries: list[_Entry]) -> list[RosterRow]:
    """Returns the finished rows of entries whose figures are all known."""
    return [
        RosterRow(entry.line, entry.commune, entry.hamlet, entry.households, entry.surveyed)
        for entry in entries
        if entry.households is not None and entry.surveyed is not None
    ]

"""Reads the CSV and XLSX files people make in Excel into plain rows of text.

CSV: UTF-8 with or without BOM, UTF-16 with BOM (Excel's "Unicode Text"), else Windows-1258
(Excel's "CSV" on a Vietnamese Windows); separated by commas, semicolons or tabs, whichever the
header uses. XLSX: the first sheet; dates become yyyy-mm-dd, whole numbers their digits, and other
numbers keep a decimal comma so that `parse_count` refuses them. The header is the first non-empty
row — or, given the fields a reader knows, the first row naming two of them, so that a title above
the table does no harm; line numbers are the ones the user sees in the file (row numbers in Excel).
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
import warnings
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Final

from reporting.counts import parse_count
from reporting.errors import CountError, TabularError
from reporting.i18n import text
from reporting.names import NAME_LIMIT, clean, fold

Row = tuple[int, dict[str, str]]
Line = tuple[int, list[str]]
FieldOf = Callable[[str], str | None]

_XLSX_MAGIC: Final = b"PK\x03\x04"
_XLS_MAGIC: Final = b"\xd0\xcf\x11\xe0"
_CSV_SUFFIXES: Final = frozenset({".csv", ".txt", ".tsv", ""})
_SEPARATORS: Final = (",", ";", "\t")
_PUNCTUATION: Final = re.compile(r"[^\w\s]|_")
_HEADER_SEARCH: Final = 10  # title lines an Excel sheet may carry above its header


@dataclass(frozen=True, slots=True)
class Table:
    """A file's rows keyed by `header_key`; `headers` gives each key as it is written.

    `repeated` holds headers written again (the first one counts); `stray` holds, by line, the
    filled cells right of the last header: in a CSV, most often a decimal comma that split a number
    ("4,5" → "4" and "5").
    """

    header_line: int
    headers: dict[str, str]
    rows: list[Row]
    repeated: list[str] = field(default_factory=list)
    stray: dict[int, list[str]] = field(default_factory=dict)


@dataclass(slots=True)
class Problems:
    """Collects a file's problems in the user's language, each with the line it is on."""

    lang: str
    found: list[tuple[int, str]] = field(default_factory=list)

    def add_file(self, key: str, **params: object) -> None:
        """Records a problem with the file as a whole."""
        self.found.append((0, text(key, self.lang, **params)))

    def add_row(self, line: int, key: str, **params: object) -> None:
        """Records a problem on one line."""
        problem = text(key, self.lang, **params)
        self.found.append((line, text("import.row", self.lang, line=line, problem=problem)))

    def add_cell(self, line: int, column: str, key: str, **params: object) -> None:
        """Records a problem in one cell, naming its column as the file writes it."""
        problem = text(key, self.lang, **params)
        message = text("import.cell", self.lang, line=line, column=column, problem=problem)
        self.found.append((line, message))

    def messages(self) -> list[str]:
        """Returns the problems in file order, file-wide ones first."""
        return [message for _, message in sorted(self.found, key=lambda item: item[0])]

    def __bool__(self) -> bool:
        return bool(self.found)


def header_key(header: str) -> str:
    """Returns the key of a column header: folded, punctuation as spaces ("Số hộ:" → "so ho")."""
    return " ".join(_PUNCTUATION.sub(" ", fold(header)).split())


def read_table(path: str | Path, field_of: FieldOf | None = None) -> Table:
    """Returns the table in a CSV or XLSX file, or raises TabularError saying why it cannot.

    With `field_of` (header key → field or None), the header is the first row naming two fields.
    """
    return _to_table(read_lines(path), Path(path), field_of)


def read_lines(path: str | Path) -> list[Line]:
    """Returns every line of a CSV or XLSX file as (line number, cells), or raises TabularError."""
    file = Path(path)
    try:
        with file.open("rb") as stream:
            magic = stream.read(4)
    except FileNotFoundError:
        raise TabularError("import.file_missing", path=str(file)) from None
    except OSError as error:
        raise TabularError("import.file_unreadable", path=str(file), reason=error) from None
    if magic == _XLS_MAGIC:
        raise TabularError("import.file_xls", path=str(file))
    if magic == _XLSX_MAGIC:
        return _xlsx_lines(file)
    if file.suffix.lower() not in _CSV_SUFFIXES:
        raise TabularError("import.file_type", path=str(file))
    return _csv_lines(file)


def read_rows(path: str | Path) -> list[Row]:
    """Returns the non-empty data rows of a CSV or XLSX file as (line, {header key: text})."""
    return read_table(path).rows


def match_columns(table: Table, field_of: FieldOf, problems: Problems) -> dict[str, str]:
    """Returns {field: header key} for the headers `field_of` knows; a field twice is a problem."""
    columns: dict[str, str] = {}
    for key, written in [*table.headers.items(), *((header_key(w), w) for w in table.repeated)]:
        name = field_of(key)
        if name is None:
            continue
        if name in columns:
            first = table.headers[columns[name]]
            problems.add_row(table.header_line, "import.same_column", first=first, second=written)
            continue
        columns[name] = key
    return columns


def require_columns(
    columns: Mapping[str, str], labels: Mapping[str, str], problems: Problems
) -> None:
    """Records each field of `labels` ({English: Vietnamese header}) missing from `columns`."""
    for english, vietnamese in labels.items():
        if english not in columns:
            problems.add_file("import.missing_column", column=vietnamese, english=english)


def load_table(path: str | Path, field_of: FieldOf, problems: Problems) -> Table | None:
    """Returns the table with data rows in `path`, or None after recording why there is none."""
    try:
        table = read_table(path, field_of)
    except TabularError as error:
        problems.add_file(error.key, **error.params)
        return None
    if not table.rows:
        problems.add_file("import.no_rows", path=str(path))
        return None
    return table


def open_table(
    path: str | Path,
    field_of: FieldOf,
    required: Mapping[str, str],
    problems: Problems,
    refused: Callable[[list[str]], Exception],
    columns_of: Callable[[Table], dict[str, str]] | None = None,
) -> tuple[Table, dict[str, str]]:
    """Returns a file's table and its columns ({field: header key}), stray cells recorded.

    Raises `refused(every problem)` when the file cannot be read as a table or lacks a column
    of `required`; `columns_of` matches the columns when `match_columns` alone does not do.
    """
    table = load_table(path, field_of, problems)
    if table is None:
        raise refused(problems.messages())
    columns = columns_of(table) if columns_of else match_columns(table, field_of, problems)
    require_columns(columns, required, problems)
    if problems:
        raise refused(problems.messages())
    check_stray_cells(table, problems)
    return table, columns


def check_stray_cells(table: Table, problems: Problems) -> None:
    """Records each line with filled cells outside the headed columns."""
    for line, cells in table.stray.items():
        problems.add_row(line, "import.stray_cells", cells=", ".join(cells))


def cell_name(
    table: Table,
    line: int,
    cells: Mapping[str, str],
    column: str,
    problems: Problems,
    empty_key: str,
) -> str:
    """Returns the unit name in a cell, cleaned; an empty or too long one is recorded (and
    comes back empty)."""
    name = clean(cells[column])
    if not name:
        problems.add_cell(line, table.headers[column], empty_key)
    elif len(name) > NAME_LIMIT:
        problems.add_cell(
            line, table.headers[column], "import.name_too_long", length=len(name), limit=NAME_LIMIT
        )
        return ""
    return name


def cell_count(
    table: Table, line: int, cells: Mapping[str, str], column: str, problems: Problems
) -> int | None:
    """Returns the whole number ≥ 0 in a cell, or None after recording what is wrong with it."""
    try:
        return parse_count(cells[column])
    except CountError as error:
        problems.add_cell(line, table.headers[column], error.key, **error.params)
        return None


def line_list(lines: list[int]) -> str:
    """Returns line numbers the short way: [2, 3, 4, 7] → "2–4, 7"."""
    spans: list[list[int]] = []
    for line in sorted(lines):
        if spans and line == spans[-1][1] + 1:
            spans[-1][1] = line
        else:
            spans.append([line, line])
    return ", ".join(str(a) if a == b else f"{a}–{b}" for a, b in spans)


def _to_table(lines: list[Line], file: Path, field_of: FieldOf | None) -> Table:
    """Returns the table below the header line; empty rows are left out."""
    header_line, header = _header(lines, field_of)
    if not header_line:
        raise TabularError("import.file_empty", path=str(file))
    headers: dict[str, str] = {}
    repeated: list[str] = []
    positions: list[tuple[int, str]] = []
    for position, written in enumerate(header):
        key = header_key(written)
        if key in headers:
            repeated.append(written)
        elif key:
            headers[key] = written
            positions.append((position, key))
    width = max((n + 1 for n, written in enumerate(header) if header_key(written)), default=0)
    data = [(n, cells) for n, cells in lines if n > header_line]
    rows = [(n, _row(cells, positions)) for n, cells in data]
    stray = {n: [cell for cell in cells[width:] if cell] for n, cells in data}
    return Table(
        header_line,
        headers,
        [(n, row) for n, row in rows if any(row.values())],
        repeated,
        {n: cells for n, cells in stray.items() if cells},
    )


def _header(lines: list[Line], field_of: FieldOf | None) -> Line:
    """Returns the header: among the first non-empty lines, the first naming two known fields.

    Without such a line (or without `field_of`), the first non-empty line; (0, []) for none.
    """
    filled = [(n, cells) for n, cells in lines if any(cells)][:_HEADER_SEARCH]
    if field_of is not None:
        for n, cells in filled:
            if len({field_of(header_key(cell)) for cell in cells} - {None}) >= 2:
                return n, cells
    return filled[0] if filled else (0, [])


def _row(cells: list[str], positions: list[tuple[int, str]]) -> dict[str, str]:
    """Returns the cells under a header, keyed by header; missing cells are empty."""
    return {key: cells[i] if i < len(cells) else "" for i, key in positions}


def _csv_lines(file: Path) -> list[Line]:
    """Returns (first line number, cells) for each CSV record, cells NFC and trimmed."""
    content = _decode(file.read_bytes(), file)
    reader = csv.reader(io.StringIO(content, newline=""), delimiter=_separator(content))
    lines: list[Line] = []
    start = 1
    try:
        for record in reader:
            lines.append((start, [unicodedata.normalize("NFC", cell).strip() for cell in record]))
            start = reader.line_num + 1
    except csv.Error as error:
        raise TabularError("import.file_unreadable", path=str(file), reason=error) from None
    return lines


def _decode(data: bytes, file: Path) -> str:
    """Returns the text of a CSV file in whichever encoding Excel saved it."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encodings: tuple[str, ...] = ("utf-16",)
    else:
        encodings = ("utf-8-sig", "cp1258")
    for encoding in encodings:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise TabularError("import.file_encoding", path=str(file))


def _separator(content: str) -> str:
    """Returns the separator the first non-empty line uses most (a comma when none)."""
    first = next((line for line in content.splitlines() if line.strip()), "")
    return max(_SEPARATORS, key=first.count)


def _xlsx_lines(file: Path) -> list[Line]:
    """Returns (row number, cells as text) for every row of the workbook's first sheet."""
    # openpyxl loads only for a workbook: a CSV, and every CLI command that reads none, do without.
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        with warnings.catch_warnings():
            # Workbooks from other tools warn about styles and extensions we do not read.
            warnings.simplefilter("ignore")
            workbook = load_workbook(file, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError) as error:
        raise TabularError("import.file_unreadable", path=str(file), reason=error) from None
    try:
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()  # some tools write wrong dimensions; read what is there
        rows = enumerate(sheet.iter_rows(values_only=True), start=1)
        return [(number, [_cell_text(value) for value in values]) for number, values in rows]
    finally:
        workbook.close()


def _cell_text(value: object) -> str:
    """Returns a cell's value as the text a user would have typed for it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else str(value).replace(".", ",")
    return unicodedata.normalize("NFC", str(value)).strip()

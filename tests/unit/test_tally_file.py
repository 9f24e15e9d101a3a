"""Tally import files (SPEC §6.2) and the whole-number rule every figure follows."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import Workbook

from reporting.counts import parse_count
from reporting.errors import CountError
from reporting.i18n import text
from reporting.imports.tally_file import TallyFileError, TallyRow, parse_day, parse_tally_file

QUESTIONS = 10  # the reference form
ENGLISH_HEADER = "commune,hamlet,date,collected,invalid," + ",".join(f"q{n}" for n in range(1, 11))
VIETNAMESE_HEADER = [
    "STT",
    "Xã",
    "Xóm",
    "Ngày",
    "Số phiếu thu về",
    "Phiếu không hợp lệ",
    "Câu 1 (Quy hoạch)",
    "Câu 2: Giao thông",
    "Câu 3 - Thủy lợi",
    "Câu 4",
    "Câu 5",
    "Câu 6",
    "Câu 7",
    "Câu 8",
    "Câu 9",
    "Câu 10 (Hài lòng chung)",
    "Ghi chú / kiến nghị",
]
SATISFIED = (40, 41, 42, 43, 44, 45, 38, 39, 40, 44)


def write_csv(folder: Path, content: str, *, name: str = "tally.csv") -> Path:
    """Writes `content` as a UTF-8 CSV file."""
    path = folder / name
    path.write_text(content, encoding="utf-8")
    return path


def write_xlsx(folder: Path, rows: Sequence[Sequence[object]]) -> Path:
    """Writes `rows` to the first sheet of a workbook."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    path = folder / "tally.xlsx"
    workbook.save(path)
    return path


def csv_row(*cells: object) -> str:
    """Returns one CSV line of `cells`."""
    return ",".join(str(cell) for cell in cells) + "\n"


def problems_of(path: Path, lang: str = "vi", questions: int = QUESTIONS) -> list[str]:
    """Returns the problems parse_tally_file reports for `path`."""
    with pytest.raises(TallyFileError) as caught:
        parse_tally_file(path, questions, lang)
    return caught.value.problems


# --- parse_count: the whole-number rule ---


@pytest.mark.parametrize(
    ("value", "count"),
    [("45", 45), (" 45 ", 45), ("0", 0), ("1.234", 1234), ("12.345.678", 12345678), ("４５", 45)],
)
def test_parse_count_accepts_whole_numbers_with_dots_between_thousands(
    value: str, count: int
) -> None:
    assert parse_count(value) == count


@pytest.mark.parametrize(
    ("value", "key"),
    [
        ("4,5", "import.count_decimal"),
        ("1.23", "import.count_decimal"),
        ("1,234", "import.count_decimal"),
        ("45.", "import.count_decimal"),
        ("-3", "import.count_negative"),
        ("- 3", "import.count_negative"),
        ("abc", "import.count_not_number"),
        ("45 hộ", "import.count_not_number"),
        ("+3", "import.count_not_number"),
        ("9" * 5000, "import.count_too_big"),
        ("1000000000", "import.count_too_big"),
        ("", "import.count_empty"),
        ("   ", "import.count_empty"),
    ],
)
def test_parse_count_says_what_is_wrong_by_message_key(value: str, key: str) -> None:
    with pytest.raises(CountError) as caught:
        parse_count(value)
    assert isinstance(caught.value, ValueError)
    assert caught.value.key == key
    assert text(key, "vi", value=caught.value.value)  # every key has its message


# --- parse_day ---


@pytest.mark.parametrize(
    "value",
    ["27/01/2024", "27/1/2024", "27-01-2024", "27.01.2024", "2024-01-27", " 2024-01-27 00:00:00 "],
)
def test_parse_day_reads_the_usual_ways_of_writing_a_date(value: str) -> None:
    assert parse_day(value) == date(2024, 1, 27)


@pytest.mark.parametrize("value", ["31/02/2024", "01/27/2024", "27/01/24", "27/01", "hôm nay", ""])
def test_parse_day_refuses_impossible_or_ambiguous_dates(value: str) -> None:
    with pytest.raises(ValueError, match="not a date|day is out of range|month must be"):
        parse_day(value)


# --- what is accepted ---


def test_reads_english_headers_from_csv(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path,
        ENGLISH_HEADER
        + ",note\n"
        + csv_row("Định Biên", "Xóm Nà Mỏ", "27/01/2024", 50, 2, *SATISFIED, '"Xin làm đường"')
        + csv_row("Định Biên", "Xóm Tân Vàng", "2024-01-28", 30, "", *(30,) * 10, ""),
    )
    assert parse_tally_file(path, QUESTIONS) == [
        TallyRow(
            2, "Định Biên", "Xóm Nà Mỏ", date(2024, 1, 27), 50, 2, SATISFIED, "Xin làm đường"
        ),
        TallyRow(3, "Định Biên", "Xóm Tân Vàng", date(2024, 1, 28), 30, 0, (30,) * 10, None),
    ]


def test_reads_vietnamese_headers_and_real_dates_from_xlsx(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path,
        [
            VIETNAMESE_HEADER,
            # An Excel cell holds a naive date-time, so that is what openpyxl gives back.
            [1, "Bảo Linh", "Xóm Nà Mò", datetime(2024, 1, 27), 50, 0, *SATISFIED, None],  # noqa: DTZ001
            [2, "Bảo Linh", "Xóm Bản Pậu", date(2024, 1, 27), 1234, None, *SATISFIED, " Tốt "],
            [3, "Bảo Linh", "Xóm Nà Bay", "28/01/2024", "45", "1", *SATISFIED, None],
        ],
    )
    rows = parse_tally_file(path, QUESTIONS)
    assert [(row.line, row.hamlet, row.day, row.collected, row.invalid) for row in rows] == [
        (2, "Xóm Nà Mò", date(2024, 1, 27), 50, 0),
        (3, "Xóm Bản Pậu", date(2024, 1, 27), 1234, 0),
        (4, "Xóm Nà Bay", date(2024, 1, 28), 45, 1),
    ]
    assert all(row.satisfied == SATISFIED for row in rows)
    assert [row.note for row in rows] == [None, "Tốt", None]


@pytest.mark.parametrize(
    "headers",
    [
        ["xa", "xom", "ngay", "so phieu thu", *(f"cau {n}" for n in range(1, 11))],
        ["Xã", "Thôn", "Ngày thu phiếu", "Phiếu thu", *(f"Q{n}" for n in range(1, 11))],
        ["commune", "hamlet", "day", "collected", *(f"Question {n}" for n in range(1, 11))],
        ["xã", "xóm", "ngày", "số phiếu", *(f"Số hộ hài lòng câu {n}" for n in range(1, 11))],
    ],
)
def test_invalid_and_note_columns_are_optional_and_headers_are_generous(
    tmp_path: Path, headers: list[str]
) -> None:
    path = write_csv(
        tmp_path,
        csv_row(*headers) + csv_row("Quy Kỳ", "Xóm Nà Khao", "29/01/2024", 60, *SATISFIED),
    )
    [row] = parse_tally_file(path, QUESTIONS)
    assert (row.hamlet, row.collected, row.invalid, row.satisfied, row.note) == (
        "Xóm Nà Khao",
        60,
        0,
        SATISFIED,
        None,
    )


def test_question_columns_may_come_in_any_order(tmp_path: Path) -> None:
    headers = ["xã", "xóm", "ngày", "số phiếu thu", *(f"câu {n}" for n in range(10, 0, -1))]
    path = write_csv(
        tmp_path,
        csv_row(*headers) + csv_row("Quy Kỳ", "Xóm Nà Cọn", "29/01/2024", 60, *range(10, 0, -1)),
    )
    assert parse_tally_file(path, QUESTIONS)[0].satisfied == tuple(range(1, 11))


def test_format_only_business_rules_are_left_to_the_tally_service(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path,
        ENGLISH_HEADER + "\n" + csv_row("Quy Kỳ", "Xóm Nà Cọn", "29/01/2024", 5, 9, *(99,) * 10),
    )
    [row] = parse_tally_file(path, QUESTIONS)
    assert (row.collected, row.invalid, row.satisfied) == (5, 9, (99,) * 10)


# --- what is refused, each with its line ---


def test_missing_columns_are_each_named(tmp_path: Path) -> None:
    headers = ["xã", "xóm", "số phiếu thu", *(f"câu {n}" for n in range(1, 10))]
    path = write_csv(tmp_path, csv_row(*headers) + csv_row("A", "B", 1, *range(9)))
    assert problems_of(path) == [
        "Thiếu cột «ngày» (hoặc «date»).",
        "Thiếu cột «câu 10» (hoặc «q10»).",
    ]


def test_a_question_beyond_the_form_is_refused(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path, ENGLISH_HEADER + ",Câu 11\n" + csv_row("A", "B", "27/01/2024", 1, 0, *(1,) * 11)
    )
    assert problems_of(path) == ["Dòng 1: cột «Câu 11»: phiếu chỉ có câu 1 đến câu 10."]


def test_a_file_of_ten_questions_for_a_campaign_of_nineteen_names_the_missing_columns(
    tmp_path: Path,
) -> None:
    path = write_csv(
        tmp_path, ENGLISH_HEADER + "\n" + csv_row("A", "B", "27/01/2024", 1, 0, *(1,) * 10)
    )
    assert problems_of(path, questions=19) == [
        f"Thiếu cột «câu {n}» (hoặc «q{n}»)." for n in range(11, 20)
    ]


def test_a_file_of_nineteen_questions_is_read_whole_for_a_campaign_of_nineteen(
    tmp_path: Path,
) -> None:
    header = "commune,hamlet,date,collected,invalid," + ",".join(f"câu {n}" for n in range(1, 20))
    path = write_csv(
        tmp_path, header + "\n" + csv_row("A", "B", "27/01/2024", 30, 1, *range(1, 20))
    )
    [row] = parse_tally_file(path, 19)
    assert row.satisfied == tuple(range(1, 20))


def test_two_columns_for_one_question_are_refused(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path, ENGLISH_HEADER + ",Câu 3\n" + csv_row("A", "B", "27/01/2024", 1, 0, *(1,) * 11)
    )
    assert problems_of(path) == [
        "Dòng 1: hai cột «q3» và «Câu 3» cùng một nội dung; xin chỉ giữ lại một cột."
    ]


@pytest.mark.parametrize(
    ("cell", "problem"),
    [
        ("", "chưa điền ngày"),
        ("31/02/2024", "«31/02/2024» không phải ngày hợp lệ"),
        ("27/01/24", "«27/01/24» không phải ngày hợp lệ"),
    ],
)
def test_bad_dates_are_refused(tmp_path: Path, cell: str, problem: str) -> None:
    path = write_csv(
        tmp_path, ENGLISH_HEADER + "\n" + csv_row("Quy Kỳ", "Xóm Nà Cọn", cell, 5, 0, *(5,) * 10)
    )
    [message] = problems_of(path)
    assert message.startswith(f"Dòng 2, cột «date»: {problem}")


@pytest.mark.parametrize(
    ("column", "position", "cell", "problem"),
    [
        ("collected", 3, '"4,5"', "«4,5» không phải số nguyên"),
        ("collected", 3, "", "chưa điền số"),
        ("invalid", 4, "-3", "«-3» là số âm"),
        ("q1", 5, "abc", "«abc» không phải là số"),
        ("q10", 14, "1.23", "«1.23» không phải số nguyên"),
        ("q7", 11, "", "chưa điền số"),
        ("q2", 6, "9" * 5000, f"«{'9' * 20}…» quá lớn"),
        ("collected", 3, "1.000.000.000", "«1.000.000.000» quá lớn"),
    ],
)
def test_bad_counts_are_refused_naming_their_column(
    tmp_path: Path, column: str, position: int, cell: str, problem: str
) -> None:
    cells: list[object] = ["Quy Kỳ", "Xóm Nà Cọn", "29/01/2024", 5, 0, *(5,) * 10]
    cells[position] = cell
    path = write_csv(tmp_path, ENGLISH_HEADER + "\n" + csv_row(*cells))
    [message] = problems_of(path)
    assert message.startswith(f"Dòng 2, cột «{column}»: {problem}")


def test_empty_names_are_refused(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path,
        ENGLISH_HEADER
        + "\n"
        + csv_row("", "Xóm Nà Cọn", "29/01/2024", 5, 0, *(5,) * 10)
        + csv_row("Quy Kỳ", "", "29/01/2024", 5, 0, *(5,) * 10),
    )
    assert problems_of(path) == [
        "Dòng 2, cột «commune»: chưa điền tên xã.",
        "Dòng 3, cột «hamlet»: chưa điền tên xóm.",
    ]


def test_the_same_hamlet_and_day_twice_is_refused_naming_both_lines(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path,
        ENGLISH_HEADER
        + "\n"
        + csv_row("Quy Kỳ", "Xóm Nà Cọn", "29/01/2024", 5, 0, *(5,) * 10)
        + csv_row("Quy Kỳ", "Xóm Nà Cọn", "30/01/2024", 5, 0, *(5,) * 10)
        + csv_row("quy ky", "na con", "2024-01-29", 6, 0, *(5,) * 10),
    )
    assert problems_of(path) == [
        "Dòng 4: xóm «na con», xã «quy ky», ngày 29/01/2024 đã có ở dòng 2; "
        "mỗi xóm mỗi ngày chỉ một dòng."
    ]


def test_every_bad_row_is_listed_in_file_order_in_xlsx(tmp_path: Path) -> None:
    good = ["Bảo Linh", "Xóm Nà Mò", date(2024, 1, 27), 50, 0, *SATISFIED, None]
    rows: list[Sequence[object]] = [VIETNAMESE_HEADER[1:], good]
    rows.append([*good[:3], 4.5, *good[4:]])
    rows.append([])
    rows.append([good[0], good[1], "hôm qua", -1, *good[4:]])
    path = write_xlsx(tmp_path, rows)
    assert [problem.split(":")[0] for problem in problems_of(path)] == [
        "Dòng 3, cột «Số phiếu thu về»",
        "Dòng 5, cột «Ngày»",
        "Dòng 5, cột «Số phiếu thu về»",
    ]


def test_problems_come_in_english_on_request(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path,
        ENGLISH_HEADER + "\n" + csv_row("Quy Kỳ", "Xóm Nà Cọn", "29/02/2023", 5, 0, *(5,) * 10),
    )
    assert problems_of(path, "en") == [
        "Line 2, column “date”: “29/02/2023” is not a valid date; write dd/mm/yyyy "
        "(e.g. 27/01/2024) or yyyy-mm-dd."
    ]


def test_a_file_without_rows_is_refused(tmp_path: Path) -> None:
    path = write_csv(tmp_path, ENGLISH_HEADER + "\n")
    assert problems_of(path) == [f"Tệp {path} có dòng tiêu đề nhưng không có dòng số liệu nào."]

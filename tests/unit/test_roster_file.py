"""Roster files (SPEC §6.2): CSV and XLSX, English and Vietnamese headers, every refusal."""

from __future__ import annotations

import codecs
import unicodedata
from collections import Counter
from collections.abc import Sequence
from importlib import resources
from pathlib import Path

import pytest
from openpyxl import Workbook

from reporting.errors import ImportFileError
from reporting.imports.roster_file import RosterFileError, RosterRow, parse_roster
from reporting.imports.tables import read_rows
from reporting.names import fold


def write_csv(
    folder: Path, content: str, *, name: str = "roster.csv", encoding: str = "utf-8"
) -> Path:
    """Writes `content` to a file as Excel might have saved it."""
    path = folder / name
    path.write_bytes(content.encode(encoding))
    return path


def write_xlsx(
    folder: Path, rows: Sequence[Sequence[object]], *, name: str = "roster.xlsx"
) -> Path:
    """Writes `rows` to the first sheet of a workbook, with a decoy second sheet."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    workbook.create_sheet("Khác").append(["không", "phải", "danh sách"])
    path = folder / name
    workbook.save(path)
    return path


def problems_of(path: Path, lang: str = "vi") -> list[str]:
    """Returns the problems parse_roster reports for `path`."""
    with pytest.raises(RosterFileError) as caught:
        parse_roster(path, lang)
    return caught.value.problems


# --- the sample roster ---


def sample_roster() -> list[RosterRow]:
    """Returns the bundled roster of huyện Định Hóa."""
    with resources.as_file(resources.files("reporting") / "data" / "dinh_hoa_roster.csv") as path:
        return parse_roster(path)


def test_sample_roster_has_the_22_communes_of_dinh_hoa_and_chợ_chu_outside_the_survey() -> None:
    rows = sample_roster()
    surveyed = [row for row in rows if row.surveyed]
    hamlets_per_commune = Counter(row.commune for row in surveyed)
    assert len(hamlets_per_commune) == 22
    assert "Định Biên" in hamlets_per_commune
    assert all(8 <= count <= 20 for count in hamlets_per_commune.values())
    assert len(surveyed) == 303
    assert sum(row.households for row in surveyed) == 25_978
    assert all(60 <= row.households <= 250 for row in rows)
    assert {row.commune for row in rows if not row.surveyed} == {"Chợ Chu"}


def test_sample_roster_has_hamlet_names_that_need_asking_which() -> None:
    by_key = Counter(fold(row.hamlet) for row in sample_roster())
    assert by_key["xom trung tam"] == 3
    assert by_key["xom dong tam"] == 3  # Đồng Tâm, Đông Tâm, Đồng Tầm
    assert by_key["xom na mo"] == 2  # Nà Mò, Nà Mỏ


def test_sample_roster_is_plain_utf8_csv_without_bom() -> None:
    data = (resources.files("reporting") / "data" / "dinh_hoa_roster.csv").read_bytes()
    assert not data.startswith(codecs.BOM_UTF8)
    assert data.decode("utf-8").splitlines()[0] == "commune,hamlet,households,surveyed"


# --- what is accepted ---


def test_reads_english_headers_from_csv(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path,
        "commune,hamlet,households,surveyed\n"
        "Định Biên,Xóm Nà Mỏ,120,1\n"
        "Chợ Chu,Tổ dân phố Hòa Bình,210,0\n",
    )
    assert parse_roster(path) == [
        RosterRow(2, "Định Biên", "Xóm Nà Mỏ", 120, True),
        RosterRow(3, "Chợ Chu", "Tổ dân phố Hòa Bình", 210, False),
    ]


def test_reads_vietnamese_headers_from_xlsx_with_numbers_as_numbers(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path,
        [
            ["STT", "Xã", "Xóm", "Số hộ", "Khảo sát"],
            [1, "Bảo Linh", "Xóm Nà Mò", 86, 1],
            [2, "Bảo Linh", "Xóm Bản Pậu", 1234.0, "có"],
            [3, "Chợ Chu", "Tổ dân phố Bãi Á", 161, "không"],
        ],
    )
    assert parse_roster(path) == [
        RosterRow(2, "Bảo Linh", "Xóm Nà Mò", 86, True),
        RosterRow(3, "Bảo Linh", "Xóm Bản Pậu", 1234, True),
        RosterRow(4, "Chợ Chu", "Tổ dân phố Bãi Á", 161, False),
    ]


@pytest.mark.parametrize(
    "header",
    [
        "xa,xom,so ho",
        "XÃ,THÔN,SỐ HỘ",
        "Tên xã,Tên thôn,Tổng số hộ",
        "Xã/thị trấn,Xóm/tổ dân phố,Số hộ:",
        "commune,Tổ dân phố,households",
        " Commune , Hamlet , Households ",
    ],
)
def test_headers_match_without_case_diacritics_or_punctuation(tmp_path: Path, header: str) -> None:
    path = write_csv(tmp_path, f"{header}\nPhú Đình,Xóm Đèo De,95\n")
    assert parse_roster(path) == [RosterRow(2, "Phú Đình", "Xóm Đèo De", 95, True)]


def test_columns_may_come_in_any_order_and_extra_columns_are_ignored(tmp_path: Path) -> None:
    path = write_csv(tmp_path, "Ghi chú,số hộ,xóm,STT,xã\nmới,75,Xóm Nà Tấc,1,Bình Thành\n")
    assert parse_roster(path) == [RosterRow(2, "Bình Thành", "Xóm Nà Tấc", 75, True)]


@pytest.mark.parametrize(
    ("text", "households"), [("45", 45), (" 45 ", 45), ("1.234", 1234), ("1.234.567", 1234567)]
)
def test_households_are_whole_numbers_with_dots_between_thousands(
    tmp_path: Path, text: str, households: int
) -> None:
    path = write_csv(tmp_path, f'xã;xóm;số hộ\nQuy Kỳ;Xóm Nà Khao;"{text}"\n')
    assert parse_roster(path)[0].households == households


@pytest.mark.parametrize(
    ("value", "surveyed"),
    [
        ("1", True),
        ("0", False),
        ("yes", True),
        ("No", False),
        ("có", True),
        ("Không", False),
        ("co", True),
        ("khong", False),
        ("TRUE", True),
        ("false", False),
        ("", True),
    ],
)
def test_surveyed_takes_the_usual_ways_of_saying_yes_and_no(
    tmp_path: Path, value: str, surveyed: bool
) -> None:
    path = write_csv(tmp_path, f"xã,xóm,số hộ,khảo sát\nLam Vỹ,Xóm Khau Đu,88,{value}\n")
    assert parse_roster(path)[0].surveyed is surveyed


def test_surveyed_defaults_to_yes_without_the_column(tmp_path: Path) -> None:
    path = write_csv(tmp_path, "xã,xóm,số hộ\nLam Vỹ,Xóm Khau Đu,88\n")
    assert parse_roster(path)[0].surveyed is True


def test_in_a_column_ticked_with_x_an_empty_cell_means_not_surveyed(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path,
        [
            ["xã", "xóm", "số hộ", "khảo sát"],
            ["Trung Hội", "Xóm Hội Tiến", 90, "x"],
            ["Chợ Chu", "Tổ dân phố Hợp Thành", 200, None],
        ],
    )
    assert [row.surveyed for row in parse_roster(path)] == [True, False]


def test_names_keep_diacritics_but_are_trimmed_collapsed_and_composed(tmp_path: Path) -> None:
    hamlet = unicodedata.normalize("NFD", "  Xóm   Nà\u00a0Mò ")
    path = write_csv(tmp_path, f"xã,xóm,số hộ\n Bảo  Linh ,{hamlet},86\n")
    row = parse_roster(path)[0]
    assert (row.commune, row.hamlet) == ("Bảo Linh", "Xóm Nà Mò")
    assert unicodedata.is_normalized("NFC", row.hamlet)


def test_empty_rows_are_skipped_and_line_numbers_are_the_files(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path,
        "\ncommune,hamlet,households\n\nSơn Phú,Xóm Làng Mới,88\n,,\nSơn Phú,Xóm Nà Pịn,70\n",
    )
    assert [row.line for row in parse_roster(path)] == [4, 6]


def test_xlsx_line_numbers_are_excel_row_numbers_below_a_blank_top(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path,
        [
            [],
            [],
            ["xã", "xóm", "số hộ"],
            ["Tân Dương", "Xóm Làng Mới", 102],
            [],
            ["Tân Dương", "Xóm Tân Lập", 0],
        ],
    )
    assert problems_of(path) == ["Dòng 6, cột «số hộ»: số hộ phải lớn hơn 0."]


def test_a_hamlet_with_the_same_name_in_two_communes_is_fine(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path,
        "xã,xóm,số hộ\nBảo Cường,Xóm Trung Tâm,67\nPhú Đình,Xóm Trung Tâm,70\n",
    )
    assert len(parse_roster(path)) == 2


@pytest.mark.parametrize(
    ("encoding", "prefix"),
    [
        ("utf-8", b""),
        ("utf-8", codecs.BOM_UTF8),
        ("utf-16-le", codecs.BOM_UTF16_LE),
        ("cp1258", b""),
    ],
)
def test_csv_in_the_encodings_excel_saves(tmp_path: Path, encoding: str, prefix: bytes) -> None:
    content = "xã\txóm\tsố hộ\r\nĐiềm Mặc\tXóm Đông Tâm\t69\r\n"
    encoded = cp1258(content) if encoding == "cp1258" else content.encode(encoding)
    path = tmp_path / "roster.csv"
    path.write_bytes(prefix + encoded)
    assert parse_roster(path) == [RosterRow(2, "Điềm Mặc", "Xóm Đông Tâm", 69, True)]


def cp1258(content: str) -> bytes:
    """Returns `content` as Windows-1258 spells it: ê, ă, ơ… whole, tones as combining marks."""
    shapes = {"\u0302", "\u0306", "\u031b"}  # circumflex, breve, horn
    encoded = b""
    for char in unicodedata.normalize("NFC", content):
        base, *marks = list(unicodedata.normalize("NFD", char))
        shaped = unicodedata.normalize("NFC", base + "".join(m for m in marks if m in shapes))
        tones = "".join(m for m in marks if m not in shapes)
        try:
            encoded += char.encode("cp1258")
        except UnicodeEncodeError:
            encoded += (shaped + tones).encode("cp1258")
    return encoded


def test_read_rows_gives_lines_and_folded_headers(tmp_path: Path) -> None:
    path = write_csv(tmp_path, "Xã,Số hộ\nĐịnh Biên,12\n\nPhú Tiến,7\n")
    assert read_rows(path) == [
        (2, {"xa": "Định Biên", "so ho": "12"}),
        (4, {"xa": "Phú Tiến", "so ho": "7"}),
    ]


# --- what is refused, each with its line ---


def test_missing_columns_are_each_named(tmp_path: Path) -> None:
    path = write_csv(tmp_path, "xã,ghi chú\nĐịnh Biên,\n")
    assert problems_of(path) == [
        "Thiếu cột «xóm» (hoặc «hamlet»).",
        "Thiếu cột «số hộ» (hoặc «households»).",
    ]


def test_missing_column_in_english(tmp_path: Path) -> None:
    path = write_csv(tmp_path, "commune,hamlet\nĐịnh Biên,Xóm Nà Mỏ\n")
    assert problems_of(path, "en") == ["Missing column “households” (or “số hộ”)."]


@pytest.mark.parametrize(
    ("cell", "problem"),
    [
        ("4,5", "«4,5» không phải số nguyên"),
        ("1.23", "«1.23» không phải số nguyên"),
        ("-3", "«-3» là số âm"),
        ("abc", "«abc» không phải là số"),
        ("", "chưa điền số"),
        ("0", "số hộ phải lớn hơn 0"),
        ("4" * 4301, f"«{'4' * 20}…» quá lớn"),
    ],
)
def test_households_must_be_a_whole_number_above_zero(
    tmp_path: Path, cell: str, problem: str
) -> None:
    path = write_csv(
        tmp_path, f'xã,xóm,số hộ\nBình Yên,Xóm Đồng Kẻn,100\nBình Yên,Xóm Yên Hòa,"{cell}"\n'
    )
    [message] = problems_of(path)
    assert message.startswith(f"Dòng 3, cột «số hộ»: {problem}")


def test_decimal_households_in_xlsx_are_refused(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path, [["commune", "hamlet", "households"], ["Bình Yên", "Xóm Đồng Mơ", 4.5]]
    )
    [message] = problems_of(path)
    assert message.startswith("Dòng 2, cột «households»: «4,5» không phải số nguyên")


def test_empty_names_are_refused(tmp_path: Path) -> None:
    path = write_csv(tmp_path, "xã,xóm,số hộ\n,Xóm Nà Dạ,80\nTân Thịnh,,80\n")
    assert problems_of(path) == [
        "Dòng 2, cột «xã»: chưa điền tên xã.",
        "Dòng 3, cột «xóm»: chưa điền tên xóm.",
    ]


def test_a_hamlet_listed_twice_in_its_commune_names_both_lines(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path,
        "xã,xóm,số hộ\nBảo Linh,Xóm Nà Mò,86\nBảo Linh,Xóm Bản Lanh,90\nBảo Linh,nà mò,86\n",
    )
    assert problems_of(path) == [
        "Dòng 4: xóm «nà mò» của xã «Bảo Linh» trùng với dòng 2 («Xóm Nà Mò»)."
    ]


def test_a_hamlet_spelt_differently_but_folding_alike_is_a_duplicate(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path, "xã,xóm,số hộ\nPhú Đình,Xóm Đồng Tâm,86\nPhú Đình,Xóm Đông Tâm,90\n"
    )
    [message] = problems_of(path)
    assert message.startswith("Dòng 3: xóm «Xóm Đông Tâm» của xã «Phú Đình» trùng với dòng 2")


def test_a_commune_both_surveyed_and_not_is_refused(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path,
        "xã,xóm,số hộ,khảo sát\n"
        "Chợ Chu,Tổ dân phố Phố Chợ,217,0\n"
        "Chợ Chu,Tổ dân phố Bãi Á,161,0\n"
        "Chợ Chu,Tổ dân phố Hòa Bình,180,1\n"
        "Chợ Chu,Tổ dân phố Quán Vuông,222,0\n",
    )
    assert problems_of(path) == [
        "Xã «Chợ Chu» vừa ghi có khảo sát (dòng 4) vừa ghi không khảo sát (dòng 2–3, 5); "
        "mỗi xã chỉ ghi một cách."
    ]


def test_a_commune_spelt_two_ways_is_refused(tmp_path: Path) -> None:
    path = write_csv(tmp_path, "xã,xóm,số hộ\nĐịnh Biên,Xóm Nà Mỏ,60\nDinh Bien,Xóm Tân Vàng,65\n")
    assert problems_of(path) == [
        "Dòng 3: xã «Dinh Bien» viết khác dòng 2 («Định Biên»); "
        "xin viết tên xã giống nhau ở mọi dòng."
    ]


def test_an_unclear_survey_flag_is_refused(tmp_path: Path) -> None:
    path = write_csv(tmp_path, "xã,xóm,số hộ,khảo sát\nKim Phượng,Xóm Nà Tra,70,có lẽ\n")
    [message] = problems_of(path)
    assert message.startswith("Dòng 2, cột «khảo sát»: «có lẽ» không rõ")


def test_every_bad_row_is_listed_in_file_order(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path,
        "xã,xóm,số hộ\n"
        "Bảo Linh,Xóm Nà Mò,4,5\n"  # an unquoted decimal comma splits the number in two cells
        "Bảo Linh,Xóm Nà Bay,abc\n"
        "Bảo Linh,,90\n"
        "Bảo Linh,Xóm Nà Chú,-3\n"
        "Bảo Linh,Xóm Nà Bay,80\n",
    )
    problems = problems_of(path)
    assert [problem.split(":")[0] for problem in problems] == [
        "Dòng 2",
        "Dòng 3, cột «số hộ»",
        "Dòng 4, cột «xóm»",
        "Dòng 5, cột «số hộ»",
        "Dòng 6",
    ]
    assert "trùng với dòng 3" in problems[-1]


def test_a_number_split_by_a_comma_is_caught_even_under_an_empty_header(tmp_path: Path) -> None:
    path = write_csv(tmp_path, "xã,xóm,số hộ,\nBảo Linh,Xóm Nà Mò,4,5\nBảo Linh,Xóm Nà Bay,90,\n")
    [message] = problems_of(path)
    assert message.startswith("Dòng 2: có ô nằm ngoài các cột có tiêu đề («5»).")


def test_problems_come_in_english_on_request(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path, 'commune,hamlet,households\nBảo Linh,Xóm Nà Bay,4,5\nBảo Linh,Xóm Nà Bay,"4,5"\n'
    )
    assert problems_of(path, "en") == [
        "Line 2: has filled cells outside the headed columns (“5”). In a CSV file a comma inside "
        "a number (like 4,5) splits it into two cells; please fix the number, or give that "
        "column a header.",
        "Line 3, column “households”: “4,5” is not a whole number; a whole number is needed, "
        "with dots only between thousands (e.g. 1.234).",
        "Line 3: hamlet “Xóm Nà Bay” of commune “Bảo Linh” repeats line 2 (“Xóm Nà Bay”).",
    ]


def test_the_error_message_lists_every_problem(tmp_path: Path) -> None:
    path = write_csv(tmp_path, "xã,xóm,số hộ\n,Xóm A,1\nB,,2\n")
    with pytest.raises(ImportFileError) as caught:
        parse_roster(path)
    assert str(caught.value).splitlines() == caught.value.problems
    assert len(caught.value.problems) == 2


# --- files that are not tables ---


def test_missing_file(tmp_path: Path) -> None:
    assert problems_of(tmp_path / "none.csv") == [f"Không tìm thấy tệp {tmp_path / 'none.csv'}."]


def test_empty_file(tmp_path: Path) -> None:
    path = write_csv(tmp_path, "\n\n")
    assert problems_of(path) == [f"Tệp {path} trống: không có dòng tiêu đề."]


def test_header_without_rows(tmp_path: Path) -> None:
    path = write_csv(tmp_path, "xã,xóm,số hộ\n,,\n")
    assert problems_of(path) == [f"Tệp {path} có dòng tiêu đề nhưng không có dòng số liệu nào."]


def test_old_xls_workbook_is_refused_with_what_to_do(tmp_path: Path) -> None:
    path = tmp_path / "roster.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100))
    [message] = problems_of(path)
    assert "(.xls)" in message
    assert ".xlsx" in message


def test_a_file_that_is_neither_csv_nor_xlsx_is_refused(tmp_path: Path) -> None:
    path = write_csv(tmp_path, "%PDF-1.4", name="roster.pdf")
    assert "không phải CSV hay XLSX" in problems_of(path)[0]


def test_a_broken_xlsx_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "roster.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a zip")
    assert problems_of(path)[0].startswith(f"Không đọc được tệp {path}")


def test_the_same_header_twice_is_refused(tmp_path: Path) -> None:
    path = write_csv(tmp_path, "xã,xóm,số hộ,Số Hộ\nA,B,1,2\n")
    assert problems_of(path) == [
        "Dòng 1: hai cột «số hộ» và «Số Hộ» cùng một nội dung; xin chỉ giữ lại một cột."
    ]


def test_an_ignored_column_may_repeat(tmp_path: Path) -> None:
    path = write_csv(tmp_path, "xã,ghi chú,xóm,số hộ,Ghi chú\nA,mới,B,1,cũ\n")
    assert parse_roster(path) == [RosterRow(2, "A", "B", 1, True)]


def test_a_title_above_the_header_is_skipped(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path,
        [
            ["DANH SÁCH XÓM, SỐ HỘ HUYỆN ĐỊNH HÓA"],
            ["(kèm theo Kế hoạch số 01/KH-MTTQ)"],
            [],
            ["STT", "Xã", "Xóm", "Số hộ"],
            [1, "Phúc Chu", "Xóm Làng Muông", 75],
        ],
    )
    assert parse_roster(path) == [RosterRow(5, "Phúc Chu", "Xóm Làng Muông", 75, True)]


def test_two_columns_for_the_same_field_are_refused(tmp_path: Path) -> None:
    path = write_csv(tmp_path, "xã,xóm,thôn,số hộ\nA,B,C,1\n")
    assert problems_of(path) == [
        "Dòng 1: hai cột «xóm» và «thôn» cùng một nội dung; xin chỉ giữ lại một cột."
    ]

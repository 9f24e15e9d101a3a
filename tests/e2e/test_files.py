"""`/chart` and `/export` (SPEC §3, §4.2, §4.3): images, the workbook and the draft report, as
users receive them."""

from __future__ import annotations

import io
import struct
from typing import Any

import pytest
from docx import Document
from openpyxl import load_workbook

from reporting.i18n import text
from reporting.storage.models import Role

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
Q10 = "Câu 10. Hài lòng chung / đề nghị công nhận huyện đạt chuẩn nông thôn mới"


def _row_of(sheet: Any, name: str) -> dict[str, Any]:
    """Returns the sheet's row of a unit, each cell under the header a reader sees above it.

    The header is two rows: a question's label above its "satisfied" and "rate" columns (merged,
    so only its first column carries the label), the other columns' names below."""
    rows = list(sheet.iter_rows(values_only=True))
    at = next(n for n, row in enumerate(rows) if "Số phiếu thu về" in row)
    headers = [group or header for group, header in zip(rows[at - 1], rows[at], strict=True)]
    [row] = [row for row in rows[at + 1 :] if name in row]
    return dict(zip(headers, row, strict=True))


def _png_width(data: bytes) -> int:
    assert data.startswith(PNG_SIGNATURE)
    return struct.unpack(">I", data[16:20])[0]


async def test_official_gets_the_charts_of_a_commune_they_follow(chat) -> None:
    bot = chat
    await bot.store("Định Biên/Xóm Nà Mỏ", 30, 27)
    official = await bot.register(Role.OFFICIAL, "Định Biên", "Bảo Linh")
    replies = await bot.say(official, "/bieudo dinh bien")
    assert [reply.kind for reply in replies] == ["photo", "photo"]
    assert "Định Biên" in replies[0].text
    for reply in replies:
        assert reply.data is not None
        assert 0 < _png_width(reply.data) <= 1280
    [refusal] = await bot.say(official, "/chart Quy Kỳ")
    assert refusal.text == "Quy Kỳ không thuộc các xã bạn phụ trách."


async def test_district_staff_get_the_workbook_with_the_stored_figures(chat) -> None:
    bot = chat
    await bot.store("Định Biên/Xóm Nà Mỏ", 30, 27)
    staff = await bot.register(Role.DISTRICT)
    [document] = await bot.say(staff, "/xuatfile")
    if bot.channel == "zalo":  # Zalo sends no files: a text ending in the workbook's link
        assert document.kind == "text"
        link = document.text.splitlines()[-1]
        assert link.startswith("https://")
        assert "/media/" in link
        data = bot.download(link)
    else:
        assert document.kind == "document"
        data = document.data
    assert data is not None
    book = load_workbook(io.BytesIO(data), read_only=True)
    assert book.sheetnames == ["Huyện", "Xã", "Xóm"]
    na_mo = _row_of(book["Xóm"], "Xóm Nà Mỏ")
    assert na_mo["Xã"] == "Định Biên"
    assert (na_mo["Số hộ"], na_mo["Số phiếu thu về"], na_mo["Phiếu hợp lệ"]) == (60, 30, 30)
    assert na_mo["Tỷ lệ hộ tham gia"] == pytest.approx(0.5)  # a number, shown as a percent
    assert na_mo["Câu 1. Quy hoạch"] == 27  # a question's first column: its satisfied forms
    assert na_mo[Q10] == 27
    dinh_bien = _row_of(book["Xã"], "Định Biên")
    assert (dinh_bien["Số phiếu thu về"], dinh_bien[Q10]) == (30, 27)
    district = _row_of(book["Huyện"], "Định Hóa")
    assert (district["Số phiếu thu về"], district[Q10]) == (30, 27)


async def test_district_staff_get_the_draft_report_as_a_docx(chat) -> None:
    bot = chat
    await bot.store("Định Biên/Xóm Nà Mỏ", 30, 27, note="Đề nghị làm thêm cống thoát nước")
    staff = await bot.register(Role.DISTRICT)
    [document] = await bot.say(staff, "/xuatfile baocao")
    if bot.channel == "zalo":  # Zalo sends no files: a text ending in the document's link
        assert document.kind == "text"
        data = bot.download(document.text.splitlines()[-1])
    else:
        assert document.kind == "document"
        data = document.data
    assert document.text.startswith("Dự thảo báo cáo kết quả lấy ý kiến gửi tỉnh")
    assert data is not None
    report = Document(io.BytesIO(data))
    lines = [paragraph.text for paragraph in report.paragraphs]
    assert lines[0].startswith("DỰ THẢO")
    assert "- Xã Định Biên:" in lines
    assert any(line.endswith(": Đề nghị làm thêm cống thoát nước") for line in lines)
    table = next(t for t in report.tables if t.rows[0].cells[0].text == "STT")
    row = next(r for r in table.rows if r.cells[1].text == "Định Biên")
    assert row.cells[3].text == "30"
    assert row.cells[7].text == "90,00 %"  # question 10: 27 of 30, below 95 %


async def test_the_draft_report_is_refused_to_a_hamlet_leader(chat) -> None:
    bot = chat
    leader = await bot.register(Role.HAMLET, "Định Biên/Xóm Nà Mỏ")
    [refusal] = await bot.say(leader, "/xuatfile baocao")
    assert refusal.kind == "text"
    assert refusal.text == text("chat.not_for_role", command="xuatfile")


async def test_export_with_an_unknown_word_says_what_it_offers(chat) -> None:
    bot = chat
    staff = await bot.register(Role.DISTRICT)
    [answer] = await bot.say(staff, "/xuatfile abc")
    assert answer.text == text("chat.export_unknown")

"""Typed answers to a list of choices (SPEC §3, §3.4): a label or the number it is listed under."""

from __future__ import annotations

from bot.chat.choices import pick
from bot.chat.turn import Choice, Incoming, Kind
from bot.chat.typed import text_input

EDIT = (
    Choice("Phiếu thu về", "collected"),
    Choice("Không hợp lệ", "invalid"),
    *(Choice(f"Câu {q}", str(q)) for q in range(1, 11)),
    Choice("Kiến nghị", "note"),
)
HAMLETS = (Choice("Xóm Bản Mới", "7"), Choice("Xóm Bản Trang", "2"), Choice("Xóm Nà Mỏ", "1"))


def test_a_typed_number_is_the_line_listed_under_it_not_a_value_behind_a_button() -> None:
    assert pick(text_input("2"), EDIT) == Choice("Không hợp lệ", "invalid")
    assert pick(text_input("4"), EDIT) == Choice("Câu 2", "2")
    assert pick(text_input("1"), HAMLETS) == Choice("Xóm Bản Mới", "7")
    assert pick(text_input("2"), HAMLETS) == Choice("Xóm Bản Trang", "2")


def test_a_value_typed_is_no_choice_when_no_line_shows_it() -> None:
    assert pick(text_input("7"), HAMLETS) is None
    assert pick(text_input("invalid"), EDIT) is None


def test_labels_typed_without_accents_and_buttons_by_value_still_choose() -> None:
    assert pick(text_input("khong hop le"), EDIT) == Choice("Không hợp lệ", "invalid")
    assert pick(text_input("cau 10"), EDIT) == Choice("Câu 10", "10")
    assert pick(Incoming(Kind.BUTTON, value="2"), EDIT) == Choice("Câu 2", "2")


def test_other_digit_forms_read_as_ascii_and_foreign_scripts_are_no_choice() -> None:
    # NFKC reads superscript, circled and full-width digits as 0-9; other scripts' digits are
    # not "a number" for the bot (SPEC §2.3): no choice, never a crash in int().
    assert pick(text_input("²"), HAMLETS) == Choice("Xóm Bản Trang", "2")
    assert pick(text_input("③"), HAMLETS) == Choice("Xóm Nà Mỏ", "1")
    assert pick(text_input("２"), HAMLETS) == Choice("Xóm Bản Trang", "2")
    assert pick(text_input("٣"), HAMLETS) is None
    assert pick(text_input("⑳"), HAMLETS) is None
    assert pick(text_input("1" * 5000), HAMLETS) is None

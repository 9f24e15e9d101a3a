"""How the demo's Zalo users answer a choice: as a person reads it off the message."""

from __future__ import annotations

import pytest

from bot.chat.turn import Choice
from bot.demo.chat import typed_choice
from bot.zalo.transport import choice_list


def test_a_zalo_user_types_the_number_shown_beside_the_label() -> None:
    shown = "Tóm tắt báo cáo …\n\n" + choice_list(
        [Choice(w, w.lower()) for w in ("Gửi", "Sửa", "Hủy")]
    )

    assert typed_choice(shown, "Sửa") == "2"


def test_a_long_choice_list_one_a_line_is_read_the_same_way() -> None:
    labels = ["Xóm Nà Mỏ", "Xóm Bản Hin", "Xóm Khuôn Tát", "Xóm Đồng Vương"]
    shown = "Báo cáo cho xóm nào?\n\n" + choice_list([Choice(label, label) for label in labels])

    assert "\n1. Xóm Nà Mỏ\n2. Xóm Bản Hin" in shown
    assert typed_choice(shown, "Xóm Đồng Vương") == "4"


def test_a_single_choice_beside_a_free_answer_is_typed_as_its_label() -> None:
    shown = "Câu 1: số phiếu hài lòng?\n\n" + choice_list([Choice("Tất cả (12)", "12")])

    assert typed_choice(shown, "Tất cả (12)") == "Tất cả (12)"


def test_a_choice_not_offered_is_an_error_not_a_guess() -> None:
    with pytest.raises(LookupError):
        typed_choice("Gửi số phiếu đã thu.", "Gửi")

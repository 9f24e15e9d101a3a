"""The one-line tally (SPEC §3.2): `/report [dd/mm] COLLECTED [INVALID] S1 … S10`."""

from __future__ import annotations

from datetime import date

import pytest

from reporting.i18n import text
from reporting.storage.models import Dialog, Role, TallyRevision

ELEVEN = "45 44 43 45 45 42 44 45 44 45 45"
TWELVE = "46 1 44 43 44 44 42 43 44 43 44 44"
FORMAT_HELP = (
    "/baocao PHIẾU_THU C1 … C10 — ví dụ: /baocao 45 44 43 45 45 42 44 45 44 45 45\n"
    "/baocao PHIẾU_THU KHÔNG_HỢP_LỆ C1 … C10 — ví dụ:\n"
    "/baocao 45 1 44 43 44 44 42 43 44 43 44 44\n"
    "Có thể ghi ngày trước các số: /baocao 28/01 45 44 …"
)


@pytest.fixture
async def leader(bot):
    """The leader of Xóm Nà Mỏ (60 households), registered through the chat."""
    return await bot.register(Role.HAMLET, bot.hamlet, name="Hoàng Văn Bình")


@pytest.fixture
async def chat_leader(chat):
    """The leader of Xóm Nà Mỏ, registered through the chat on each channel of `chat`."""
    return await chat.register(Role.HAMLET, chat.hamlet, name="Hoàng Văn Bình")


async def test_eleven_numbers_store_todays_tally(chat, chat_leader) -> None:
    bot, leader = chat, chat_leader
    [saved] = await bot.say(leader, f"/report {ELEVEN}")
    assert saved.text == (
        "✅ Đã lưu báo cáo ngày 28/01/2024 của Xóm Nà Mỏ.\n"
        "Cộng dồn: 45/60 hộ đã góp ý (75,00 %).\n"
        "Câu thấp nhất: câu 5 (Y tế – Văn hóa – Giáo dục) 93,33 %."
    )
    [tally] = await bot.tallies()
    user = await bot.account(leader)
    assert (tally.day, tally.collected, tally.invalid) == (bot.today, 45, 0)
    assert list(tally.satisfied) == [44, 43, 45, 45, 42, 44, 45, 44, 45, 45]
    assert (tally.revision, tally.entered_by, tally.channel) == (1, user.id, bot.channel)


async def test_same_day_one_line_replaces_and_keeps_both_revisions(bot, leader) -> None:
    await bot.say(leader, f"/report {ELEVEN}")
    [replaced] = await bot.say(leader, f"/baocao {TWELVE.replace(' ', ', ')}")
    assert replaced.text.startswith(
        "✅ Đã thay số liệu ngày 28/01/2024 của Xóm Nà Mỏ (số cũ vẫn được lưu lại).\n"
        "Cộng dồn: 46/60 hộ đã góp ý (76,67 %)."
    )
    [tally] = await bot.tallies()
    assert (tally.collected, tally.invalid, tally.revision) == (46, 1, 2)
    first, second = await bot.revisions(tally)
    assert (first.revision, first.old, first.reason) == (1, None, "new")
    assert (second.revision, second.reason) == (2, "replace")
    assert second.old == {
        "collected": 45,
        "invalid": 0,
        "satisfied": [44, 43, 45, 45, 42, 44, 45, 44, 45, 45],
        "note": None,
    }
    assert second.new["collected"] == 46
    assert second.new["satisfied"] == [44, 43, 44, 44, 42, 43, 44, 43, 44, 44]


async def test_backfill_with_a_day_first(bot, leader) -> None:
    [saved] = await bot.say(leader, "/report 27/01 10 10 10 10 10 10 10 10 10 10 9")
    assert saved.text.startswith("✅ Đã lưu báo cáo ngày 27/01/2024 của Xóm Nà Mỏ.\n")
    await bot.say(leader, f"/report {ELEVEN}")
    days = [(t.day, t.collected) for t in await bot.tallies()]
    assert days == [(date(2024, 1, 27), 10), (bot.today, 45)]
    [mine] = await bot.say(leader, "/mine")
    assert "Cộng dồn: 55/60 hộ đã góp ý (91,67 %)." in mine.text


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ("45 44 43 45 45 42 44 45 44 45", "Báo cáo một dòng cần 11 hoặc 12 số (vừa có 10 số):\n"),
        (f"{TWELVE} 7", "Báo cáo một dòng cần 11 hoặc 12 số (vừa có 13 số):\n"),
        ("hôm nay thu 45 phiếu", "Báo cáo một dòng cần 11 hoặc 12 số (vừa có 5 số):\n"),
        ("👍👍👍", "Báo cáo một dòng cần 11 hoặc 12 số (vừa có 1 số):\n"),
        (
            "45 👍 43 45 45 42 44 45 44 45 45",
            "Số thứ 2 («👍») không phải số nguyên từ 0 trở lên. Xin gõ lại cả dòng.",
        ),
        (
            "45 -3 43 45 45 42 44 45 44 45 45",
            "Số thứ 2 («-3») không phải số nguyên từ 0 trở lên. Xin gõ lại cả dòng.",
        ),
        (
            f"05/02 {ELEVEN}",
            "Ngày 05/02 không nằm trong thời gian thu phiếu (27/01 – 28/01).",
        ),
        (
            f"26/01 {ELEVEN}",
            "Ngày 26/01 không nằm trong thời gian thu phiếu (27/01 – 28/01).",
        ),
        (
            "45 46 43 45 45 42 44 45 44 45 45",
            "Câu 1 (Quy hoạch): 46 phiếu hài lòng, nhiều hơn số phiếu hợp lệ (45). "
            "Số phiếu hài lòng phải từ 0 đến 45.",
        ),
        (
            "45 1 44 45 45 45 42 44 45 44 45 45",
            "Câu 2 (Giao thông): 45 phiếu hài lòng, nhiều hơn số phiếu hợp lệ (44). "
            "Số phiếu hài lòng phải từ 0 đến 44.",
        ),
        (
            "10 11 5 5 5 5 5 5 5 5 5 5",
            "Số phiếu không hợp lệ (11) nhiều hơn số phiếu thu về (10). "
            "Số phiếu không hợp lệ phải từ 0 đến 10.",
        ),
        (
            "61 0 0 0 0 0 0 0 0 0 0",
            "Xóm Nà Mỏ có 60 hộ. Các ngày khác đã thu 0 phiếu, thêm 61 phiếu ngày 28/01 thành 61 "
            "— nhiều hơn số hộ. Xin kiểm tra lại số phiếu thu về.",
        ),
    ],
    ids=[
        "10-numbers",
        "13-numbers",
        "words",
        "emoji-only",
        "emoji-number",
        "negative",
        "day-after-window",
        "day-before-window",
        "satisfied-over-valid",
        "satisfied-over-valid-12",
        "invalid-over-collected",
        "over-households",
    ],
)
async def test_wrong_one_line_gets_a_clear_message_and_stores_nothing(
    chat, chat_leader, args: str, expected: str
) -> None:
    bot, leader = chat, chat_leader
    replies = await bot.say(leader, f"/report {args}")
    assert [reply.text.startswith(expected) for reply in replies] == [True], [
        reply.text for reply in replies
    ]
    if expected.startswith("Báo cáo một dòng"):
        assert replies[0].text.endswith(FORMAT_HELP)
    assert await bot.all_tallies() == []
    assert await bot.count(TallyRevision) == 0


async def test_cumulative_collected_over_households_is_refused(bot, leader) -> None:
    await bot.say(leader, "/report 27/01 40 40 40 40 40 40 40 40 40 40 40")
    [refused] = await bot.say(leader, "/report 21 20 20 20 20 20 20 20 20 20 20")
    assert refused.text == (
        "Xóm Nà Mỏ có 60 hộ. Các ngày khác đã thu 40 phiếu, thêm 21 phiếu ngày 28/01 thành 61 "
        "— nhiều hơn số hộ. Xin kiểm tra lại số phiếu thu về."
    )
    [tally] = await bot.all_tallies()
    assert (tally.day, tally.collected, tally.revision) == (date(2024, 1, 27), 40, 1)
    # the guided tally offers no more than the households left
    [prompt] = await bot.say(leader, "/report")
    assert prompt.text.endswith("(từ 0 đến 20)")


async def test_a_day_after_today_is_no_backfill(bot, leader) -> None:
    # the window runs to 03/02, but on 28/01 only 27/01 and 28/01 can have been collected
    [refused] = await bot.say(leader, f"/report 29/01 {ELEVEN}")
    assert refused.text == "Ngày 29/01 không nằm trong thời gian thu phiếu (27/01 – 28/01)."
    assert await bot.all_tallies() == []
    bot.clock.set(bot.now.replace(day=3, month=2))
    [saved] = await bot.say(leader, f"/report 29/01 {ELEVEN}")
    assert saved.text.startswith("✅ Đã lưu báo cáo ngày 29/01/2024 của Xóm Nà Mỏ.")
    [refused] = await bot.say(leader, f"/report 04/02 {ELEVEN}")
    assert refused.text == "Ngày 04/02 không nằm trong thời gian thu phiếu (27/01 – 03/02)."


async def test_five_thousand_characters_get_a_short_clear_answer(bot, leader) -> None:
    numbers = " ".join(["45"] * 1667)[:4990]
    digits = "9" * 5000
    word = "x" * 5000
    for args, start in (
        (numbers, "Báo cáo một dòng cần 11 hoặc 12 số (vừa có 1664 số):"),
        (f"{digits} 1 1 1 1 1 1 1 1 1 1", "Số thứ 1 («999"),
        (f"45 {word} 1 1 1 1 1 1 1 1 1", "Số thứ 2 («xxx"),
        (word, "Báo cáo một dòng cần 11 hoặc 12 số (vừa có 1 số):"),
    ):
        replies = await bot.say(leader, f"/report {args}")
        assert len(replies) == 1, [reply.text[:80] for reply in replies]
        assert replies[0].text.startswith(start)
        assert len(replies[0].text) < 1000
    [prompt] = await bot.say(leader, "/report")  # a guided answer is cut to a sane length
    wrong, _ = await bot.say(leader, digits)
    assert len(wrong.text) < 4096
    assert await bot.all_tallies() == []


async def test_one_line_report_ends_an_open_guided_draft(bot, leader) -> None:
    await bot.say_all(leader, ["/report", "45"])
    [saved] = await bot.say(leader, f"/report {ELEVEN}")
    assert saved.text.startswith("✅ Đã lưu báo cáo ngày 28/01/2024 của Xóm Nà Mỏ.")
    assert await bot.count(Dialog) == 0
    [lost] = await bot.say(leader, "0")
    assert lost.text == text("chat.no_flow")
    assert len(await bot.all_tallies()) == 1

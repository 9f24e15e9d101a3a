"""The guided daily tally (SPEC §3.1): one question at a time, mistakes, summary, Gửi/Sửa/Hủy.

Tests taking `chat` run three times: on the in-process client over the pipeline
(bot/inprocess.py), on the same client playing Zalo (choices listed under the text and typed
back), and on the real Telegram Application over HTTP; `bot` is Telegram only.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import pytest

from reporting.i18n import text
from reporting.storage.models import Dialog, Role, Tally, TallyRevision
from reporting.wording import level_words

LABELS = (
    "Quy hoạch",
    "Giao thông",
    "Thủy lợi và phòng, chống thiên tai",
    "Điện",
    "Y tế – Văn hóa – Giáo dục",
    "Kinh tế",
    "Môi trường",
    "Chất lượng môi trường sống",
    "Hệ thống chính trị – An ninh trật tự – Hành chính công",
    "Hài lòng chung / đề nghị công nhận huyện đạt chuẩn nông thôn mới",
)
COLLECTED_PROMPT = (
    "📝 Báo cáo ngày 28/01/2024 — Xóm Nà Mỏ\n"
    "Bước 1: Hôm nay xóm thu về bao nhiêu phiếu? (từ 0 đến 60)"
)
INVALID_PROMPT = (
    "Bước 2: Trong 45 phiếu, có bao nhiêu phiếu không hợp lệ? (từ 0 đến 45; không có thì chọn 0)"
)
NOTE_PROMPT = "Kiến nghị, ý kiến của người dân (nếu có): gõ vào đây, hoặc chọn Bỏ qua."
STUCK_HELP = text(
    "chat.stuck_help",
    columns="C1 C2 C3 C4 C5 C6 C7 C8 C9 C10",
    example="45 44 43 45 45 42 44 45 44 45 45",
)
SATISFIED = ["44", "45", "43", "45", "42", "44", "45", "41", "45", "45"]
TYPICAL = ["/report", "45", "0", *SATISFIED, "Bỏ qua"]  # a whole draft, up to the summary


def question(number: int, valid: int = 45) -> str:
    """Returns the prompt of question `number` as the user sees it."""
    label = LABELS[number - 1]
    return f"Câu {number}/10 — {label}: bao nhiêu phiếu hài lòng? (từ 0 đến {valid})"


def listed(chat, message: str, choices: str) -> str:
    """Returns a message with choices as the person reads it: Zalo lists them under the text."""
    return f"{message}\n\n{choices}" if chat.channel == "zalo" else message


def numbered(labels: Sequence[str]) -> str:
    """Returns labels as Zalo lists more than fit on one line: one numbered line each."""
    return "\n".join(f"{number}. {label}" for number, label in enumerate(labels, start=1))


def review(satisfied: list[int], note: str = "—") -> str:
    """Returns the summary shown before Gửi / Sửa / Hủy for 45 forms, none invalid."""
    lines = [
        "📋 Kiểm tra lại báo cáo ngày 28/01/2024 — Xóm Nà Mỏ",
        "Phiếu thu về: 45 · không hợp lệ: 0 · hợp lệ: 45",
    ]
    lines += [f"Câu {n} ({LABELS[n - 1]}): {s} hài lòng" for n, s in enumerate(satisfied, 1)]
    lines += [f"Kiến nghị: {note}", "Đúng rồi thì chọn Gửi. Cần sửa thì chọn Sửa."]
    return "\n".join(lines)


async def test_guided_tally_from_mistakes_to_stored_figures(bot) -> None:
    leader = await bot.register(Role.HAMLET, bot.hamlet, name="Hoàng Văn Bình")
    [prompt] = await bot.say(leader, "/report")
    assert (prompt.text, prompt.buttons) == (COLLECTED_PROMPT, [])

    wrong, again = await bot.say(leader, "abc")
    assert wrong.text == "«abc» không phải là số; cần số nguyên từ 0 trở lên, ví dụ 45."
    assert again.text == COLLECTED_PROMPT
    wrong, again = await bot.say(leader, "75")
    assert wrong.text == "Số 75 lớn hơn mức cho phép. Cần một số từ 0 đến 60."
    assert again.text == COLLECTED_PROMPT

    [invalid] = await bot.say(leader, " 45 ")
    assert (invalid.text, invalid.buttons) == (INVALID_PROMPT, ["0"])
    wrong, again = await bot.say(leader, "4,5")
    assert wrong.text.startswith("«4,5» không phải số nguyên; cần số nguyên")
    assert (again.text, again.buttons) == (INVALID_PROMPT, ["0"])

    [q1] = await bot.press(leader, "0")
    assert (q1.text, q1.buttons) == (question(1), ["Tất cả (45)"])
    [q2] = await bot.say(leader, "44")
    assert (q2.text, q2.buttons) == (question(2), ["Tất cả (45)"])
    [q3] = await bot.press(leader, "Tất cả (45)")
    assert q3.text == question(3)
    assert q2.buttons == []  # the pressed keyboard is taken off its message
    [q4] = await bot.say(leader, "tat ca")
    assert q4.text == question(4)
    for number, answer in zip(range(4, 10), ["43", "45", "42", "44", "45", "41"], strict=True):
        [asked] = await bot.say(leader, answer)
        assert asked.text == question(number + 1)
    [note] = await bot.say(leader, "45")
    assert (note.text, note.buttons) == (NOTE_PROMPT, ["Bỏ qua"])

    [summary] = await bot.say(leader, "bo qua")
    satisfied = [44, 45, 45, 43, 45, 42, 44, 45, 41, 45]
    assert (summary.text, summary.buttons) == (review(satisfied), ["Gửi", "Sửa", "Hủy"])

    [pick] = await bot.press(leader, "Sửa")
    assert pick.text == "Sửa mục nào?"
    assert pick.buttons == [
        "Phiếu thu về",
        "Không hợp lệ",
        *(f"Câu {n}" for n in range(1, 11)),
        "Kiến nghị",
    ]
    [edit] = await bot.press(leader, "Câu 3")
    assert (edit.text, edit.buttons) == (question(3), ["Tất cả (45)"])
    [summary] = await bot.say(leader, "40")
    satisfied[2] = 40
    assert summary.text == review(satisfied)
    assert await bot.all_tallies() == []  # nothing stored before Gửi

    [confirmation] = await bot.say(leader, "1")  # the number of the button Gửi
    assert confirmation.text == (
        "✅ Đã lưu báo cáo ngày 28/01/2024 của Xóm Nà Mỏ.\n"
        "Cộng dồn: 45/60 hộ đã góp ý (75,00 %).\n"
        "Câu thấp nhất: câu 3 (Thủy lợi và phòng, chống thiên tai) 88,89 %."
    )
    [mine] = await bot.say(leader, "/mine")
    assert mine.text == (
        "🏠 Xóm Nà Mỏ (xã Định Biên)\n"
        "Cộng dồn: 45/60 hộ đã góp ý (75,00 %).\n"
        "Câu thấp nhất: câu 3 (Thủy lợi và phòng, chống thiên tai) 88,89 %.\n"
        "Hôm nay (28/01): đã báo cáo 45 phiếu lúc 16:00."
    )

    user = await bot.account(leader)
    [tally] = await bot.all_tallies()
    hamlet = await bot.unit(bot.hamlet)
    assert (tally.hamlet_id, tally.day, tally.collected, tally.invalid) == (
        hamlet.id,
        bot.today,
        45,
        0,
    )
    assert list(tally.satisfied) == satisfied
    assert (tally.note, tally.revision, tally.entered_by, tally.channel) == (
        None,
        1,
        user.id,
        "telegram",
    )
    [revision] = await bot.revisions(tally)
    assert (revision.revision, revision.user_id, revision.channel, revision.old) == (
        1,
        user.id,
        "telegram",
        None,
    )
    assert revision.new["satisfied"] == satisfied
    assert await bot.count(Dialog) == 0  # the draft is gone once submitted


async def test_note_is_kept_with_the_tally(chat) -> None:
    leader = await chat.register(Role.HAMLET, chat.hamlet)
    await chat.say_all(leader, TYPICAL[:-1])
    [summary] = await chat.say(leader, "Đề nghị sửa đường liên xóm")
    assert "Kiến nghị: Đề nghị sửa đường liên xóm" in summary.text
    await chat.press(leader, "Gửi")
    [tally] = await chat.all_tallies()
    assert tally.note == "Đề nghị sửa đường liên xóm"


async def test_three_wrong_answers_in_a_row_show_the_one_line_format(chat) -> None:
    leader = await chat.register(Role.HAMLET, chat.hamlet)
    await chat.say(leader, "/report")
    first = await chat.say(leader, "abc")
    second = await chat.say(leader, "-3")
    assert len(first) == len(second) == 2
    assert second[0].text == "«-3» là số âm; cần số nguyên từ 0 trở lên."
    problem, stuck, again = await chat.say(leader, "4,5")
    assert problem.text.startswith("«4,5» không phải số nguyên")
    assert stuck.text == STUCK_HELP
    assert "/baocao PHIẾU_THU C1 C2 C3 C4 C5 C6 C7 C8 C9 C10" in stuck.text
    assert "/huy" in stuck.text
    assert again.text == COLLECTED_PROMPT
    # a right answer resets the count: the next mistake is a plain one again
    await chat.say(leader, "45")
    assert len(await chat.say(leader, "x")) == 2


async def test_cancel_mid_way_drops_the_draft_and_stores_nothing(chat) -> None:
    leader = await chat.register(Role.HAMLET, chat.hamlet)
    await chat.say_all(leader, ["/report", "45", "0", "44"])
    [cancelled] = await chat.say(leader, "/cancel")
    assert cancelled.text == "Đã hủy. Chưa có gì được gửi."
    assert await chat.count(Dialog) == 0
    [lost] = await chat.say(leader, "45")
    assert lost.text == text("chat.no_flow")
    [nothing] = await chat.say(leader, "/huy")
    assert nothing.text == "Không có việc gì đang làm dở."
    [prompt] = await chat.say(leader, "/baocao")
    assert prompt.text == COLLECTED_PROMPT  # a fresh start, not the dropped draft
    assert await chat.all_tallies() == []


async def test_hủy_on_the_summary_stores_nothing(chat) -> None:
    leader = await chat.register(Role.HAMLET, chat.hamlet)
    await chat.say_all(leader, TYPICAL)
    [cancelled] = await chat.press(leader, "Hủy")
    assert cancelled.text == "Đã hủy. Chưa có gì được gửi."
    assert (await chat.all_tallies(), await chat.count(Dialog)) == ([], 0)


async def test_button_on_an_old_message_is_refused_as_stale(chat) -> None:
    if chat.channel == "zalo":
        pytest.skip("Zalo has no buttons: nothing on an old message can be pressed, only typed")
    leader = await chat.register(Role.HAMLET, chat.hamlet)
    [invalid] = await chat.say_all(leader, ["/report", "45"])
    [q1] = await chat.say(leader, "0")  # typed: the button "0" stays on its message
    assert q1.text == question(1)
    [q2] = await chat.say(leader, "30")
    assert q2.text == question(2)
    [stale] = await chat.press(leader, "Tất cả (45)", q1)
    assert stale.text == text("chat.stale_button")
    assert stale.text.startswith("Nút này thuộc một tin nhắn cũ nên không dùng được nữa.")
    [q3] = await chat.say(leader, "31")  # question 2 is still the one asked
    assert q3.text == question(3)
    for answer in ["32", "33", "34", "35", "36", "37", "38", "39", "Bỏ qua"]:
        replies = await chat.say(leader, answer)
    [summary] = replies
    assert summary.text == review([30, 31, 32, 33, 34, 35, 36, 37, 38, 39])
    # a button from a dropped draft is stale as well
    await chat.press(leader, "Hủy")
    [stale] = await chat.press(leader, "0", invalid)
    assert stale.text == text("chat.stale_button")
    assert await chat.all_tallies() == []


async def test_choices_answer_to_typed_numbers_and_labels(chat) -> None:
    leader = await chat.register(Role.HAMLET, chat.hamlet)
    await chat.say_all(leader, TYPICAL)
    [pick] = await chat.say(leader, "2")  # Sửa
    assert pick.text == listed(chat, "Sửa mục nào?", numbered(pick.buttons))
    assert pick.buttons[:3] == ["Phiếu thu về", "Không hợp lệ", "Câu 1"]
    [edit] = await chat.say(leader, "phieu thu ve")  # typed label, no diacritics
    assert edit.text == "Số phiếu thu về đúng là bao nhiêu? (từ 0 đến 60)"
    [summary] = await chat.say(leader, "46")
    assert "Phiếu thu về: 46 · không hợp lệ: 0 · hợp lệ: 46" in summary.text
    wrong, again = await chat.say(leader, "gui di")
    assert wrong.text == text("chat.pick_from_list")
    assert again.buttons == ["Gửi", "Sửa", "Hủy"]
    [saved] = await chat.say(leader, "GỬI")
    assert saved.text.startswith("✅ Đã lưu báo cáo ngày 28/01/2024 của Xóm Nà Mỏ.")
    [tally] = await chat.all_tallies()
    assert tally.collected == 46


async def test_fewer_valid_forms_after_an_edit_asks_the_questions_again(chat) -> None:
    leader = await chat.register(Role.HAMLET, chat.hamlet)
    await chat.say_all(leader, ["/report", "45", "0", *["45"] * 10, "Bỏ qua"])
    await chat.press(leader, "Sửa")
    await chat.press(leader, "Không hợp lệ")
    recount, question = await chat.say(leader, "5")  # 45 satisfied would exceed 40 valid forms
    assert recount.text == (
        "Số phiếu hợp lệ nay là 40: xin nhập lại số phiếu hài lòng của từng câu."
    )
    assert question.text.startswith(
        "Câu 1/10 — Quy hoạch: bao nhiêu phiếu hài lòng? (từ 0 đến 40)"
    )
    replies = await chat.say_all(leader, ["40"] * 10)  # the note was answered: straight to review
    [summary] = replies
    assert "Phiếu thu về: 45 · không hợp lệ: 5 · hợp lệ: 40" in summary.text
    [saved] = await chat.press(leader, "Gửi")
    assert saved.text.startswith("✅ Đã lưu báo cáo ngày 28/01/2024 của Xóm Nà Mỏ.")
    [tally] = await chat.all_tallies()
    assert (tally.collected, tally.invalid, tally.satisfied[0], tally.satisfied[9]) == (
        45,
        5,
        40,
        40,
    )


async def test_second_guided_report_the_same_day_asks_before_replacing(chat) -> None:
    leader = await chat.register(Role.HAMLET, chat.hamlet)
    await chat.say_all(leader, TYPICAL)
    await chat.press(leader, "Gửi")
    [ask] = await chat.say(leader, "/report")
    assert ask.text == listed(
        chat,
        "Xóm Nà Mỏ đã có báo cáo ngày 28/01/2024. Gửi lại sẽ THAY số liệu cũ (số cũ vẫn được "
        "lưu lại). Bạn muốn gửi lại không?",
        "1. Có, gửi lại   2. Không",
    )
    assert ask.buttons == ["Có, gửi lại", "Không"]
    [kept] = await chat.press(leader, "Không")
    assert kept.text == "Được, giữ nguyên số liệu đã gửi."
    await chat.say(leader, "/report")
    [prompt] = await chat.press(leader, "Có, gửi lại")
    assert prompt.text == COLLECTED_PROMPT
    await chat.say_all(leader, ["50", *TYPICAL[2:]])
    [replaced] = await chat.press(leader, "Gửi")
    assert replaced.text.startswith(
        "✅ Đã thay số liệu ngày 28/01/2024 của Xóm Nà Mỏ (số cũ vẫn được lưu lại).\n"
        "Cộng dồn: 50/60 hộ đã góp ý (83,33 %)."
    )
    [tally] = await chat.all_tallies()
    assert (tally.collected, tally.revision) == (50, 2)
    first, second = await chat.revisions(tally)
    assert (first.old, second.old["collected"], second.new["collected"]) == (None, 45, 50)


async def test_commune_user_reports_for_one_of_its_hamlets(chat) -> None:
    chair = await chat.register(Role.COMMUNE, chat.commune, name="Chủ tịch xã")
    [ask] = await chat.say(chair, "/report")
    assert ask.text == listed(chat, "Báo cáo giúp xóm nào? Chọn một xóm:", numbered(ask.buttons))
    assert len(ask.buttons) == 12
    assert "Xóm Nà Mỏ" in ask.buttons
    assert all(name.startswith("Xóm ") for name in ask.buttons)
    [prompt] = await chat.press(chair, "Xóm Nà Mỏ")
    assert prompt.text == COLLECTED_PROMPT
    await chat.say_all(chair, TYPICAL[:-1])
    [summary] = await chat.press(chair, "Bỏ qua")
    assert summary.text.startswith("📋 Kiểm tra lại báo cáo ngày 28/01/2024 — Xóm Nà Mỏ")
    [saved] = await chat.press(chair, "Gửi")
    assert saved.text.startswith("✅ Đã lưu báo cáo ngày 28/01/2024 của Xóm Nà Mỏ.")
    chair_user = await chat.account(chair)
    hamlet = await chat.unit(chat.hamlet)
    [tally] = await chat.all_tallies()
    assert (tally.hamlet_id, tally.entered_by, tally.channel) == (
        hamlet.id,
        chair_user.id,
        chat.channel,
    )
    # the hamlet can be typed too, without diacritics, and one-line reports stay the leader's
    await chat.say(chair, "/report")
    wrong, again = await chat.say(chair, "xom")  # the start of every name is no choice
    assert (wrong.text, again.text) == (text("chat.pick_from_list"), ask.text)
    [prompt] = await chat.say(chair, "dong chu")
    assert prompt.text.startswith("📝 Báo cáo ngày 28/01/2024 — Xóm Đồng Chú")
    await chat.say(chair, "/huy")
    [refused] = await chat.say(chair, "/report 45 44 43 45 45 42 44 45 44 45 45")
    assert refused.text == text("chat.oneline_hamlet_only", **level_words(chat.campaign.levels))


async def test_two_messages_at_once_take_one_answer_each(bot) -> None:
    leader = await bot.register(Role.HAMLET, bot.hamlet)
    await bot.say(leader, "/report")
    mark = len(leader.inbox)
    await asyncio.gather(leader.send("40"), leader.send("41"))
    replies = [reply.text for reply in await bot.replies_since(leader, mark)]
    invalid_40 = INVALID_PROMPT.replace("45", "40")
    # the first is the collected forms; the second answers the next question, where it is
    # too big; or (in either order) one of them is taken and the other asked about again
    assert replies in (
        [invalid_40, "Số 41 lớn hơn mức cho phép. Cần một số từ 0 đến 40.", invalid_40],
        [
            INVALID_PROMPT.replace("45", "41"),
            "Số 40 lớn hơn mức cho phép. Cần một số từ 0 đến 41.",
            INVALID_PROMPT.replace("45", "41"),
        ],
    ), replies
    await bot.say_all(leader, ["0", "40", "40", "40", "40", "40", "40", "40", "40", "40", "40"])
    [summary] = await bot.say(leader, "Bỏ qua")
    assert summary.text.splitlines()[1].startswith("Phiếu thu về: 40")
    await bot.press(leader, "Gửi")
    [tally] = await bot.all_tallies()
    assert tally.collected == 40
    assert await bot.count(TallyRevision) == 1
    assert await bot.count(Tally) == 1

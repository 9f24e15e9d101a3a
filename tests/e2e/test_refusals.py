"""Who may do what (SPEC §2.2, §3): every role × every command and forgeable button, on every
channel, as one table; then the commune's lock (§2.6).

The table is written here from the SPEC, not read from the bot's own command table
(bot/chat/commands.py): a command given to the wrong role in the code fails a cell here.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete

from bot.chat import confirmation
from bot.chat.turn import Incoming, Kind
from reporting.campaign import Levels
from reporting.errors import Problem
from reporting.i18n import text
from reporting.people import revoke_user
from reporting.storage.models import ChatLimit, Confirmation, Role
from reporting.wording import level_words

LEVELS = level_words(Levels())  # the reference campaign's: huyện / xã / xóm

HAMLET = "Định Biên/Xóm Nà Mỏ"
OTHER_COMMUNES_HAMLET = "Bảo Linh/Xóm Bản Lanh"
ROLES = ("stranger", "hamlet", "commune", "official", "district", "revoked")
UNITS: dict[str, tuple[str, ...]] = {
    "hamlet": (HAMLET,),
    "commune": ("Định Biên",),
    "official": ("Định Biên", "Bảo Linh"),
    "district": (),
    "revoked": (HAMLET,),  # a hamlet leader whose account the admin revoked
}
# SPEC §2.2 and §3, at 16:00 on 28/01/2024 (collection). A cell says what the role gets:
#   ✓ the command's own answer (ANSWERS)      ✗ the refusal for that role (refusal())
#   · a forged button is ignored as stale     ? a forged choice is not on the list: pick again
# Strangers may only /start (SPEC §2.2: "a polite refusal and nothing else"); a revoked account
# is refused everything, even /start without a new code.
MATRIX = """
                           stranger  hamlet  commune  official  district  revoked
/start                        ✓        ✓        ✓        ✓         ✓         ✗
/help /trogiup                ✗        ✓        ✓        ✓         ✓         ✗
/report /baocao               ✗        ✓        ✓        ✗         ✗         ✗
/mine /xomtoi                 ✗        ✓        ✗        ✗         ✗         ✗
/status /tinhhinh             ✗        ✗        ✓        ✓         ✓         ✗
/chart /bieudo                ✗        ✗        ✓        ✓         ✓         ✗
/missing /chuabaocao          ✗        ✗        ✓        ✓         ✓         ✗
/confirm /xacnhan             ✗        ✗        ✓        ✗         ✗         ✗
/export /xuatfile             ✗        ✗        ✗        ✗         ✓         ✗
/unlock /mokhoa               ✗        ✗        ✗        ✗         ✓         ✗
/assignments /phancong        ✗        ✗        ✗        ✗         ✓         ✗
/lang                         ✗        ✓        ✓        ✓         ✓         ✗
/cancel /huy                  ✗        ✓        ✓        ✓         ✓         ✗
button:send                   ✗        ·        ·        ·         ·         ✗
button:confirm                ✗        ·        ·        ·         ·         ✗
button:other-commune          ✗        ·        ?        ·         ·         ✗
"""
ARGS = {"/unlock": " Định Biên", "/mokhoa": " Định Biên", "/lang": " en"}
DAY = "28/01/2024"
# the first line of each command's own answer, per role where it differs
ANSWERS: dict[str, str | dict[str, str]] = {
    "/start": {
        "stranger": "Xin chào! Để bắt đầu, xin gửi mã mời (8 ký tự) mà cán bộ huyện đã đưa.",
        **{role: f"Chào Vai trò {role}!" for role in UNITS},
    },
    "/help": "Các lệnh bạn dùng được:",
    "/report": {
        "hamlet": f"📝 Báo cáo ngày {DAY} — Xóm Nà Mỏ",
        "commune": "Báo cáo giúp xóm nào? Chọn một xóm:",
    },
    "/mine": "🏠 Xóm Nà Mỏ (xã Định Biên)",
    "/status": f"📊 Tình hình lúc 16:00 ngày {DAY}",
    "/chart": {
        "commune": "Tỷ lệ hài lòng từng câu của xã Định Biên (đến 16:00 ngày 28/01/2024).",
        "official": "Tỷ lệ hài lòng từng câu của xã ",
        "district": "Tỷ lệ hộ tham gia các xã (đến 16:00 ngày 28/01/2024)",
    },
    "/missing": f"📭 Các xóm chưa báo cáo ngày {DAY}:",
    "/confirm": "Chỉ xác nhận được trong giai đoạn tổng hợp (03/02 – 06/02).",
    "/export": f"Bảng tổng hợp kết quả lấy ý kiến (đến 16:00 ngày {DAY}).",
    "/unlock": "Số liệu của xã Định Biên chưa được xác nhận nên không cần mở khóa.",
    "/assignments": "Chưa có bảng phân công.",
    "/lang": "Language set to English.",
    "/cancel": "Không có việc gì đang làm dở.",
}
# what the first answer is, where it is not a text message
KINDS = {
    **{("/chart", channel): "photo" for channel in ("inprocess", "zalo", "telegram")},
    ("/export", "inprocess"): "document",
    ("/export", "telegram"): "document",  # on Zalo: a text with the workbook's link
}
ALIASES = {
    "/trogiup": "/help",
    "/baocao": "/report",
    "/xomtoi": "/mine",
    "/tinhhinh": "/status",
    "/bieudo": "/chart",
    "/chuabaocao": "/missing",
    "/xacnhan": "/confirm",
    "/xuatfile": "/export",
    "/mokhoa": "/unlock",
    "/phancong": "/assignments",
    "/huy": "/cancel",
}
# what each forged button carries: its value, and what a Zalo user types instead
BUTTONS = {
    "button:send": ("send", "Gửi"),
    "button:confirm": ("yes", "Xác nhận"),
    "button:other-commune": ("", "Xóm Bản Lanh"),  # value: that hamlet's unit id
}


def matrix() -> list[tuple[str, str, str]]:
    """Returns (input, role, mark) for every cell of MATRIX."""
    header, *rows = MATRIX.strip().splitlines()
    assert header.split() == list(ROLES)
    cells = []
    for row in rows:
        words = row.split()
        inputs, marks = words[: -len(ROLES)], words[-len(ROLES) :]
        for name in inputs:
            cells += [(name, role, mark) for role, mark in zip(ROLES, marks, strict=True)]
    return cells


def refusal(role: str, command: str) -> str:
    """Returns what a role that may not use a command is told."""
    if role == "stranger":
        return text("chat.unregistered", **LEVELS)
    if role == "revoked":
        return text("chat.revoked", **LEVELS)
    return text("chat.not_for_role", command=command.removeprefix("/"))


def expected_answer(command: str, role: str) -> str:
    """Returns the start of a command's own answer for a role."""
    answer = ANSWERS[ALIASES.get(command, command)]
    return answer if isinstance(answer, str) else answer[role]


async def press_forged(chat: Any, person: Any, token: str, value: str, typed: str) -> list[Any]:
    """Presses a button with made-up data; on Zalo, which has no buttons, types its label."""
    if chat.channel == "telegram":
        mark = len(person.inbox)
        await person.press_forged(f"{token}|{value}")
        return list(await chat.replies_since(person, mark))
    if chat.channel == "zalo":
        return list(await chat.say(person, typed))
    return list(await chat.send(person, Incoming(Kind.BUTTON, value=value, token=token)))


async def forge(chat: Any, role: str, person: Any, button: str) -> list[Any]:
    """Forges one of the BUTTONS as the person; returns the replies."""
    value, typed = BUTTONS[button]
    token = "forged00"
    if button == "button:other-commune":
        value = str((await chat.unit(OTHER_COMMUNES_HAMLET)).id)
        if role == "commune":  # on the real hamlet list of its own /report
            [asked] = await chat.say(person, "/report")
            token = getattr(asked, "token", "") or token
            if chat.channel == "telegram":
                token = asked.inline_button("Xóm Nà Mỏ")["callback_data"].partition("|")[0]
    return await press_forged(chat, person, token, value, typed)


async def forget_counts(chat: Any) -> None:
    """Clears the throttling counts (tests/e2e/test_throttling.py tests them), as after the
    window of STRANGER_MESSAGES passed, without moving the clock the answers show."""
    async with chat.reading() as session:
        await session.execute(delete(ChatLimit))
        await session.commit()


async def test_every_role_gets_what_spec_allows_for_every_command_and_button(chat) -> None:
    people: dict[str, Any] = {"stranger": chat.user("Người lạ")}
    for role, units in UNITS.items():
        registered_as = Role.HAMLET if role == "revoked" else Role(role)
        people[role] = await chat.register(registered_as, *units, name=f"Vai trò {role}")
    async with chat.reading() as session:
        revoked = await chat.account(people["revoked"])
        await revoke_user(session, revoked.id, chat.clock.now())
    wrong: list[str] = []
    for name, role, mark in matrix():
        person = people[role]
        if role in ("stranger", "revoked"):
            await forget_counts(chat)  # as after the window: strangers are throttled
        if name.startswith("button:"):
            replies = await forge(chat, role, person, name)
        else:
            replies = await chat.say(person, name + ARGS.get(name, ""))
        said = [reply.text for reply in replies]
        if mark == "✗":
            ok = said == [refusal(role, name)]
        elif mark == "·":
            stale = text("chat.no_flow" if chat.channel == "zalo" else "chat.stale_button")
            ok = said == [stale]
        elif mark == "?":  # not on the list: told so, and the list is shown again
            ok = said[:1] == [text("chat.pick_from_list")] and "Xóm Nà Mỏ" in replies[-1].buttons
        else:
            ok = bool(said) and said[0].startswith(expected_answer(name, role))
            kind = KINDS.get((ALIASES.get(name, name), chat.channel), "text")
            ok = ok and replies[0].kind == kind
        if not ok:
            wrong.append(f"{name} as {role} ({mark}): {said}")
        if mark in "✓?" and name in ("/report", "/baocao", "button:other-commune"):
            await chat.say(person, "/cancel")
        if mark == "✓" and name == "/lang":
            await chat.say(person, "/lang vi")
    assert wrong == []
    assert len(matrix()) == 6 * 27
    assert await chat.all_tallies() == []
    assert await chat.count(Confirmation) == 0


# --- the commune's lock ------------------------------------------------------------------


async def test_confirm_during_collection_is_refused_with_the_dates(bot) -> None:
    chair = await bot.register(Role.COMMUNE, "Định Biên")
    [refused] = await bot.say(chair, "/confirm")
    assert refused.text == "Chỉ xác nhận được trong giai đoạn tổng hợp (03/02 – 06/02)."
    [refused] = await bot.say(chair, "/xacnhan")
    assert refused.text == "Chỉ xác nhận được trong giai đoạn tổng hợp (03/02 – 06/02)."
    assert await bot.count(Confirmation) == 0


async def test_confirm_in_aggregation_locks_the_commune(bot) -> None:
    leader = await bot.register(Role.HAMLET, HAMLET)
    chair = await bot.register(Role.COMMUNE, "Định Biên", name="Chủ tịch UBND xã")
    other = await bot.register(Role.HAMLET, "Bảo Linh/Xóm Bản Lanh")
    await bot.say(leader, "/report 40 40 40 40 40 40 40 40 40 40 40")
    bot.clock.set(bot.campaign.at(bot.today.replace(month=2, day=4), bot.now.time()))

    replies = await bot.say(chair, "/confirm")
    *figures, ask = replies
    assert figures[0].text.startswith("📊 Tình hình lúc 16:00 ngày 04/02/2024")
    assert "Định Biên" in figures[0].text
    assert ask.text == (
        "Xác nhận số liệu trên của xã Định Biên? Sau khi xác nhận, các xóm không sửa được nữa."
    )
    assert ask.buttons == ["Xác nhận", "Hủy"]
    [kept] = await bot.press(chair, "Hủy")
    assert kept.text == "Đã hủy. Chưa có gì được gửi."
    assert await bot.count(Confirmation) == 0

    await bot.say(chair, "/confirm")
    [done] = await bot.press(chair, "Xác nhận")
    assert done.text == "✅ Đã xác nhận số liệu của xã Định Biên. Số liệu đã được khóa."
    async with bot.sessions() as session:
        [confirmation] = (await session.execute(Confirmation.__table__.select())).all()
    chair_user = await bot.account(chair)
    commune = await bot.unit("Định Biên")
    assert (confirmation.commune_id, confirmation.confirmed_by) == (commune.id, chair_user.id)
    assert confirmation.unlocked_at is None

    [again] = await bot.say(chair, "/confirm")
    assert again.text == "Số liệu của xã Định Biên đã được xác nhận rồi."
    [locked] = await bot.say(leader, "/report 02/02 45 44 43 45 45 42 44 45 44 45 45")
    assert locked.text == (
        "Số liệu của xã Định Biên đã được xác nhận nên không sửa được nữa. "
        "Muốn sửa, xin liên hệ cán bộ huyện để mở khóa."
    )
    [closed] = await bot.say(leader, "/report")
    assert closed.text == (
        "Hôm nay (04/02/2024) không phải ngày thu phiếu. "
        "Thời gian thu phiếu: 27/01/2024 – 03/02/2024."
    )
    [status] = await bot.say(chair, "/status")
    assert status.text.endswith("· đã xác nhận")
    # another commune is not locked
    [saved] = await bot.say(other, "/report 02/02 10 10 10 10 10 10 10 10 10 10 10")
    assert saved.text.startswith("✅ Đã lưu báo cáo ngày 02/02/2024 của Xóm Bản Lanh.")
    assert [(t.day.day, t.collected) for t in await bot.tallies()] == [(28, 40)]


async def test_locked_commune_refuses_reports_on_the_last_collection_day(bot) -> None:
    # 03/02 is both the last collection day and the first aggregation day
    bot.clock.set(bot.campaign.at(bot.today.replace(month=2, day=3), bot.now.time()))
    leader = await bot.register(Role.HAMLET, HAMLET)
    chair = await bot.register(Role.COMMUNE, "Định Biên")
    drafting = [
        "/report",
        "45",
        "0",
        *["45"] * 10,
        "Bỏ qua",
    ]
    [summary] = await bot.say_all(leader, drafting)
    assert summary.buttons == ["Gửi", "Sửa", "Hủy"]
    await bot.say(chair, "/confirm")
    await bot.press(chair, "Xác nhận")

    refused, again = await bot.press(leader, "Gửi")  # the draft was made before the lock
    assert again.buttons == ["Gửi", "Sửa", "Hủy"]  # the summary again, to leave it with Hủy
    assert refused.text == (
        "Số liệu của xã Định Biên đã được xác nhận nên không sửa được nữa. "
        "Muốn sửa, xin liên hệ cán bộ huyện để mở khóa."
    )
    [cancelled] = await bot.press(leader, "Hủy")
    assert cancelled.text == "Đã hủy. Chưa có gì được gửi."
    [locked] = await bot.say(leader, "/report")
    assert locked.text == (
        "Số liệu của xã mình đã được xác nhận nên không gửi hay sửa báo cáo được nữa. "
        "Muốn sửa, xin liên hệ cán bộ huyện."
    )
    await bot.say(chair, "/report")
    [locked] = await bot.press(chair, "Xóm Nà Mỏ")
    assert locked.text == text("chat.commune_locked", **level_words(bot.campaign.levels))
    assert await bot.all_tallies() == []


async def test_district_staff_reopen_a_confirmed_commune_and_hamlets_can_correct(bot) -> None:
    leader = await bot.register(Role.HAMLET, HAMLET)
    chair = await bot.register(Role.COMMUNE, "Định Biên", name="Chủ tịch UBND xã")
    staff = await bot.register(Role.DISTRICT)
    await bot.say(leader, "/report 40 40 40 40 40 40 40 40 40 40 40")
    await bot.store("Định Biên/Xóm Tân Vàng", 10, 10)
    bot.clock.set(bot.campaign.at(bot.today.replace(month=2, day=3), bot.now.time()))
    await bot.say(chair, "/xacnhan")
    await bot.press(chair, "Xác nhận")
    [refused] = await bot.say(leader, "/report 03/02 5 5 5 5 5 5 5 5 5 5 5")
    assert "đã được xác nhận" in refused.text
    [reopened] = await bot.say(staff, "/mokhoa dinh bien")
    assert reopened.text.startswith("🔓 Đã mở khóa xã Định Biên")
    [saved] = await bot.say(leader, "/report 03/02 5 5 5 5 5 5 5 5 5 5 5")
    assert saved.text.startswith("✅ Đã lưu báo cáo ngày 03/02/2024")
    [twice] = await bot.say(staff, "/mokhoa Định Biên")
    assert twice.text == "Số liệu của xã Định Biên chưa được xác nhận nên không cần mở khóa."
    async with bot.sessions() as session:
        [confirmation] = (await session.execute(Confirmation.__table__.select())).all()
    assert confirmation.unlocked_at is not None


async def test_a_refusal_after_a_write_is_said_alone_and_changes_nothing(
    chat, monkeypatch
) -> None:
    """Fault injected: the confirmation is written, then a refusal is raised. The chair reads
    only the refusal, nothing is confirmed, and the question still stands."""
    chair = await chat.register(Role.COMMUNE, "Định Biên")
    chat.clock.set(chat.campaign.at(chat.today.replace(month=2, day=4), chat.now.time()))
    await chat.say(chair, "/xacnhan")
    write_then_refuse = confirmation.confirm

    async def confirm_then_refuse(*args: Any) -> bool:
        await write_then_refuse(*args)
        raise Problem("chat.confirm_already", commune="Định Biên", commune_level="xã")

    monkeypatch.setattr(confirmation, "confirm", confirm_then_refuse)
    [refused] = await chat.press(chair, "Xác nhận")
    assert refused.text == "Số liệu của xã Định Biên đã được xác nhận rồi."
    assert await chat.count(Confirmation) == 0

    monkeypatch.undo()  # the draft dropped before the refusal is back: the answer still fits
    [done] = await chat.say(chair, "Xác nhận")
    assert done.text == "✅ Đã xác nhận số liệu của xã Định Biên. Số liệu đã được khóa."
    assert await chat.count(Confirmation) == 1

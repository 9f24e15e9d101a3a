"""Who may do what (SPEC §2.2, §3): every role × every command, and the commune's lock (§2.6)."""

from __future__ import annotations

import pytest
import pytest_asyncio

from reporting.i18n import text
from reporting.storage.models import Confirmation, Role

HAMLET = "Định Biên/Xóm Nà Mỏ"
UNITS: dict[str, tuple[str, ...]] = {
    "hamlet": (HAMLET,),
    "commune": ("Định Biên",),
    "official": ("Định Biên", "Bảo Linh"),
    "district": (),
}
ROLES = ("hamlet", "commune", "official", "district", "unregistered")
REGISTERED = frozenset(UNITS)
OVERSIGHT = frozenset({"commune", "official", "district"})
# command as typed → (its canonical name, the roles that may use it)
COMMANDS: dict[str, tuple[str, frozenset[str]]] = {
    "/start": ("start", frozenset(ROLES)),
    "/help": ("help", REGISTERED),
    "/trogiup": ("help", REGISTERED),
    "/report": ("report", frozenset({"hamlet", "commune"})),
    "/baocao": ("report", frozenset({"hamlet", "commune"})),
    "/mine": ("mine", frozenset({"hamlet"})),
    "/xomtoi": ("mine", frozenset({"hamlet"})),
    "/status": ("status", OVERSIGHT),
    "/tinhhinh": ("status", OVERSIGHT),
    "/missing": ("missing", OVERSIGHT),
    "/chuabaocao": ("missing", OVERSIGHT),
    "/confirm": ("confirm", frozenset({"commune"})),
    "/xacnhan": ("confirm", frozenset({"commune"})),
    "/unlock": ("unlock", frozenset({"district"})),
    "/mokhoa": ("unlock", frozenset({"district"})),
    "/lang en": ("lang", REGISTERED),
    "/cancel": ("cancel", REGISTERED),
    "/huy": ("cancel", REGISTERED),
}
# /chart and /export answer with images and a workbook (seconds each): only their refusals here
FILES: dict[str, tuple[str, frozenset[str]]] = {
    "/chart": ("chart", OVERSIGHT),
    "/bieudo": ("chart", OVERSIGHT),
    "/export": ("export", frozenset({"district"})),
    "/xuatfile": ("export", frozenset({"district"})),
}
RULES = COMMANDS | FILES
CASES = [(role, command) for role in ROLES for command in COMMANDS] + [
    (role, command)
    for command, (_, allowed) in FILES.items()
    for role in ROLES
    if role not in allowed
]
REFUSALS = {text("chat.unregistered")} | {
    text("chat.not_for_role", command=name) for name, _ in RULES.values()
}


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def people(shared_bot):
    """One chat account per role, registered once for the whole matrix."""
    found = {
        role: await shared_bot.register(Role(role), *units, name=f"Vai trò {role}")
        for role, units in UNITS.items()
    }
    return found  # a stranger is new in every case: one writing this much would be limited


@pytest.mark.asyncio(loop_scope="module")
@pytest.mark.parametrize(("role", "command"), CASES)
async def test_command_is_allowed_or_refused_by_role(
    shared_bot, people, role: str, command: str
) -> None:
    name, allowed = RULES[command]
    person = shared_bot.user("Người chưa đăng ký") if role == "unregistered" else people[role]
    replies = [reply.text for reply in await shared_bot.say(person, command)]
    assert replies, "every command gets an answer"
    if role not in allowed:
        expected = (
            text("chat.unregistered")
            if role == "unregistered"
            else text("chat.not_for_role", command=command.split()[0].removeprefix("/"))
        )
        assert replies == [expected]
    else:
        assert not REFUSALS.intersection(replies), replies
    if command == "/lang en" and role in allowed:
        assert replies == ["Language set to English."]
        [back] = await shared_bot.say(person, "/lang vi")
        assert back.text == "Đã chuyển sang tiếng Việt."


async def test_every_refusal_by_role_reads_the_same_on_every_channel(chat) -> None:
    people = {
        role: await chat.register(Role(role), *units, name=f"Vai trò {role}")
        for role, units in UNITS.items()
    }
    refused = [(role, command) for role, command in CASES if role not in RULES[command][1]]
    for role, command in refused:
        expected = (
            text("chat.unregistered")
            if role == "unregistered"
            else text("chat.not_for_role", command=command.split()[0].removeprefix("/"))
        )
        # a stranger is new for every command: one sending them all would be limited
        person = chat.user("Người chưa đăng ký") if role == "unregistered" else people[role]
        replies = [reply.text for reply in await chat.say(person, command)]
        assert replies == [expected], (role, command)
    assert len(refused) > 30
    assert await chat.all_tallies() == []


@pytest.mark.asyncio(loop_scope="module")
async def test_the_matrix_stored_no_tally_and_broke_nothing(shared_bot, people) -> None:
    assert await shared_bot.all_tallies() == []
    assert shared_bot.bot_errors() == []


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
    assert again.text == "Xã Định Biên đã xác nhận số liệu rồi."
    [locked] = await bot.say(leader, "/report 02/02 45 44 43 45 45 42 44 45 44 45 45")
    assert locked.text == (
        "Xã Định Biên đã xác nhận số liệu nên không sửa được nữa. "
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
        "Xã Định Biên đã xác nhận số liệu nên không sửa được nữa. "
        "Muốn sửa, xin liên hệ cán bộ huyện để mở khóa."
    )
    [cancelled] = await bot.press(leader, "Hủy")
    assert cancelled.text == "Đã hủy. Chưa có gì được gửi."
    [locked] = await bot.say(leader, "/report")
    assert locked.text == (
        "Xã đã xác nhận số liệu nên không gửi hay sửa báo cáo được nữa. "
        "Muốn sửa, xin liên hệ cán bộ huyện."
    )
    await bot.say(chair, "/report")
    [locked] = await bot.press(chair, "Xóm Nà Mỏ")
    assert locked.text == text("chat.commune_locked")
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
    assert "đã xác nhận số liệu" in refused.text
    [reopened] = await bot.say(staff, "/mokhoa dinh bien")
    assert reopened.text.startswith("🔓 Đã mở khóa xã Định Biên")
    [saved] = await bot.say(leader, "/report 03/02 5 5 5 5 5 5 5 5 5 5 5")
    assert saved.text.startswith("✅ Đã lưu báo cáo ngày 03/02/2024")
    [twice] = await bot.say(staff, "/mokhoa Định Biên")
    assert twice.text == "Xã Định Biên chưa xác nhận số liệu nên không cần mở khóa."
    async with bot.sessions() as session:
        [confirmation] = (await session.execute(Confirmation.__table__.select())).all()
    assert confirmation.unlocked_at is not None

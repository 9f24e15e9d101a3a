"""Getting in: invite codes through `/start`, refusals for strangers, `/help` and the menu."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.chat import commands
from bot.chat.commands import COMMANDS
from bot.telegram.app import MENU
from reporting.campaign import Levels
from reporting.i18n import text
from reporting.people import create_user_invite, revoke_user
from reporting.storage.models import Identity, Invite, Role, User
from reporting.wording import level_words

LEVELS = level_words(Levels())  # the reference campaign's: huyện / xã / xóm


async def test_start_with_code_registers_hamlet_leader(chat) -> None:
    bot = chat
    code = await bot.invite(Role.HAMLET, bot.hamlet)
    leader = bot.user("Hoàng Văn Bình")
    registered, helped = await bot.say(leader, f"/start {code}")
    assert registered.text == (
        "✅ Đăng ký xong! Hoàng Văn Bình là trưởng ban công tác Mặt trận của Xóm Nà Mỏ."
    )
    assert helped.text.startswith("Các lệnh bạn dùng được:")
    user = await bot.account(leader)
    assert user is not None
    assert (user.name, user.role, user.invite_code, user.revoked_at) == (
        "Hoàng Văn Bình",
        "hamlet",
        code,
        None,
    )
    assert [unit.name for unit in user.units] == ["Xóm Nà Mỏ"]
    async with bot.sessions() as session:
        invite = await session.get(Invite, code)
        assert invite is not None
        assert (invite.used_by, invite.used_at) == (user.id, bot.now)


async def test_deep_link_and_typed_code_register_too(bot) -> None:
    # A t.me/<bot>?start=CODE link makes the app send "/start CODE", addressed to the bot in
    # groups; a code typed (or pasted) alone, in any case, works as well, and so does one
    # typed in the two groups a printed slip shows it in.
    official_code = await bot.invite(Role.OFFICIAL, "Định Biên", "Bảo Linh")
    official = bot.user("Lê Thị Hoa")
    replies = await bot.say(official, f"/start@tallybot_local_bot {official_code}")
    assert replies[0].text == "✅ Đăng ký xong! Lê Thị Hoa phụ trách các xã: Bảo Linh, Định Biên."
    district_code = await bot.invite(Role.DISTRICT)
    staff = bot.user("Trần Văn Nam")
    replies = await bot.say(staff, f"  {district_code[:4].lower()} {district_code[4:]} ")
    assert replies[0].text == "✅ Đăng ký xong! Trần Văn Nam theo dõi toàn huyện Định Hóa."
    staff_user = await bot.account(staff)
    assert staff_user is not None
    assert (staff_user.role, staff_user.units) == ("district", [])


async def test_code_used_by_another_account_is_refused(bot) -> None:
    code = await bot.invite(Role.COMMUNE, bot.commune)
    await bot.say(bot.user("Người thứ nhất"), f"/start {code}")
    second = bot.user("Người thứ hai")
    [refusal] = await bot.say(second, f"/start {code}")
    assert refusal.text == "Mã mời này đã được dùng rồi. Mỗi mã chỉ dùng được một lần."
    assert await bot.account(second) is None
    assert await bot.count(User) == 1


async def _user_invite(chat, person) -> str:
    """Returns a code that adds another chat account to the person's user (`invite --user`)."""
    user = await chat.account(person)
    assert user is not None
    async with chat.reading() as session:
        return (await create_user_invite(session, user.id, chat.clock.now(), 14)).code


async def test_a_user_invite_links_a_second_account_that_sees_the_same(chat) -> None:
    official = await chat.register(Role.OFFICIAL, "Định Biên", "Bảo Linh", name="Lê Thị Hoa")
    second = chat.user("Hoa (điện thoại thứ hai)")
    welcome, helped = await chat.say(second, f"/start {await _user_invite(chat, official)}")
    assert welcome.text == "✅ Đăng ký xong! Lê Thị Hoa phụ trách các xã: Bảo Linh, Định Biên."
    assert helped.text.startswith("Các lệnh bạn dùng được:")
    first_user, second_user = await chat.account(official), await chat.account(second)
    assert first_user is not None
    assert second_user is not None
    assert first_user.id == second_user.id
    assert (await chat.count(User), await chat.count(Identity)) == (1, 2)

    [from_first] = await chat.say(official, "/status")
    [from_second] = await chat.say(second, "/status")
    assert from_first.text == from_second.text
    assert from_first.text.startswith("📊")

    again = await _user_invite(chat, official)  # an account already registered keeps its role
    [refusal] = await chat.say(official, f"/start {again}")
    assert refusal.text == "Tài khoản này đã đăng ký rồi."
    assert (await chat.count(User), await chat.count(Identity)) == (1, 2)


async def test_expired_or_unknown_code_is_refused(bot) -> None:
    expired = await bot.invite(Role.HAMLET, bot.hamlet, issued=bot.now - timedelta(days=15))
    person = bot.user()
    [refusal] = await bot.say(person, f"/start {expired}")
    assert refusal.text == "Mã mời này đã hết hạn. Xin liên hệ cán bộ huyện để lấy mã mới."
    [unknown] = await bot.say(person, "/start ZZZZZZZZ")
    assert unknown.text.startswith("Mã mời không đúng.")
    assert await bot.account(person) is None


async def test_stranger_gets_polite_refusal_and_nothing_is_stored(bot) -> None:
    stranger = bot.user("Khách lạ")
    for message in (
        "Xin chào, tôi muốn báo cáo",
        "45",
        "/report 45 44 43 45 45 42 44 45 44 45 45",
    ):
        [refusal] = await bot.say(stranger, message)
        assert refusal.text == text("chat.unregistered", **LEVELS)
        assert refusal.text.startswith("Xin chào! Bạn chưa đăng ký sử dụng.")
    [asked] = await bot.say(stranger, "/start")
    assert asked.text == text("chat.ask_code", **LEVELS)
    assert await bot.account(stranger) is None
    assert (await bot.count(User), await bot.count(Identity)) == (0, 0)
    assert await bot.all_tallies() == []


async def test_revoked_user_is_refused(bot) -> None:
    leader = await bot.register(Role.HAMLET, bot.hamlet)
    await bot.revoke(leader)
    revoked = text("chat.revoked", **LEVELS)
    assert revoked.startswith("Tài khoản của bạn đã bị tạm khóa.")
    for message in (
        "/report",
        "/mine",
        "/start",
        "45",
        "/report 45 44 43 45 45 42 44 45 44 45 45",
    ):
        [refusal] = await bot.say(leader, message)
        assert refusal.text == revoked, message
    assert await bot.all_tallies() == []


@pytest.mark.parametrize("how", ["/start {code}", "{code}"])
async def test_a_revoked_account_comes_back_with_a_fresh_code_as_a_new_user(bot, how: str) -> None:
    leader = await bot.register(Role.HAMLET, bot.hamlet)
    old = await bot.account(leader)
    await bot.revoke(leader)
    code = await bot.invite(Role.COMMUNE, bot.commune)
    [welcome, *_] = await bot.say(leader, how.format(code=code))
    assert welcome.text.startswith("✅ Đăng ký xong!")
    new = await bot.account(leader)
    assert new is not None
    assert old is not None
    assert (new.id != old.id, new.role, new.revoked_at) == (True, "commune", None)
    async with bot.reading() as session:
        kept = await session.get(User, old.id)
        assert kept is not None
        assert kept.revoked_at is not None
    [status, *_] = await bot.say(leader, "/status")
    assert status.text != text("chat.revoked", **LEVELS)


@pytest.mark.parametrize("kind", ["group", "supergroup"])
async def test_a_group_chat_gets_one_polite_line_and_nothing_is_registered(bot, kind: str) -> None:
    code = await bot.invite(Role.DISTRICT)
    member = bot.server.group_member(50_900, -100_777, "Ban chỉ đạo xã", kind)
    said = [f"/start {code}", code, "/status", "/report 45 44 43 45 45 42 44 45 44 45 45"]
    for number, message in enumerate(said, start=1):
        await member.send(message)
        await member.wait_until(lambda n=number: len(member.inbox) >= n)
    assert [shown.text for shown in member.inbox] == [text("chat.private_only")] * len(said)
    assert text("chat.private_only").startswith("Xin lỗi, bot chỉ làm việc trong tin nhắn riêng")
    assert (await bot.count(User), await bot.count(Identity)) == (0, 0)
    # the code still works where it belongs, and the group heard nothing more meanwhile
    [welcome, *_] = await bot.say(bot.user("Cán bộ huyện"), f"/start {code}")
    assert welcome.text.startswith("✅ Đăng ký xong!")
    assert len(member.inbox) == len(said)


async def test_help_lists_only_the_roles_commands(bot) -> None:
    oversight = {"help", "status", "missing", "chart", "lang", "cancel"}
    allowed = {  # SPEC §2.2 and §3
        Role.HAMLET: {"help", "report", "mine", "lang", "cancel"},
        Role.COMMUNE: oversight | {"report", "confirm"},
        Role.OFFICIAL: oversight,
        Role.DISTRICT: oversight | {"export", "unlock", "assignments"},
    }
    units = {
        Role.HAMLET: [bot.hamlet],
        Role.COMMUNE: [bot.commune],
        Role.OFFICIAL: [bot.commune],
        Role.DISTRICT: [],
    }
    for role, names in allowed.items():
        person = await bot.register(role, *units[role])
        [helped] = await bot.say(person, "/help")
        lines = helped.text.splitlines()
        assert lines[0] == "Các lệnh bạn dùng được:"
        listed = [command.name for command in COMMANDS if command.name in names]
        words = level_words(bot.campaign.levels)
        assert lines[1:] == [text(f"help.{name}", **words) for name in listed], role
        [alias] = await bot.say(person, "/trogiup")
        assert alias.text == helped.text


async def test_command_menu_is_set_for_vietnamese_and_english(bot) -> None:
    vietnamese = bot.server.commands()
    english = bot.server.commands("en")
    assert [name for name, _ in vietnamese] == list(MENU)
    assert [name for name, _ in english] == list(MENU)
    assert dict(vietnamese)["report"] == "gửi báo cáo hằng ngày"
    assert dict(vietnamese)["status"] == "tình hình các xã"
    assert dict(english)["report"] != dict(vietnamese)["report"]
    assert set(MENU) <= {command.name for command in COMMANDS}
    assert bot.user(language_code="vi").menu == vietnamese
    assert bot.user(language_code="en").menu == english
    assert bot.user(language_code="fr").menu == vietnamese  # Telegram falls back to the default


async def test_lang_switches_replies_to_english(bot) -> None:
    leader = await bot.register(Role.HAMLET, bot.hamlet)
    [switched] = await bot.say(leader, "/lang en")
    assert switched.text == text("chat.lang_set", "en")
    [helped] = await bot.say(leader, "/help")
    assert helped.text.splitlines()[0] == text("chat.help_heading", "en")
    [usage] = await bot.say(leader, "/lang fr")
    assert usage.text == text("chat.lang_usage", "en")
    [back] = await bot.say(leader, "/lang vi")
    assert back.text == "Đã chuyển sang tiếng Việt."
    async with bot.sessions() as session:
        user = await session.scalar(select(User))
        assert user is not None
        assert user.language == "vi"


async def test_a_registration_whose_welcome_fails_is_not_half_done(
    bot, monkeypatch: pytest.MonkeyPatch
) -> None:
    code = await bot.invite(Role.HAMLET, bot.hamlet)
    person = bot.user("Hoàng Văn Bình")

    async def broken_help(_turn: object, _args: str) -> None:
        raise RuntimeError("the welcome could not be written")

    monkeypatch.setattr(commands, "help_", broken_help)
    bot.errors_expected = True
    [sorry] = await bot.say(person, f"/start {code}")
    assert sorry.text == text("chat.error")  # "nothing was changed": and nothing was
    assert await bot.account(person) is None
    async with bot.sessions() as session:
        invite = await session.get(Invite, code)
    assert invite is not None
    assert invite.used_at is None

    monkeypatch.undo()
    [welcome, *_] = await bot.say(person, f"/start {code}")  # the same code works afterwards
    assert welcome.text.startswith("✅ Đăng ký xong!")


async def test_a_user_invite_of_a_revoked_user_is_refused_and_stays_unused(chat) -> None:
    official = await chat.register(Role.OFFICIAL, "Định Biên", name="Lê Thị Hoa")
    code = await _user_invite(chat, official)
    user = await chat.account(official)
    assert user is not None
    async with chat.sessions() as session:
        await revoke_user(session, user.id, chat.clock.now())
    second = chat.user("Hoa (điện thoại thứ hai)")
    [refusal] = await chat.say(second, f"/start {code}")
    assert refusal.text == (
        "Mã mời này không còn dùng được. Xin liên hệ cán bộ huyện để lấy mã mới."
    )
    assert await chat.account(second) is None
    async with chat.reading() as session:
        invite = await session.get(Invite, code)
        assert invite is not None
        assert invite.used_at is None  # refused before it was claimed: the input changed nothing

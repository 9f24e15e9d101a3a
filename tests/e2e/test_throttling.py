"""Strangers and wrong invite codes are limited, in the database; registered users never are.

The tests run on every channel of the `chat` fixture. A message that gets no answer cannot be
fenced on Telegram (the fence would be silenced too), so those are sent bare and the test
waits until the bot recorded the update; what the bot meant to say is read from the outbox,
where every message it sends is written first.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select

from reporting.campaign import Levels
from reporting.i18n import text
from reporting.limits import STRANGER_MESSAGES, WRONG_CODES
from reporting.storage.models import AlertLog, Invite, OutboxMessage, Role
from reporting.wording import level_words

LEVELS = level_words(Levels())  # the reference campaign's: huyện / xã / xóm

GREETING = "Xin chào, tôi muốn báo cáo"


def _over_http(chat: Any) -> bool:
    """Says whether the chat is the real bot over HTTP (its users are fake Telegram users)."""
    return chat.channel == "telegram"


async def _unanswered(chat: Any, person: Any, message: str) -> None:
    """Sends a message that may get no answer; returns once the bot has handled it."""
    if not _over_http(chat):
        await chat.say(person, message)
        return
    before = len(await chat.processed())
    await person.send(message)
    for _ in range(500):
        if len(await chat.processed()) > before:
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"the bot did not handle {message!r}")


async def _told(chat: Any, person: Any) -> list[str]:
    """Returns every message the bot wrote for the person's chat, oldest first (the outbox)."""
    async with chat.reading() as session:
        query = select(OutboxMessage.text).where(
            OutboxMessage.channel == chat.channel,
            OutboxMessage.chat_id == str(person.user_id),
        )
        return list(await session.scalars(query.order_by(OutboxMessage.id)))


def _inbox(chat: Any, person: Any) -> list[str]:
    shown = person.inbox if _over_http(chat) else chat.inbox(person)
    return [message.text for message in shown]


async def test_a_flooding_stranger_is_told_once_then_ignored_until_the_window_ends(chat) -> None:
    stranger = chat.user("Kẻ gửi liên tục")
    for _ in range(STRANGER_MESSAGES.most + 15):
        await _unanswered(chat, stranger, GREETING)
    told = await _told(chat, stranger)
    limit = STRANGER_MESSAGES.most
    assert told[:limit] == [text("chat.unregistered", **LEVELS)] * limit
    assert told[limit:] == [text("chat.slow_down", until="16:10")]  # and nothing more
    assert len(await chat.processed()) >= limit + 15  # each one was still recorded, once

    chat.clock.set(chat.now + STRANGER_MESSAGES.window)
    [refusal] = await chat.say(stranger, GREETING)
    assert refusal.text == text("chat.unregistered", **LEVELS)


async def test_a_registered_leader_is_never_slowed_down(chat) -> None:
    leader = await chat.register(Role.HAMLET, chat.hamlet, name="Hoàng Văn Bình")
    # a guided tally is about 15 messages a minute; three times that, all answered
    for _ in range(3):
        await chat.say(leader, "/baocao")
        await chat.say_all(leader, ["45", "0", *["40"] * 10, "Bỏ qua"])
        replies = await chat.say(leader, "/huy")
        assert [reply.text for reply in replies] == [text("chat.cancelled")]
    told = await _told(chat, leader)
    assert text("chat.slow_down", until="16:10") not in told
    assert len(told) > 3 * 15


async def test_wrong_codes_make_the_account_wait_and_alert_the_district_once(chat) -> None:
    staff = await chat.register(Role.DISTRICT, name="Trần Văn Nam")
    guesser = chat.user("Người dò mã")
    for attempt in range(1, WRONG_CODES.most + 1):
        replies = await chat.say(guesser, f"/start ZZZZZZZ{attempt + 1}")
        assert replies[0].text.startswith("Mã mời không đúng.")
    assert [reply.text for reply in replies[1:]] == [
        text("chat.wrong_codes_wait", count=WRONG_CODES.most, until="16:30", **LEVELS)
    ]
    good = await chat.invite(Role.HAMLET, chat.hamlet)
    [wait] = await chat.say(guesser, f"/start {good}")  # even a right code must wait
    assert wait.text == text(
        "chat.wrong_codes_wait", count=WRONG_CODES.most, until="16:30", **LEVELS
    )
    assert await chat.account(guesser) is None

    await chat.say(staff, "/help")  # the alert went before this answer, in the chat's order
    alerts = [message for message in _inbox(chat, staff) if message.startswith("🔐")]
    assert alerts == [
        f"🔐 Cảnh báo: tài khoản {chat.channel}:{guesser.user_id} («Người dò mã») đã nhập sai "
        "mã mời 5 lần trong 30 phút, phải chờ đến 16:30. Nếu đó không phải người được mời, "
        "có thể có người đang dò mã."
    ]

    chat.clock.set(chat.now + WRONG_CODES.window)  # the same day: no second alert
    for attempt in range(WRONG_CODES.most + 2):
        await chat.say(guesser, f"/start YYYYYYY{attempt + 2}")
    async with chat.reading() as session:
        claimed = await session.scalar(
            select(func.count()).select_from(AlertLog).where(AlertLog.kind == "wrong_codes")
        )
    assert claimed == 1
    welcome, _ = await chat.say(chat.user("Người được mời"), f"/start {good}")
    assert welcome.text.startswith("✅ Đăng ký xong!")  # the code itself was never spent


async def test_a_registered_account_learns_nothing_about_other_codes(chat) -> None:
    leader = await chat.register(Role.HAMLET, chat.hamlet)
    unused = await chat.invite(Role.COMMUNE, chat.commune)
    used = await chat.invite(Role.COMMUNE, chat.commune)
    await chat.say(chat.user("Người khác"), f"/start {used}")
    answers = set()
    for code in (unused, used, "ZZZZZZZZ"):
        [answer] = await chat.say(leader, f"/start {code}")
        answers.add(answer.text)
    assert answers == {text("invite.already_registered")}
    async with chat.reading() as session:
        invite = await session.get(Invite, unused)
        assert invite is not None
        assert invite.used_at is None
    told = await _told(chat, leader)
    assert not any("sai mã" in message for message in told)  # never counted, never locked
    assert timedelta(0) < WRONG_CODES.window

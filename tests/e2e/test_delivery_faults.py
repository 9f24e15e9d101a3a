"""What people are told survives a failing Telegram (SPEC §5 "Delivery"), through the real bot.

Faults are injected at the network edge, in the local Bot API server: 5xx answers, refusals,
an outage of ten minutes, a callback answer refused as too old. Retries wait in campaign
time, so a test moves the simulated clock to let the next attempt come (`bot.deliver(moment)`)
and then reads what each person saw and what the database holds.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import delete, select
from telegram.error import InvalidToken

from bot.alerts import check_alerts
from bot.localapi import FakeUser
from bot.reach import TokenRefused
from reporting.storage.models import Dialog, Media, OutboxMessage, Role

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
ELEVEN = "45 44 43 45 45 42 44 45 44 45 45"
SAVED = "✅ Đã lưu báo cáo ngày 28/01/2024 của Xóm Nà Mỏ."
REMINDER = "🔔 Nhắc việc: hôm nay (28/01) xóm chưa gửi báo cáo. Gõ /baocao để gửi."
NOTHING_CHANGED = "Chưa có gì bị thay đổi"
EDITED = (
    "Sửa tin nhắn đã gửi không làm đổi câu trả lời. Xin gõ lại câu trả lời thành một tin nhắn mới."
)
TYPICAL = ["/report", "45", "0", "44", "45", "43", "45", "42", "44", "45", "41", "45", "45"]


async def outbox(bot, person: FakeUser) -> list[OutboxMessage]:
    """Returns the outbox rows of one person's chat, oldest first."""
    async with bot.sessions() as session:
        query = select(OutboxMessage).where(OutboxMessage.chat_id == str(person.user_id))
        return list(await session.scalars(query.order_by(OutboxMessage.id)))


async def eventually(check, what: str) -> None:
    """Waits until an async check about the database holds (the bot works in the background)."""
    async with asyncio.timeout(10):
        while not await check():  # noqa: ASYNC110 - the database has no change event
            await asyncio.sleep(0.01)
    assert await check(), what


def texts(person: FakeUser) -> list[str]:
    """Returns everything the bot showed the person, in order."""
    return [message.text for message in person.inbox]


async def test_a_confirmation_whose_send_fails_arrives_later_and_nothing_false_is_said(
    bot,
) -> None:
    leader = await bot.register(Role.HAMLET, bot.hamlet)
    bot.server.fail_next("sendMessage", 502, count=3)
    await leader.send(f"/baocao {ELEVEN}")

    async def tally_stored() -> bool:
        return len(await bot.all_tallies()) == 1

    await eventually(tally_stored, "the tally is stored")
    await bot.deliver()
    row = (await outbox(bot, leader))[-1]
    assert row.text.startswith(SAVED)
    assert (row.state, row.attempts) == ("pending", 1)

    for seconds in (1, 3, 7):  # the next attempts come after 1 s, 2 s and 4 s
        await bot.deliver(bot.now + timedelta(seconds=seconds))
    assert len([t for t in texts(leader) if t.startswith(SAVED)]) == 1
    assert not any(NOTHING_CHANGED in t for t in texts(leader))
    assert len(await bot.all_tallies()) == 1
    row = (await outbox(bot, leader))[-1]
    assert (row.state, row.attempts, row.reason) == ("sent", 4, None)


async def test_telegram_down_ten_minutes_at_the_evening_lists_loses_and_repeats_nothing(
    bot,
) -> None:
    communes = [await bot.register(Role.COMMUNE, name) for name in ("Định Biên", "Bảo Linh")]
    leader = await bot.register(Role.HAMLET, bot.hamlet)
    start = datetime(2024, 1, 28, 20, 0, tzinfo=ZONE)
    bot.server.fail_next("sendMessage", 502, count=100_000)
    bot.clock.set(start)
    assert await check_alerts(bot.core, scheduled_too=True) == 3  # 2 lists, 1 reminder
    await leader.send(f"/baocao {ELEVEN}")  # the leader reports in the middle of it

    async def confirmation_queued() -> bool:
        return any(row.text.startswith(SAVED) for row in await outbox(bot, leader))

    await eventually(confirmation_queued, "the confirmation is queued")
    for second in range(0, 600, 20):
        await bot.deliver(start + timedelta(seconds=second))
    assert not any(t.startswith("📭") for person in communes for t in texts(person))
    assert not any(t == REMINDER or t.startswith(SAVED) for t in texts(leader))

    bot.server.recover()  # Telegram is back at 20:10
    await bot.deliver(start + timedelta(minutes=11))
    for person in communes:
        assert len([t for t in texts(person) if t.startswith("📭")]) == 1
    confirmation, reminder = texts(leader)[-2:]  # a reply is never held behind an alert
    assert confirmation.startswith(SAVED)
    assert reminder == REMINDER
    assert texts(leader).count(REMINDER) == 1
    for person in [*communes, leader]:
        assert {row.state for row in await outbox(bot, person)} == {"sent"}


async def test_a_message_telegram_refuses_for_good_is_failed_with_the_reason(bot) -> None:
    leader = await bot.register(Role.HAMLET, bot.hamlet)
    bot.server.fail_next("sendMessage", 400, description="Bad Request: message is too long")
    assert await bot.say(leader, "/help") == []  # refused; the chat goes on behind it
    refused = (await outbox(bot, leader))[-2]  # the last row is the harness's fence
    assert (refused.state, refused.reason) == ("failed", "Message is too long")

    [help_again] = await bot.say(leader, "/help")
    assert help_again.text.startswith("Các lệnh bạn dùng được:")


async def test_a_chart_whose_attachment_is_gone_is_failed_and_the_next_one_still_goes(
    bot,
) -> None:
    await bot.store(bot.hamlet, 30, 27)
    official = await bot.register(Role.OFFICIAL, bot.commune)
    bot.server.fail_next("sendPhoto", 502)
    await official.send("/bieudo")

    async def first_photo_tried() -> bool:
        rows = [row for row in await outbox(bot, official) if row.kind == "photo"]
        return len(rows) == 2 and rows[0].attempts == 1

    await eventually(first_photo_tried, "the first chart was tried")
    first, second = [row for row in await outbox(bot, official) if row.kind == "photo"]
    async with bot.sessions() as session:
        await session.execute(delete(Media).where(Media.id == first.media_id))
        await session.commit()

    await bot.deliver(bot.now + timedelta(seconds=1))
    first, second = [row for row in await outbox(bot, official) if row.kind == "photo"]
    assert (first.state, first.reason, first.media_id) == (
        "failed",
        "the attachment is gone",
        None,
    )
    assert second.state == "sent"
    assert [m.kind for m in official.inbox if m.kind == "photo"] == ["photo"]


async def test_a_press_too_old_for_a_callback_answer_still_sends_the_tally(bot) -> None:
    leader = await bot.register(Role.HAMLET, bot.hamlet)
    await bot.say_all(leader, [*TYPICAL, "Bỏ qua"])
    too_old = "Bad Request: query is too old and response timeout expired or query ID is invalid"
    bot.server.fail_next("answerCallbackQuery", 400, description=too_old)
    bot.server.fail_next("editMessageReplyMarkup", 502)

    [confirmation] = await bot.press(leader, "Gửi")
    assert confirmation.text.startswith(SAVED)
    assert len(await bot.tallies()) == 1


async def test_an_edited_answer_changes_nothing_and_asks_to_send_it_again(bot) -> None:
    leader = await bot.register(Role.HAMLET, bot.hamlet)
    await bot.say(leader, "/report")
    mark = len(leader.inbox)
    answer = await leader.send("45")
    await bot.replies_since(leader, mark)

    mark = len(leader.inbox)
    await leader.edit(answer, "50")
    assert [reply.text for reply in await bot.replies_since(leader, mark)] == [EDITED]
    async with bot.sessions() as session:
        [dialog] = list(await session.scalars(select(Dialog)))
    assert (dialog.state, dialog.data["collected"]) == ("invalid", 45)


async def test_channel_posts_are_ignored_without_an_error(bot) -> None:
    leader = await bot.register(Role.HAMLET, bot.hamlet)
    channel = {"id": -100123, "type": "channel", "title": "Tin tức xã"}
    post = {"message_id": 1, "chat": channel, "date": 0, "text": "/baocao 1 1 1 1 1 1 1 1 1 1 1"}
    bot.server.store.updates.push("channel_post", post)
    bot.server.store.updates.push("edited_channel_post", post | {"text": "sửa"})

    [answer] = await bot.say(leader, "/help")  # handled after both posts, in order
    assert answer.text.startswith("Các lệnh bạn dùng được:")
    assert await bot.all_tallies() == []


async def test_polling_waits_out_a_flood_limit_on_getupdates(bot) -> None:
    leader = await bot.register(Role.HAMLET, bot.hamlet)
    bot.server.fail_next("getUpdates", 429, retry_after=1)  # the poll after the one waiting
    await bot.say(leader, "/help")
    [answer] = await bot.say(leader, "/help")  # fetched once the second has passed
    assert answer.text.startswith("Các lệnh bạn dùng được:")


async def test_polling_stops_the_bot_when_telegram_refuses_the_token(bot) -> None:
    leader = await bot.register(Role.HAMLET, bot.hamlet)
    bot.server.fail_next("getUpdates", 401)
    await leader.send("/help")  # once it is handled, the next poll is refused
    await leader.wait_for_reply()
    async with asyncio.timeout(10):
        while bot.server.faults_left("getUpdates"):  # noqa: ASYNC110 - no event for it
            await asyncio.sleep(0.01)
    with pytest.raises(TokenRefused, match="Telegram từ chối TELEGRAM_BOT_TOKEN") as refused:
        await bot.stop()  # leaving the running bot raises what ended its receiving
    assert isinstance(refused.value.__cause__, InvalidToken)


async def test_polling_goes_on_after_telegram_could_not_be_reached(
    bot, caplog: pytest.LogCaptureFixture
) -> None:
    leader = await bot.register(Role.HAMLET, bot.hamlet)
    bot.server.fail_next("getUpdates", 502, count=2)  # the two polls after the one waiting
    await bot.say(leader, "/help")
    [answer] = await bot.say(leader, "/help")  # fetched after waiting 1 s, then 2 s
    assert answer.text.startswith("Các lệnh bạn dùng được:")
    warnings = [r for r in caplog.records if "could not be reached" in r.getMessage()]
    assert [(r.levelname, r.exc_info) for r in warnings] == [("WARNING", None)] * 2


async def test_a_send_that_times_out_after_telegram_took_it_is_sent_again_never_stored_twice(
    bot,
) -> None:
    leader = await bot.register(Role.HAMLET, bot.hamlet)
    held = bot.server.hold_next("sendMessage", effect=True)  # shown, but never answered
    await leader.send(f"/baocao {ELEVEN}")
    await held.wait()
    await held.wait_dropped(timeout=30)  # python-telegram-bot gave up waiting: a timeout
    await bot.deliver()
    row = (await outbox(bot, leader))[-1]
    assert row.state == "pending"
    assert row.reason is not None
    assert "timed out" in row.reason.lower()

    await bot.deliver(bot.now + timedelta(seconds=1))
    assert len([t for t in texts(leader) if t.startswith(SAVED)]) == 2  # at least once
    assert len(await bot.all_tallies()) == 1  # and the tally once
    row = (await outbox(bot, leader))[-1]
    assert (row.state, row.attempts) == ("sent", 2)


async def test_a_long_answer_cut_off_after_its_first_part_goes_on_from_the_second(
    bot,
) -> None:
    await bot.store(bot.hamlet, 30, 27)
    staff = await bot.register(Role.DISTRICT)
    bot.server.fail_next("sendMessage", 502, skip=1)  # the first part goes, the second fails
    mark = len(staff.inbox)
    await staff.send("/tinhhinh")

    async def cut_off() -> bool:
        return any(row.parts_sent == 1 for row in await outbox(bot, staff))

    await eventually(cut_off, "the first part delivered, the second waiting")
    await bot.deliver(bot.now + timedelta(seconds=1))
    parts = [message.text for message in staff.inbox[mark:]]
    assert len(parts) >= 2
    assert parts[0].startswith("📊 Tình hình lúc")
    row = next(row for row in await outbox(bot, staff) if row.text.startswith(parts[0]))
    assert "\n".join(parts) == row.text  # every part once, in order: nothing repeated
    assert (row.state, row.attempts, row.parts_sent) == ("sent", 2, 1)

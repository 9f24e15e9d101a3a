"""Automatic alerts (SPEC §5) through the real Application and the local Bot API server.

The harness runs the bot with its alert tick off; each test moves the simulated clock and
calls `check_alerts` itself, as the tick would at that minute, lets the outbox deliver, then
reads what every person received and what `alert_log` (the claims) and the outbox (each
message and how it ended) recorded. Retries wait in campaign time: a test moves the clock to
let the next attempt come.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.alerts import check_alerts
from bot.core import Core
from bot.localapi import FakeUser
from reporting.clock import SimulatedClock
from reporting.people import create_invites, create_user_invite, redeem_invite
from reporting.storage.db import TakingTurns, create_engine
from reporting.storage.models import (
    AlertLog,
    Confirmation,
    Identity,
    Level,
    OutboxMessage,
    Role,
    Unit,
)

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
DINH_BIEN = {
    "Xóm Nà Mỏ": 60,
    "Xóm Tân Vàng": 65,
    "Xóm Đồng Chú": 73,
    "Xóm Thẩm Kè": 84,
    "Xóm Nà Què": 64,
    "Xóm Bản Mới": 61,
    "Xóm Đồng Đau": 112,
    "Xóm Khuôn Câm": 69,
    "Xóm Bản Trang": 142,
    "Xóm Khuổi Luông": 119,
    "Xóm Pác Nhàng": 72,
    "Xóm Đồng Ẻn": 76,
}
PHUC_CHU = {
    "Xóm Làng Muông": 74,
    "Xóm Đồng Mấu": 74,
    "Xóm Khuôn Chướng": 73,
    "Xóm Nà Muộn": 125,
    "Xóm Bản Mản": 64,
    "Xóm Phúc Hòa": 60,
    "Xóm Khau Then": 134,
    "Xóm Pác Chò": 115,
}
REMINDER = "🔔 Nhắc việc: hôm nay (28/01) xóm chưa gửi báo cáo. Gõ /baocao để gửi."
REPORT_DUE = (
    "⏰ Ngày mai (26/02/2024) là hạn báo cáo kết quả lên Ủy ban MTTQ tỉnh. "
    "Gõ /xuatfile để lấy bảng tổng hợp."
)


def at(day: int, month: int, hours: int, minutes: int = 0) -> datetime:
    """Returns a campaign-local moment in 2024."""
    return datetime(2024, month, day, hours, minutes, tzinfo=ZONE)


async def alerts_at(bot, moment: datetime | None = None) -> int:
    """Moves the clock, runs the minute's alert check as the runtime's timer would, lets the outbox
    deliver what is due; returns how many alert messages the check queued."""
    if moment is not None:
        bot.clock.set(moment)
    core = bot.core
    queued = await check_alerts(core, scheduled_too=True)
    await core.deliver_now()
    return queued


async def deliver(bot, moment: datetime | None = None) -> None:
    """Moves the clock and lets the outbox deliver what is due then (a retry, say)."""
    if moment is not None:
        bot.clock.set(moment)
    await bot.core.deliver_now()


async def until(condition: Callable[[], bool], seconds: float = 5.0) -> None:
    """Waits until a condition about the server holds (checked every 10 ms)."""
    async with asyncio.timeout(seconds):
        while not condition():  # noqa: ASYNC110 - the server's request counts have no event
            await asyncio.sleep(0.01)


class Inboxes:
    """What each person received since the last look."""

    def __init__(self) -> None:
        self._seen: dict[int, int] = {}

    def new(self, person: FakeUser) -> list[str]:
        """Returns the texts the bot sent the person since the last call (or since watching)."""
        mark = self._seen.get(person.user_id, 0)
        self._seen[person.user_id] = len(person.inbox)
        return [message.text for message in person.inbox[mark:]]

    def watch(self, people: Iterable[FakeUser]) -> None:
        """Starts counting from now for these people."""
        for person in people:
            self._seen[person.user_id] = len(person.inbox)

    def quiet(self, people: Iterable[FakeUser]) -> bool:
        """Says whether none of these people received anything since the last look."""
        return all(self.new(person) == [] for person in people)


async def alert_log(bot) -> list[AlertLog]:
    """Returns every alert_log row, oldest first."""
    async with bot.sessions() as session:
        return list(await session.scalars(select(AlertLog).order_by(AlertLog.id)))


async def alert_messages(bot) -> list[OutboxMessage]:
    """Returns every alert message in the outbox, oldest first."""
    async with bot.sessions() as session:
        query = select(OutboxMessage).where(OutboxMessage.alert_id.is_not(None))
        return list(await session.scalars(query.order_by(OutboxMessage.id)))


async def identity(bot, person: FakeUser) -> Identity:
    """Returns the stored Telegram identity of a person."""
    async with bot.sessions() as session:
        found = await session.scalar(
            select(Identity).where(Identity.external_id == str(person.user_id))
        )
        assert found is not None
        return found


async def user_id(bot, person: FakeUser) -> int:
    """Returns the stored user id behind a person."""
    user = await bot.account(person)
    assert user is not None
    return user.id


async def fill(bot, commune: str, hamlets: dict[str, int], share: float = 0.7) -> None:
    """Stores today's tally for every hamlet of a commune at `share` participation."""
    for hamlet, households in hamlets.items():
        forms = math.ceil(households * share)
        await bot.store(f"{commune}/{hamlet}", forms, forms)


async def confirm_all_but(bot, *names: str) -> None:
    """Confirms (locks) every surveyed commune except these, as their /confirm would."""
    async with bot.sessions() as session:
        communes = await session.scalars(
            select(Unit).where(Unit.level == Level.COMMUNE, Unit.surveyed.is_(True))
        )
        session.add_all(
            Confirmation(commune_id=c.id, confirmed_at=bot.clock.now())
            for c in communes
            if c.name not in names
        )
        await session.commit()


async def english(bot, person: FakeUser) -> FakeUser:
    """Switches a registered person to English; returns them."""
    await bot.say(person, "/lang en")
    return person


# --- who receives what --------------------------------------------------------------------


async def test_reminders_missing_lists_and_digest_reach_exactly_their_people(bot) -> None:
    late = await bot.register(Role.HAMLET, "Định Biên/Xóm Nà Mỏ")
    done = await bot.register(Role.HAMLET, "Định Biên/Xóm Tân Vàng")
    late_elsewhere = await bot.register(Role.HAMLET, "Bảo Linh/Xóm Bản Lanh")
    commune = await bot.register(Role.COMMUNE, "Định Biên")
    official = await bot.register(Role.OFFICIAL, "Định Biên")
    official_two = await english(bot, await bot.register(Role.OFFICIAL, "Định Biên", "Bảo Linh"))
    all_in = await bot.register(Role.COMMUNE, "Phúc Chu")
    staff = await bot.register(Role.DISTRICT)
    staff_en = await english(bot, await bot.register(Role.DISTRICT))
    everyone = [late, done, late_elsewhere, commune, official, official_two, all_in, staff]
    everyone.append(staff_en)
    await bot.store("Định Biên/Xóm Tân Vàng", 40, 40)
    await fill(bot, "Phúc Chu", PHUC_CHU)
    seen = Inboxes()
    seen.watch(everyone)

    assert await alerts_at(bot, at(28, 1, 16, 59)) == 0

    assert await alerts_at(bot, at(28, 1, 17, 0)) == 2
    assert seen.new(late) == [REMINDER]
    assert seen.new(late_elsewhere) == [REMINDER]
    assert seen.quiet(everyone)
    assert await alerts_at(bot) == 0  # the same minute again
    assert await alerts_at(bot, at(28, 1, 19, 59)) == 0

    assert await alerts_at(bot, at(28, 1, 20, 0)) == 4
    [for_commune] = seen.new(commune)
    assert for_commune.startswith("📭 Định Biên: 11/12 xóm chưa báo cáo ngày 28/01: Xóm ")
    assert "Xóm Nà Mỏ" in for_commune
    assert "Xóm Tân Vàng" not in for_commune
    assert seen.new(official) == [for_commune]
    assert [line.split(":")[0] for line in seen.new(official_two)] == [
        "📭 Bảo Linh",
        "📭 Định Biên",
    ]
    assert seen.quiet(everyone)  # Phúc Chu reported in full; leaders and district: nothing

    assert await alerts_at(bot, at(28, 1, 20, 30)) == 2
    [digest] = seen.new(staff)
    assert digest.startswith("📊 Tổng hợp ngày 28/01: ")
    assert digest.endswith("Số xóm chưa báo cáo hôm nay: 294.")  # 303 hamlets, 9 reported
    [digest_en] = seen.new(staff_en)
    assert digest_en.startswith("📊 Digest for 28/01: ")
    assert seen.quiet(everyone)

    assert await alerts_at(bot, at(28, 1, 21, 0)) == 0
    claims = await alert_log(bot)
    assert [row.kind for row in claims] == ["reminder"] * 2 + ["missing"] * 4 + ["digest"] * 2
    messages = await alert_messages(bot)
    assert [m.alert_id for m in messages] == [row.id for row in claims]
    assert {(m.channel, m.state, m.reason) for m in messages} == {("telegram", "sent", None)}
    assert all(m.sent_at == at(28, 1, 20, 30) for m in messages[-2:])


async def test_collection_ending_goes_to_the_communes_behind_pace_only(bot) -> None:
    behind = await bot.register(Role.COMMUNE, "Bảo Linh")
    behind_official = await bot.register(Role.OFFICIAL, "Bảo Linh")
    on_pace = await bot.register(Role.COMMUNE, "Định Biên")
    on_pace_official = await bot.register(Role.OFFICIAL, "Định Biên")
    leader = await bot.register(Role.HAMLET, "Bảo Linh/Xóm Bản Lanh")
    await fill(bot, "Định Biên", DINH_BIEN)  # 70 % already: on pace
    everyone = [behind, behind_official, on_pace, on_pace_official, leader]
    seen = Inboxes()
    seen.watch(everyone)

    assert await alerts_at(bot, at(1, 2, 7, 59)) == 0
    assert await alerts_at(bot, at(1, 2, 8, 0)) == 2
    [alert] = seen.new(behind)
    assert alert.startswith("⏰ Còn 2 ngày nữa hết thu phiếu (03/02). Bảo Linh mới đạt 0,00 %;")
    assert seen.new(behind_official) == [alert]
    assert seen.quiet(everyone)
    assert await alerts_at(bot, at(1, 2, 12, 0)) == 0


async def test_confirmation_due_goes_to_district_and_the_unconfirmed_commune(bot) -> None:
    unconfirmed = await bot.register(Role.COMMUNE, "Bảo Linh")
    official = await bot.register(Role.OFFICIAL, "Bảo Linh")
    confirmed = await bot.register(Role.COMMUNE, "Định Biên")
    staff = await bot.register(Role.DISTRICT)
    await confirm_all_but(bot, "Bảo Linh")
    everyone = [unconfirmed, official, confirmed, staff]
    seen = Inboxes()
    seen.watch(everyone)

    # first sight after the window closed (before it, every commune below 70 % would also
    # get its ⚠️ → ❌ verdict alert now)
    assert await alerts_at(bot, at(4, 2, 7, 59)) == 0
    assert await alerts_at(bot, at(4, 2, 8, 0)) == 3
    # one text true for both: the official reads who must act, the commune user how
    asked = (
        "⏰ Đã sang giai đoạn tổng hợp. Số liệu của xã Bảo Linh chưa được xác nhận (hạn 06/02). "
        "Cán bộ xã xác nhận bằng lệnh /xacnhan."
    )
    assert seen.new(unconfirmed) == seen.new(official) == [asked]
    assert seen.new(staff) == [
        "⏰ Đã sang giai đoạn tổng hợp. 1 xã chưa xác nhận số liệu (hạn 06/02): Bảo Linh."
    ]
    assert seen.quiet(everyone)


async def test_report_deadline_goes_to_district_staff_only(bot) -> None:
    staff = await bot.register(Role.DISTRICT)
    staff_en = await english(bot, await bot.register(Role.DISTRICT))
    commune = await bot.register(Role.COMMUNE, "Định Biên")
    official = await bot.register(Role.OFFICIAL, "Định Biên")
    seen = Inboxes()
    seen.watch([staff, staff_en, commune, official])

    assert await alerts_at(bot, at(25, 2, 7, 59)) == 0
    assert await alerts_at(bot, at(25, 2, 8, 0)) == 2
    assert seen.new(staff) == [REPORT_DUE]
    assert seen.new(staff_en) == [
        "⏰ Tomorrow (26/02/2024) the report to the provincial Front is due. "
        "Send /export for the workbook."
    ]
    assert seen.quiet([commune, official])


async def test_revoked_people_get_nothing_and_other_channels_get_their_own_message(
    bot,
) -> None:
    staff = await bot.register(Role.DISTRICT)
    revoked = await bot.register(Role.DISTRICT)
    await bot.revoke(revoked)
    async with bot.sessions() as session:  # someone registered on another channel only
        [invite] = await create_invites(session, Role.DISTRICT, [], 1, bot.clock.now(), 14)
        elsewhere = await redeem_invite(
            session,
            invite.code,
            channel="zalo",
            external_id="84912345678",
            chat_id="84912345678",
            display_name="Nguyễn Thị Lan",
            now=bot.clock.now(),
        )
    seen = Inboxes()
    seen.watch([staff, revoked])

    assert await alerts_at(bot, at(25, 2, 8, 0)) == 2
    assert seen.new(staff) == [REPORT_DUE]
    assert seen.new(revoked) == []
    assert [row.user_id for row in await alert_log(bot)] == [
        await user_id(bot, staff),
        elsewhere.id,
    ]
    # No Zalo sender runs in this process: the Zalo message waits for one, untouched.
    rows = {m.user_id: (m.channel, m.chat_id, m.state) for m in await alert_messages(bot)}
    assert rows == {
        await user_id(bot, staff): ("telegram", str(staff.user_id), "sent"),
        elsewhere.id: ("zalo", "84912345678", "pending"),
    }


# --- verdict changes ------------------------------------------------------------------------


async def test_a_verdict_getting_worse_is_alerted_once_even_across_a_restart(bot) -> None:
    commune = await bot.register(Role.COMMUNE, "Định Biên")
    official = await bot.register(Role.OFFICIAL, "Định Biên")
    elsewhere = await bot.register(Role.OFFICIAL, "Bảo Linh")
    leader = await bot.register(Role.HAMLET, bot.hamlet)
    staff = await bot.register(Role.DISTRICT)
    everyone = [commune, official, elsewhere, leader, staff]
    await bot.store(bot.hamlet, 50, 50)
    seen = Inboxes()
    seen.watch(everyone)
    assert await alerts_at(bot) == 0  # first sight: remembered, not alerted

    await bot.store(bot.hamlet, 50, [50] * 9 + [40])  # a correction: Q10 at 80 %
    assert await alerts_at(bot, bot.now + timedelta(minutes=1)) == 4
    commune_alert = (
        "🚨 Định Biên — câu 10: ✅ Đạt → ⚠️ Có nguy cơ không đạt. Hiện 80,00 % (ngưỡng 95 %)"
        " — câu 10 cần thêm 150 phiếu hài lòng để đạt 95 %."
    )
    assert seen.new(commune) == seen.new(official) == [commune_alert]
    district_alert = commune_alert.replace("Định Biên", "Định Hóa")
    assert seen.new(staff) == [district_alert, commune_alert]
    assert seen.quiet(everyone)

    assert await alerts_at(bot) == 0
    assert await alerts_at(bot, bot.now + timedelta(minutes=2)) == 0
    rows = len(await alert_log(bot))
    await bot.restart()
    assert await alerts_at(bot, bot.now + timedelta(minutes=3)) == 0
    assert seen.quiet(everyone)
    assert len(await alert_log(bot)) == rows == 4


@asynccontextmanager
async def another_process(bot, seconds_later: float) -> AsyncIterator[Core]:
    """Returns a second Core on the bot's database, as another process has: an engine and
    in-process evaluation lock of its own, a clock a little ahead."""
    engine = create_engine(bot.url)
    clock = SimulatedClock(bot.now + timedelta(seconds=seconds_later))
    try:
        yield Core(clock, TakingTurns(engine), bot.core.campaign, alerts=False)
    finally:
        await engine.dispose()


async def test_two_processes_evaluating_at_once_alert_each_change_once(bot) -> None:
    commune = await bot.register(Role.COMMUNE, "Định Biên")
    staff = await bot.register(Role.DISTRICT)
    await bot.store(bot.hamlet, 50, 50)
    async with another_process(bot, seconds_later=0) as other:  # both see the units first
        assert await asyncio.gather(
            check_alerts(bot.core, scheduled_too=False), check_alerts(other, scheduled_too=False)
        ) == [0, 0]
    seen = Inboxes()
    seen.watch([commune, staff])

    await bot.store(bot.hamlet, 50, [50] * 9 + [40])  # Q10 at 80 %: ✅ → ⚠️, district too
    async with another_process(bot, seconds_later=1) as other:
        queued = await asyncio.gather(
            check_alerts(bot.core, scheduled_too=False), check_alerts(other, scheduled_too=False)
        )
    assert sorted(queued) == [0, 3]
    await bot.core.deliver_now()
    assert len(seen.new(commune)) == 1
    assert len(seen.new(staff)) == 2
    assert [row.kind for row in await alert_log(bot)] == ["verdict"] * 3


async def test_a_tally_sent_in_chat_alerts_at_once_when_alerts_are_on(bot) -> None:
    bot.alerts = True
    await bot.restart()
    assert bot.runtime is not None
    bot.runtime.timers["alerts"].cancel()  # the minute tick runs on real time; not wanted here
    leader = await bot.register(Role.HAMLET, bot.hamlet)
    staff = await bot.register(Role.DISTRICT)
    await bot.store(bot.hamlet, 50, 50)
    await alerts_at(bot)  # remembers the verdicts: Q10 met

    await bot.say(leader, "/report 50 50 50 50 50 50 50 50 50 50 40")

    def alerted() -> bool:
        return sum(message.text.startswith("🚨") for message in staff.inbox) == 2

    await staff.wait_until(alerted, timeout=5, what="the verdict alerts")
    assert [row.kind for row in await alert_log(bot)] == ["verdict", "verdict"]


# --- delivery: limits, errors, blocked users, crashes ---------------------------------------


async def test_flood_limit_is_waited_out_and_the_alert_still_arrives(
    bot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")  # RetryAfter.retry_after as a timedelta
    staff = await bot.register(Role.DISTRICT)
    bot.server.fail_next("sendMessage", 429, count=2, retry_after=3)
    before = bot.server.requests["sendMessage"]
    assert await alerts_at(bot, at(25, 2, 8, 0)) == 1
    [row] = await alert_messages(bot)
    assert (row.state, row.attempts) == ("pending", 1)
    assert row.reason == "Flood control exceeded. Retry in 0:00:03"

    await deliver(bot, at(25, 2, 8, 0) + timedelta(seconds=2))  # Telegram said: wait 3 s
    assert bot.server.requests["sendMessage"] - before == 1
    await deliver(bot, at(25, 2, 8, 0) + timedelta(seconds=3))
    await deliver(bot, at(25, 2, 8, 0) + timedelta(seconds=6))
    assert staff.inbox[-1].text == REPORT_DUE
    assert bot.server.requests["sendMessage"] - before == 3
    [row] = await alert_messages(bot)
    assert (row.state, row.attempts, row.sent_at) == (
        "sent",
        3,
        at(25, 2, 8, 0) + timedelta(seconds=6),
    )


async def test_server_errors_are_retried_while_the_bot_keeps_answering(bot) -> None:
    staff = await bot.register(Role.DISTRICT)
    leader = await bot.register(Role.HAMLET, bot.hamlet)
    bot.server.fail_next("sendMessage", 500, count=2)
    assert await alerts_at(bot, at(25, 2, 8, 0)) == 1
    await deliver(bot, at(25, 2, 8, 0) + timedelta(seconds=1))  # backoff: 1 s, then 2 s
    assert staff.inbox[-1].text != REPORT_DUE
    [row] = await alert_messages(bot)
    assert (row.state, row.attempts) == ("pending", 2)

    replies = await bot.say(leader, "/help")  # the alert waits to retry; the chat goes on
    assert replies[0].text.startswith("Các lệnh bạn dùng được:")
    await deliver(bot, at(25, 2, 8, 0) + timedelta(seconds=3))
    assert staff.inbox[-1].text == REPORT_DUE
    [row] = await alert_messages(bot)
    assert (row.state, row.attempts, row.reason) == ("sent", 3, None)


async def test_a_blocked_user_is_marked_skipped_and_reached_again_after_writing(bot) -> None:
    blocker = await bot.register(Role.DISTRICT)
    other = await bot.register(Role.DISTRICT)
    blocker_id = await user_id(bot, blocker)
    seen = Inboxes()
    seen.watch([blocker, other])
    bot.server.block(blocker.user_id)

    assert await alerts_at(bot, at(28, 1, 20, 30)) == 2
    assert seen.new(blocker) == []
    assert len(seen.new(other)) == 1
    blocked = await identity(bot, blocker)
    assert blocked.blocked_at == at(28, 1, 20, 30)
    [row] = [m for m in await alert_messages(bot) if m.user_id == blocker_id]
    assert (row.state, row.sent_at) == ("blocked", None)

    sends = bot.server.requests["sendMessage"]
    assert await alerts_at(bot, at(29, 1, 20, 30)) == 1
    assert bot.server.requests["sendMessage"] - sends == 1  # nothing tried for the blocker
    rows = [m for m in await alert_messages(bot) if m.user_id == blocker_id]
    assert [(m.state, m.attempts) for m in rows] == [("blocked", 1), ("blocked", 0)]

    await bot.say(blocker, "/help")  # writing again lifts the block
    assert (await identity(bot, blocker)).blocked_at is None
    seen.new(blocker)
    assert await alerts_at(bot, at(30, 1, 20, 30)) == 2
    [digest] = seen.new(blocker)
    assert digest.startswith("📊 Tổng hợp ngày 30/01: ")


async def second_account(bot, person: FakeUser) -> FakeUser:
    """Returns a new Telegram account linked to the person's user with `invite --user`, a
    minute later."""
    async with bot.sessions() as session:
        code = await create_user_invite(session, await user_id(bot, person), bot.clock.now(), 14)
    bot.clock.advance(timedelta(minutes=1))
    other = bot.user("Máy thứ hai")
    replies = await bot.say(other, f"/start {code.code}")
    assert replies[0].text.startswith("✅ Đăng ký xong!")
    return other


async def test_an_alert_goes_once_to_the_account_last_written_from(bot) -> None:
    phone = await bot.register(Role.DISTRICT)
    laptop = await second_account(bot, phone)
    seen = Inboxes()
    seen.watch([phone, laptop])

    assert await alerts_at(bot, at(28, 1, 20, 30)) == 1
    [digest] = seen.new(laptop)  # registered last, so written from last
    assert digest.startswith("📊 Tổng hợp ngày 28/01: ")
    assert seen.new(phone) == []

    await bot.say(phone, "/help")
    seen.new(phone)
    assert await alerts_at(bot, at(29, 1, 20, 30)) == 1
    [digest] = seen.new(phone)
    assert digest.startswith("📊 Tổng hợp ngày 29/01: ")
    assert seen.new(laptop) == []
    rows = [(m.chat_id, m.state) for m in await alert_messages(bot)]
    assert rows == [(str(laptop.user_id), "sent"), (str(phone.user_id), "sent")]
    assert len(await alert_log(bot)) == 2


async def test_a_blocked_last_account_falls_back_to_the_other(bot) -> None:
    phone = await bot.register(Role.DISTRICT)
    laptop = await second_account(bot, phone)
    seen = Inboxes()
    seen.watch([phone, laptop])
    bot.server.block(laptop.user_id)

    assert await alerts_at(bot, at(28, 1, 20, 30)) == 1  # tried on the laptop: blocked
    assert (await identity(bot, laptop)).blocked_at == at(28, 1, 20, 30)
    assert await alerts_at(bot, at(29, 1, 20, 30)) == 1
    [digest] = seen.new(phone)
    assert digest.startswith("📊 Tổng hợp ngày 29/01: ")
    assert seen.quiet([phone, laptop])

    bot.server.block(phone.user_id)
    assert await alerts_at(bot, at(30, 1, 20, 30)) == 1  # tried on the phone: blocked too
    sends = bot.server.requests["sendMessage"]
    assert await alerts_at(bot, at(31, 1, 20, 30)) == 0  # blocked everywhere: recorded only
    assert bot.server.requests["sendMessage"] == sends
    rows = [(m.chat_id, m.state, m.attempts) for m in await alert_messages(bot)]
    assert rows == [
        (str(laptop.user_id), "blocked", 1),
        (str(phone.user_id), "sent", 1),
        (str(phone.user_id), "blocked", 1),
        (str(laptop.user_id), "blocked", 0),  # the account last written from
    ]
    assert seen.quiet([phone, laptop])


async def _claimed(bot, person: FakeUser, state: str, created: datetime, text: str) -> None:
    """Stores a digest claimed for a person with its message in the outbox, as a run left it."""
    async with bot.sessions() as session:
        claim = AlertLog(
            key="digest:2024-01-28",
            kind="digest",
            user_id=await user_id(bot, person),
            text=text,
            created_at=created,
        )
        session.add(claim)
        await session.flush()
        session.add(
            OutboxMessage(
                channel="telegram",
                chat_id=str(person.user_id),
                user_id=claim.user_id,
                alert_id=claim.id,
                kind="text",
                text=text,
                token="",
                columns=2,
                created_at=created,
                not_before=created,
                expires_at=at(29, 1, 20, 30),
                next_attempt_at=created,
                attempts=int(state == "sent"),
                state=state,
                sent_at=created if state == "sent" else None,
            )
        )
        await session.commit()


async def test_a_digest_left_pending_by_a_crash_is_sent_once_by_the_next_run(bot) -> None:
    delivered = await bot.register(Role.DISTRICT)
    left = await bot.register(Role.DISTRICT)
    newcomer = await bot.register(Role.DISTRICT)
    crashed_at = at(28, 1, 20, 30)
    await _claimed(bot, delivered, "sent", crashed_at, "📊 Tổng hợp ngày 28/01 (đã gửi)")
    await _claimed(bot, left, "pending", crashed_at, "📊 Tổng hợp ngày 28/01 (trước khi dừng)")
    seen = Inboxes()
    seen.watch([delivered, left, newcomer])

    assert await alerts_at(bot, at(28, 1, 20, 31)) == 1  # only the newcomer is claimed anew
    assert seen.new(delivered) == []
    assert seen.new(left) == ["📊 Tổng hợp ngày 28/01 (trước khi dừng)"]
    [fresh] = seen.new(newcomer)
    assert fresh.startswith("📊 Tổng hợp ngày 28/01: ")
    assert await alerts_at(bot, at(28, 1, 20, 32)) == 0
    assert seen.quiet([delivered, left, newcomer])
    rows = await alert_messages(bot)
    assert [(m.state, m.sent_at) for m in rows] == [
        ("sent", crashed_at),
        ("sent", at(28, 1, 20, 31)),
        ("sent", at(28, 1, 20, 31)),
    ]


async def test_alerts_left_over_wait_for_the_end_of_quiet_hours(bot) -> None:
    staff = await bot.register(Role.DISTRICT)
    await _claimed(bot, staff, "pending", at(28, 1, 20, 30), "📊 Tổng hợp ngày 28/01")
    seen = Inboxes()
    seen.watch([staff])

    await deliver(bot, at(28, 1, 23, 0))
    await deliver(bot, at(29, 1, 6, 59))
    assert seen.new(staff) == []
    assert [m.state for m in await alert_messages(bot)] == ["pending"]
    await deliver(bot, at(29, 1, 7, 0))
    assert seen.new(staff) == ["📊 Tổng hợp ngày 28/01"]


async def test_a_reminder_not_delivered_by_the_end_of_its_day_expires(bot) -> None:
    leader = await bot.register(Role.HAMLET, bot.hamlet)
    bot.server.fail_next("sendMessage", 502, count=1000)  # Telegram down for the evening
    assert await alerts_at(bot, at(28, 1, 17, 0)) == 1
    for minutes in range(0, 7 * 60, 30):
        await deliver(bot, at(28, 1, 17, 1) + timedelta(minutes=minutes))
    [row] = await alert_messages(bot)
    assert row.state == "pending"
    assert row.reason is not None
    assert "Bad Gateway" in row.reason
    assert row.attempts == 9  # 17:00, then every half hour until the quiet hours at 21:00

    bot.server.recover()
    await deliver(bot, at(29, 1, 7, 0))  # the morning after: a 17:00 reminder is worthless
    [row] = await alert_messages(bot)
    assert row.state == "expired"
    assert REMINDER not in [message.text for message in leader.inbox]

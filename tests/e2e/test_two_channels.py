"""Telegram and Zalo served by one `tallybot run` process, one person using both.

The bot runs with both tokens against the local Telegram and Zalo servers. A hamlet leader
reports on Zalo, the district's staff member on Telegram and then, through a code made with
`invite --user`, on Zalo too: one user, two chat accounts, each alert once, on the account
last written from.
"""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from backends import Database
from sqlalchemy import select

from bot.alerts import check_alerts
from bot.localapi import LocalBotApi, LocalZaloApi
from bot.localapi.zalo_users import zalo_id
from bot.runtime import Runtime, running
from reporting.clock import SimulatedClock
from reporting.people import create_invites, create_user_invite
from reporting.settings import Settings
from reporting.storage.db import create_engine, sessions
from reporting.storage.models import Identity, OutboxMessage, Role, Tally, User
from reporting.units import find_unit_path

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2024, 1, 28, 16, 0, tzinfo=ZONE)
DIGEST_TIME = datetime(2024, 1, 28, 20, 30, tzinfo=ZONE)
HAMLET = "Định Biên/Xóm Nà Mỏ"
TELEGRAM_TOKEN = "7000003:TWO-channels-token"
ZALO_TOKEN = "4242424243:TWO-channels-token"
ONE_LINE = "/baocao 45 44 43 45 45 42 44 45 44 45 45"
SAVED = "✅ Đã lưu báo cáo ngày 28/01/2024 của Xóm Nà Mỏ."
DIGEST = "📊 Tổng hợp ngày 28/01: "


class Both:
    """The bot on both channels, both local servers, and the test's own reading engine."""

    def __init__(self, url: str) -> None:
        self.clock = SimulatedClock(NOW)
        self.url = url
        self.telegram = LocalBotApi(token=TELEGRAM_TOKEN, clock=self.clock.now)
        self.zalo = LocalZaloApi(token=ZALO_TOKEN, clock=self.clock.now)
        self.engine = create_engine(self.url)
        self.reading = sessions(self.engine)
        self.runtime: Runtime | None = None

    def settings(self) -> Settings:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = int(probe.getsockname()[1])
        return Settings(
            DATABASE_URL=self.url,
            TELEGRAM_BOT_TOKEN=TELEGRAM_TOKEN,
            TELEGRAM_API_BASE_URL=self.telegram.base_url,
            ZALO_BOT_TOKEN=ZALO_TOKEN,
            ZALO_API_BASE_URL=self.zalo.base_url,
            PUBLIC_URL=f"http://127.0.0.1:{port}",
            HTTP_PORT=port,
        )

    async def code(self, role: Role, *units: str) -> str:
        async with self.reading() as session:
            found = [await find_unit_path(session, path) for path in units]
            [invite] = await create_invites(session, role, found, 1, self.clock.now(), 14)
            return invite.code

    async def code_for(self, user_id: int) -> str:
        async with self.reading() as session:
            invite = await create_user_invite(session, user_id, self.clock.now(), 14)
            return invite.code

    async def user_of(self, channel: str, external_id: str) -> User:
        async with self.reading() as session:
            identity = await session.scalar(
                select(Identity).where(
                    Identity.channel == channel, Identity.external_id == external_id
                )
            )
            assert identity is not None, (channel, external_id)
            user = await session.get(User, identity.user_id)
            assert user is not None
            return user

    async def alerts(self, moment: datetime) -> int:
        """Runs the alert check at a moment, as the minute's timer would; lets it be sent."""
        assert self.runtime is not None
        self.clock.set(moment)
        queued = await check_alerts(self.runtime.core, scheduled_too=True)
        await self.runtime.core.deliver_now()
        return queued


@pytest.fixture
async def both(loaded_database: Database) -> AsyncIterator[Both]:
    harness = Both(loaded_database.url)
    async with AsyncExitStack() as stack:
        await harness.telegram.start()
        stack.push_async_callback(harness.telegram.stop)
        await harness.zalo.start()
        stack.push_async_callback(harness.zalo.stop)
        stack.push_async_callback(harness.engine.dispose)
        harness.runtime = await stack.enter_async_context(
            running(harness.settings(), harness.clock, alerts=False)
        )
        yield harness


async def test_one_process_answers_on_both_channels_and_alerts_each_person_once(
    both: Both,
) -> None:
    assert both.runtime is not None
    assert set(both.runtime.core.senders) == {"telegram", "zalo"}
    leader = both.zalo.user(zalo_id(1), "Hoàng Văn Bảy")
    await leader.send(f"/start {await both.code(Role.HAMLET, HAMLET)}")
    await leader.wait_for_reply(2)  # the welcome and what the role may do
    await leader.send(ONE_LINE)
    [saved] = await leader.wait_for_reply()
    assert saved.text.startswith(SAVED)

    staff = both.telegram.user(80_001, first_name="Phạm Thu", language_code="vi")
    await staff.send(f"/start {await both.code(Role.DISTRICT)}")
    await staff.wait_for_reply(2)
    person = await both.user_of("telegram", str(staff.user_id))
    on_zalo = both.zalo.user(zalo_id(2), "Phạm Thu")
    await on_zalo.send(await both.code_for(person.id))  # the code alone, as its first message
    welcome, _ = await on_zalo.wait_for_reply(2)
    assert welcome.text.startswith("✅ Đăng ký xong!")
    assert (await both.user_of("zalo", on_zalo.user_id)).id == person.id

    told_telegram, told_zalo = len(staff.inbox), len(on_zalo.inbox)
    assert await both.alerts(DIGEST_TIME) >= 1
    await on_zalo.wait_until(lambda: len(on_zalo.inbox) > told_zalo, what="the digest")
    assert on_zalo.inbox[-1].text.startswith(DIGEST)  # Zalo was written from last
    assert len(staff.inbox) == told_telegram

    await staff.send("/trogiup")  # now Telegram is the account last written from
    await staff.wait_for_reply()
    told_telegram, told_zalo = len(staff.inbox), len(on_zalo.inbox)
    assert await both.alerts(DIGEST_TIME + timedelta(days=1)) >= 1
    await staff.wait_until(lambda: len(staff.inbox) > told_telegram, what="the next digest")
    assert staff.inbox[-1].text.startswith("📊 Tổng hợp ngày 29/01: ")
    assert len(on_zalo.inbox) == told_zalo

    async with both.reading() as session:
        [tally] = list(await session.scalars(select(Tally)))
        digests = list(
            await session.scalars(
                select(OutboxMessage).where(
                    OutboxMessage.user_id == person.id, OutboxMessage.alert_id.is_not(None)
                )
            )
        )
    assert tally.collected == 45
    assert [(row.channel, row.state) for row in digests] == [
        ("zalo", "sent"),
        ("telegram", "sent"),
    ]

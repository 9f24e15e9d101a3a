"""End-to-end fixtures: the real bot (bot.runtime.running, polling or webhook) over HTTP
against the local Bot API server, on a migrated database (SQLite or PostgreSQL) with the
reference campaign and the Định Hóa roster, in simulated campaign time (28/01/2024 16:00, the
second collection day).

Tests talk as users through `E2E.say` / `E2E.press`: each sends its input and then a fence, an
unknown command (`/e2e_fence`). The Application handles one update at a time, so when the fence's
answer arrives every reply to the input before it has arrived too: the replies are exact, without
sleeps and without guessing how many messages a step sends.

What is stored is read back through an engine of the test's own, never the bot's.
"""

from __future__ import annotations

import itertools
import logging
import socket
from collections.abc import AsyncIterator, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from backends import Database
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.core import Core
from bot.inprocess import InProcessChat
from bot.localapi import BotMessage, FakeUser, LocalBotApi, LocalZaloApi
from bot.localapi.zalo_users import ZaloBotMessage, ZaloFakeUser, zalo_id
from bot.runtime import Runtime, running
from reporting.campaign import Campaign
from reporting.campaign_store import current_campaign
from reporting.clock import SimulatedClock
from reporting.i18n import text
from reporting.people import create_invites, revoke_user
from reporting.settings import Settings
from reporting.storage.db import create_engine, sessions
from reporting.storage.models import (
    Identity,
    ProcessedUpdate,
    Role,
    Tally,
    TallyRevision,
    Unit,
    User,
)
from reporting.tallies import Entry, Figures, submit_tally
from reporting.units import find_unit_path

TOKEN = "7000001:E2E-tallybot-token"
ZALO_TOKEN = "4242424242:E2E-zalo-token"
ZALO_SECRET = "e2e-webhook-secret"
TELEGRAM_SECRET = "e2e-telegram_webhook-secret"
ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2024, 1, 28, 16, 0, tzinfo=ZONE)  # inside collection (27/01 – 03/02)
TODAY = NOW.date()
HAMLET = "Định Biên/Xóm Nà Mỏ"  # 60 households
COMMUNE = "Định Biên"  # 12 hamlets
FENCE = "/e2e_fence"
ERROR_TEXT = text("chat.error")


async def fenced_replies(person: Any, mark: int, fence: str) -> list[Any]:
    """Sends the fence; returns what the bot sent the person after `inbox[mark]` before its answer.

    Each chat's updates are handled in order, so once the fence is answered every reply to
    what came before it has arrived: exact replies, without sleeps. Works for a fake Telegram
    user and a fake Zalo user alike.
    """
    await person.send(fence)

    def fenced() -> bool:
        return any(fence in shown.text for shown in person.inbox[mark:])

    await person.wait_until(fenced, timeout=10, what=f"the answer to {fence}")
    replies = person.inbox[mark:]
    end = next(i for i, shown in enumerate(replies) if fence in shown.text)
    assert end == len(replies) - 1, [r.text for r in replies]
    return list(replies[:end])


class Reading:
    """Set-up and read-back through sessions of the test's own, for either harness."""

    now = NOW
    today = TODAY
    hamlet = HAMLET
    commune = COMMUNE
    channel: str
    campaign: Campaign | None
    clock: SimulatedClock
    reading: async_sessionmaker[AsyncSession]

    async def account(self, person: Any) -> User | None:
        """Returns the stored user behind a chat account, if registered."""
        async with self.reading() as session:
            identity = await session.scalar(
                select(Identity).where(
                    Identity.channel == self.channel,
                    Identity.external_id == str(person.user_id),
                )
            )
            return None if identity is None else await session.get(User, identity.user_id)

    # --- figures, as stored ---------------------------------------------------------------

    async def unit(self, path: str) -> Unit:
        """Returns the unit named "Xã" or "Xã/Xóm"."""
        async with self.reading() as session:
            return await find_unit_path(session, path)

    async def store(
        self,
        hamlet: str,
        collected: int,
        satisfied: int | Sequence[int],
        *,
        invalid: int = 0,
        day: date | None = None,
        note: str | None = None,
    ) -> None:
        """Stores a tally as the admin's `tally add` would (set-up, not under test)."""
        assert self.campaign is not None
        if isinstance(satisfied, int):
            satisfied = [satisfied] * len(self.campaign.questions)
        async with self.reading() as session:
            unit = await find_unit_path(session, hamlet)
            figures = Figures(collected, invalid, tuple(satisfied), note)
            entry = Entry(unit, day or self.today, figures, None, "cli", self.clock.now())
            await submit_tally(session, self.campaign, entry)

    async def tallies(self, hamlet: str = HAMLET) -> list[Tally]:
        """Returns a hamlet's stored tallies, by day."""
        unit = await self.unit(hamlet)
        async with self.reading() as session:
            query = select(Tally).where(Tally.hamlet_id == unit.id).order_by(Tally.day)
            return list(await session.scalars(query))

    async def all_tallies(self) -> list[Tally]:
        """Returns every stored tally."""
        async with self.reading() as session:
            return list(await session.scalars(select(Tally).order_by(Tally.id)))

    async def revisions(self, tally: Tally) -> list[TallyRevision]:
        """Returns the audit trail of a tally, oldest first."""
        async with self.reading() as session:
            query = select(TallyRevision).where(TallyRevision.tally_id == tally.id)
            return list(await session.scalars(query.order_by(TallyRevision.revision)))

    async def processed(self) -> list[str]:
        """Returns the update ids marked as processed, as stored."""
        async with self.reading() as session:
            query = select(ProcessedUpdate.update_id).where(
                ProcessedUpdate.channel == self.channel
            )
            return list(await session.scalars(query))

    async def count(self, model: type[Any]) -> int:
        """Returns how many rows a table holds."""
        async with self.reading() as session:
            return int(await session.scalar(select(func.count()).select_from(model)) or 0)


class E2E(Reading):
    """The running bot, its server and clock, and ways to act as users and read the database."""

    channel = "telegram"
    secret = TELEGRAM_SECRET

    def __init__(self, url: str, clock: SimulatedClock, webhook: bool = False) -> None:
        self.url = url
        self.clock = clock
        # With a webhook the local server calls the bot's own HTTP server on this port.
        self.webhook = webhook
        self.port = free_port() if webhook else 0
        self.server = LocalBotApi(token=TOKEN, clock=clock.now)
        self.engine = create_engine(self.url)
        self.sessions: async_sessionmaker[AsyncSession] = sessions(self.engine)
        self.reading = self.sessions
        self.runtime: Runtime | None = None
        self.campaign: Campaign | None = None
        self.errors_expected = False
        # The JobQueue's minute tick runs on real time; tests call check_alerts themselves.
        self.alerts = False
        self._running = AsyncExitStack()
        self._ids = itertools.count(50_001)
        self._fences = itertools.count(1)

    # --- the bot -------------------------------------------------------------------------

    @property
    def core(self) -> Core:
        """Returns the Core of the running bot."""
        assert self.runtime is not None, "the bot is not running"
        return self.runtime.core

    @property
    def public_url(self) -> str:
        """Returns the bot's PUBLIC_URL in webhook mode: its own HTTP server, on this machine."""
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> None:
        """Starts a new bot runtime, polling the local server or called by it (webhook)."""
        hook: dict[str, Any] = {}
        if self.webhook:
            hook = {"PUBLIC_URL": self.public_url, "HTTP_PORT": self.port}
            hook["WEBHOOK_SECRET"] = self.secret
        settings = Settings(
            DATABASE_URL=self.url,
            TELEGRAM_BOT_TOKEN=TOKEN,
            TELEGRAM_API_BASE_URL=self.server.base_url,
            **hook,
        )
        self.runtime = await self._running.enter_async_context(
            running(settings, self.clock, alerts=self.alerts, webhook=self.webhook)
        )

    async def stop(self) -> None:
        """Leaves `async with running(…)`: the bot is stopped, its engine disposed of."""
        await self._running.aclose()
        self._running = AsyncExitStack()
        self.runtime = None

    async def restart(self) -> None:
        """Stops the running bot and starts a brand-new one on the same database."""
        await self.stop()
        await self.start()

    # --- people --------------------------------------------------------------------------

    def user(self, name: str = "Người lạ", language_code: str = "vi") -> FakeUser:
        """Returns a new fake Telegram user, not yet talking to the bot."""
        return self.server.user(next(self._ids), first_name=name, language_code=language_code)

    async def invite(
        self, role: Role, *units: str, issued: datetime | None = None, days: int = 14
    ) -> str:
        """Returns a fresh invite code for the role and units ("Xã" or "Xã/Xóm")."""
        async with self.sessions() as session:
            found = [await find_unit_path(session, path) for path in units]
            [invite] = await create_invites(
                session, role, found, 1, issued or self.clock.now(), days
            )
            return invite.code

    async def register(
        self, role: Role, *units: str, name: str | None = None, language_code: str = "vi"
    ) -> FakeUser:
        """Returns a user registered through the chat with `/start CODE` for role and units."""
        name = name or f"Cán bộ {role.value}"
        code = await self.invite(role, *units)
        person = self.user(name, language_code)
        replies = await self.say(person, f"/start {code}")
        assert replies[0].text.startswith("✅ Đăng ký xong!"), [r.text for r in replies]
        return person

    async def revoke(self, person: FakeUser) -> None:
        """Disables a user as the admin's `tallybot revoke` does."""
        user = await self.account(person)
        assert user is not None
        async with self.sessions() as session:
            await revoke_user(session, user.id, self.clock.now())

    # --- talking -------------------------------------------------------------------------

    async def say(self, person: FakeUser, message: str) -> list[BotMessage]:
        """Sends a message as the user; returns every reply the bot sent to it."""
        mark = len(person.inbox)
        await person.send(message)
        return await self.replies_since(person, mark)

    async def say_all(self, person: FakeUser, messages: Sequence[str]) -> list[BotMessage]:
        """Sends messages one after the other; returns the replies to the last one."""
        replies: list[BotMessage] = []
        for message in messages:
            replies = await self.say(person, message)
        return replies

    async def press(
        self, person: FakeUser, label: str, message: BotMessage | None = None
    ) -> list[BotMessage]:
        """Presses an inline button (on `message`, else the latest showing it); returns replies."""
        mark = len(person.inbox)
        await person.press(label, message)
        return await self.replies_since(person, mark)

    async def deliver(self, moment: datetime | None = None) -> None:
        """Moves the clock (to let a retry's time come) and lets the outbox deliver what is due."""
        if moment is not None:
            self.clock.set(moment)
        await self.core.deliver_now()

    async def replies_since(self, person: FakeUser, mark: int) -> list[BotMessage]:
        """Returns every message the bot sent the user after `inbox[mark]`, once it is done."""
        return await fenced_replies(person, mark, f"{FENCE}{next(self._fences)}")

    def bot_errors(self) -> list[str]:
        """Returns the "something went wrong" messages the bot sent anyone."""
        sent = (e.text for e in self.server.transcript if e.direction == "out")
        return [message for message in sent if message == ERROR_TEXT]

    async def open(self) -> None:
        """Starts the server and the bot, and reads the campaign in force."""
        await self.server.start()
        async with self.sessions() as session:
            self.campaign = await current_campaign(session)
        await self.start()

    async def close(self) -> None:
        """Stops the bot and the server, and disposes of the reading engine."""
        try:
            await self.stop()
        finally:
            await self.server.stop()
            await self.engine.dispose()


@asynccontextmanager
async def running_bot(
    database: Database, start: datetime, webhook: bool = False
) -> AsyncIterator[E2E]:
    """Runs the bot on the test's loaded database; checks it never failed."""
    harness = E2E(database.url, SimulatedClock(start), webhook)
    await harness.open()
    try:
        yield harness
    finally:
        await harness.close()
    if not harness.errors_expected:
        assert harness.bot_errors() == [], "the bot answered with its error message"


def free_port() -> int:
    """Returns a port nobody listens on now (the bot's HTTP server takes it next)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class ZaloE2E(Reading):
    """The bot on Zalo alone, its local Zalo server and clock, people to act as."""

    channel = "zalo"

    secret = ZALO_SECRET

    def __init__(self, url: str, clock: SimulatedClock, webhook: bool) -> None:
        self.url = url
        self.clock = clock
        self.webhook = webhook
        self.server = LocalZaloApi(token=ZALO_TOKEN, clock=clock.now)
        self.engine = create_engine(self.url)
        self.reading = sessions(self.engine)
        self.campaign = None
        self.port = free_port()
        self.runtime: Runtime | None = None
        self._running = AsyncExitStack()
        self._ids = itertools.count(1)
        self._fences = itertools.count(1)

    @property
    def public_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> None:
        settings = Settings(
            DATABASE_URL=self.url,
            ZALO_BOT_TOKEN=ZALO_TOKEN,
            ZALO_API_BASE_URL=self.server.base_url,
            ZALO_MAX_RATE=1000,
            PUBLIC_URL=self.public_url,
            HTTP_PORT=self.port,
            WEBHOOK_SECRET=ZALO_SECRET,
        )
        self.runtime = await self._running.enter_async_context(
            running(settings, self.clock, alerts=False, webhook=self.webhook)
        )
        self.campaign = self.runtime.core.campaign

    async def stop(self) -> None:
        await self._running.aclose()
        self._running = AsyncExitStack()
        self.runtime = None

    def user(self, name: str) -> ZaloFakeUser:
        return self.server.user(zalo_id(next(self._ids)), name)

    async def invite(self, role: Role, *units: str) -> str:
        async with self.reading() as session:
            found = [await find_unit_path(session, path) for path in units]
            [invite] = await create_invites(session, role, found, 1, self.clock.now(), 14)
            return invite.code

    async def register(self, role: Role, *units: str, name: str) -> ZaloFakeUser:
        person = self.user(name)
        replies = await self.say(person, f"/start {await self.invite(role, *units)}")
        assert replies[0].text.startswith("✅ Đăng ký xong!"), [r.text for r in replies]
        return person

    async def say(self, person: ZaloFakeUser, message: str) -> list[ZaloBotMessage]:
        """Sends a message, then a fence; returns every reply before the fence's answer."""
        mark = len(person.inbox)
        await person.send(message)
        return await fenced_replies(person, mark, f"{FENCE}{next(self._fences)}")


@asynccontextmanager
async def running_zalo(
    database: Database, start: datetime, webhook: bool
) -> AsyncIterator[ZaloE2E]:
    """Runs the bot on Zalo alone on the test's loaded database."""
    harness = ZaloE2E(database.url, SimulatedClock(start), webhook)
    await harness.server.start()
    try:
        await harness.start()
        yield harness
    finally:
        try:
            await harness.stop()
        finally:
            await harness.server.stop()
            await harness.engine.dispose()


@pytest.fixture(params=["polling", "webhook"])
async def zalo(
    request: pytest.FixtureRequest, loaded_database: Database
) -> AsyncIterator[ZaloE2E]:
    """The bot on Zalo, by long polling and by webhook, on this test's own database."""
    webhook = request.param == "webhook"
    async with running_zalo(loaded_database, NOW, webhook) as harness:
        yield harness


@pytest.fixture
async def zalo_webhook(loaded_database: Database) -> AsyncIterator[ZaloE2E]:
    """The bot on Zalo in webhook mode."""
    async with running_zalo(loaded_database, NOW, webhook=True) as harness:
        yield harness


class InProcess(InProcessChat, Reading):
    """The in-process client (bot/inprocess.py) on the test's database, read back the same way."""

    def __init__(self, chat: InProcessChat, reading: async_sessionmaker[AsyncSession]) -> None:
        super().__init__(chat.sessions, chat.campaign, chat.clock, chat.channel)
        self.reading = reading


@asynccontextmanager
async def in_process(
    database: Database, start: datetime, channel: str = "inprocess"
) -> AsyncIterator[InProcess]:
    """Runs the in-process client (playing `channel`) on the test's loaded database."""
    url = database.url
    reading_engine = create_engine(url)
    try:
        async with InProcessChat.running(url, SimulatedClock(start), channel) as chat:
            yield InProcess(chat, sessions(reading_engine))
    finally:
        await reading_engine.dispose()


@pytest.fixture(params=["inprocess", "zalo", "telegram"])
async def chat(
    request: pytest.FixtureRequest, loaded_database: Database
) -> AsyncIterator[InProcess | E2E]:
    """One conversation scenario, three channels: the in-process client as itself and as Zalo
    (numbered lists, typed choices), then the real bot over Telegram's HTTP API."""
    if request.param == "telegram":
        async with running_bot(loaded_database, NOW) as bot:
            yield bot
        return
    async with in_process(loaded_database, NOW, request.param) as running:
        yield running


@pytest.fixture
async def bot(loaded_database: Database) -> AsyncIterator[E2E]:
    """The bot running with polling on this test's own loaded database, clock at NOW."""
    async with running_bot(loaded_database, NOW) as harness:
        yield harness


@pytest.fixture
async def bot_webhook(
    loaded_database: Database, caplog: pytest.LogCaptureFixture
) -> AsyncIterator[E2E]:
    """The bot on Telegram by webhook; it must also stop without logging an error."""
    async with running_bot(loaded_database, NOW, webhook=True) as harness:
        yield harness
    logged = [*caplog.get_records("setup"), *caplog.get_records("call"), *caplog.records]
    errors = [r.getMessage() for r in logged if r.levelno >= logging.ERROR]
    assert errors == [], "the bot logged errors (an update failed, a call was cut, …)"

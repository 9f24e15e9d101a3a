"""The broadcast benchmark: the evening digest to 3,000 district staff through the real alert
path (`check_alerts`: evaluate, claim, deliver) at Telegram's 30 messages a second, against the
floor that rate sets, and the same path unthrottled in the same run."""

from __future__ import annotations

import asyncio
import tempfile
import time
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from benchmarks.common import machine, write_section
from bot.alerts import check_alerts
from bot.demo.seeded import load_sample
from bot.localapi import FakeUser, LocalBotApi
from bot.runtime import running
from reporting.clock import SimulatedClock
from reporting.people import create_invites, redeem_invite
from reporting.settings import Settings
from reporting.storage.db import create_engine, sessions
from reporting.storage.models import AlertLog, OutboxMessage, Role
from reporting.storage.schema import upgrade

TOKEN = "7000002:broadcast-benchmark"
PEOPLE = 3_000  # district staff of a province-scale campaign, each in a private chat
FIRST_CHAT = 800_001
ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
SETUP_TIME = datetime(2024, 1, 26, 8, 0, tzinfo=ZONE)
DIGEST_TIMES = (  # the district digest is due at 20:30 on a collection day
    datetime(2024, 1, 28, 20, 30, tzinfo=ZONE),
    datetime(2024, 1, 29, 20, 30, tzinfo=ZONE),
)
RATE = Settings().TELEGRAM_MAX_RATE  # the default, Telegram's 30 messages a second
UNTHROTTLED = 100_000  # a limit no run reaches: what the path itself can do
TOLERANCE = 0.10  # the throttled broadcast may take at most 10 % longer than the floor
SAMPLE_EVERY = 0.005  # seconds between two looks at the server's count of sendMessage calls

SessionFactory = async_sessionmaker[AsyncSession]


@dataclass(frozen=True, slots=True)
class Broadcast:
    """One broadcast as measured: when each message reached the server, and what was kept."""

    max_rate: int
    started: float
    finished: float
    arrivals: tuple[float, ...]  # perf_counter seconds of each sendMessage the server took
    sent_rows: int
    rows: int
    received: int

    @property
    def total(self) -> float:
        """Returns the seconds from the call to check_alerts until the outbox delivered it all."""
        return self.finished - self.started

    @property
    def claiming(self) -> float:
        """Returns the seconds before the first message: evaluating and claiming 3,000 rows."""
        return self.arrivals[0] - self.started

    @property
    def sending(self) -> float:
        """Returns the seconds from the first message to the last."""
        return self.arrivals[-1] - self.arrivals[0]

    @property
    def rate(self) -> float:
        """Returns the messages a second over the sending, first to last."""
        return (len(self.arrivals) - 1) / self.sending

    @property
    def busiest_second(self) -> int:
        """Returns the most messages that reached the server within any one second."""
        most, start = 0, 0
        for end, moment in enumerate(self.arrivals):
            while moment - self.arrivals[start] >= 1.0:
                start += 1
            most = max(most, end - start + 1)
        return most

    @property
    def lost(self) -> int:
        """Returns how many people lack the digest, in their chat or as "sent" in the outbox."""
        return PEOPLE - min(self.sent_rows, self.received)


def main() -> None:
    """Runs both broadcasts, prints the figures and records them."""
    with tempfile.TemporaryDirectory(prefix="tallybot-broadcast-") as folder:
        url = f"sqlite+aiosqlite:///{Path(folder) / 'broadcast.db'}"
        upgrade(url)  # Alembic's env.py runs its own event loop: migrate before ours starts
        report = asyncio.run(_benchmark(url))
    print("## broadcast benchmark\n")
    print(report)
    write_section("broadcast", report)


async def _benchmark(url: str) -> str:
    clock = SimulatedClock(SETUP_TIME)
    async with LocalBotApi(token=TOKEN, clock=clock.now) as server:
        engine = create_engine(url)
        try:
            factory = sessions(engine)
            started = time.perf_counter()
            await load_sample(factory, SETUP_TIME)
            people = await register_staff(factory, server, PEOPLE)
            setup = time.perf_counter() - started
            runs = []
            for moment, rate in zip(DIGEST_TIMES, (RATE, UNTHROTTLED), strict=True):
                clock.set(moment)
                runs.append(await broadcast(url, factory, server, clock, people, rate))
        finally:
            await engine.dispose()
    return render(runs[0], runs[1], setup)


# --- the people -----------------------------------------------------------------------------


async def register_staff(
    factory: SessionFactory, server: LocalBotApi, count: int
) -> list[FakeUser]:
    """Registers `count` district staff as redeeming an invite does; each has an open chat."""
    people = []
    async with factory() as session:
        invites = await create_invites(session, Role.DISTRICT, [], count, SETUP_TIME, 14)
        for number, invite in enumerate(invites):
            chat_id = FIRST_CHAT + number
            person = server.user(chat_id, first_name=f"Cán bộ {number + 1}")
            await redeem_invite(
                session,
                invite.code,
                channel="telegram",
                external_id=str(chat_id),
                chat_id=str(chat_id),
                display_name=person.first_name,
                now=SETUP_TIME,
            )
            # The Bot API refuses to write first to someone who never wrote to the bot; these
            # people registered in chat long ago, so their chats are open.
            server.store.chats[chat_id].started = True
            people.append(person)
    return people


# --- one broadcast --------------------------------------------------------------------------


async def broadcast(
    url: str,
    factory: SessionFactory,
    server: LocalBotApi,
    clock: SimulatedClock,
    people: list[FakeUser],
    max_rate: int,
) -> Broadcast:
    """Runs the minute's alert check at digest time on a fresh bot; returns what it measured."""
    settings = Settings(
        DATABASE_URL=url,
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_API_BASE_URL=server.base_url,
        TELEGRAM_MAX_RATE=max_rate,
    )
    inboxes = [len(person.inbox) for person in people]
    async with running(settings, clock, alerts=False) as runtime, arrivals(server) as seen:
        core = runtime.core
        started = time.perf_counter()
        await check_alerts(core, scheduled_too=True)
        await core.deliver_now()
        finished = time.perf_counter()
    key = f"digest:{clock.now().date()}"
    async with factory() as session:
        query = select(OutboxMessage).join(AlertLog, AlertLog.id == OutboxMessage.alert_id)
        rows = list(await session.scalars(query.where(AlertLog.key == key)))
    statuses = Counter(row.state for row in rows)
    received = sum(
        len(person.inbox) == before + 1 and person.inbox[-1].text == rows[0].text
        for person, before in zip(people, inboxes, strict=True)
    )
    return Broadcast(
        max_rate, started, finished, tuple(seen), statuses["sent"], len(rows), received
    )


@asynccontextmanager
async def arrivals(server: LocalBotApi) -> AsyncIterator[list[float]]:
    """Yields a list that gets the moment of every sendMessage the server takes meanwhile."""
    seen: list[float] = []

    async def look() -> None:
        count = server.requests["sendMessage"]
        while True:
            await asyncio.sleep(SAMPLE_EVERY)
            now, latest = time.perf_counter(), server.requests["sendMessage"]
            seen.extend([now] * (latest - count))
            count = latest

    watcher = asyncio.create_task(look())
    try:
        yield seen
    finally:
        await asyncio.sleep(2 * SAMPLE_EVERY)  # the last sends are counted
        watcher.cancel()


# --- the report -----------------------------------------------------------------------------


def render(throttled: Broadcast, unthrottled: Broadcast, setup: float) -> str:
    """Returns the Markdown figures: the machine, the table, and the targets met or missed."""
    floor = PEOPLE / RATE
    paced = throttled.busiest_second <= RATE
    within = throttled.total <= floor * (1 + TOLERANCE)
    kept = throttled.lost == unthrottled.lost == 0
    lines = [
        f"Measured {datetime.now(UTC):%Y-%m-%d} on {machine()}.",
        "",
        f"{PEOPLE:,} district staff registered through `create_invites` and `redeem_invite`, "
        f"each with an open chat on the local Bot API server; set up in {setup:.1f} s. "
        "Each run is one `check_alerts` at 20:30 on a collection day, on a fresh "
        "Application: the digest is evaluated, claimed for everyone and delivered.",
        "",
        "| run | claiming | sending | total | rate | busiest second | lost |",
        "|---|---:|---:|---:|---:|---:|---:|",
        _row(f"TELEGRAM_MAX_RATE={RATE} (the default)", throttled),
        _row("unthrottled (the path's own pace)", unthrottled),
        f"| floor: {PEOPLE:,} ÷ {RATE}/s | | | {floor:.1f} s | {RATE:.1f}/s | {RATE} | |",
        "",
        f"Targets: at most {RATE} messages in any one second — {_verdict(paced)} "
        f"({throttled.busiest_second}); total within {TOLERANCE:.0%} of the floor — "
        f"{_verdict(within)} ({throttled.total / floor - 1:+.1%}); no message lost — "
        f"{_verdict(kept)} ({throttled.sent_rows:,} rows sent, {throttled.received:,} "
        "received).",
    ]
    if not paced:
        lines += [
            "",
            f"The busiest second is the first: python-telegram-bot's `AIORateLimiter` is a "
            f"leaky bucket {RATE} deep, so a full second's worth goes at once before the pace "
            f"settles to {RATE}/s.",
        ]
    return "\n".join(lines)


def _row(label: str, run: Broadcast) -> str:
    return (
        f"| {label} | {run.claiming:.1f} s | {run.sending:.1f} s | {run.total:.1f} s "
        f"| {run.rate:.1f}/s | {run.busiest_second} | {run.lost} |"
    )


def _verdict(met: bool) -> str:
    return "met" if met else "**missed**"


if __name__ == "__main__":
    main()

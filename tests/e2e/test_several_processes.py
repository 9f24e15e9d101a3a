"""Three `tallybot run --webhook` processes on one PostgreSQL database (SPEC §6.4), end to end.

The local Bot API server calls a round-robin proxy, as nginx in front of N processes would
be, with up to 40 updates at once (each chat's one at a time); the proxy hands each call to
the next process. 100 hamlet leaders registered beforehand send 300 one-line tallies (three
backfilled days each: the first day all at once, until the verdicts are first remembered,
then the rest) and 20 of them a guided one for today, all at once, while the
processes' alert checks run (one leader for the timed ones: reminders are due all day) and
each stored tally re-evaluates the verdicts in the process that stored it. Afterwards every
tally is stored once, every update answered exactly once, and every alert sent exactly once.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from backends import Database, PostgresDatabases
from sqlalchemy import func, select

from bot.localapi import FakeUser
from reporting.people import create_invites, redeem_invite
from reporting.storage.models import (
    AlertLog,
    Level,
    OutboxMessage,
    ProcessedUpdate,
    Role,
    Tally,
    Unit,
    VerdictState,
)
from tests.e2e.child_bot import ZONE
from tests.e2e.processes import WAIT, Bots, init

pytestmark = pytest.mark.postgres_only("several processes share one PostgreSQL database")

PROCESSES = 3
LEADERS = 100
GUIDED = 20
DAYS_BACK = 3  # one-line tallies for the three days before today
ALL = "Tất cả (5)"


@pytest.fixture
def shared_database(postgresql_databases: PostgresDatabases, tmp_path: Path) -> Iterator[Database]:
    """A loaded PostgreSQL database with a campaign collecting since three days ago."""
    database = postgresql_databases.new(tmp_path, "loaded")
    init(tmp_path, database.url, collecting_since=DAYS_BACK)
    yield database
    postgresql_databases.drop(database)


@pytest.fixture
async def bots(shared_database: Database, tmp_path: Path) -> AsyncIterator[Bots]:
    """Three bot processes in webhook mode behind the proxy, on the shared database."""
    harness = Bots(tmp_path, shared_database.url, PROCESSES)
    try:
        await harness.start()
        yield harness
    finally:
        await harness.stop()


async def register(bots: Bots) -> tuple[list[FakeUser], list[FakeUser]]:
    """Registers 100 hamlet leaders, an official of each of their communes and two
    district staff, as invites redeemed earlier; returns (leaders, staff)."""
    now = datetime.now(ZONE)
    async with bots.sessions() as session:
        communes = select(Unit.id).where(Unit.level == Level.COMMUNE, Unit.surveyed)
        query = (
            select(Unit)
            .where(Unit.level == Level.HAMLET, Unit.parent_id.in_(communes))
            .order_by(Unit.id)
            .limit(LEADERS)
        )
        hamlets = list(await session.scalars(query))
        by_id = {u.id: u for u in await session.scalars(select(Unit))}
    assert len(hamlets) == LEADERS
    people = [(Role.HAMLET, [hamlet]) for hamlet in hamlets]
    people += [(Role.OFFICIAL, [by_id[c]]) for c in sorted({h.parent_id for h in hamlets})]
    people += [(Role.DISTRICT, []), (Role.DISTRICT, [])]
    users = []
    for number, (role, units) in enumerate(people, 1):
        user_id = 800_000 + number
        async with bots.sessions() as session:
            [invite] = await create_invites(session, role, units, 1, now, 14)
            await redeem_invite(
                session,
                invite.code,
                channel="telegram",
                external_id=str(user_id),
                chat_id=str(user_id),
                display_name=f"Người {number}",
                now=now,
            )
        users.append(bots.server.open_chat(user_id, f"Người {number}"))
    return users[:LEADERS], users[LEADERS:]


def is_alert(text: str) -> bool:
    """Says whether a message is an alert (a reminder or a verdict alert), not a reply."""
    return text.startswith(("🔔", "🚨"))


async def reply(person: FakeUser, mark: int) -> str:
    """Waits for the bot's one reply after inbox[mark] (alerts arrive between, uncounted)."""

    def answered() -> bool:
        return any(not is_alert(m.text) for m in person.inbox[mark:])

    await person.wait_until(answered, timeout=WAIT, what="a reply")
    return next(m.text for m in person.inbox[mark:] if not is_alert(m.text))


async def one_line(person: FakeUser, day: date, q10: int) -> tuple[int, str]:
    """Sends a one-line tally for a day; returns (updates sent, the reply)."""
    mark = len(person.inbox)
    await person.send(f"/report {day:%d/%m} 5 5 5 5 5 5 5 5 5 5 {q10}")
    return 1, await reply(person, mark)


async def guided(person: FakeUser) -> tuple[int, str]:
    """Goes through the guided tally for today by buttons; returns (updates sent, last reply)."""
    steps = [("send", "/report"), ("send", "5"), ("press", "0")]
    steps += [("press", ALL)] * 10 + [("press", "Bỏ qua"), ("press", "Gửi")]
    answer = ""
    for action, value in steps:
        mark = len(person.inbox)
        await (person.send(value) if action == "send" else person.press(value))
        answer = await reply(person, mark)
    return len(steps), answer


async def leader_day(person: FakeUser, number: int, today: date) -> tuple[int, list[str]]:
    """One leader's traffic after the first day: two more backfilled tallies (the last with a
    low Q10 for some, so verdicts fall), and the guided one for the first GUIDED leaders;
    returns (updates, replies to the tallies' last steps)."""
    sent, replies = 0, []
    for back in range(DAYS_BACK - 1, 0, -1):
        q10 = 0 if back == 1 and number % 4 == 0 else 5
        count, answer = await one_line(person, today - timedelta(days=back), q10)
        sent, replies = sent + count, [*replies, answer]
    if number < GUIDED:
        count, answer = await guided(person)
        sent, replies = sent + count, [*replies, answer]
    return sent, replies


async def test_three_processes_store_every_tally_once_and_say_everything_once(
    bots: Bots,
) -> None:
    started = time.monotonic()
    leaders, staff = await register(bots)
    today = datetime.now(ZONE).date()
    first_day = today - timedelta(days=DAYS_BACK)
    opening = await asyncio.gather(*(one_line(person, first_day, 5) for person in leaders))
    await bots.until(verdicts_remembered(bots), "the first verdicts to be remembered")
    traffic = await asyncio.gather(
        *(leader_day(person, n, today) for n, person in enumerate(leaders))
    )
    traffic = [
        (sent + 1, [answer, *replies])
        for (_, answer), (sent, replies) in zip(opening, traffic, strict=True)
    ]
    traffic_s = time.monotonic() - started

    async with bots.sessions() as session:
        tallies = list(await session.scalars(select(Tally)))
        processed = await session.scalar(select(func.count()).select_from(ProcessedUpdate))
    assert len(tallies) == LEADERS * DAYS_BACK + GUIDED
    assert len({(t.hamlet_id, t.day) for t in tallies}) == len(tallies)
    assert {t.revision for t in tallies} == {1}  # none stored twice
    updates = sum(sent for sent, _ in traffic)
    assert updates == LEADERS * DAYS_BACK + GUIDED * 15
    assert processed == updates

    for (sent, replies), person in zip(traffic, leaders, strict=True):
        assert all(answer.startswith("✅ Đã lưu báo cáo ngày") for answer in replies)
        assert len([m for m in person.inbox if not is_alert(m.text)]) == sent

    await bots.until(outbox_settled(bots), "the outbox to be delivered")
    everyone = leaders + staff
    await asyncio.sleep(2)  # anything sent twice would come now
    alerts = await sent_alerts(bots)
    for person in everyone:
        received = Counter(m.text for m in person.inbox if is_alert(m.text))
        assert received == alerts.get(str(person.user_id), Counter()), person.first_name
    kinds = await alert_kinds(bots)
    assert kinds["reminder"] >= LEADERS - GUIDED  # the leader's check ran, once a leader
    assert kinds["verdict"] > 0  # Q10 fell in some communes: staff were told, once
    assert not [p for p in bots.processes if p.poll() is not None]
    logged = bots.output()
    assert "Traceback" not in logged, logged[-6000:]
    assert "ERROR " not in logged, logged[-6000:]
    retried = logged.count("trying again")  # deadlocks, lost connections: retried, logged
    print(
        f"\n{updates} updates from {LEADERS} users through {PROCESSES} processes "
        f"(calls per process {sorted(bots.proxy.calls.values())}): answered in {traffic_s:.1f} s,"
        f" everything delivered after {time.monotonic() - started:.1f} s; alerts {dict(kinds)};"
        f" transactions tried again: {retried}"
    )


def verdicts_remembered(bots: Bots) -> Callable[[], Awaitable[bool]]:
    """Returns a check that some evaluation remembered the verdicts (no alert at first sight)."""

    async def remembered() -> bool:
        async with bots.sessions() as session:
            return bool(await session.scalar(select(func.count()).select_from(VerdictState)))

    return remembered


def outbox_settled(bots: Bots) -> Callable[[], Awaitable[bool]]:
    """Returns a check that no outbox row is pending any more."""

    async def settled() -> bool:
        async with bots.sessions() as session:
            pending = select(func.count()).where(OutboxMessage.state == "pending")
            return await session.scalar(pending) == 0

    return settled


async def sent_alerts(bots: Bots) -> dict[str, Counter[str]]:
    """Returns, per chat, the texts of the alert rows the outbox recorded as sent."""
    async with bots.sessions() as session:
        query = select(OutboxMessage).where(OutboxMessage.alert_id.is_not(None))
        rows = list(await session.scalars(query))
    assert {row.state for row in rows} <= {"sent"}
    found: dict[str, Counter[str]] = {}
    for row in rows:
        found.setdefault(row.chat_id, Counter())[row.text] += 1
    return found


async def alert_kinds(bots: Bots) -> Counter[str]:
    """Returns how many alerts were claimed, by kind."""
    async with bots.sessions() as session:
        return Counter(await session.scalars(select(AlertLog.kind)))

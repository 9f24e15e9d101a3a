"""Webhook processes on PostgreSQL when things go wrong (issue 13's faults), end to end.

- A process killed with SIGKILL the instant it answered a webhook call 200: Telegram will not
  deliver that update again, so it must already be committed; its reply is sent by another
  process (once the dead process's claim on the chat has run out).
- PostgreSQL stopped while the bot runs: the update that comes meanwhile is answered 503 (not
  apologised for, nothing stored), Telegram delivers it again, and once the server is back
  the bot reconnects and handles it once.
"""

from __future__ import annotations

import asyncio
import subprocess
from collections.abc import AsyncIterator, Iterator
from datetime import datetime
from pathlib import Path

import pytest
from backends import Cluster, Database, PostgresDatabases, Server, server_binaries
from sqlalchemy import func, select, text, update

from bot.localapi import FakeUser
from reporting.people import create_invites, redeem_invite
from reporting.storage.models import Level, OutboxMessage, ProcessedUpdate, Role, Tally, Unit
from tests.e2e.child_bot import ZONE, environment, tallybot
from tests.e2e.processes import Bots, init

pytestmark = pytest.mark.postgres_only("several processes share one PostgreSQL database")

ELEVEN = "/report 5 5 5 5 5 5 5 5 5 5 5"
SAVED = "✅ Đã lưu báo cáo ngày"


async def leader(bots: Bots) -> FakeUser:
    """Returns the leader of the first hamlet, registered earlier (an invite redeemed)."""
    now = datetime.now(ZONE)
    async with bots.sessions() as session:
        query = select(Unit).where(Unit.level == Level.HAMLET).order_by(Unit.id).limit(1)
        hamlet = await session.scalar(query)
        assert hamlet is not None
        [invite] = await create_invites(session, Role.HAMLET, [hamlet], 1, now, 14)
        await redeem_invite(
            session,
            invite.code,
            channel="telegram",
            external_id="700001",
            chat_id="700001",
            display_name="Hoàng Văn Bình",
            now=now,
        )
    return bots.server.open_chat(700_001, "Hoàng Văn Bình")


async def counts(bots: Bots) -> tuple[int, int, int]:
    """Returns how many updates are recorded processed, tallies stored, and replies queued."""
    async with bots.sessions() as session:
        processed = await session.scalar(select(func.count()).select_from(ProcessedUpdate))
        tallies = await session.scalar(select(func.count()).select_from(Tally))
        replies = await session.scalar(
            select(func.count()).where(OutboxMessage.text.startswith(SAVED))
        )
    return processed or 0, tallies or 0, replies or 0


async def seen(bots: Bots, person: FakeUser, mark: int, pause: float = 2.0) -> list[str]:
    """Waits for a reply after inbox[mark], and a little more (a second one would come);
    returns every message since."""
    await bots.until(lambda: len(person.inbox) > mark, "the reply")
    await asyncio.sleep(pause)
    return [message.text for message in person.inbox[mark:]]


@pytest.fixture
def quiet_database(postgresql_databases: PostgresDatabases, tmp_path: Path) -> Iterator[Database]:
    """A loaded PostgreSQL database, collecting today, with no reminder due today."""
    database = postgresql_databases.new(tmp_path, "loaded")
    init(tmp_path, database.url, reminders=False)
    yield database
    postgresql_databases.drop(database)


@pytest.fixture
async def two_bots(quiet_database: Database, tmp_path: Path) -> AsyncIterator[Bots]:
    """Two bot processes in webhook mode behind the proxy."""
    harness = Bots(tmp_path, quiet_database.url, 2)
    try:
        await harness.start()
        yield harness
    finally:
        await harness.stop()


async def test_a_process_killed_right_after_answering_200_had_committed_the_update(
    two_bots: Bots,
) -> None:
    bots = two_bots
    person = await leader(bots)
    in_flight = bots.server.hold_next("sendMessage")  # whoever sends the reply first
    killed: list[int] = []

    def kill_after_200(port: int, status: int) -> None:
        if status == 200 and not killed:  # before the server hears the 200
            bots.kill(port)
            killed.append(port)

    bots.proxy.on_answer = kill_after_200
    mark = len(person.inbox)
    await person.send(ELEVEN)
    await bots.until(lambda: bool(killed), "the 200 and the kill")
    assert await counts(bots) == (1, 1, 1)  # committed before the 200
    assert [call.delivered for call in bots.server.webhook_calls] == [True]

    dead = bots.processes[bots.ports.index(killed[0])].pid
    async with bots.sessions() as session:  # five minutes later: the dead one's claim ran out
        await session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.claimed_by.like(f"%:{dead}:%"))
            .values(claimed_until=func.now())
        )
        await session.commit()
    in_flight.release()  # a send the live process began goes on; the dead one's never will
    assert [text.startswith(SAVED) for text in await seen(bots, person, mark)] == [True]
    assert await counts(bots) == (1, 1, 1)


@pytest.fixture
def own_cluster(tmp_path: Path) -> Iterator[tuple[Cluster, str]]:
    """A PostgreSQL server of this test's own, to stop and start, with a loaded database."""
    binaries = server_binaries()
    if binaries is None:
        pytest.skip("needs PostgreSQL's server binaries to stop and start a server")
    cluster = Cluster(binaries)
    try:
        server = Server(cluster.start())
        url = server.url(server.create())
        init(tmp_path, url, reminders=False)
        roster = Path(__file__).parents[2] / "reporting" / "data" / "dinh_hoa_roster.csv"
        env = environment(tmp_path, url)
        command = [*tallybot(), "roster", "import", str(roster)]
        done = subprocess.run(command, env=env, cwd=tmp_path, capture_output=True)
        assert done.returncode == 0, done.stderr.decode()
        yield cluster, url
    finally:
        cluster.stop()


async def test_an_update_that_came_while_postgresql_was_down_is_handled_once_it_is_back(
    own_cluster: tuple[Cluster, str], tmp_path: Path
) -> None:
    cluster, url = own_cluster
    bots = Bots(tmp_path, url, 1)
    try:
        await bots.start()
        person = await leader(bots)
        await bots.engine.dispose()  # the test's own connections go with the server
        cluster.pause()
        mark = len(person.inbox)
        await person.send(ELEVEN)

        def refused() -> bool:
            return any(call.status == 503 for call in bots.server.webhook_calls)

        await bots.until(refused, "the webhook call answered 503")
        cluster.resume()
        assert [text.startswith(SAVED) for text in await seen(bots, person, mark)] == [True]
        assert await counts(bots) == (1, 1, 1)
        async with bots.engine.connect() as connection:  # nothing half-done is left
            pending = "SELECT count(*) FROM outbox WHERE state = 'pending'"
            assert await connection.scalar(text(pending)) == 0
        assert bots.processes[0].poll() is None  # it reconnected, it did not stop
    finally:
        await bots.stop()

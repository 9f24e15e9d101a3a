"""One chat's inputs, handled by two processes at once, take turns in the database (§6.4).

Two in-process clients on one database stand for two bot processes behind a proxy: each has
an engine, an outbox sender and in-process locks of its own, so only the database can make
one chat's inputs wait for each other. Each leader sends two tallies for the same day at the
same moment, one to each process, three times over: every input is answered (stored or
replaced), none fails, and the day ends with six revisions, as if they came one by one.
"""

from __future__ import annotations

import asyncio

import pytest
from backends import Database
from sqlalchemy import select

from bot.chat.typed import typed_input
from bot.inprocess import InProcessChat
from reporting.clock import SimulatedClock
from reporting.storage.db import create_engine, sessions
from reporting.storage.models import Role, Tally
from tests.e2e.conftest import NOW

HAMLETS = ["Xóm Nà Mỏ", "Xóm Tân Vàng", "Xóm Đồng Chú", "Xóm Thẩm Kè", "Xóm Nà Què"]
ROUNDS = 3


@pytest.mark.postgres_only("one process on SQLite: its writers already take turns")
async def test_one_chats_inputs_sent_to_two_processes_at_once_take_turns(
    loaded_database: Database,
) -> None:
    url, clock = loaded_database.url, SimulatedClock(NOW)
    async with (
        InProcessChat.running(url, clock) as first,
        InProcessChat.running(url, clock) as second,
    ):
        leaders = [await first.register(Role.HAMLET, f"Định Biên/{h}") for h in HAMLETS]
        welcomed = {leader.sender.chat_id: len(first.inbox(leader)) for leader in leaders}
        for round_ in range(ROUNDS):
            sends = []
            for n, leader in enumerate(leaders):
                for process, figure in ((first, 10 + round_), (second, 20 + round_)):
                    line = f"/report {figure} " + " ".join([str(figure)] * 10)
                    key = f"{round_}-{n}-{figure}"
                    sends.append(process.send(leader, typed_input(line), key))
            await asyncio.gather(*sends)
        await first.core.deliver_now()
        await second.core.deliver_now()
        for leader in leaders:
            since = first.inbox(leader)[welcomed[leader.sender.chat_id] :]
            answers = [shown.text for shown in since + second.inbox(leader)]
            assert len(answers) == 2 * ROUNDS, answers
            assert all(text.startswith("✅") for text in answers), answers
    engine = create_engine(url)
    try:
        async with sessions(engine)() as session:
            tallies = list(await session.scalars(select(Tally)))
    finally:
        await engine.dispose()
    assert len(tallies) == len(HAMLETS)
    assert {tally.revision for tally in tallies} == {2 * ROUNDS}

"""The chat's write mark (reporting/storage/writes.py), on a real migrated database: reads do
not count as writes; a pending object, a flushed change and a DML statement do."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from reporting.storage.models import ChatLimit, Unit
from reporting.storage.writes import write_mark, wrote_since

Sessions = async_sessionmaker[AsyncSession]
NOW = datetime(2024, 1, 28, 9, 0, tzinfo=UTC)


async def test_reads_are_not_writes(session_factory: Sessions, loaded: object) -> None:
    async with session_factory() as session:
        mark = write_mark(session)
        unit = await session.scalar(select(Unit).limit(1))
        assert unit is not None
        await session.scalars(select(Unit.id).where(Unit.parent_id == unit.id))
        await session.flush()  # nothing waits: no write
        assert not wrote_since(session, mark)


async def test_a_pending_object_is_a_write(session_factory: Sessions, loaded: object) -> None:
    async with session_factory() as session:
        await session.scalars(select(Unit.id))
        mark = write_mark(session)
        session.add(
            ChatLimit(channel="test", external_id="1", kind="probe", window_start=NOW, count=1)
        )
        assert wrote_since(session, mark)


async def test_a_flushed_change_is_a_write(session_factory: Sessions, loaded: object) -> None:
    async with session_factory() as session:
        unit = await session.scalar(select(Unit).limit(1))
        assert unit is not None
        mark = write_mark(session)
        unit.households += 1
        await session.flush()
        assert wrote_since(session, mark)


async def test_an_update_statement_is_a_write(session_factory: Sessions, loaded: object) -> None:
    async with session_factory() as session:
        mark = write_mark(session)
        await session.execute(update(Unit).where(Unit.id == -1).values(households=0))
        assert wrote_since(session, mark)

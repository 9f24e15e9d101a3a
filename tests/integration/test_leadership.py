"""The timed alerts' leader (reporting/storage/leader.py): one process of several leads, and
another takes over when the leader's connection is gone, as when its process died."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from reporting.storage.db import create_engine
from reporting.storage.leader import Leadership


@pytest.mark.postgres_only("advisory locks are PostgreSQL's")
async def test_one_process_leads_and_another_takes_over_when_it_dies(
    engine: AsyncEngine, database_url: str
) -> None:
    other_engine = create_engine(database_url)  # another process: an engine of its own
    first, second = Leadership(engine, "alerts"), Leadership(other_engine, "alerts")
    try:
        assert await first.leading()
        assert not await second.leading()
        assert await first.leading()  # asked again, it still leads
        assert not await second.leading()
        async with other_engine.connect() as admin:  # the leader's process dies
            held = await admin.scalar(
                text("SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted")
            )
            await admin.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": held})
            await admin.commit()
        assert await second.leading()
        assert not await first.leading()  # it learns that it lost the lead
    finally:
        await first.resign()
        await second.resign()
        await other_engine.dispose()


@pytest.mark.postgres_only("advisory locks are PostgreSQL's")
async def test_a_leader_that_stops_hands_over_at_once(
    engine: AsyncEngine, database_url: str
) -> None:
    other_engine = create_engine(database_url)
    first, second = Leadership(engine, "alerts"), Leadership(other_engine, "alerts")
    try:
        assert await first.leading()
        await first.resign()  # its connection is closed, not pooled with the lock still held
        assert await second.leading()
    finally:
        await second.resign()
        await other_engine.dispose()


@pytest.mark.sqlite_only("one process on SQLite")
async def test_on_sqlite_the_one_process_leads(engine: AsyncEngine) -> None:
    assert await Leadership(engine, "alerts").leading()

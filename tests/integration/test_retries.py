"""Transactions PostgreSQL ended so that another could go on, run again (`retry_locked`).

A deadlock (40P01) and a connection lost mid-transaction are produced for real on the test's
database; the work is a whole transaction, so its retry repeats nothing that was kept.
"""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from reporting.storage.db import retry_locked, retry_reason

pytestmark = pytest.mark.postgres_only("deadlocks and lost connections of PostgreSQL")


async def make_rows(engine: AsyncEngine) -> None:
    """Creates a table of two counters, both at 0."""
    async with engine.begin() as connection:
        await connection.execute(text("CREATE TABLE counters (name text PRIMARY KEY, n int)"))
        await connection.execute(text("INSERT INTO counters VALUES ('a', 0), ('b', 0)"))


async def counts(engine: AsyncEngine) -> dict[str, int]:
    """Returns the counters by name."""
    async with engine.connect() as connection:
        rows = await connection.execute(text("SELECT name, n FROM counters"))
        return {name: n for name, n in rows}


async def bump(
    engine: AsyncEngine, first: str, then: str, between: asyncio.Event, late: float = 0
) -> None:
    """In one transaction, increments `first`, waits for `between` (and `late` seconds more),
    then increments `then`."""
    increment = text("UPDATE counters SET n = n + 1 WHERE name = :n")
    async with engine.begin() as connection:
        await connection.execute(increment, {"n": first})
        await between.wait()
        await asyncio.sleep(late)
        await connection.execute(increment, {"n": then})


async def test_a_transaction_ended_by_a_deadlock_runs_again(engine: AsyncEngine) -> None:
    await make_rows(engine)
    both_hold_one = asyncio.Event()
    tries: list[BaseException | None] = []

    async def work() -> None:
        try:
            await bump(engine, "a", "b", both_hold_one)
            tries.append(None)
        except DBAPIError as error:
            tries.append(error)
            raise

    async def other() -> None:
        # It waits last: PostgreSQL ends the transaction that waited longest (its deadlock
        # check comes first), `work`'s first try.
        await bump(engine, "b", "a", both_hold_one, late=0.3)

    async def meet() -> None:
        await asyncio.sleep(0.3)  # both transactions hold their first row by now
        both_hold_one.set()

    await asyncio.gather(retry_locked(work), other(), meet())
    deadlock, retried = tries
    assert deadlock is not None
    assert retry_reason(deadlock) == "PostgreSQL ended the transaction for a deadlock"
    assert retried is None
    assert await counts(engine) == {"a": 2, "b": 2}


async def test_a_transaction_whose_connection_was_lost_runs_again_on_a_new_one(
    engine: AsyncEngine,
) -> None:
    await make_rows(engine)
    tries = 0

    async def work() -> None:
        nonlocal tries
        tries += 1
        async with engine.begin() as connection:
            await connection.execute(text("UPDATE counters SET n = n + 1 WHERE name = 'a'"))
            if tries == 1:  # the server ends this session mid-transaction (a restart, say)
                await connection.execute(text("SELECT pg_terminate_backend(pg_backend_pid())"))

    await retry_locked(work)
    assert tries == 2
    assert await counts(engine) == {"a": 1, "b": 0}  # the lost try kept nothing

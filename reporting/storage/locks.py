"""Row locks that make writers take turns on one row: PostgreSQL's, none needed on SQLite.

On PostgreSQL several processes write at once, so a rule that reads then writes (a hamlet's
household cap, a commune's lock) holds only if its writers first lock the row the rule is
about. SQLite has one writer: every writing transaction here begins with BEGIN IMMEDIATE
(reporting/storage/db.py), which already takes the whole database, so the lock is left out.

The units' rows are always locked in one order, communes before hamlets and each by id, by
every writer (a tally, a confirmation, a roster re-import, a rebuild of the totals), so that
two transactions never wait for each other in a circle.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import TypeVar

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from reporting.storage.models import Level, Unit

T = TypeVar("T")


def locking(session: AsyncSession, statement: Select[T], *, shared: bool = False) -> Select[T]:
    """Returns the statement locking the rows it reads: alone, or shared with other sharers.

    Alone is FOR NO KEY UPDATE: it keeps out other lockers and writers of the rows but not
    inserts elsewhere that merely refer to them (a foreign key's check). The rows are read
    afresh, replacing what the session held: they may have changed while this waited.
    """
    statement = statement.execution_options(populate_existing=True)
    if not has_row_locks(session):
        return statement
    return statement.with_for_update(read=shared, key_share=not shared)


def has_row_locks(session: AsyncSession) -> bool:
    """Says whether the session's database locks rows (PostgreSQL) or only itself (SQLite)."""
    return session.get_bind().dialect.name != "sqlite"


async def lock_rows(
    session: AsyncSession, statement: Select[T], *, shared: bool = False
) -> list[T]:
    """Locks the rows a one-entity select finds until the transaction ends; returns them."""
    return list(await session.scalars(locking(session, statement, shared=shared)))


async def lock_hamlet(session: AsyncSession, hamlet: Unit) -> Unit:
    """Locks a hamlet's row (and shares its commune's) for a tally; returns it as stored now.

    Every writer of a hamlet's tallies takes this lock first, so that on PostgreSQL two of
    them (a leader and the commune on their behalf, a chat and an import) check the household
    cap and replace a day one after the other, and none lands in a commune confirmed meanwhile
    (confirming takes the commune's row alone).
    """
    return (await lock_hamlets(session, [hamlet]))[hamlet.id]


async def lock_hamlets(session: AsyncSession, hamlets: Collection[Unit]) -> dict[int, Unit]:
    """Locks hamlets' rows, sharing their communes' rows; returns them by id, as stored now.

    Always in one order, communes before hamlets and each by id, as every other locker of
    units does (confirming, a roster import, rebuilding the totals): two transactions never
    wait for each other in a circle.
    """
    communes = {hamlet.parent_id for hamlet in hamlets if hamlet.parent_id is not None}
    if communes and has_row_locks(session):  # only the lock matters: nothing to read
        await lock_rows(session, _by_id(communes), shared=True)
    locked = await lock_rows(session, _by_id({hamlet.id for hamlet in hamlets}))
    return {unit.id: unit for unit in locked}


def _by_id(unit_ids: Collection[int]) -> Select[Unit]:
    return select(Unit).where(Unit.id.in_(unit_ids)).order_by(Unit.id)


async def lock_every_commune(session: AsyncSession) -> None:
    """Locks every commune's row, in id order, for work on many hamlets at once (no commit).

    Tallies wait meanwhile (they share their commune's row), and this waits for those under way.
    """
    await lock_rows(session, select(Unit).where(Unit.level == Level.COMMUNE).order_by(Unit.id))


async def lock_commune(session: AsyncSession, commune_id: int, *, shared: bool = False) -> None:
    """Locks a commune's row until the transaction ends: shared by tallies, alone otherwise."""
    await lock_rows(session, select(Unit).where(Unit.id == commune_id), shared=shared)

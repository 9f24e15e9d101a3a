"""Row locks that make writers take turns on one row: PostgreSQL's, none needed on SQLite.

On PostgreSQL several processes write at once, so a rule that reads then writes (a hamlet's
household cap, a commune's lock) holds only if its writers first lock the row the rule is
about. SQLite has one writer: every writing transaction here begins with BEGIN IMMEDIATE
(reporting/storage/db.py), which already takes the whole database, so the lock is left out.
"""

from __future__ import annotations

from typing import TypeVar

from sqlalchemy import Select
from sqlalchemy.ext.asyncio import AsyncSession

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

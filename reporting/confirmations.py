"""A commune's figures confirmed (locked) in aggregation, and reopened by the district (§2.6).

Confirming, reopening and storing a tally all lock the commune's row first (a tally shares
it, the other two take it alone), so a tally never lands in a commune confirmed meanwhile and
a commune is never confirmed twice at once; a partial unique index keeps one open
confirmation per commune whatever the code does.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from reporting.storage.locks import lock_commune
from reporting.storage.models import Confirmation


async def is_locked(session: AsyncSession, commune_id: int) -> bool:
    """Says whether a commune's figures are confirmed and so closed to changes."""
    open_lock = select(Confirmation.id).where(
        Confirmation.commune_id == commune_id, Confirmation.unlocked_at.is_(None)
    )
    return (await session.scalar(open_lock.limit(1))) is not None


async def confirm(
    session: AsyncSession, commune_id: int, user_id: int | None, now: datetime
) -> bool:
    """Confirms (locks) a commune's figures; no commit. Returns False when already confirmed."""
    await lock_commune(session, commune_id)
    if await is_locked(session, commune_id):
        return False
    session.add(Confirmation(commune_id=commune_id, confirmed_at=now, confirmed_by=user_id))
    await session.flush()
    return True


async def unlock(
    session: AsyncSession, commune_id: int, user_id: int | None, now: datetime
) -> bool:
    """Reopens a confirmed commune (the confirmation is stamped, not deleted); no commit.

    Returns False when the commune was not locked.
    """
    await lock_commune(session, commune_id)
    open_locks = await session.scalars(
        select(Confirmation)
        .where(Confirmation.commune_id == commune_id, Confirmation.unlocked_at.is_(None))
        .execution_options(populate_existing=True)
    )
    unlocked = False
    for confirmation in open_locks:
        confirmation.unlocked_at, confirmation.unlocked_by = now, user_id
        unlocked = True
    return unlocked


async def locked_communes(session: AsyncSession, commune_ids: Collection[int]) -> set[int]:
    """Returns which of these communes are confirmed and so closed to changes (one query)."""
    query = select(Confirmation.commune_id).where(
        Confirmation.commune_id.in_(commune_ids), Confirmation.unlocked_at.is_(None)
    )
    return set(await session.scalars(query))

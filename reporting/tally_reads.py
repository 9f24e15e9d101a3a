"""What the stored tallies say of a hamlet: its tally on a day, and where it stands."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from reporting.storage.models import Tally


async def tally_on(session: AsyncSession, hamlet_id: int, day: date) -> Tally | None:
    """Returns the current tally of a hamlet for a day, if one was sent, as stored now."""
    return await session.scalar(
        select(Tally)
        .where(Tally.hamlet_id == hamlet_id, Tally.day == day)
        .execution_options(populate_existing=True)
    )


@dataclass(frozen=True, slots=True)
class Standing:
    """Where a hamlet stands on a day: forms it collected on other days; whether it reported."""

    elsewhere: int
    reported: bool


async def standings(
    session: AsyncSession, hamlet_ids: Collection[int], day: date
) -> dict[int, Standing]:
    """Returns each hamlet's standing on a day, all in one query."""
    other_days = case((Tally.day != day, Tally.collected), else_=0)
    that_day = case((Tally.day == day, 1), else_=0)
    query = (
        select(Tally.hamlet_id, func.sum(other_days), func.max(that_day))
        .where(Tally.hamlet_id.in_(hamlet_ids))
        .group_by(Tally.hamlet_id)
    )
    found = {
        row[0]: Standing(int(row[1] or 0), bool(row[2])) for row in await session.execute(query)
    }
    return {hamlet: found.get(hamlet, Standing(0, False)) for hamlet in hamlet_ids}


async def collected_elsewhere(session: AsyncSession, hamlet_id: int, day: date) -> int:
    """Returns the forms a hamlet collected on every day but `day`."""
    total = await session.scalar(
        select(func.coalesce(func.sum(Tally.collected), 0)).where(
            Tally.hamlet_id == hamlet_id, Tally.day != day
        )
    )
    return int(total or 0)

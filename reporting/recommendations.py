"""Households' recommendations (kiến nghị): the current tallies' notes, grouped by commune."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from reporting.storage.models import Tally, Unit


@dataclass(frozen=True, slots=True)
class Recommendation:
    """One hamlet's note of one day, as the hamlet leader wrote it."""

    hamlet: str
    day: date
    note: str


async def recommendations(session: AsyncSession, day: date) -> dict[int, list[Recommendation]]:
    """Returns the notes of the current tallies up to `day` by commune id, hamlet and day order."""
    query = (
        select(Unit.parent_id, Unit.name, Tally.day, Tally.note)
        .join(Unit, Tally.hamlet_id == Unit.id)
        .where(Tally.note.is_not(None), Tally.day <= day)
        .order_by(Unit.parent_id, Unit.name_key, Tally.day)
    )
    found: dict[int, list[Recommendation]] = {}
    for commune_id, hamlet, on, note in await session.execute(query):
        said = (note or "").strip()
        if said and commune_id is not None:  # a blank note says nothing to report
            found.setdefault(commune_id, []).append(Recommendation(hamlet, on, said))
    return found

"""A hamlet's running totals (the `hamlet_totals` table): read, and rebuilt from the tallies.

The tally service keeps them as it stores each tally (reporting/tallies.py), so that a
summary adds up one row per hamlet instead of every tally sent.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Row, delete, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from reporting.measures import Counts
from reporting.storage.locks import lock_every_commune
from reporting.storage.models import HamletTotal, Tally, Unit


async def running_totals(session: AsyncSession, hamlet: Unit, questions: int) -> Counts:
    """Returns a hamlet's figures over all its tallies, from the running totals; `questions`
    is how many the campaign asks, for a hamlet that has sent nothing yet."""
    row = (
        await session.execute(
            select(HamletTotal.collected, HamletTotal.invalid, HamletTotal.satisfied).where(
                HamletTotal.hamlet_id == hamlet.id
            )
        )
    ).one_or_none()
    if row is None:
        return Counts(hamlet.households, satisfied=(0,) * questions)
    return Counts(hamlet.households, row.collected, row.invalid, tuple(row.satisfied))


def add_up(households: int, questions: int, rows: Iterable[Row[Any]]) -> Counts:
    """Returns the sum of (collected, invalid, satisfied) rows as one unit's Counts."""
    collected = invalid = 0
    satisfied = [0] * questions
    for row in rows:
        collected += row.collected
        invalid += row.invalid
        for place, answers in enumerate(row.satisfied):
            satisfied[place] += answers
    return Counts(households, collected, invalid, tuple(satisfied))


async def rebuild_totals(session: AsyncSession) -> None:
    """Recomputes every hamlet's running totals from its tallies (after a bulk load); no commit.

    The totals are derived from the tallies, so replacing them loses nothing. Tallies wait
    meanwhile, so that none is counted twice or lost.
    """
    await lock_every_commune(session)
    await session.execute(delete(HamletTotal))
    by_hamlet: dict[int, list[Any]] = {}
    query = select(Tally.hamlet_id, Tally.collected, Tally.invalid, Tally.satisfied)
    for row in await session.execute(query):
        by_hamlet.setdefault(row.hamlet_id, []).append(row)
    totals = [
        {
            "hamlet_id": hamlet_id,
            "collected": counts.collected,
            "invalid": counts.invalid,
            "satisfied": list(counts.satisfied),
        }
        for hamlet_id, rows in by_hamlet.items()
        for counts in [add_up(0, len(rows[0].satisfied), rows)]
    ]
    if totals:
        await session.execute(insert(HamletTotal), totals)

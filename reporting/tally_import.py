"""Importing a file of hamlet-days through the tally service: every row checked, all or none."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from reporting.campaign import Campaign
from reporting.errors import Problem
from reporting.i18n import text
from reporting.tallies import Entry, Figures, record_tally
from reporting.tally_file import TallyFileError, TallyRow
from reporting.units import HamletFinder


async def import_tallies(
    session: AsyncSession,
    campaign: Campaign,
    rows: Sequence[TallyRow],
    *,
    channel: str,
    now: datetime,
    allow_late: bool = False,
) -> int:
    """Stores every row and commits, or raises TallyFileError listing each refused row."""
    problems: list[str] = []
    finder = await HamletFinder.load(session)
    for row in rows:
        try:
            async with session.begin_nested():
                hamlet = finder.find(row.commune, row.hamlet)
                figures = Figures(row.collected, row.invalid, row.satisfied, row.note)
                entry = Entry(hamlet, row.day, figures, None, channel, now, "import", allow_late)
                await record_tally(session, campaign, entry)
        except Problem as problem:
            problems.append(text("import.row", line=row.line, problem=problem.message()))
    if problems:
        await session.rollback()
        raise TallyFileError(problems)
    await session.commit()
    return len(rows)

"""Importing a file of hamlet-days through the tally service: every row checked, all or none.

A province's file takes minutes through the tally service, and SQLite has one writer: held in
one transaction, the write lock would shut the bot's leaders out for all that time. So the rows
go in short transactions of a few hamlets each, twice. The first pass checks every row with
the real rules and rolls each chunk back: a file with any refused row stores nothing. The
second pass stores the chunks, committing each, so the bot's writes get in between. A hamlet's
rows always share a chunk, since a row's check (the households it may still collect) depends
on that hamlet's other rows; different hamlets never depend on each other.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from contextlib import AbstractAsyncContextManager, suppress
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from reporting.campaign import Campaign
from reporting.errors import Problem
from reporting.i18n import text
from reporting.imports.tally_file import TallyFileError, TallyRow
from reporting.names import match_key
from reporting.storage.locks import lock_hamlets
from reporting.storage.models import Unit
from reporting.tallies import Entry, Figures, record_tally
from reporting.units import HamletFinder

Sessions = Callable[[], AbstractAsyncContextManager[AsyncSession]]
Progress = Callable[[int, int], None]  # (rows done, rows in all): checked, then stored
CHUNK_ROWS = 50  # about half a second of the write lock at a time on this machine's SQLite
# A pause between two chunks, longer than SQLite's longest wait (100 ms) between two tries of a
# writer waiting for the lock: without it this import takes the lock again at once, and a
# waiting bot, which SQLite does not queue, may never get it.
PAUSE = 0.12


async def import_tallies(
    sessions: Sessions,
    campaign: Campaign,
    rows: Sequence[TallyRow],
    *,
    channel: str,
    now: datetime,
    allow_late: bool = False,
    progress: Progress | None = None,
) -> int:
    """Stores every row, or raises TallyFileError listing each refused row and stores none.

    Rows refused only in the second pass (someone changed the same hamlets in between: a
    leader's report, a commune confirmed) stop the import there; the error then also says
    which lines were stored before it.
    """
    async with sessions() as session:  # closed, not committed: the units stay readable
        finder = await HamletFinder.load(session)
    chunks = _chunks(rows, finder)
    importer = _Importer(sessions, finder, campaign, channel, now, allow_late, progress)
    importer.total = 2 * len(rows)
    refused = [problem for chunk in chunks for problem in await importer.run(chunk, keep=False)]
    if refused:
        raise TallyFileError([message for _line, message in sorted(refused)])
    stored = 0
    for chunk in chunks:
        if refused := await importer.run(chunk, keep=True):
            heading = text("import.stopped", rows=stored, total=len(rows), count=len(refused))
            raise TallyFileError([message for _line, message in refused], heading)
        stored += len(chunk)
    return len(rows)


class _Importer:
    """Runs chunks of rows through the tally service, each chunk in a transaction of its own."""

    def __init__(
        self,
        sessions: Sessions,
        finder: HamletFinder,
        campaign: Campaign,
        channel: str,
        now: datetime,
        allow_late: bool,
        progress: Progress | None,
    ) -> None:
        self.sessions, self.finder, self.campaign = sessions, finder, campaign
        self.channel, self.now, self.allow_late, self.progress = channel, now, allow_late, progress
        self.total, self.done, self.runs = 0, 0, 0

    async def run(self, chunk: Sequence[TallyRow], *, keep: bool) -> list[tuple[int, str]]:
        """Records a chunk; returns its refused rows. Commits only when kept and none refused."""
        refused: list[tuple[int, str]] = []
        if self.runs:
            await asyncio.sleep(PAUSE)
        self.runs += 1
        async with self.sessions() as session:
            # all of the chunk's hamlets at once, in the one order every locker keeps
            await lock_hamlets(session, self._hamlets(chunk))
            for row in chunk:
                try:
                    async with session.begin_nested():
                        await self._record(session, row)
                except Problem as problem:
                    message = text("import.row", line=row.line, problem=problem.message())
                    refused.append((row.line, message))
            if keep and not refused:
                await session.commit()
            else:
                await session.rollback()
        self.done += len(chunk)
        if self.progress is not None:
            self.progress(self.done, self.total)
        return refused

    def _hamlets(self, chunk: Sequence[TallyRow]) -> list[Unit]:
        """Returns the hamlets the chunk's rows name (a row naming none is refused later)."""
        found = []
        for row in chunk:
            with suppress(Problem):
                found.append(self.finder.find(row.commune, row.hamlet))
        return found

    async def _record(self, session: AsyncSession, row: TallyRow) -> None:
        hamlet = self.finder.find(row.commune, row.hamlet)
        figures = Figures(row.collected, row.invalid, row.satisfied, row.note)
        entry = Entry(
            hamlet, row.day, figures, None, self.channel, self.now, "import", self.allow_late
        )
        await record_tally(session, self.campaign, entry)


def _chunks(rows: Sequence[TallyRow], finder: HamletFinder) -> list[list[TallyRow]]:
    """Returns the rows in chunks of about CHUNK_ROWS, each hamlet's rows together, in order."""
    by_hamlet: dict[object, list[TallyRow]] = {}
    for row in rows:
        by_hamlet.setdefault(_hamlet_key(finder, row), []).append(row)
    chunks: list[list[TallyRow]] = [[]]
    for hamlet_rows in by_hamlet.values():
        if chunks[-1] and len(chunks[-1]) + len(hamlet_rows) > CHUNK_ROWS:
            chunks.append([])
        chunks[-1].extend(hamlet_rows)
    return [chunk for chunk in chunks if chunk]


def _hamlet_key(finder: HamletFinder, row: TallyRow) -> object:
    """Returns the hamlet a row is for, or its names when they find none (it will be refused)."""
    try:
        return finder.find(row.commune, row.hamlet).id
    except Problem:
        return (match_key(row.commune), match_key(row.hamlet))

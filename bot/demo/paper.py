"""The paper side of the demo: communes whose spreadsheets the district imports each evening."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from openpyxl import Workbook
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.demo.plan import Report
from reporting.campaign import Campaign
from reporting.imports.tally_file import parse_tally_file
from reporting.imports.tally_store import import_tallies


def header(questions: int) -> tuple[str, ...]:
    """Returns the sheet's header row for a form of `questions` questions."""
    return (
        "xã",
        "xóm",
        "ngày",
        "phiếu thu",
        "phiếu không hợp lệ",
        *(f"câu {q}" for q in range(1, questions + 1)),
        "ghi chú",
    )


def write_sheet(path: Path, reports: Sequence[Report]) -> None:
    """Writes the day's paper reports as the commune offices send them: an Excel sheet."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(header(len(reports[0].figures.satisfied) if reports else 0))
    for report in reports:
        figures = report.figures
        sheet.append(
            [
                report.plan.commune,
                report.plan.hamlet,
                report.day.strftime("%d/%m/%Y"),
                figures.collected,
                figures.invalid,
                *figures.satisfied,
                None,
            ]
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)


async def import_sheet(
    sessions: async_sessionmaker[AsyncSession],
    campaign: Campaign,
    path: Path,
    reports: Sequence[Report],
    now: datetime,
) -> int:
    """Writes and imports one evening's sheet through the same path as `tally import`."""
    await asyncio.to_thread(write_sheet, path, reports)
    rows = await asyncio.to_thread(parse_tally_file, path, campaign.form.questions)
    return await import_tallies(sessions, campaign, rows, channel="import", now=now)

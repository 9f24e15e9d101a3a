"""`tallybot export`: the figures as JSON, CSV, the XLSX workbook, the posting PDF or the report.

Apart from the other commands because it loads pandas (and, for a workbook or the posting
sheets, openpyxl or matplotlib), which keying in a tally does not need.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from bot.cli.context import opened
from bot.cli.data import BadArgument, day_option
from bot.cli.progress import Progress
from reporting.exports.formats import render_export
from reporting.i18n import text
from reporting.recommendations import recommendations
from reporting.settings import Settings
from reporting.storage.db import read_only, sessions
from reporting.summaries import summarize
from reporting.units import find_commune

EXPORT_STEPS = 3  # read, render, write: the steps an export's progress counts
# Binary formats go to a file even without --out; text formats go to standard output.
DEFAULT_NAMES = {
    "xlsx": "tong-hop-{day:%Y-%m-%d}.xlsx",
    "pdf": "niem-yet-{day:%Y-%m-%d}.pdf",
    "report": "bao-cao-{day:%Y-%m-%d}.docx",
}


async def export(settings: Settings, args: argparse.Namespace) -> None:
    """Writes the figures as JSON, CSV, the XLSX workbook, the posting PDF or the report."""
    with Progress(text("cli.export_progress")) as progress:
        # one snapshot (REPEATABLE READ on PostgreSQL): figures written meanwhile are in all
        # of the sheets or in none
        async with opened(settings) as ctx, sessions(read_only(ctx.engine))() as session:
            now = ctx.clock.now()
            as_of = ctx.campaign.end_of_day(day_option(args.as_of)) if args.as_of else now
            summary = await summarize(session, ctx.campaign, as_of)
            communes = [await find_commune(session, name) for name in args.commune]
            wanted = args.format == "report"
            notes = await recommendations(session, summary.day) if wanted else None
        progress.update(1, EXPORT_STEPS)
        if communes and args.format != "pdf":
            raise BadArgument("cli.commune_pdf_only")
        surveyed = {commune.unit_id for commune in summary.communes}
        if unsurveyed := [c.name for c in communes if c.id not in surveyed]:
            raise BadArgument("cli.commune_not_surveyed", commune=", ".join(unsurveyed))
        content = await asyncio.to_thread(
            render_export, summary, args.format, [c.id for c in communes] or None, notes
        )
        progress.update(2, EXPORT_STEPS)
        out = args.out or DEFAULT_NAMES.get(args.format, "").format(day=summary.day)
        if out:
            await asyncio.to_thread(Path(out).write_bytes, content)
        progress.update(EXPORT_STEPS, EXPORT_STEPS)
    if out:
        print(text("cli.export_done", path=out), file=sys.stderr)
    else:
        sys.stdout.write(content.decode("utf-8"))

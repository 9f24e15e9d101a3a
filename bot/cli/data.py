"""Keying in paper reports (tally add / import) and exporting the figures."""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import date
from pathlib import Path

from bot.cli.context import opened
from bot.cli.progress import Progress
from reporting.errors import Problem
from reporting.export_formats import render_export
from reporting.i18n import text
from reporting.settings import Settings
from reporting.storage.db import read_only, sessions
from reporting.summaries import summarize
from reporting.tabular import CountError, parse_count
from reporting.tallies import Entry, Figures, submit_tally
from reporting.tally_file import parse_day, parse_tally_file
from reporting.tally_import import import_tallies
from reporting.units import find_commune, find_hamlet

CHANNEL = "cli"
EXPORT_STEPS = 3  # read, render, write: the steps an export's progress counts
# Binary formats go to a file even without --out; text formats go to standard output.
DEFAULT_NAMES = {"xlsx": "tong-hop-{day:%Y-%m-%d}.xlsx", "pdf": "niem-yet-{day:%Y-%m-%d}.pdf"}


class BadArgument(Problem):
    """A command-line value that is not what the command expects."""


async def tally_add(settings: Settings, args: argparse.Namespace) -> None:
    """Stores one hamlet-day from the command line, with the same rules as the chat."""
    figures = Figures(
        collected=_count("--collected", args.collected),
        invalid=_count("--invalid", args.invalid),
        satisfied=tuple(_count("--satisfied", part) for part in args.satisfied.split(",")),
        note=args.note,
    )
    day = _day(args.date)
    async with opened(settings) as ctx, ctx.sessions() as session:
        hamlet = await find_hamlet(session, args.hamlet)
        entry = Entry(hamlet, day, figures, None, CHANNEL, ctx.clock.now(), args.reason, args.late)
        submission = await submit_tally(session, ctx.campaign, entry)
    key = "cli.tally_replaced" if submission.replaced else "cli.tally_stored"
    print(text(key, hamlet=hamlet.name, day=day.strftime("%d/%m/%Y")))


async def tally_import(settings: Settings, args: argparse.Namespace) -> None:
    """Imports hamlet-days from a file: every row is checked, and all are stored or none."""
    rows = parse_tally_file(args.file)
    async with opened(settings) as ctx:
        with Progress(text("cli.import_progress")) as progress:
            count = await import_tallies(
                ctx.sessions,
                ctx.campaign,
                rows,
                channel=CHANNEL,
                now=ctx.clock.now(),
                allow_late=args.late,
                progress=progress.update,
            )
    print(text("cli.import_done", rows=count))


async def export(settings: Settings, args: argparse.Namespace) -> None:
    """Writes the figures as JSON, CSV, the XLSX workbook or the posting PDF."""
    with Progress(text("cli.export_progress")) as progress:
        # one snapshot (REPEATABLE READ on PostgreSQL): figures written meanwhile are in all
        # of the sheets or in none
        async with opened(settings) as ctx, sessions(read_only(ctx.engine))() as session:
            as_of = ctx.campaign.end_of_day(_day(args.as_of)) if args.as_of else ctx.clock.now()
            summary = await summarize(session, ctx.campaign, as_of)
            communes = [await find_commune(session, name) for name in args.commune]
        progress.update(1, EXPORT_STEPS)
        if communes and args.format != "pdf":
            raise BadArgument("cli.commune_pdf_only")
        surveyed = {commune.unit_id for commune in summary.communes}
        if unsurveyed := [c.name for c in communes if c.id not in surveyed]:
            raise BadArgument("cli.commune_not_surveyed", commune=", ".join(unsurveyed))
        content = await asyncio.to_thread(
            render_export, summary, args.format, [c.id for c in communes] or None
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


def _count(option: str, value: str) -> int:
    try:
        return parse_count(value)
    except CountError as error:
        problem = text(error.key, value=error.value)
        raise BadArgument("cli.bad_option", option=option, problem=problem) from None


def _day(value: str) -> date:
    try:
        return parse_day(value)
    except ValueError:
        raise BadArgument("cli.bad_date", value=value) from None

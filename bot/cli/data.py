"""Keying in paper reports: tally add and tally import."""

from __future__ import annotations

import argparse
from datetime import date

from bot.cli.context import opened
from bot.cli.progress import Progress
from reporting.counts import parse_count
from reporting.errors import CountError, Problem
from reporting.i18n import text
from reporting.imports.tally_file import parse_day, parse_tally_file
from reporting.imports.tally_store import import_tallies
from reporting.settings import Settings
from reporting.tallies import Entry, Figures, submit_tally
from reporting.units import find_hamlet

CHANNEL = "cli"


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
    day = day_option(args.date)
    async with opened(settings) as ctx, ctx.sessions() as session:
        hamlet = await find_hamlet(session, args.hamlet)
        entry = Entry(hamlet, day, figures, None, CHANNEL, ctx.clock.now(), args.reason, args.late)
        submission = await submit_tally(session, ctx.campaign, entry)
    key = "cli.tally_replaced" if submission.replaced else "cli.tally_stored"
    print(text(key, hamlet=hamlet.name, day=day.strftime("%d/%m/%Y")))


async def tally_import(settings: Settings, args: argparse.Namespace) -> None:
    """Imports hamlet-days from a file: every row is checked, and all are stored or none."""
    async with opened(settings) as ctx:
        rows = parse_tally_file(args.file, ctx.campaign.form.questions)
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


def _count(option: str, value: str) -> int:
    try:
        return parse_count(value)
    except CountError as error:
        raise BadArgument("cli.bad_option", option=option, problem=error.message()) from None


def day_option(value: str) -> date:
    """Returns the day a DATE option gives (dd/mm/yyyy or yyyy-mm-dd), or raises BadArgument."""
    try:
        return parse_day(value)
    except ValueError:
        raise BadArgument("cli.bad_date", value=value) from None

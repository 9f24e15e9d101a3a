"""`tallybot assignments import`: the district's table of who answers for which communes."""

from __future__ import annotations

import argparse
from pathlib import Path

from bot.cli.context import Context, opened
from reporting.assignments import AssignmentChanges, import_assignments
from reporting.i18n import text
from reporting.imports.assignment_file import parse_assignments
from reporting.settings import Settings
from reporting.units import communes


async def assignments_import(settings: Settings, args: argparse.Namespace) -> None:
    """Imports an assignment table: all people or none; prints who is new and who is absent."""
    async with opened(settings) as ctx:
        changes = await load_assignments(ctx, args.file)
    print(
        text(
            "cli.assignments_done",
            added=len(changes.added),
            updated=len(changes.updated),
            unchanged=changes.unchanged,
        )
    )
    if changes.added:
        print(text("cli.assignments_new"))
        for user in changes.added:
            print(f"{user.id}\t{user.name}\t{user.position}")
    if changes.absent:
        print(text("cli.assignments_absent", count=len(changes.absent)))
        for user in changes.absent:
            print(f"{user.id}\t{user.name}\t{user.position}")


async def load_assignments(ctx: Context, path: str | Path) -> AssignmentChanges:
    """Reads an assignment table against the roster and stores its people (all or none);
    returns what changed, or raises AssignmentFileError listing every bad line."""
    async with ctx.sessions() as session:
        people = parse_assignments(path, await communes(session))
        return await import_assignments(session, people, ctx.clock.now())

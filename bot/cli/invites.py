"""`tallybot invite`: codes for a role and its units, for many units at once (a CSV for mail
merge), for an existing user, or cancelled."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot.cli.context import AdminRefused, opened
from reporting.i18n import text
from reporting.invite_batch import (
    grants_for_lines,
    invites_csv,
    read_unit_lines,
    surveyed_hamlet_grants,
)
from reporting.people import (
    InviteRefused,
    cancel_invite,
    create_invites,
    create_user_invite,
    stage_invites,
)
from reporting.roles import Role
from reporting.settings import Settings
from reporting.units import find_unit_path
from reporting.wording import level_words


async def invite(settings: Settings, args: argparse.Namespace) -> None:
    """Prints new invite codes, one per line: for a role and its units, or for a user.

    With --file or --all-hamlets, makes one code per unit and writes them as CSV; with
    --cancel, cancels one unused code instead.
    """
    if args.file is not None or args.all_hamlets:
        await _invite_many(settings, args)
        return
    if args.out is not None:
        raise AdminRefused("cli.invite_out_many_only")
    if args.cancel is not None:
        await _cancel_invite(settings, args)
        return
    if args.user is not None:
        await _invite_for_user(settings, args)
        return
    if args.role is None:
        raise AdminRefused("cli.invite_needs_role")
    count = 1 if args.count is None else args.count
    if not 1 <= count <= 500:
        raise AdminRefused("cli.invite_count", count=count)
    async with opened(settings) as ctx, ctx.sessions() as session:
        units = [await find_unit_path(session, path) for path in args.unit]
        codes = await create_invites(
            session, Role(args.role), units, count, ctx.clock.now(), settings.INVITE_DAYS
        )
    for code in codes:
        print(code.code)


async def _invite_many(settings: Settings, args: argparse.Namespace) -> None:
    """Makes one code per unit of the file (or per surveyed hamlet) in one transaction and
    writes them as CSV to --out or standard output; a refused file makes none."""
    role = _many_role(args)
    out = Path(args.out) if args.out is not None else None
    if out is not None and out.exists():
        raise AdminRefused("cli.invite_out_exists", path=out)
    lines = read_unit_lines(args.file) if args.file is not None else None
    async with opened(settings) as ctx, ctx.sessions() as session:
        if lines is not None:
            grants = await grants_for_lines(session, lines, role)
        else:
            grants = await surveyed_hamlet_grants(session)
        if not grants:
            raise AdminRefused("cli.invite_no_hamlets", **level_words(ctx.campaign.levels))
        pairs = [(grant.role, grant.unit) for grant in grants]
        made = await stage_invites(session, pairs, ctx.clock.now(), settings.INVITE_DAYS)
        content = invites_csv(zip(grants, made, strict=True), ctx.campaign.timezone)
        if out is None:
            await session.commit()
        else:
            # The file is written before the commit: codes nobody can read are never made.
            write_new(out, content)
            try:
                await session.commit()
            except BaseException:
                out.unlink(missing_ok=True)
                raise
    if out is None:
        sys.stdout.write(content)
    else:
        print(text("cli.invites_written", count=len(made), path=out), file=sys.stderr)


def _many_role(args: argparse.Namespace) -> Role | None:
    """Returns the role asked for with --file or --all-hamlets (None: each unit's own leader)."""
    both = args.file is not None and args.all_hamlets
    others = (args.unit, args.count is not None, args.user is not None, args.cancel is not None)
    if both or any(others):
        raise AdminRefused("cli.invite_many_alone")
    role = None if args.role is None else Role(args.role)
    if args.all_hamlets and role not in (None, Role.HAMLET):
        raise AdminRefused("cli.invite_all_hamlets_role")
    if role is Role.DISTRICT:
        raise InviteRefused("invite.district_takes_no_unit")
    return role


def write_new(out: Path, content: str | bytes) -> None:
    """Writes a new file: text as UTF-8 with a BOM (Excel needs it to show the diacritics),
    bytes as they are; refuses a file that exists or cannot be written."""
    try:
        if isinstance(content, bytes):
            with out.open("xb") as binary:
                binary.write(content)
            return
        with out.open("x", encoding="utf-8-sig", newline="") as stream:
            stream.write(content)
    except FileExistsError:
        raise AdminRefused("cli.invite_out_exists", path=out) from None
    except OSError as error:
        raise AdminRefused("cli.invite_out_failed", path=out, error=error) from None


async def _cancel_invite(settings: Settings, args: argparse.Namespace) -> None:
    if args.role is not None or args.unit or args.count is not None or args.user is not None:
        raise AdminRefused("cli.invite_cancel_alone")
    async with opened(settings) as ctx, ctx.sessions() as session:
        cancelled = await cancel_invite(session, args.cancel, ctx.clock.now())
    print(text("cli.invite_cancelled", code=cancelled.code))


async def _invite_for_user(settings: Settings, args: argparse.Namespace) -> None:
    if args.role is not None or args.unit or args.count is not None:
        raise AdminRefused("cli.invite_user_alone")
    async with opened(settings) as ctx, ctx.sessions() as session:
        made = await create_user_invite(session, args.user, ctx.clock.now(), settings.INVITE_DAYS)
    print(made.code)

"""`tallybot invite`: codes for a role and its units, for an existing user, or cancelled."""

from __future__ import annotations

import argparse

from bot.cli.context import AdminRefused, opened
from reporting.i18n import text
from reporting.people import cancel_invite, create_invites, create_user_invite
from reporting.roles import Role
from reporting.settings import Settings
from reporting.units import find_unit_path


async def invite(settings: Settings, args: argparse.Namespace) -> None:
    """Prints new invite codes, one per line: for a role and its units, or for a user.

    With --cancel, cancels one unused code instead.
    """
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

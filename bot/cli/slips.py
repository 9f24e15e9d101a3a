"""`tallybot invite slips`: printed invite slips for the unit leaders not registered yet, as an
A4 PDF to cut, or as CSV for a mail merge."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot.cli.context import AdminRefused, opened
from bot.cli.invites import write_new
from reporting.campaign import Campaign
from reporting.i18n import text
from reporting.invite_batch import Grant
from reporting.invite_slips import (
    SLIP_ROLES,
    SLIPS_PER_PAGE,
    Channels,
    Slip,
    SlipRefused,
    grant_slip,
    slip_channels,
    slip_expiry,
    slip_grants,
    slips_csv,
)
from reporting.people import new_invites
from reporting.roles import Role
from reporting.settings import Settings
from reporting.units import unit_path


async def invite_slips(settings: Settings, args: argparse.Namespace) -> None:
    """Makes one code per unit leader not registered yet, valid to the end of collection, and
    writes their slips to a new file; lists the units left out on standard output."""
    invite_options = (args.file, args.all_hamlets, args.unit, args.count, args.user, args.cancel)
    if any(option not in (None, False, []) for option in invite_options):
        raise AdminRefused("cli.slips_alone")
    channels = slip_channels(settings)
    _say_left_out_channels(channels)
    out = _new_file(args.out)
    roles = SLIP_ROLES if args.role == "all" else (Role(args.role),)
    async with opened(settings) as ctx, ctx.sessions() as session:
        grants, left_out = await slip_grants(session, roles, args.commune)
        labels = [await unit_path(session, grant.unit) for grant in left_out]
        if not grants and not left_out:
            raise AdminRefused("cli.invite_no_hamlets")
        if not grants:
            raise SlipRefused("slips.none_left")
        now = ctx.clock.now()
        until = slip_expiry(ctx.campaign, now, settings.INVITE_DAYS)
        made = new_invites([(grant.role, grant.unit) for grant in grants], now, until)
        slips = [grant_slip(g, i.code, i.expires_at) for g, i in zip(grants, made, strict=True)]
        # Drawing a district's slips takes a minute: no transaction stays open meanwhile, and
        # the codes are stored only once their file is written (none that nobody can read).
        await session.rollback()
        write_new(out, _content(slips, channels, ctx.campaign, args.format))
        session.add_all(made)
        try:
            await session.commit()
        except BaseException:
            _remove(out)
            raise
    _list_left_out(left_out, labels)
    if args.format == "csv":
        print(text("slips.csv_written", count=len(slips), path=out), file=sys.stderr)
    else:
        pages = -(-len(slips) // SLIPS_PER_PAGE)
        print(text("slips.written", count=len(slips), pages=pages, path=out), file=sys.stderr)


def _content(slips: list[Slip], channels: Channels, campaign: Campaign, form: str) -> str | bytes:
    """Returns the slips as CSV text, or as PDF bytes (loading matplotlib only then)."""
    if form == "csv":
        return slips_csv(slips, channels, campaign.timezone)
    from reporting.slip_pdf import slips_pdf

    return slips_pdf(slips, channels, campaign, "vi")


def _new_file(name: str) -> Path:
    """Returns the path of the file to write, refusing one that exists before any code is made."""
    out = Path(name)
    if out.exists():
        raise AdminRefused("cli.invite_out_exists", path=out)
    return out


def _remove(out: Path) -> None:
    out.unlink(missing_ok=True)


def _say_left_out_channels(channels: Channels) -> None:
    if not channels.telegram:
        line = text("slips.channel_left_out", channel="Telegram", setting="TELEGRAM_BOT_USERNAME")
        print(line, file=sys.stderr)
    if not channels.zalo:
        setting = "ZALO_BOT_NAME / ZALO_BOT_LINK"
        print(text("slips.channel_left_out", channel="Zalo", setting=setting), file=sys.stderr)


def _list_left_out(left_out: list[Grant], labels: list[str]) -> None:
    """Prints the units whose leader has registered: a heading, then one unit a line."""
    if not left_out:
        return
    print(text("slips.left_out", count=len(left_out)))
    for grant, label in zip(left_out, labels, strict=True):
        print(f"{label}\t{grant.role.value}")

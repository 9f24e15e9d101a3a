"""`tallybot invite slips`: printed invite slips for the unit leaders not registered yet and
for the people of the assignment table without a chat account, as an A4 PDF to cut, or as CSV
for a mail merge."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.cli.context import AdminRefused, Context, opened
from bot.cli.invites import write_new
from reporting.campaign import Campaign
from reporting.i18n import text
from reporting.invite_slips import (
    SLIP_ROLES,
    SLIPS_PER_PAGE,
    Channels,
    Slip,
    SlipRefused,
    slip_channels,
    slip_expiry,
    slip_targets,
    slips_csv,
    target_invites,
    target_slip,
)
from reporting.roles import Role
from reporting.settings import Settings
from reporting.storage.models import Invite, User
from reporting.units import unit_path
from reporting.wording import level_words


@dataclass(frozen=True, slots=True)
class PrintedSlips:
    """What a print of slips made: the slips and their codes (in print order), and who was
    left out because registered, each as the line that lists them."""

    slips: list[Slip]
    invites: list[Invite]
    units_left_out: list[str]
    people_left_out: list[str]

    @property
    def pages(self) -> int:
        """Returns how many A4 pages the slips take as a PDF."""
        return -(-len(self.slips) // SLIPS_PER_PAGE)


async def invite_slips(settings: Settings, args: argparse.Namespace) -> None:
    """Makes one code per unit leader and per person of the assignment table not registered
    yet, valid to the end of collection, and writes their slips to a new file; lists the
    units and people left out on standard output."""
    invite_options = (args.file, args.all_hamlets, args.unit, args.count, args.user, args.cancel)
    if any(option not in (None, False, []) for option in invite_options):
        raise AdminRefused("cli.slips_alone")
    channels = slip_channels(settings)
    _say_left_out_channels(channels)
    out = _new_file(args.out)
    roles = SLIP_ROLES if args.role == "all" else (Role(args.role),)
    async with opened(settings) as ctx:
        printed = await print_slips(ctx, roles, args.commune, channels, out, args.format)
    _list_left_out(printed)
    if args.format == "csv":
        print(text("slips.csv_written", count=len(printed.slips), path=out), file=sys.stderr)
    else:
        written = text("slips.written", count=len(printed.slips), pages=printed.pages, path=out)
        print(written, file=sys.stderr)


async def print_slips(
    ctx: Context,
    roles: Sequence[Role],
    commune_names: Sequence[str],
    channels: Channels,
    out: Path,
    form: str = "pdf",
) -> PrintedSlips:
    """Makes the codes of the roles' slips in the communes (every surveyed one without
    names), writes the slips to the new file `out`, then stores the codes; returns what it
    made and whom it left out. Nothing is stored when the file cannot be written."""
    async with ctx.sessions() as session:
        targets = await slip_targets(session, roles, commune_names)
        units = [
            f"{await unit_path(session, g.unit)}\t{g.role.value}" for g in targets.units_left_out
        ]
        people = [_person_line(user) for user in targets.people_left_out]
        if not targets.printed and not units and not people:
            if set(roles) <= {Role.OFFICIAL, Role.DISTRICT}:
                raise SlipRefused("slips.no_table_people")
            raise AdminRefused("cli.invite_no_hamlets", **level_words(ctx.campaign.levels))
        if not targets.printed:
            raise SlipRefused("slips.none_left")
        now = ctx.clock.now()
        until = slip_expiry(ctx.campaign, now, ctx.settings.INVITE_DAYS)
        made = target_invites(targets.printed, now, until)
        slips = [target_slip(t, i) for t, i in zip(targets.printed, made, strict=True)]
        # Drawing a district's slips takes a minute: no transaction stays open meanwhile, and
        # the codes are stored only once their file is written (none that nobody can read).
        await session.rollback()
        write_new(out, _content(slips, channels, ctx.campaign, form))
        session.add_all(made)
        try:
            await session.commit()
        except BaseException:
            _remove(out)
            raise
    return PrintedSlips(slips, made, units, people)


def _person_line(user: User) -> str:
    """Returns how a person left out is listed: id, name, position and role, tab-separated."""
    return f"{user.id}\t{user.name}\t{user.position}\t{user.role}"


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


def _list_left_out(printed: PrintedSlips) -> None:
    """Prints the units whose leader has registered and the table's people who have a chat
    account: for each group, a heading, then one a line."""
    if printed.units_left_out:
        print(text("slips.left_out", count=len(printed.units_left_out)))
        print("\n".join(printed.units_left_out))
    if printed.people_left_out:
        print(text("slips.left_out_people", count=len(printed.people_left_out)))
        print("\n".join(printed.people_left_out))

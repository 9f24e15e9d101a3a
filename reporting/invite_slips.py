"""Printed invite slips (`tallybot invite slips`): who gets one, the code's links on each channel,
and the same slips as CSV for a mail merge. The PDF itself is drawn by `reporting.slip_pdf`.

A slip is made for a unit whose leader has not registered yet: a hamlet (or commune) that
already has an active user of that role with a chat account is left out and named, so that
printing slips again after the conference does not hand a second leader a code.

A slip is also made for each person the assignment table names (`tallybot assignments import`)
who has no chat account yet: the same `Slip`, with their name, position and communes, its code
made for that user (as `tallybot invite --user` makes one), so that redeeming it gives the
chat account to the person the table named. People who have an account are left out and named.
A commune for which the table names a commune user gets that person's slip, not an anonymous
commune leader's.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from typing import Final

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from reporting.campaign import Campaign
from reporting.errors import Problem
from reporting.invite_batch import Grant, surveyed_hamlet_grants
from reporting.names import inert
from reporting.people import new_invites, new_user_invites
from reporting.roles import Role
from reporting.settings import Settings
from reporting.storage.models import Identity, Invite, Unit, User, UserUnit
from reporting.units import UnitFinder, communes

SLIP_ROLES: Final = (Role.HAMLET, Role.COMMUNE, Role.OFFICIAL, Role.DISTRICT)  # --role all
SLIPS_PER_PAGE: Final = 6  # 2 × 3 on an A4 page, each slip 105 × 99 mm
CSV_COLUMNS: Final = (
    "person",
    "position",
    "unit",
    "commune",
    "role",
    "code",
    "code_printed",
    "expires",
    "telegram_link",
    "zalo_name",
    "zalo_link",
)
# Telegram usernames: 5–32 letters, digits and underscores (a bot's ends in "bot").
_TELEGRAM_USERNAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{4,31}")


class SlipRefused(Problem):
    """Slips that cannot be made as asked; the message says which setting or option to fix."""


@dataclass(frozen=True, slots=True)
class Channels:
    """How a slip opens the bot: Telegram's username; Zalo's bot name and shared link."""

    telegram_username: str = ""
    zalo_name: str = ""
    zalo_link: str = ""

    @property
    def telegram(self) -> bool:
        """Says whether slips carry the Telegram QR code."""
        return bool(self.telegram_username)

    @property
    def zalo(self) -> bool:
        """Says whether slips carry the Zalo part (name, QR code of the link, or both)."""
        return bool(self.zalo_name or self.zalo_link)

    def telegram_link(self, code: str) -> str:
        """Returns the link that opens the bot on Telegram with the code (`/start CODE`)."""
        return f"https://t.me/{self.telegram_username}?start={code}" if self.telegram else ""


@dataclass(frozen=True, slots=True)
class Slip:
    """One printed invitation: for whom (role, units, perhaps a name), the code, its expiry."""

    role: Role
    code: str
    expires_at: datetime
    communes: tuple[str, ...]
    hamlet: str | None = None
    person: str | None = None
    position: str | None = None


@dataclass(frozen=True, slots=True)
class SlipTargets:
    """Whom to print slips for, in print order (unit leaders' grants and the table's people),
    and who is left out because they have registered already."""

    printed: list[Grant | User]
    units_left_out: list[Grant]
    people_left_out: list[User]


def slip_channels(settings: Settings) -> Channels:
    """Returns the channels the slips carry, or raises SlipRefused naming the setting to fix.

    No network: the names come from the settings, not from Telegram's or Zalo's getMe.
    """
    username = settings.TELEGRAM_BOT_USERNAME.removeprefix("@")
    if username and not _TELEGRAM_USERNAME.fullmatch(username):
        raise SlipRefused("slips.bad_telegram_username", value=settings.TELEGRAM_BOT_USERNAME)
    link = settings.ZALO_BOT_LINK
    if link and not link.startswith("https://"):
        raise SlipRefused("slips.bad_zalo_link", value=link)
    channels = Channels(username, settings.ZALO_BOT_NAME, link)
    if not channels.telegram and not channels.zalo:
        raise SlipRefused("slips.no_channel")
    if settings.TELEGRAM_BOT_TOKEN and not channels.telegram:
        raise SlipRefused("slips.telegram_username_missing")
    if settings.ZALO_BOT_TOKEN and not channels.zalo:
        raise SlipRefused("slips.zalo_missing")
    return channels


def slip_expiry(campaign: Campaign, now: datetime, days: int) -> datetime:
    """Returns when slip codes expire: at the end of the collection window, the date the slip
    prints; or `days` days from now for slips printed less than a day before that end, or
    after it (late slips still give their holder time)."""
    end = campaign.end_of_day(campaign.phases.collection[1])
    return end if end - now >= timedelta(days=1) else now + timedelta(days=days)


def spaced(code: str) -> str:
    """Returns a code as printed, in groups of four ("VN9F RYAS"); the chat accepts it so."""
    return " ".join(code[start : start + 4] for start in range(0, len(code), 4))


async def slip_targets(
    session: AsyncSession, roles: Sequence[Role], commune_names: Sequence[str]
) -> SlipTargets:
    """Returns whom the slips of `roles` are for in the surveyed communes (only the named
    ones, if any): the table's district staff (the whole district's, so in every commune's
    scope) and officials of those communes first, in table order; then commune by commune,
    its commune users (or, when the table names none, its leader's unit slip) and hamlets."""
    chosen = await _chosen_communes(session, commune_names)
    people = await _table_people(session, roles, chosen)
    covered = {user.units[0].id for user in people if user.role == Role.COMMUNE and user.units}
    grants, units_left_out = await _unit_grants(session, roles, chosen, covered)
    registered = [user for user in people if user.identities]
    waiting = [user for user in people if not user.identities]
    printed: list[Grant | User] = [user for user in waiting if user.role != Role.COMMUNE]
    for commune in chosen:
        printed += [u for u in waiting if u.role == Role.COMMUNE and u.units[0].id == commune.id]
        printed += [grant for grant in grants if grant.commune.id == commune.id]
    return SlipTargets(printed, units_left_out, registered)


async def slip_grants(
    session: AsyncSession, roles: Sequence[Role], commune_names: Sequence[str]
) -> tuple[list[Grant], list[Grant]]:
    """Returns (grants to print, grants left out because their leader has registered) for the
    leaders of the roles' units in the surveyed communes (only the named ones, if any), by
    commune then hamlet."""
    chosen = await _chosen_communes(session, commune_names)
    return await _unit_grants(session, roles, chosen, set())


def target_invites(
    targets: Sequence[Grant | User], now: datetime, expires_at: datetime
) -> list[Invite]:
    """Returns one new code per target, valid until `expires_at`, not yet added to a session:
    a unit leader's code for a grant, a code that gives the chat account to the user for a
    person of the table."""
    return [
        new_user_invites([target], now, expires_at)[0]
        if isinstance(target, User)
        else new_invites([(target.role, target.unit)], now, expires_at)[0]
        for target in targets
    ]


def target_slip(target: Grant | User, invite: Invite) -> Slip:
    """Returns the slip of a target's code: a unit leader's, or a named person's."""
    if isinstance(target, Grant):
        return grant_slip(target, invite.code, invite.expires_at)
    communes = tuple(unit.name for unit in target.units)
    role = Role(target.role)
    return Slip(role, invite.code, invite.expires_at, communes, None, target.name, target.position)


async def _unit_grants(
    session: AsyncSession, roles: Sequence[Role], chosen: list[Unit], covered: set[int]
) -> tuple[list[Grant], list[Grant]]:
    """Returns (grants to print, grants whose leader has registered) of the chosen communes'
    units, leaving out the commune leader's grant of the `covered` communes."""
    wanted: list[Grant] = []
    if Role.COMMUNE in roles:
        wanted += [Grant(Role.COMMUNE, c, c) for c in chosen if c.id not in covered]
    if Role.HAMLET in roles:
        ids = {commune.id for commune in chosen}
        wanted += [g for g in await surveyed_hamlet_grants(session) if g.commune.id in ids]
    wanted.sort(key=lambda grant: (chosen.index(grant.commune), grant.role is Role.HAMLET))
    registered = await registered_units(session, roles)
    left_out = [grant for grant in wanted if (grant.role, grant.unit.id) in registered]
    return [grant for grant in wanted if grant not in left_out], left_out


async def registered_units(session: AsyncSession, roles: Sequence[Role]) -> set[tuple[Role, int]]:
    """Returns (role, unit id) of every unit with an active user of that role who has a chat
    account: a leader who has registered."""
    query = (
        select(User.role, UserUnit.unit_id)
        .join(UserUnit, UserUnit.user_id == User.id)
        .where(User.role.in_([role.value for role in roles]), User.revoked_at.is_(None))
        .where(select(Identity.id).where(Identity.user_id == User.id).exists())
    )
    return {(Role(role), unit_id) for role, unit_id in await session.execute(query)}


async def _table_people(
    session: AsyncSession, roles: Sequence[Role], chosen: list[Unit]
) -> list[User]:
    """Returns the active people of the assignment table with one of the roles who answer for
    a chosen commune (district staff: always), in table order, their chat accounts loaded."""
    table_roles = [role.value for role in roles if role is not Role.HAMLET]
    query = (
        select(User)
        .where(User.position.is_not(None), User.revoked_at.is_(None))
        .where(User.role.in_(table_roles))
        .options(selectinload(User.identities))
        .order_by(User.id)
    )
    ids = {commune.id for commune in chosen}
    return [
        user
        for user in await session.scalars(query)
        if user.role == Role.DISTRICT or any(unit.id in ids for unit in user.units)
    ]


def grant_slip(grant: Grant, code: str, expires_at: datetime) -> Slip:
    """Returns the slip of a unit leader's code."""
    hamlet = grant.unit.name if grant.role is Role.HAMLET else None
    return Slip(grant.role, code, expires_at, (grant.commune.name,), hamlet)


def slips_csv(slips: Iterable[Slip], channels: Channels, zone: tzinfo) -> str:
    """Returns the slips as CSV for a mail merge (columns CSV_COLUMNS, expiry in campaign time
    dd/mm/yyyy hh:mm); names a spreadsheet would run as formulas are made inert."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for slip in slips:
        expires = slip.expires_at.astimezone(zone).strftime("%d/%m/%Y %H:%M")
        unit = slip.hamlet or ", ".join(slip.communes)
        person = (slip.person or "", slip.position or "")
        names = [inert(name) for name in (*person, unit, ", ".join(slip.communes))]
        links = [channels.telegram_link(slip.code), channels.zalo_name, channels.zalo_link]
        row = [*names, slip.role.value, slip.code, spaced(slip.code), expires, *links]
        writer.writerow(row)
    return buffer.getvalue()


async def _chosen_communes(session: AsyncSession, names: Sequence[str]) -> list[Unit]:
    """Returns the surveyed communes, or the named ones in the order given (UnitNotFound for
    a name that means none or several)."""
    if not names:
        return await communes(session, surveyed_only=True)
    finder = UnitFinder(session)
    found: list[Unit] = []
    for name in names:
        commune = await finder.commune(name)
        if not commune.surveyed:
            raise SlipRefused("slips.not_surveyed", name=commune.name)
        if commune not in found:
            found.append(commune)
    return found

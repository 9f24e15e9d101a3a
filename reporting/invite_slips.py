"""Printed invite slips (`tallybot invite slips`): who gets one, the code's links on each channel,
and the same slips as CSV for a mail merge. The PDF itself is drawn by `reporting.slip_pdf`.

A slip is made for a unit whose leader has not registered yet: a hamlet (or commune) that
already has an active user of that role with a chat account is left out and named, so that
printing slips again after the conference does not hand a second leader a code. A slip for a
person by name (an assigned official, from the assignment table) is the same `Slip` with
`person` and its communes filled in.
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

from reporting.campaign import Campaign
from reporting.errors import Problem
from reporting.invite_batch import Grant, surveyed_hamlet_grants
from reporting.names import inert
from reporting.roles import Role
from reporting.settings import Settings
from reporting.storage.models import Identity, Unit, User, UserUnit
from reporting.units import UnitFinder, communes

SLIP_ROLES: Final = (Role.HAMLET, Role.COMMUNE)
SLIPS_PER_PAGE: Final = 6  # 2 × 3 on an A4 page, each slip 105 × 99 mm
CSV_COLUMNS: Final = (
    "person",
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


async def slip_grants(
    session: AsyncSession, roles: Sequence[Role], commune_names: Sequence[str]
) -> tuple[list[Grant], list[Grant]]:
    """Returns (grants to print, grants left out because their leader has registered) for the
    leaders of the roles' units in the surveyed communes (only the named ones, if any), by
    commune then hamlet."""
    chosen = await _chosen_communes(session, commune_names)
    wanted: list[Grant] = []
    if Role.COMMUNE in roles:
        wanted += [Grant(Role.COMMUNE, commune, commune) for commune in chosen]
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
        names = [inert(name) for name in (slip.person or "", unit, ", ".join(slip.communes))]
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

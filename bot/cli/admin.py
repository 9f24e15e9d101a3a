"""The admin's commands: init, roster import, users, revoke, unlock, backup."""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
from collections.abc import Sequence
from datetime import tzinfo
from operator import itemgetter
from pathlib import Path

from sqlalchemy.engine import make_url

from bot.cli.context import AdminRefused, opened
from reporting.campaign import read_campaign_source
from reporting.campaign_store import store_campaign
from reporting.clock import SystemClock
from reporting.confirmations import unlock
from reporting.i18n import fmt_count, text
from reporting.imports.roster_file import parse_roster
from reporting.imports.roster_store import import_roster
from reporting.people import list_users, revoke_user
from reporting.settings import Settings
from reporting.storage.db import create_engine, sessions
from reporting.storage.models import Identity
from reporting.storage.schema import require_exists, upgrade
from reporting.units import ensure_district, find_commune, unit_path
from reporting.wording import level_words


def init(settings: Settings, _args: argparse.Namespace) -> None:
    """Creates or upgrades the database, then loads the campaign file into it."""
    source, file = read_campaign_source(settings.campaign_path)
    upgrade(settings.DATABASE_URL)
    campaign = asyncio.run(_load_campaign(settings, source, file))
    print(text("cli.init_done", url=_safe_url(settings.DATABASE_URL), campaign=campaign))


async def _load_campaign(settings: Settings, source: str, file: str) -> str:
    engine = create_engine(settings.DATABASE_URL)
    try:
        async with sessions(engine)() as session:
            now = SystemClock().now()
            campaign = await store_campaign(session, source, file, now)
            await ensure_district(session, campaign.district, now)
            await session.commit()
            return campaign.name
    finally:
        await engine.dispose()


async def roster_import(settings: Settings, args: argparse.Namespace) -> None:
    """Imports a roster file: all rows or none."""
    rows = parse_roster(args.file)
    async with opened(settings) as ctx, ctx.sessions() as session:
        changes = await import_roster(session, rows, ctx.campaign.district, ctx.clock.now())
    print(
        text(
            "cli.roster_done",
            **level_words(ctx.campaign.levels),
            communes=len(changes.communes),
            added=changes.hamlets_added,
            updated=changes.hamlets_updated,
            unchanged=changes.unchanged,
        )
    )


async def users(settings: Settings, _args: argparse.Namespace) -> None:
    """Prints one line per user: id, role, status, name, units, chat accounts, last activity."""
    async with opened(settings) as ctx, ctx.sessions() as session:
        everyone = await list_users(session)
        for user in everyone:
            units = ", ".join([await unit_path(session, unit) for unit in user.units]) or "—"
            accounts = ", ".join(f"{i.channel}:{i.external_id}" for i in user.identities)
            status = text("cli.user_revoked") if user.revoked_at else text("cli.user_active")
            seen = _last_seen(user.identities, ctx.campaign.timezone)
            print(
                f"{user.id}\t{user.role}\t{status}\t{user.name}\t{units}\t{accounts or '—'}"
                f"\t{seen}"
            )
    if not everyone:
        print(text("cli.no_users"))


def _last_seen(identities: Sequence[Identity], zone: tzinfo) -> str:
    """Returns when and on which channel the user last wrote, in campaign time, or "—"."""
    seen = [(i.last_seen_at, i.channel) for i in identities if i.last_seen_at is not None]
    if not seen:
        return "—"
    last, channel = max(seen, key=itemgetter(0))
    moment = last.astimezone(zone).strftime("%d/%m/%Y %H:%M")
    return text("cli.user_last_seen", moment=moment, channel=channel)


async def revoke(settings: Settings, args: argparse.Namespace) -> None:
    """Disables a user; their records stay."""
    async with opened(settings) as ctx, ctx.sessions() as session:
        user = await revoke_user(session, args.user, ctx.clock.now())
    print(text("cli.revoked", user_id=user.id, name=user.name))


async def unlock_commune(settings: Settings, args: argparse.Namespace) -> None:
    """Reopens a confirmed commune; the confirmation stays on record."""
    async with opened(settings) as ctx, ctx.sessions() as session:
        commune = await find_commune(session, args.commune)
        words = level_words(ctx.campaign.levels)
        if not await unlock(session, commune.id, None, ctx.clock.now()):
            raise AdminRefused("chat.not_locked", commune=commune.name, **words)
        await session.commit()
    print(text("chat.unlocked", commune=commune.name, **words))


def backup(settings: Settings, args: argparse.Namespace) -> None:
    """Writes a consistent copy of a live SQLite database with VACUUM INTO."""
    url = make_url(settings.DATABASE_URL)
    if url.get_backend_name() != "sqlite" or not url.database:
        raise AdminRefused("cli.backup_sqlite_only")
    require_exists(url)
    target = Path(args.path)
    if target.exists():
        raise AdminRefused("cli.backup_exists", path=target)
    source = sqlite3.connect(f"file:{url.database}?mode=ro", uri=True)
    try:
        source.execute("VACUUM INTO ?", (str(target),))
    except sqlite3.Error as error:  # e.g. a folder that does not exist, or a full disk
        raise AdminRefused("cli.backup_failed", path=target, error=error) from None
    finally:
        source.close()
    print(text("cli.backup_done", path=target, size=fmt_count(target.stat().st_size)))


def _safe_url(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)

"""The demo's starting point: a fresh migrated database with the sample campaign and roster."""

from __future__ import annotations

import asyncio
from datetime import datetime
from importlib import resources
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.demo.plan import HamletPlan
from reporting.campaign import REFERENCE_CAMPAIGN, reference_source
from reporting.campaign_store import store_campaign
from reporting.imports.roster_file import parse_roster
from reporting.imports.roster_store import import_roster
from reporting.storage.schema import upgrade


def sample_roster_path() -> Path:
    """Returns the bundled sample roster of Định Hóa."""
    return Path(str(resources.files("reporting").joinpath("data", "dinh_hoa_roster.csv")))


def fresh_database(out: Path) -> str:
    """Creates demo-output/tallybot.db from nothing (migrated) and returns its URL."""
    for leftover in out.glob("tallybot.db*"):
        leftover.unlink()
    url = f"sqlite+aiosqlite:///{out / 'tallybot.db'}"
    upgrade(url)
    return url


async def load_sample(
    sessions: async_sessionmaker[AsyncSession],
    start: datetime,
    source: str | None = None,
    file: str = REFERENCE_CAMPAIGN,
) -> list[HamletPlan]:
    """Loads a campaign (its TOML text `source`, read from `file`; the reference campaign when
    None) and the sample roster; returns the hamlets to play."""
    rows = await asyncio.to_thread(parse_roster, sample_roster_path())
    async with sessions() as session:
        source = reference_source() if source is None else source
        campaign = await store_campaign(session, source, file, start)
        await session.commit()
        await import_roster(session, rows, campaign.district, start)
    surveyed = [row for row in rows if row.surveyed]
    return [HamletPlan(r.commune, r.hamlet, r.households) for r in surveyed]

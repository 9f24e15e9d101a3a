"""The demo's data path: a fresh database, the sample roster, and the planned week of tallies."""

from __future__ import annotations

import asyncio
from datetime import date, datetime, time
from importlib import resources
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.demo.plan import HamletPlan, Report
from reporting.campaign import Campaign, reference_source
from reporting.campaign_store import store_campaign
from reporting.roster import import_roster
from reporting.roster_file import parse_roster
from reporting.storage.models import Unit
from reporting.storage.schema import upgrade
from reporting.tallies import Entry, submit_tally
from reporting.units import find_hamlet

DEMO_CHANNEL = "demo"


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
    sessions: async_sessionmaker[AsyncSession], start: datetime
) -> list[HamletPlan]:
    """Loads the reference campaign and the sample roster; returns the hamlets to play."""
    rows = await asyncio.to_thread(parse_roster, sample_roster_path())
    async with sessions() as session:
        campaign = await store_campaign(session, reference_source(), "campaign.toml", start)
        await session.commit()
        await import_roster(session, rows, campaign.district, start)
    surveyed = [row for row in rows if row.surveyed]
    return [HamletPlan(r.commune, r.hamlet, r.households) for r in surveyed]


async def store_report(
    sessions: async_sessionmaker[AsyncSession], campaign: Campaign, report: Report, at: time
) -> None:
    """Stores a planned report (and first its mistake) through the one tally service."""
    moment = campaign.at(report.day, at)
    async with sessions() as session:
        hamlet = await _hamlet(session, report)
        for figures in filter(None, (report.mistake, report.figures)):
            await submit_tally(
                session, campaign, Entry(hamlet, report.day, figures, None, DEMO_CHANNEL, moment)
            )


async def _hamlet(session: AsyncSession, report: Report) -> Unit:
    return await find_hamlet(session, f"{report.plan.commune}/{report.plan.hamlet}")


def collection_days(campaign: Campaign, until: date) -> list[date]:
    """Returns the collection days up to and including `until`."""
    return [day for day in campaign.collection_days if day <= until]

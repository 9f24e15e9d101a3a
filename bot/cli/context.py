"""What every CLI command works with: settings, the engine, the campaign in force and the clock."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from reporting.campaign import Campaign
from reporting.campaign_store import current_campaign
from reporting.clock import Clock, SystemClock
from reporting.errors import Problem
from reporting.settings import Settings
from reporting.storage.db import create_engine, sessions
from reporting.storage.schema import require_current


class AdminRefused(Problem):
    """A command the admin gave that cannot be carried out."""


@dataclass(frozen=True, slots=True)
class Context:
    """The open database and the campaign in force, for one CLI command."""

    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    campaign: Campaign
    clock: Clock


@asynccontextmanager
async def opened(settings: Settings, clock: Clock | None = None) -> AsyncIterator[Context]:
    """Opens the migrated database and its campaign; disposes of the engine afterwards."""
    engine = create_engine(settings.DATABASE_URL)
    try:
        await require_current(engine)
        factory = sessions(engine)
        async with factory() as session:
            campaign = await current_campaign(session)
        yield Context(settings, engine, factory, campaign, clock or SystemClock())
    finally:
        await engine.dispose()

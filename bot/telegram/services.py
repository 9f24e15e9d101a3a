"""What every handler needs: created in post_init, disposed of in post_shutdown."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from telegram.ext import ContextTypes

from reporting.campaign import Campaign
from reporting.clock import Clock
from reporting.settings import Settings

SERVICES = "services"


@dataclass(slots=True)
class Services:
    """The settings, the clock, the engine and its sessions, and the campaign in force."""

    settings: Settings
    clock: Clock
    engine: AsyncEngine | None = None
    sessions: async_sessionmaker[AsyncSession] | None = None
    campaign: Campaign | None = None


@dataclass(frozen=True, slots=True)
class Ready:
    """The services once post_init has run: nothing optional any more."""

    clock: Clock
    sessions: async_sessionmaker[AsyncSession]
    campaign: Campaign


def ready(context: ContextTypes.DEFAULT_TYPE) -> Ready:
    """Returns the started services of the running application."""
    services: Services = context.application.bot_data[SERVICES]
    assert services.sessions is not None, "post_init has not run"
    assert services.campaign is not None, "post_init has not run"
    return Ready(services.clock, services.sessions, services.campaign)

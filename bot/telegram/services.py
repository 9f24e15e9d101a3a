"""What every handler needs: created in post_init, disposed of in post_shutdown."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncEngine
from telegram.ext import Application, ContextTypes

from reporting.campaign import Campaign
from reporting.clock import Clock
from reporting.settings import Settings
from reporting.storage.db import TakingTurns

SERVICES = "services"


@dataclass
class Outbox:
    """Alert delivery state of the process: one delivery at a time, each chat's last send."""

    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    # One evaluation at a time: two at once could both see a verdict as new and alert twice.
    evaluating: asyncio.Lock = field(default_factory=asyncio.Lock)
    last_sent: dict[str, float] = field(default_factory=dict)
    per_chat_gap: float = 1.0  # seconds between two messages to one chat (Telegram's advice)


@dataclass(slots=True)
class Services:
    """The settings, the clock, the engine and its sessions, and the campaign in force."""

    settings: Settings
    clock: Clock
    alerts: bool = True
    outbox: Outbox = field(default_factory=Outbox)
    engine: AsyncEngine | None = None
    sessions: TakingTurns | None = None
    campaign: Campaign | None = None


@dataclass(frozen=True, slots=True)
class Ready:
    """The services once post_init has run: nothing optional any more."""

    clock: Clock
    sessions: TakingTurns
    campaign: Campaign
    alerts: bool
    outbox: Outbox


def ready(context: ContextTypes.DEFAULT_TYPE) -> Ready:
    """Returns the started services of the running application."""
    return ready_of(context.application)


def ready_of(application: Application) -> Ready:
    """Returns the started services of an application (for callers outside a handler)."""
    services: Services = application.bot_data[SERVICES]
    assert services.sessions is not None, "post_init has not run"
    assert services.campaign is not None, "post_init has not run"
    return Ready(
        services.clock, services.sessions, services.campaign, services.alerts, services.outbox
    )

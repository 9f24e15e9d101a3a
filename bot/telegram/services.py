"""What every handler needs: the running Core, built in post_init, disposed of in post_shutdown."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine
from telegram.ext import Application, ContextTypes

from bot.core import Core
from reporting.clock import Clock
from reporting.settings import Settings

SERVICES = "services"


@dataclass(slots=True)
class Services:
    """The settings and the clock, then, once started, the engine and the Core."""

    settings: Settings
    clock: Clock
    alerts: bool = True
    engine: AsyncEngine | None = None
    core: Core | None = None


def ready(context: ContextTypes.DEFAULT_TYPE) -> Core:
    """Returns the Core of the running application."""
    return ready_of(context.application)


def ready_of(application: Application) -> Core:
    """Returns the Core of an application (for callers outside a handler)."""
    services: Services = application.bot_data[SERVICES]
    assert services.core is not None, "post_init has not run"
    return services.core

"""How a handler finds the running Core: the runtime puts it in the application's bot_data."""

from __future__ import annotations

from telegram.ext import ContextTypes

from bot.core import Core

CORE = "core"


def ready(context: ContextTypes.DEFAULT_TYPE) -> Core:
    """Returns the Core the running application answers for."""
    core: Core = context.application.bot_data[CORE]
    return core

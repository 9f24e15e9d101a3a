"""How a handler finds the running Core: the runtime puts it in the application's bot_data."""

from __future__ import annotations

from dataclasses import dataclass, field

from telegram.ext import ContextTypes

from bot.core import Core

CORE = "core"
REDELIVERY = "redelivery"


@dataclass(slots=True)
class Redelivery:
    """Updates a webhook call is handling, and those of them that failed untold.

    An update whose handling failed for a passing reason (the database unreachable, the
    connection lost) is not apologised for: the webhook answers the call non-2xx and
    Telegram delivers the update again, to be handled then. So is one whose apology could
    not be queued either: nobody was told, so it must come again.
    """

    handling: set[int] = field(default_factory=set)
    failed: set[int] = field(default_factory=set)


def redelivery(context: ContextTypes.DEFAULT_TYPE) -> Redelivery | None:
    """Returns the webhook's record of updates it can have delivered again (None: polling)."""
    found: Redelivery | None = context.application.bot_data.get(REDELIVERY)
    return found


def ready(context: ContextTypes.DEFAULT_TYPE) -> Core:
    """Returns the Core the running application answers for."""
    core: Core = context.application.bot_data[CORE]
    return core

"""Reaching Telegram and Zalo as the bot starts: wait for the network, stop on a refused token.

Under systemd the bot often starts before the network is up, or while a firewall or DNS is
being fixed. Each call the bot must make before it can serve (Telegram's getMe and menu, the
webhooks) is tried again, 1, 2, 4 … up to 60 seconds apart, with one clear line each time
naming what could not be reached and what to check. A token the platform refuses will never
work: that stops the bot with one line saying which token to fix.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar
from urllib.parse import urlsplit

from telegram.error import InvalidToken, NetworkError

from bot.zalo.client import ZaloUnauthorized, ZaloUnavailable
from reporting.errors import Problem
from reporting.i18n import text

log = logging.getLogger(__name__)
T = TypeVar("T")
MAX_WAIT = 60.0  # seconds between two attempts at most
REASON_LENGTH = 120


class TokenRefused(Problem):
    """The platform does not know the bot's token: nothing works until it is fixed."""


async def patiently(
    platform: str, base_url: str, token: str, attempt: Callable[[], Awaitable[T]]
) -> T:
    """Returns what `attempt` returns once the platform answers; waits while it cannot be reached.

    Raises TokenRefused when the platform refuses the token.
    """
    failures = 0
    while True:
        try:
            return await attempt()
        except (InvalidToken, ZaloUnauthorized):
            raise TokenRefused(f"run.{platform.lower()}_token") from None
        except (NetworkError, ZaloUnavailable) as error:  # DNS, refused, timeout, 5xx
            failures += 1
            wait = min(2.0 ** (failures - 1), MAX_WAIT)
            log.warning("%s", unreachable(platform, base_url, token, error, wait))
            await asyncio.sleep(wait)


def unreachable(platform: str, base_url: str, token: str, error: Exception, wait: float) -> str:
    """Returns the line saying which platform could not be reached, why, and what to check."""
    reason = f"{type(error).__name__}: {error}".replace(token, "…") if token else str(error)
    address = urlsplit(base_url)
    return text(
        "run.unreachable",
        platform=platform,
        host=address.netloc or base_url,
        reason=reason[:REASON_LENGTH],
        setting=f"{platform.upper()}_API_BASE_URL",
        wait=f"{wait:g}",
    )

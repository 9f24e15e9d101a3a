"""Long polling that confirms updates to Telegram only once they have been handled.

python-telegram-bot's Updater confirms a batch of updates (by the offset of its next
getUpdates) as soon as it has fetched it, before any handler ran: a bot killed in between
loses those updates for good, a pressed "Gửi" among them. Here the next getUpdates is asked
only once every update of the batch has been handled, its effects and replies committed. A
crash at any point leaves the batch unconfirmed, so Telegram delivers it again, and the
processed-once record makes the second delivery change nothing.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from contextlib import suppress
from datetime import timedelta

from telegram import Update
from telegram.error import InvalidToken, RetryAfter, TelegramError
from telegram.ext import Application

from bot.reach import patiently

log = logging.getLogger(__name__)
POLL_TIMEOUT = 10  # seconds Telegram keeps a getUpdates open while nothing comes
MAX_BACKOFF = 30.0  # seconds between two getUpdates at most while Telegram cannot be reached


class DurablePolling:
    """Fetches updates, hands each to the application, and confirms them once handled."""

    def __init__(self, application: Application, timeout: float = POLL_TIMEOUT) -> None:
        self.application = application
        self.timeout = timeout
        self._offset: int | None = None
        self._failures = 0

    async def run(self, stop: asyncio.Event) -> None:
        """Polls until `stop` is set; the batch in hand is always finished first."""
        bot = self.application.bot  # getUpdates is refused while a webhook is set
        await patiently("Telegram", bot.base_url, bot.token, bot.delete_webhook)
        while not stop.is_set():
            updates = await self._next_batch(stop)
            await self._handle(updates)
        await self._confirm_last()

    async def _next_batch(self, stop: asyncio.Event) -> Sequence[Update]:
        """Returns the next updates, confirming the ones before; none when stopped meanwhile."""
        fetch = asyncio.ensure_future(
            self.application.bot.get_updates(
                offset=self._offset, timeout=self.timeout, allowed_updates=Update.ALL_TYPES
            )
        )
        stopped = asyncio.ensure_future(stop.wait())
        await asyncio.wait((fetch, stopped), return_when=asyncio.FIRST_COMPLETED)
        stopped.cancel()
        if not fetch.done():  # nothing fetched is lost: it was not confirmed
            fetch.cancel()
            with suppress(asyncio.CancelledError):
                await fetch
            return ()
        try:
            updates = fetch.result()
        except InvalidToken:
            raise  # nothing will ever come: the bot must stop and say why
        except TelegramError as error:  # network, timeout, 5xx, a flood wait, a conflict
            await self._wait_after(error, stop)
            return ()
        self._failures = 0
        return updates

    async def _handle(self, updates: Sequence[Update]) -> None:
        """Handles a batch side by side (each chat in order) and waits for all of it."""
        if not updates:
            return
        processor, application = self.application.update_processor, self.application
        await asyncio.gather(
            *(processor.process_update(u, application.process_update(u)) for u in updates)
        )
        self._offset = updates[-1].update_id + 1

    async def _wait_after(self, error: TelegramError, stop: asyncio.Event) -> None:
        """Waits what Telegram asked for, else 1, 2, 4 … up to 30 s, before asking again."""
        self._failures += 1
        wait = min(2.0 ** (self._failures - 1), MAX_BACKOFF)
        if isinstance(error, RetryAfter):
            asked = error.retry_after
            wait = asked.total_seconds() if isinstance(asked, timedelta) else float(asked)
        log.warning("Telegram could not be reached (%s); asking again in %g s", error, wait)
        with suppress(TimeoutError):
            async with asyncio.timeout(wait):
                await stop.wait()

    async def _confirm_last(self) -> None:
        """Confirms the last handled batch, so that a clean restart does not fetch it again."""
        if self._offset is None:
            return
        try:
            await self.application.bot.get_updates(offset=self._offset, timeout=0, limit=1)
        except TelegramError as error:  # it will come again; the processed-once record skips it
            log.info("could not confirm the last updates before stopping: %s", error)

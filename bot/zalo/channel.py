"""The Zalo channel at run time: updates in by long polling or webhook, the outbox out.

Polling (getUpdates) hands out each update once, with no offset to confirm it, so an update
fetched just before a crash is lost (bot/localapi/zalo.py says why). The webhook is the
durable mode: a call is answered only once its message is stored, or after a few seconds
at most, so that Zalo never waits long; a crash before the answer leaves Zalo free to call
again, and the processed-once record makes a second call change nothing.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Coroutine
from contextlib import suppress
from datetime import timedelta
from functools import partial

from aiohttp import web

from bot.core import Core
from bot.logsafe import log_failure
from bot.ordering import ChatTurns
from bot.outbox import Delivery, OutboxSender
from bot.pipeline import apologise, converse
from bot.reach import patiently
from bot.web.links import media_link
from bot.web.media import MediaLinks
from bot.web.server import WebServer, secret_matches
from bot.zalo.client import (
    MalformedUpdate,
    ZaloClient,
    ZaloError,
    ZaloUnauthorized,
    ZaloUpdate,
    parse_update,
)
from bot.zalo.inbound import CHANNEL, read_update
from bot.zalo.transport import ZaloTransport
from reporting.settings import Settings

log = logging.getLogger(__name__)
WEBHOOK_PATH = "/zalo"
SECRET_HEADER = "X-Bot-Api-Secret-Token"
POLL_TIMEOUT = 30  # seconds Zalo keeps a getUpdates open while nothing comes
MAX_BACKOFF = 30.0  # seconds between two getUpdates at most while Zalo cannot be reached
CONCURRENT_UPDATES = 16  # updates handled at once (each chat's still one by one)
ANSWER_WITHIN = 5.0  # seconds a webhook call waits for its message to be stored


class ZaloChannel:
    """One Zalo bot: its client, its outbox sender, and the ways its updates come in."""

    def __init__(self, settings: Settings, core: Core, client: ZaloClient) -> None:
        self.core = core
        self.client = client
        self.public_url = settings.PUBLIC_URL
        self.secret = settings.WEBHOOK_SECRET
        self.link_lifetime = timedelta(minutes=settings.MEDIA_LINK_MINUTES)
        # Links are signed with a key every process of the bot derives from the token.
        self.link_key = hashlib.sha256(f"media:{settings.ZALO_BOT_TOKEN}".encode()).hexdigest()
        transport = ZaloTransport(client, self.media_url, settings.ZALO_MAX_RATE)
        self.sender = OutboxSender(transport, core.sessions, core.clock, core.campaign)
        core.senders[CHANNEL] = self.sender
        self._turns = ChatTurns()
        self._slots = asyncio.Semaphore(CONCURRENT_UPDATES)
        self.receiving = True

    def add_routes(self, server: WebServer, webhook: bool) -> None:
        """Serves the media links, and the webhook in webhook mode."""
        MediaLinks(self.core.sessions, self.link_key, self.core.clock).add_to(server.app)
        if webhook:
            server.app.router.add_post(WEBHOOK_PATH, self.on_webhook)

    async def media_url(self, delivery: Delivery) -> str:
        """Returns the short-lived public address of a row's attachment."""
        assert delivery.media_id is not None, "an attachment is stored before it is queued"
        now = self.core.clock.now()
        return media_link(
            self.public_url, delivery.media_id, self.link_key, now, self.link_lifetime
        )

    # --- webhook -------------------------------------------------------------------------

    async def set_webhook(self) -> None:
        """Has Zalo call PUBLIC_URL/zalo with every update."""
        url = self.public_url.rstrip("/") + WEBHOOK_PATH
        client = self.client
        await patiently(
            "Zalo", client.base_url, client.token, partial(client.set_webhook, url, self.secret)
        )
        log.info("Zalo webhook set to %s", url)

    async def on_webhook(self, request: web.Request) -> web.Response:
        """Checks the secret and the body, then answers once the message is stored."""
        if not secret_matches(request, SECRET_HEADER, self.secret):
            log.warning("Zalo webhook call without the right secret from %s", request.remote)
            raise web.HTTPForbidden()
        if not self.receiving:
            raise web.HTTPServiceUnavailable()  # stopping: Zalo may call again later
        try:
            update = parse_update(await request.json())
        except (ValueError, MalformedUpdate) as error:
            log.warning("Zalo webhook body refused: %s", type(error).__name__)
            log.debug("Zalo webhook body refused: %s", error)
            raise web.HTTPBadRequest() from None
        handling = asyncio.ensure_future(self.core.run(partial(self.handle, update)))
        with suppress(TimeoutError):  # it goes on; Zalo is not kept waiting
            await asyncio.wait_for(asyncio.shield(handling), ANSWER_WITHIN)
        return web.json_response({"ok": True})

    # --- long polling --------------------------------------------------------------------

    async def poll(self, stop: asyncio.Event) -> None:
        """Fetches updates until `stop` is set, handling each beside the next fetch."""
        client = self.client  # getUpdates is refused while a webhook is set
        await patiently("Zalo", client.base_url, client.token, client.delete_webhook)
        failures = 0
        while not stop.is_set():
            await self._slots.acquire()  # no more than CONCURRENT_UPDATES in hand
            try:
                update = await _until(stop, self.client.get_updates(POLL_TIMEOUT))
            except ZaloUnauthorized:
                self._slots.release()
                raise  # nothing will ever come: the bot must stop and say why
            except ZaloError as error:  # network, timeout, 5xx, a flood wait
                self._slots.release()
                failures += 1
                wait = min(2.0 ** (failures - 1), MAX_BACKOFF)
                log.warning("Zalo could not be reached (%s); asking again in %g s", error, wait)
                with suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), wait)
                continue
            failures = 0
            if update is None:
                self._slots.release()
                continue
            task = asyncio.ensure_future(self.core.run(partial(self.handle, update)))
            task.add_done_callback(lambda _: self._slots.release())

    # --- handling ------------------------------------------------------------------------

    async def handle(self, update: ZaloUpdate) -> None:
        """Answers one update after the earlier ones of its chat; a failure gets an apology."""
        inbound = read_update(update)
        chat = inbound.sender.chat_id
        try:
            await self._turns.run(
                chat, converse(self.core, inbound.sender, inbound.incoming, inbound.delivery_key)
            )
        except Exception as error:
            log_failure(log, f"Zalo update {inbound.delivery_key} failed", error)
            try:
                await apologise(self.core, CHANNEL, chat)
            except Exception as sorry:  # nothing more can be done; the log says what happened
                log_failure(log, f"could not tell Zalo chat {chat} about the error", sorry)


async def _until(
    stop: asyncio.Event, fetch: Coroutine[object, None, ZaloUpdate | None]
) -> ZaloUpdate | None:
    """Awaits a getUpdates, or gives it up when `stop` is set first.

    A poll given up has not answered yet, so it handed out nothing (unless Zalo was
    answering at that very instant: polling's one loss, see the module's docstring).
    """
    fetching = asyncio.ensure_future(fetch)
    stopped = asyncio.ensure_future(stop.wait())
    await asyncio.wait((fetching, stopped), return_when=asyncio.FIRST_COMPLETED)
    stopped.cancel()
    if not fetching.done():
        fetching.cancel()
        with suppress(asyncio.CancelledError):
            await fetching
        return None
    return fetching.result()

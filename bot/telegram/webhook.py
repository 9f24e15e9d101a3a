"""Telegram's webhook on the bot's own HTTP server (PUBLIC_URL/telegram).

A call is answered once its update has been handled, its effects and replies committed: a
crash before the answer leaves Telegram to deliver the update again, and the processed-once
record makes the second delivery change nothing. An update whose handling failed without
the user being told (the database unreachable, say) is answered 503, so Telegram delivers
it again; one that failed and was apologised for is answered 200.
"""

from __future__ import annotations

import logging

from aiohttp import web
from telegram import Update
from telegram.ext import Application

from bot.core import Core
from bot.telegram.services import CORE, REDELIVERY, Redelivery
from bot.web.server import WebServer, secret_matches

log = logging.getLogger(__name__)
PATH = "/telegram"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


class TelegramWebhook:
    """Receives Telegram's calls and hands each update to the application."""

    def __init__(self, application: Application, secret: str) -> None:
        self.application = application
        self.secret = secret
        self.receiving = True
        self.redelivery = Redelivery()
        application.bot_data[REDELIVERY] = self.redelivery

    def add_route(self, server: WebServer) -> None:
        """Serves the webhook at /telegram."""
        server.app.router.add_post(PATH, self.on_call)

    async def set(self, public_url: str) -> None:
        """Has Telegram call PUBLIC_URL/telegram with every update, and the secret."""
        url = public_url.rstrip("/") + PATH
        await self.application.bot.set_webhook(
            url, secret_token=self.secret, allowed_updates=Update.ALL_TYPES
        )
        log.info("Telegram webhook set to %s", url)

    async def on_call(self, request: web.Request) -> web.Response:
        """Checks the secret and the body, handles the update, then answers 200."""
        if not secret_matches(request, SECRET_HEADER, self.secret):
            log.warning("Telegram webhook call without the right secret from %s", request.remote)
            raise web.HTTPForbidden()
        if not self.receiving:
            raise web.HTTPServiceUnavailable()  # stopping: Telegram delivers it again later
        try:
            update = _update(await request.json(), self.application)
        except (ValueError, TypeError, KeyError, AttributeError) as error:
            log.warning("Telegram webhook body refused: %s", type(error).__name__)
            log.debug("Telegram webhook body refused: %s", error)
            raise web.HTTPBadRequest() from None
        application = self.application
        core: Core = application.bot_data[CORE]
        self.redelivery.handling.add(update.update_id)
        try:
            # Under the Core, so that stopping waits for it rather than cutting it off.
            await core.run(
                lambda: application.update_processor.process_update(
                    update, application.process_update(update)
                )
            )
        finally:
            self.redelivery.handling.discard(update.update_id)
        if update.update_id in self.redelivery.failed:
            self.redelivery.failed.discard(update.update_id)
            log.warning("Telegram update %s failed untold: answered 503", update.update_id)
            raise web.HTTPServiceUnavailable()  # Telegram delivers it again
        return web.Response()


def _update(body: object, application: Application) -> Update:
    """Returns the Update a call carries; refuses JSON that is not one (a list, a string).

    python-telegram-bot expects dicts all the way down and fails with AttributeError on
    anything else (`"message": "x"`), which is the caller's fault, not the bot's.
    """
    if not isinstance(body, dict) or not isinstance(body.get("update_id"), int):
        raise TypeError("not an Update object: no integer update_id")
    return Update.de_json(body, application.bot)

"""The bot's one HTTP server: the webhooks of every channel and the short-lived media links."""

from __future__ import annotations

import hmac
import logging

from aiohttp import web

log = logging.getLogger(__name__)
SHUTDOWN_GRACE = 5.0  # seconds a call under way may take to finish when the bot stops


class WebServer:
    """An aiohttp server at HTTP_LISTEN:HTTP_PORT; the channels add their routes before start."""

    def __init__(self, listen: str, port: int) -> None:
        self.listen = listen
        self.port = port
        self.app = web.Application()
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        """Starts listening; the routes are fixed from here on."""
        self._runner = web.AppRunner(self.app, shutdown_timeout=SHUTDOWN_GRACE)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.listen, self.port)
        await site.start()
        log.info("listening on http://%s:%d", self.listen, self.port)

    async def stop(self) -> None:
        """Stops listening; calls under way get a few seconds to finish."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None


def secret_matches(request: web.Request, header: str, secret: str) -> bool:
    """Says whether a webhook call carries the secret, compared in constant time."""
    given = request.headers.get(header, "")
    return hmac.compare_digest(given.encode(), secret.encode())

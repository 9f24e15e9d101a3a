"""Serving stored media at their short-lived links (bot/web/links.py) over aiohttp."""

from __future__ import annotations

import mimetypes

from aiohttp import web

from bot.web.links import link_is_valid
from reporting.clock import Clock
from reporting.storage.db import TakingTurns
from reporting.storage.models import Media

ROUTE = "/media/{media_id}"
PRIVATE = "private, max-age=300"  # a phone may keep the image; a shared cache may not


class MediaLinks:
    """The handler behind `/media/<id>?t=…`: the bytes for a valid link, 404 for anything else.

    A wrong, changed or expired link gets the same 404 as a missing media row, so a link says
    nothing about what exists.
    """

    def __init__(self, sessions: TakingTurns, secret: str, clock: Clock) -> None:
        self.sessions = sessions
        self.secret = secret
        self.clock = clock

    def add_to(self, app: web.Application) -> None:
        """Registers the media route on an aiohttp application."""
        app.router.add_get(ROUTE, self.serve)

    async def serve(self, request: web.Request) -> web.Response:
        """Returns the media's bytes with its type, or 404."""
        written = request.match_info["media_id"]
        token = request.query.get("t", "")
        if not (written.isascii() and written.isdigit() and len(written) <= 12):
            raise web.HTTPNotFound()
        media_id = int(written)
        if not link_is_valid(media_id, token, self.secret, self.clock.now()):
            raise web.HTTPNotFound()
        async with self.sessions.reading() as session:
            media = await session.get(Media, media_id)
        if media is None:
            raise web.HTTPNotFound()
        kind = mimetypes.guess_type(media.name)[0] or "application/octet-stream"
        disposition = f'inline; filename="{media.name}"'
        headers = {"Cache-Control": PRIVATE, "Content-Disposition": disposition}
        return web.Response(body=media.data, content_type=kind, headers=headers)

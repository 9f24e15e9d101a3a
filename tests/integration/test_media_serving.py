"""The bot's media links served over real HTTP from a migrated database (for Zalo's photos)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import aiohttp
import pytest
from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.web.links import media_link
from bot.web.media import MediaLinks
from reporting.clock import SimulatedClock
from reporting.storage.db import TakingTurns
from reporting.storage.models import Media

SECRET = "1234567890:zalo-bot-token"
LIFE = timedelta(minutes=10)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
async def served(engine: AsyncEngine, clock: SimulatedClock) -> AsyncIterator[str]:
    """Yields the base address of a running server with the media route."""
    app = web.Application()
    MediaLinks(TakingTurns(engine), SECRET, clock).add_to(app)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    host, port = runner.addresses[0][:2]
    try:
        yield f"http://{host}:{port}"
    finally:
        await runner.cleanup()


async def stored(factory: async_sessionmaker[AsyncSession], clock: SimulatedClock) -> int:
    """Stores a chart as the outbox does; returns its media id."""
    async with factory() as session:
        media = Media(name="hai-long-12.png", data=PNG, created_at=clock.now())
        session.add(media)
        await session.commit()
        return media.id


async def fetch(url: str) -> tuple[int, bytes, str]:
    """Returns the status, body and content type of a GET."""
    async with aiohttp.ClientSession() as client, client.get(url) as response:
        return response.status, await response.read(), response.content_type


async def test_a_link_serves_the_chart_as_often_as_asked_while_it_lives(
    served: str, session_factory: async_sessionmaker[AsyncSession], clock: SimulatedClock
) -> None:
    media_id = await stored(session_factory, clock)
    link = media_link(served, media_id, SECRET, clock.now(), LIFE)
    assert await fetch(link) == (200, PNG, "image/png")
    clock.advance(LIFE - timedelta(seconds=1))
    assert await fetch(link) == (200, PNG, "image/png")  # Zalo may fetch it again
    clock.advance(timedelta(seconds=1))
    assert (await fetch(link))[0] == 404


async def test_a_made_up_changed_or_foreign_link_gets_404(
    served: str, session_factory: async_sessionmaker[AsyncSession], clock: SimulatedClock
) -> None:
    media_id = await stored(session_factory, clock)
    good = media_link(served, media_id, SECRET, clock.now(), LIFE)
    token = good.partition("?t=")[2]
    for url in (
        f"{served}/media/{media_id}",
        f"{served}/media/{media_id}?t=0.0",
        good[:-1] + ("0" if good[-1] != "0" else "1"),
        f"{served}/media/{media_id + 1}?t={token}",
        media_link(served, media_id, "another-secret", clock.now(), LIFE),
        media_link(served, 99_999, SECRET, clock.now(), LIFE),  # signed, but nothing stored
        f"{served}/media/abc?t={token}",
    ):
        assert (await fetch(url))[0] == 404, url

"""One running bot process: the database, the Core and its timers, and every configured channel.

Each channel runs when its token is set (Telegram, Zalo, or both). The HTTP server (webhooks
and Zalo's media links) runs when a webhook or Zalo needs it. Stopping goes in the order
that loses nothing: no more updates are taken, the work under way ends (a delivery between
its send and its record is never cut), then the channels and the database close.
"""

from __future__ import annotations

import asyncio
import logging
import re
import signal
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from functools import partial
from urllib.parse import urlsplit

from telegram.error import InvalidToken
from telegram.ext import Application

from bot.alerts import check_alerts
from bot.core import Core
from bot.logsafe import log_failure, quiet_chatty_loggers
from bot.reach import TokenRefused, patiently
from bot.telegram.app import build_application, started
from bot.telegram.polling import DurablePolling
from bot.telegram.webhook import TelegramWebhook
from bot.web.server import WebServer
from bot.zalo.channel import ZaloChannel
from bot.zalo.client import ZaloClient, ZaloUnauthorized
from reporting.campaign_store import current_campaign
from reporting.clock import Clock, SystemClock
from reporting.errors import Problem
from reporting.settings import Settings
from reporting.storage.db import TakingTurns, create_engine
from reporting.storage.leader import Leadership
from reporting.storage.schema import require_current

log = logging.getLogger(__name__)
ALERT_TICK = 60.0  # seconds between checks for due alerts
OUTBOX_TICK = 1.0  # seconds between looks at the outbox (retries, rows other processes wrote)
LOOPBACK = ("127.0.0.1", "localhost", "::1")
SECRET = re.compile(r"[A-Za-z0-9_-]{8,256}")  # what both platforms accept as a webhook secret


class RunRefused(Problem):
    """Settings with which the bot cannot run: one clear message naming what to set."""


def check_settings(settings: Settings, webhook: bool) -> None:
    """Refuses, before anything starts, settings that `tallybot run` cannot work with."""
    if not settings.TELEGRAM_BOT_TOKEN and not settings.ZALO_BOT_TOKEN:
        raise RunRefused("run.no_token")
    if (webhook or settings.ZALO_BOT_TOKEN) and not settings.PUBLIC_URL:
        raise RunRefused("run.no_public_url" if webhook else "run.zalo_public_url")
    if settings.PUBLIC_URL:
        address = urlsplit(settings.PUBLIC_URL)
        loopback = address.scheme == "http" and address.hostname in LOOPBACK
        if not (address.scheme == "https" and address.hostname) and not loopback:
            raise RunRefused("run.public_url", url=settings.PUBLIC_URL)
    if webhook and not SECRET.fullmatch(settings.WEBHOOK_SECRET):
        raise RunRefused("run.webhook_secret")
    for name in ("TELEGRAM_MAX_RATE", "ZALO_MAX_RATE", "MEDIA_LINK_MINUTES", "HTTP_PORT"):
        if getattr(settings, name) < 1:
            raise RunRefused("run.positive", name=name)


@dataclass(slots=True)
class Runtime:
    """The running bot: its Core, its channels, and an event set when it should stop."""

    core: Core
    telegram: Application | None = None
    zalo: ZaloChannel | None = None
    web: WebServer | None = None
    stop: asyncio.Event = field(default_factory=asyncio.Event)
    timers: dict[str, asyncio.Task[None]] = field(default_factory=dict)  # "outbox", "alerts"


@asynccontextmanager
async def running(
    settings: Settings, clock: Clock | None = None, *, alerts: bool = True, webhook: bool = False
) -> AsyncIterator[Runtime]:
    """Runs the bot on every configured channel inside the caller's event loop.

    With `alerts=False` no alert is checked on a timer; the demo and tests call
    `check_alerts` at simulated moments instead. If receiving ends on its own (a platform
    refused the token), `stop` is set, and leaving the block raises what ended it.
    """
    check_settings(settings, webhook)
    quiet_chatty_loggers()
    async with AsyncExitStack() as stack:
        engine = create_engine(settings.DATABASE_URL)
        stack.push_async_callback(engine.dispose)
        # The timed alerts run in one process of several (PostgreSQL), the leader.
        leader = Leadership(engine, "alerts")
        stack.push_async_callback(leader.resign)
        await require_current(engine)
        sessions = TakingTurns(engine)
        async with sessions() as session:
            campaign = await current_campaign(session)
        runtime = Runtime(Core(clock or SystemClock(), sessions, campaign, alerts=alerts))
        core = runtime.core
        if webhook or settings.ZALO_BOT_TOKEN:
            runtime.web = WebServer(settings.HTTP_LISTEN, settings.HTTP_PORT)
        receivers: list[Callable[[asyncio.Event], Awaitable[None]]] = []
        hooks: list[TelegramWebhook] = []
        if settings.TELEGRAM_BOT_TOKEN:
            runtime.telegram = build_application(settings)
            await stack.enter_async_context(started(runtime.telegram, core))
            if webhook:
                assert runtime.web is not None
                hooks.append(TelegramWebhook(runtime.telegram, settings.WEBHOOK_SECRET))
                hooks[-1].add_route(runtime.web)
            else:
                receivers.append(DurablePolling(runtime.telegram).run)
        if settings.ZALO_BOT_TOKEN:
            assert runtime.web is not None
            client = ZaloClient(settings.ZALO_BOT_TOKEN, settings.ZALO_API_BASE_URL)
            stack.push_async_callback(client.close)
            runtime.zalo = ZaloChannel(settings, core, client)
            runtime.zalo.add_routes(runtime.web, webhook)
            if not webhook:
                receivers.append(runtime.zalo.poll)
        if runtime.web is not None:
            await runtime.web.start()
            stack.push_async_callback(runtime.web.stop)  # after the last delivery: Zalo links
        stack.push_async_callback(core.close)
        for hook in hooks:
            bot = hook.application.bot
            await patiently(
                "Telegram", bot.base_url, bot.token, partial(hook.set, settings.PUBLIC_URL)
            )
        if webhook and runtime.zalo is not None:
            await runtime.zalo.set_webhook()
        runtime.timers = _timers(core, leader)
        receiving = [_receiving(receive, runtime.stop) for receive in receivers]
        stack.push_async_callback(_stop_receiving, runtime, hooks, receiving)
        yield runtime


async def serve(settings: Settings, webhook: bool = False) -> None:
    """Runs the bot until SIGINT or SIGTERM."""
    loop = asyncio.get_running_loop()
    async with running(settings, webhook=webhook) as runtime:
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, runtime.stop.set)
        channels = [name for name in ("telegram", "zalo") if name in runtime.core.senders]
        mode = "webhook" if webhook else "long polling"
        log.info("running on %s (%s)", " and ".join(channels), mode)
        await runtime.stop.wait()
    log.info("stopped")


def _timers(core: Core, leader: Leadership) -> dict[str, asyncio.Task[None]]:
    """Starts the outbox's look every second and, unless turned off, the minute's alert check."""
    timers = {"outbox": asyncio.ensure_future(_every(OUTBOX_TICK, _deliver(core)))}
    if core.alerts:
        check = _check_alerts(core, leader)
        timers["alerts"] = asyncio.ensure_future(_every(ALERT_TICK, check, first=5))
    return timers


def _deliver(core: Core) -> Callable[[], Awaitable[None]]:
    async def deliver() -> None:
        core.deliver_all_soon()  # from the first look on, what an earlier run left goes out

    return deliver


def _check_alerts(core: Core, leader: Leadership) -> Callable[[], Awaitable[None]]:
    async def check() -> None:
        # Each minute the lead is asked for again: when the leader died, another process
        # takes over at its next check, within a minute.
        if await leader.leading():
            await core.run(lambda: check_alerts(core, scheduled_too=True))

    return check


async def _every(seconds: float, action: Callable[[], Awaitable[None]], first: float = 0) -> None:
    """Runs `action` every `seconds` until cancelled; a failure is logged, the next runs."""
    await asyncio.sleep(first)
    while True:
        try:
            await action()
        except Exception as error:
            log_failure(log, "timed work failed", error)
        await asyncio.sleep(seconds)


def _receiving(
    receive: Callable[[asyncio.Event], Awaitable[None]], stop: asyncio.Event
) -> asyncio.Task[None]:
    """Runs a receive loop; when it ends on its own (a refused token), the bot stops."""
    task = asyncio.ensure_future(receive(stop))
    task.add_done_callback(lambda _: stop.set())
    return task


async def _stop_receiving(
    runtime: Runtime, hooks: list[TelegramWebhook], receiving: list[asyncio.Task[None]]
) -> None:
    """Takes no more updates and ends the timers; raises what ended a receive loop, if any."""
    runtime.stop.set()
    for hook in hooks:
        hook.receiving = False
    if runtime.zalo is not None:
        runtime.zalo.receiving = False
    for timer in runtime.timers.values():
        timer.cancel()  # work a timer started runs on under the Core, which waits for it
    await asyncio.gather(*runtime.timers.values(), return_exceptions=True)
    for ended in await asyncio.gather(*receiving, return_exceptions=True):
        if isinstance(ended, InvalidToken | ZaloUnauthorized):  # refused while running
            platform = "telegram" if isinstance(ended, InvalidToken) else "zalo"
            raise TokenRefused(f"run.{platform}_token") from ended
        if isinstance(ended, Exception):
            raise ended

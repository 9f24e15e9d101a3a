"""Building the python-telegram-bot Application: one engine per process, handlers, command menu."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from telegram import BotCommand
from telegram.ext import AIORateLimiter, Application, ApplicationBuilder, ContextTypes

from bot.alerts import check_alerts
from bot.chat.commands import COMMANDS
from bot.core import Core, Work
from bot.outbox import OutboxSender
from bot.telegram import handlers
from bot.telegram.ordering import PerChatOrder
from bot.telegram.services import SERVICES, Services, ready
from bot.telegram.transport import TelegramTransport
from reporting.campaign_store import current_campaign
from reporting.clock import Clock, SystemClock
from reporting.i18n import LANGUAGES, text
from reporting.settings import Settings
from reporting.storage.db import TakingTurns, create_engine
from reporting.storage.schema import require_current

ALERT_TICK = 60  # seconds between checks for due alerts
OUTBOX_TICK = 1  # seconds between looks at the outbox (for retries and other writers' rows)
MENU = (
    "report",
    "mine",
    "status",
    "chart",
    "missing",
    "confirm",
    "export",
    "help",
    "lang",
    "cancel",
)


def build_application(
    settings: Settings, clock: Clock | None = None, alerts: bool = True
) -> Application:
    """Returns the bot's Application, pointed at TELEGRAM_API_BASE_URL, not yet started.

    With `alerts=False` no alert is checked on the JobQueue's own; the demo and tests call
    `check_alerts` at the simulated moments instead. Replies are delivered either way.
    """
    base_url = settings.TELEGRAM_API_BASE_URL.rstrip("/")
    application = (
        ApplicationBuilder()
        .token(settings.TELEGRAM_BOT_TOKEN)
        .base_url(base_url)
        .base_file_url(base_url.removesuffix("/bot") + "/file/bot")
        .concurrent_updates(PerChatOrder())
        .rate_limiter(_rate_limiter(settings.TELEGRAM_MAX_RATE))
        .post_init(_post_init)
        .post_shutdown(_post_shutdown)
        .build()
    )
    application.bot_data[SERVICES] = Services(settings, clock or SystemClock(), alerts)
    handlers.register(application)
    return application


@asynccontextmanager
async def started(application: Application) -> AsyncIterator[Application]:
    """Starts the application (its Core, JobQueue and outbox sender) in the caller's loop.

    Receiving updates is the caller's: durable polling (bot/telegram/polling.py) or a webhook.
    """
    await application.initialize()
    await _post_init(application)
    await application.start()
    try:
        yield application
    finally:
        await _wind_down(application)
        await application.stop()
        await _post_shutdown(application)
        await application.shutdown()


def _rate_limiter(per_second: int) -> AIORateLimiter:
    """Returns a limiter that never sends more than `per_second` messages in any second.

    One message per 1/rate seconds rather than `rate` per second: the latter lets a whole
    second's worth go out at once, and a broadcast would start with a burst. It retries
    nothing itself: a flood wait goes back to the outbox sender, which owns every retry.
    """
    # Its only error log says a flood wait was not retried, which the sender logs better.
    logging.getLogger("telegram.ext.AIORateLimiter").setLevel(logging.CRITICAL)
    return AIORateLimiter(overall_max_rate=1, overall_time_period=1 / per_second, max_retries=0)


async def _post_init(application: Application) -> None:
    services: Services = application.bot_data[SERVICES]
    services.engine = create_engine(services.settings.DATABASE_URL)
    await require_current(services.engine)
    sessions = TakingTurns(services.engine)
    async with sessions() as session:
        campaign = await current_campaign(session)
    core = Core(services.clock, sessions, campaign, _scheduler(application), services.alerts)
    sender = OutboxSender(TelegramTransport(application.bot), sessions, services.clock, campaign)
    core.senders[sender.channel] = sender
    services.core = core
    for lang in LANGUAGES:
        menu = [BotCommand(name, _describe(name, lang)) for name in MENU]
        await application.bot.set_my_commands(menu, language_code=None if lang == "vi" else lang)
    assert application.job_queue is not None, "python-telegram-bot[job-queue] is required"
    # From the first tick on, whatever an earlier run left pending goes out.
    application.job_queue.run_repeating(_outbox_tick, interval=OUTBOX_TICK, first=0)
    if services.alerts:
        application.job_queue.run_repeating(_alert_tick, interval=ALERT_TICK, first=5)


async def _wind_down(application: Application) -> None:
    """Stops new jobs and waits for those under way, so that stopping cancels none of them.

    The JobQueue cancels whatever still runs when it stops: a delivery cut between its send and
    its record would be sent again after the restart.
    """
    services: Services = application.bot_data[SERVICES]
    assert application.job_queue is not None
    for job in application.job_queue.jobs():
        job.schedule_removal()
    if services.core is not None:
        await services.core.close()


async def _outbox_tick(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Delivers what is due: retries whose time came, rows other processes or the CLI wrote."""
    ready(context).deliver_all_soon()


async def _alert_tick(context: ContextTypes.DEFAULT_TYPE) -> None:
    """The minute's check for timed alerts and verdict changes."""
    core = ready(context)
    await core.run(lambda: check_alerts(core, scheduled_too=True))


def _scheduler(application: Application) -> Callable[[Work], None]:
    """Returns how the Core runs work soon: as a one-off job of the application's JobQueue."""

    def schedule(work: Work) -> None:
        async def job(context: ContextTypes.DEFAULT_TYPE) -> None:
            await ready(context).run(work)

        assert application.job_queue is not None
        application.job_queue.run_once(job, when=0)

    return schedule


async def _post_shutdown(application: Application) -> None:
    services: Services = application.bot_data[SERVICES]
    if services.core is not None:
        await services.core.settle()
    if services.engine is not None:
        await services.engine.dispose()


def _describe(name: str, lang: str) -> str:
    assert any(command.name == name for command in COMMANDS)
    return text(f"help.{name}", lang).split(" — ", 1)[-1]

"""Building the python-telegram-bot Application: handlers, command menu, rate limit, outbox."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial

from telegram import BotCommand
from telegram.ext import AIORateLimiter, Application, ApplicationBuilder

from bot.chat.commands import COMMANDS
from bot.core import Core
from bot.outbox import OutboxSender
from bot.reach import patiently
from bot.telegram import handlers
from bot.telegram.ordering import PerChatOrder
from bot.telegram.services import CORE
from bot.telegram.transport import CHANNEL, TelegramTransport
from reporting.campaign import Campaign
from reporting.i18n import LANGUAGES, text
from reporting.settings import Settings
from reporting.wording import level_words

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


def build_application(settings: Settings) -> Application:
    """Returns the bot's Application, pointed at TELEGRAM_API_BASE_URL, not yet started.

    It only receives and sends: the runtime (bot/runtime.py) owns the Core, its timers and
    the outbox, whatever the channels, so no JobQueue is made.
    """
    base_url = settings.TELEGRAM_API_BASE_URL.rstrip("/")
    application = (
        ApplicationBuilder()
        .token(settings.TELEGRAM_BOT_TOKEN)
        .base_url(base_url)
        .base_file_url(base_url.removesuffix("/bot") + "/file/bot")
        .concurrent_updates(PerChatOrder())
        .rate_limiter(_rate_limiter(settings.TELEGRAM_MAX_RATE))
        .job_queue(None)
        .build()
    )
    handlers.register(application)
    return application


@asynccontextmanager
async def started(application: Application, core: Core) -> AsyncIterator[Application]:
    """Starts the application for a Core: its handlers answer through it, its outbox is sent.

    Receiving updates is the caller's: durable polling (bot/telegram/polling.py) or the
    webhook (bot/telegram/webhook.py).
    """
    application.bot_data[CORE] = core
    bot = application.bot
    await patiently("Telegram", bot.base_url, bot.token, application.initialize)
    try:
        for lang in LANGUAGES:
            menu = [BotCommand(name, _describe(name, lang, core.campaign)) for name in MENU]
            language = None if lang == "vi" else lang
            await patiently(
                "Telegram",
                bot.base_url,
                bot.token,
                partial(bot.set_my_commands, menu, language_code=language),
            )
        await application.start()
        transport = TelegramTransport(application.bot)
        core.senders[CHANNEL] = OutboxSender(transport, core.sessions, core.clock, core.campaign)
        yield application
    finally:
        if application.running:
            await application.stop()
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


def _describe(name: str, lang: str, campaign: Campaign) -> str:
    assert any(command.name == name for command in COMMANDS)
    words = level_words(campaign.levels)
    return text(f"help.{name}", lang, **words).split(" — ", 1)[-1]

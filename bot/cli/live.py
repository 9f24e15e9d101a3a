"""The commands that run the bot or play the demo (they load python-telegram-bot)."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

from telegram import Update

from bot.cli.admin import AdminRefused
from bot.demo.runner import play_demo
from bot.telegram.app import build_application
from bot.telegram.polling import serve
from reporting.settings import Settings


def run(settings: Settings, args: argparse.Namespace) -> None:
    """Runs the bot until interrupted: long polling, or a webhook server with --webhook."""
    if not settings.TELEGRAM_BOT_TOKEN:
        raise AdminRefused("cli.no_token")
    application = build_application(settings)
    if not args.webhook:
        asyncio.run(serve(application))
        return
    if not settings.WEBHOOK_URL or not settings.WEBHOOK_SECRET:
        raise AdminRefused("cli.webhook_settings")
    application.run_webhook(
        listen=settings.WEBHOOK_LISTEN,
        port=settings.WEBHOOK_PORT,
        url_path=settings.TELEGRAM_BOT_TOKEN.split(":")[0],
        webhook_url=settings.WEBHOOK_URL,
        secret_token=settings.WEBHOOK_SECRET,
        allowed_updates=Update.ALL_TYPES,
    )


def demo(_settings: Settings, args: argparse.Namespace) -> None:
    """Plays the reference campaign offline into the output folder."""
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    asyncio.run(play_demo(out))


COMMANDS = {"run": run, "demo": demo}

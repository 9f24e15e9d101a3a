"""A bare python-telegram-bot echo bot in webhook mode, in a process of its own: the baseline
of the several-processes benchmark (`benchmarks/processes.py`).

    python -m benchmarks.echo_bot PORT PUBLIC_URL

It reads TELEGRAM_BOT_TOKEN, TELEGRAM_API_BASE_URL, TELEGRAM_MAX_RATE and WEBHOOK_SECRET as
tallybot does, serves POST /telegram on 127.0.0.1:PORT, and answers each call once its echo was
sent, as tallybot answers once its tally is committed. SIGTERM stops it.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys

from aiohttp import web
from telegram import Update
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    ContextTypes,
    MessageHandler,
    filters,
)


async def _echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Replies with the message's own text."""
    assert update.message is not None
    assert update.message.text is not None
    await update.message.reply_text(update.message.text)


def _application() -> Application:
    rate = int(os.environ.get("TELEGRAM_MAX_RATE", "30"))
    application = (
        ApplicationBuilder()
        .token(os.environ["TELEGRAM_BOT_TOKEN"])
        .base_url(os.environ["TELEGRAM_API_BASE_URL"])
        .rate_limiter(AIORateLimiter(overall_max_rate=rate, max_retries=3))
        .updater(None)
        .concurrent_updates(True)
        .build()
    )
    application.add_handler(MessageHandler(filters.TEXT, _echo))
    return application


async def serve(port: int, public_url: str) -> None:
    """Registers the webhook, echoes until SIGTERM, then stops."""
    application = _application()
    secret = os.environ.get("WEBHOOK_SECRET", "")

    async def on_call(request: web.Request) -> web.Response:
        if request.headers.get("X-Telegram-Bot-Api-Secret-Token", "") != secret:
            return web.Response(status=403)
        await application.process_update(Update.de_json(await request.json(), application.bot))
        return web.Response()

    web_app = web.Application()
    web_app.router.add_post("/telegram", on_call)
    runner = web.AppRunner(web_app, access_log=None)
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    async with application:
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        await application.bot.set_webhook(f"{public_url}/telegram", secret_token=secret or None)
        try:
            await stop.wait()
        finally:
            await runner.cleanup()


if __name__ == "__main__":
    asyncio.run(serve(int(sys.argv[1]), sys.argv[2]))

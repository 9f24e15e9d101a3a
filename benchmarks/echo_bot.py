"""A bare python-telegram-bot echo bot: the baseline the throughput benchmarks measure the
bot against, in the benchmark's own event loop (`benchmarks/throughput.py`) or in a process of
its own (`benchmarks/processes.py`, `benchmarks/one_process.py`):

    python -m benchmarks.echo_bot PORT PUBLIC_URL    # webhook mode, as `tallybot run --webhook`
    python -m benchmarks.echo_bot --poll             # long polling, as `tallybot run`

As a process it reads TELEGRAM_BOT_TOKEN, TELEGRAM_API_BASE_URL, TELEGRAM_MAX_RATE and
WEBHOOK_SECRET as tallybot does and handles updates of different chats side by side, as
tallybot does. In webhook mode it serves POST /telegram on 127.0.0.1:PORT and answers each call
once its echo was sent, as tallybot answers once its tally is committed. SIGTERM stops it.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

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


def echo_application(
    token: str, base_url: str, max_rate: int, *, concurrent: bool, polling: bool
) -> Application:
    """Returns a bare PTB Application that echoes text, rate-limited at `max_rate` a second;
    with `polling`, PTB's own Updater fetches its updates."""
    builder = (
        ApplicationBuilder()
        .token(token)
        .base_url(base_url)
        .rate_limiter(AIORateLimiter(overall_max_rate=max_rate, max_retries=3))
        .concurrent_updates(concurrent)
    )
    application = (builder if polling else builder.updater(None)).build()
    application.add_handler(MessageHandler(filters.TEXT, _echo))
    return application


@asynccontextmanager
async def polled(application: Application) -> AsyncIterator[Application]:
    """Runs the echo bot with long polling as PTB's own Updater does."""
    await application.initialize()
    await application.start()
    assert application.updater is not None
    await application.updater.start_polling(poll_interval=0, timeout=1)
    try:
        yield application
    finally:
        await application.updater.stop()
        await application.stop()
        await application.shutdown()


def _from_environment(polling: bool) -> Application:
    return echo_application(
        os.environ["TELEGRAM_BOT_TOKEN"],
        os.environ["TELEGRAM_API_BASE_URL"],
        int(os.environ.get("TELEGRAM_MAX_RATE", "30")),
        concurrent=True,
        polling=polling,
    )


async def _until_terminated() -> None:
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    await stop.wait()


async def poll() -> None:
    """Echoes what long polling brings until SIGTERM, then stops."""
    async with polled(_from_environment(polling=True)):
        await _until_terminated()


async def serve(port: int, public_url: str) -> None:
    """Registers the webhook, echoes until SIGTERM, then stops."""
    application = _from_environment(polling=False)
    secret = os.environ.get("WEBHOOK_SECRET", "")

    async def on_call(request: web.Request) -> web.Response:
        if request.headers.get("X-Telegram-Bot-Api-Secret-Token", "") != secret:
            return web.Response(status=403)
        await application.process_update(Update.de_json(await request.json(), application.bot))
        return web.Response()

    web_app = web.Application()
    web_app.router.add_post("/telegram", on_call)
    runner = web.AppRunner(web_app, access_log=None)
    async with application:
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        await application.bot.set_webhook(f"{public_url}/telegram", secret_token=secret or None)
        try:
            await _until_terminated()
        finally:
            await runner.cleanup()


if __name__ == "__main__":
    if sys.argv[1:] == ["--poll"]:
        asyncio.run(poll())
    else:
        asyncio.run(serve(int(sys.argv[1]), sys.argv[2]))

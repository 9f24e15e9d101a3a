"""The commands that run the bot or play the demo (they load python-telegram-bot).

The demo's outputs (charts, workbooks, posting sheets) are imported by `demo` alone, so that
a running bot loads matplotlib and openpyxl only when someone first asks for a chart or the
workbook.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
from collections.abc import Callable
from pathlib import Path

from bot.runtime import serve
from reporting.settings import Settings


def run(settings: Settings, args: argparse.Namespace) -> None:
    """Runs the bot on every configured channel until interrupted (polling, or --webhook).

    On uvloop's event loop where it is installed (not on Windows): see benchmarks/README.md
    for what it gives.
    """
    with asyncio.Runner(loop_factory=_fastest_loop()) as runner:
        runner.run(serve(settings, webhook=args.webhook))


def _fastest_loop() -> Callable[[], asyncio.AbstractEventLoop] | None:
    """Returns uvloop's event loop factory, or None (asyncio's own) where it is missing."""
    try:
        import uvloop
    except ImportError:
        return None
    return uvloop.new_event_loop


def demo(_settings: Settings, args: argparse.Namespace) -> None:
    """Plays the reference campaign (or --campaign FILE) offline into the output folder."""
    from bot.demo.runner import play_demo

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    # The demo's own printout says what happened; the HTTP server's start and every chart the
    # local Zalo server fetches would only interrupt it.
    for chatty in ("bot.web.server", "aiohttp.access"):
        logging.getLogger(chatty).setLevel(logging.WARNING)
    asyncio.run(play_demo(out, args.campaign))

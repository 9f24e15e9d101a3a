"""Runs the command the parser chose: loads its module, then reports any failure in one line."""

from __future__ import annotations

import argparse
import asyncio
import importlib
import inspect
import logging
import sys
from collections.abc import Callable
from typing import Any, cast

from sqlalchemy.engine import make_url

from bot.logsafe import quiet_chatty_loggers
from reporting.errors import TallybotError
from reporting.i18n import text
from reporting.settings import Settings, load_settings
from reporting.storage.db import unreachable_database

Command = Callable[[Settings, argparse.Namespace], Any]

# "module:function" of each command: a command loads its own module and nothing else's, so
# that `invite` does not wait for the exports' pandas and matplotlib, nor `export` for the bot.
COMMANDS: dict[str, str] = {
    "init": "bot.cli.admin:init",
    "roster import": "bot.cli.admin:roster_import",
    "assignments import": "bot.cli.assignments:assignments_import",
    "invite": "bot.cli.invites:invite",
    "invite slips": "bot.cli.slips:invite_slips",
    "users": "bot.cli.admin:users",
    "revoke": "bot.cli.admin:revoke",
    "unlock": "bot.cli.admin:unlock_commune",
    "backup": "bot.cli.admin:backup",
    "tally add": "bot.cli.data:tally_add",
    "tally import": "bot.cli.data:tally_import",
    "export": "bot.cli.exports:export",
    "run": "bot.cli.live:run",
    "demo": "bot.cli.live:demo",
}


def run_command(args: argparse.Namespace) -> int:
    """Runs the parsed command; returns 0 on success, 1 when refused, 3 on an unexpected error."""
    name = " ".join(part for part in (args.command, getattr(args, "action", None)) if part)
    settings: Settings | None = None
    try:
        settings = load_settings()
        logging.basicConfig(level=settings.LOG_LEVEL, format="%(levelname)s %(name)s: %(message)s")
        quiet_chatty_loggers()
        _run(command(name), settings, args)
    except TallybotError as refused:
        return _fail(refused.message())
    except KeyboardInterrupt:
        return 130
    except Exception as error:
        if args.debug:
            raise
        if settings is not None and (cause := unreachable_database(error)) is not None:
            where = make_url(settings.DATABASE_URL).render_as_string(hide_password=True)
            reason = f"{type(cause).__name__}: {cause}"
            return _fail(text("db.unreachable", where=where, reason=reason))
        return _fail(text("cli.unexpected", error=f"{type(error).__name__}: {error}"), code=3)
    return 0


def command(name: str) -> Command:
    """Returns the function that carries out a command, loading its module."""
    module, _, function = COMMANDS[name].partition(":")
    return cast(Command, getattr(importlib.import_module(module), function))


def _run(command: Command, settings: Settings, args: argparse.Namespace) -> None:
    if inspect.iscoroutinefunction(command):
        asyncio.run(command(settings, args))
    else:
        command(settings, args)


def _fail(*lines: str, code: int = 1) -> int:
    for line in lines:
        print(line, file=sys.stderr)
    return code

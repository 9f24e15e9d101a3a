"""`tallybot`: the admin's command line. Failures are one clear message and a non-zero exit."""

from __future__ import annotations

import argparse
import asyncio
import inspect
import logging
import sys
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy.engine import make_url

from bot.cli import admin, data
from bot.cli.parser import build_parser
from bot.logsafe import quiet_chatty_loggers
from reporting.campaign import CampaignError
from reporting.errors import Problem
from reporting.i18n import text
from reporting.settings import Settings, SettingsError, load_settings
from reporting.storage.db import unreachable_database
from reporting.tabular import ImportFileError

Command = Callable[[Settings, argparse.Namespace], Any]

COMMANDS: dict[str, Command] = {
    "init": admin.init,
    "roster import": admin.roster_import,
    "invite": admin.invite,
    "users": admin.users,
    "revoke": admin.revoke,
    "unlock": admin.unlock_commune,
    "backup": admin.backup,
    "tally add": data.tally_add,
    "tally import": data.tally_import,
    "export": data.export,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Runs one command; returns 0 on success, 1 when refused, 3 on an unexpected error."""
    args = build_parser().parse_args(argv)
    name = " ".join(part for part in (args.command, getattr(args, "action", None)) if part)
    settings: Settings | None = None
    try:
        settings = load_settings()
        logging.basicConfig(level=settings.LOG_LEVEL, format="%(levelname)s %(name)s: %(message)s")
        quiet_chatty_loggers()
        _run(_command(name), settings, args)
    except Problem as problem:
        return _fail(problem.message())
    except ImportFileError as refused:
        heading = refused.heading or text("cli.file_refused", count=len(refused.problems))
        return _fail(heading, *refused.problems)
    except (CampaignError, SettingsError) as error:
        return _fail(str(error))
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


def _command(name: str) -> Command:
    if name in COMMANDS:
        return COMMANDS[name]
    from bot.cli import live  # the bot and the demo pull in python-telegram-bot: load on demand

    return live.COMMANDS[name]


def _run(command: Command, settings: Settings, args: argparse.Namespace) -> None:
    if inspect.iscoroutinefunction(command):
        asyncio.run(command(settings, args))
    else:
        command(settings, args)


def _fail(*lines: str, code: int = 1) -> int:
    for line in lines:
        print(line, file=sys.stderr)
    return code

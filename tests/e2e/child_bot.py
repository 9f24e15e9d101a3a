"""The real bot as a child process: `tallybot run` on a database of its own (a SQLite file or
a PostgreSQL database), killed with SIGKILL and started again, against the local Bot API
server in the test process.

Shared by the crash tests (tests/e2e/test_crash.py, on both backends) and the chaos campaign
(tests/e2e/test_chaos.py, on SQLite). The campaign is written for today's real date:
collection open, quiet hours never, reminders due from midnight (the bot's first alert check
comes 5 s after it starts).
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
from collections.abc import Awaitable, Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import inspect, select

from bot.localapi import FakeUser, Hold, LocalBotApi
from reporting.campaign import reference_source
from reporting.people import create_invites, redeem_invite
from reporting.storage.db import create_engine, sessions
from reporting.storage.models import OutboxMessage, ProcessedUpdate, Role
from reporting.units import find_unit_path

if TYPE_CHECKING:  # pytest puts tests/ on sys.path; the benchmarks import this module without it
    from backends import Database, Databases

TOKEN = "7000002:CRASH-tallybot-token"
ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
WAIT = 20.0  # seconds any one step may take, even on a slow machine


def campaign_source(today: date, collecting_since: int = 1) -> str:
    """Returns the reference campaign moved to today: collecting (since `collecting_since`
    days ago), never quiet, reminders due."""
    day = timedelta(days=1)
    phases = (
        f"[phases]\nconference = {today - (collecting_since + 1) * day}\n"
        f"collection = [{today - collecting_since * day}, {today + day}]\n"
        f"aggregation = [{today + day}, {today + 3 * day}]\n"
        f"posting = [{today + 5 * day}, {today + 15 * day}]\nreport_due = {today + 16 * day}\n\n"
    )
    alerts = (
        '[alerts]\nreminder = "00:00"\nmissing = "23:59"\ndigest = "23:59"\n'
        'quiet = ["00:00", "00:00"]\n\n'
    )
    source = re.sub(r"\[phases\].*?\n\n", phases, reference_source(), flags=re.DOTALL)
    source = re.sub(r"\[alerts\].*?\n\n", alerts, source, flags=re.DOTALL)
    assert phases in source, "the reference campaign changed its layout"
    assert alerts in source, "the reference campaign changed its layout"
    return source


def tallybot() -> list[str]:
    """Returns the command that starts `tallybot`: the venv's console script if installed."""
    script = Path(sys.executable).with_name("tallybot")
    return [str(script)] if script.exists() else [sys.executable, "-m", "bot"]


def environment(folder: Path, url: str, server: LocalBotApi | None = None) -> dict[str, str]:
    """Returns the child's environment: this test's database, campaign and local server."""
    env = dict(os.environ)
    env |= {
        "DATABASE_URL": url,
        "CAMPAIGN_FILE": str(folder / "campaign.toml"),
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "LOG_LEVEL": "INFO",
    }
    if server is not None:
        env |= {"TELEGRAM_API_BASE_URL": server.base_url, "TELEGRAM_BOT_TOKEN": server.token}
    return env


def live_database(databases: Databases, folder: Path) -> Database:
    """Returns a loaded database of the backend with today's campaign (its file in `folder`)
    put in force by the real `tallybot init`; tests run on copies (`databases.copy`)."""
    database = databases.new(folder, "loaded")
    today = datetime.now(ZONE).date()
    (folder / "campaign.toml").write_text(campaign_source(today), encoding="utf-8")
    command = [*tallybot(), "init"]
    env = environment(folder, database.url)
    done = subprocess.run(command, env=env, cwd=folder, capture_output=True)
    assert done.returncode == 0, done.stderr.decode()
    return database


class Crashes:
    """The local server, the bot's child processes on one database, and reads of its state."""

    def __init__(self, folder: Path, url: str, token: str = TOKEN) -> None:
        self.folder, self.url = folder, url  # the folder holds the bots' logs
        self.server = LocalBotApi(token=token)
        self.engine = create_engine(url)
        self.sessions = sessions(self.engine)
        self.process: subprocess.Popen[bytes] | None = None
        self._logs: list[IO[bytes]] = []

    # --- the bot process ---------------------------------------------------------------

    def start(self) -> None:
        """Starts a new `tallybot run` on the database, its output in a log file."""
        assert self.process is None, "one bot at a time"
        log = (self.folder / f"bot-{len(self._logs) + 1}.log").open("wb")
        self._logs.append(log)
        self.process = subprocess.Popen(
            [*tallybot(), "run"],
            env=environment(self.folder, self.url, self.server),
            cwd=self.folder,
            stdout=log,
            stderr=subprocess.STDOUT,
        )

    async def kill(self) -> None:
        """Kills the bot with SIGKILL, as a power cut or the OOM killer would.

        On PostgreSQL the dead process's outbox claims stay in the database: the next bot
        started on this machine takes them back (rather than waiting out their lease) and
        sends again the row that was on its way.
        """
        assert self.process is not None
        self.process.kill()
        self.process.wait(timeout=WAIT)
        assert self.process.returncode == -signal.SIGKILL
        self.process = None

    def output(self) -> str:
        """Returns what every bot process logged, for failure messages."""
        logs = sorted(self.folder.glob("bot-*.log"))
        return "\n".join(f"--- {p.name}\n{p.read_text(errors='replace')}" for p in logs)

    async def until(
        self, condition: Callable[[], bool | Awaitable[bool]], what: str, wait: float = WAIT
    ) -> None:
        """Waits until the condition holds; fails at once if the bot process died."""
        deadline = asyncio.get_running_loop().time() + wait
        while not await _holds(condition()):
            if self.process is not None and self.process.poll() is not None:
                pytest.fail(f"the bot exited while waiting for {what}\n{self.output()}")
            if asyncio.get_running_loop().time() > deadline:
                pytest.fail(f"waited {wait:g} s for {what}\n{self.output()}")
            await asyncio.sleep(0.02)

    async def hold(self, held: Hold, what: str) -> dict[str, Any]:
        """Waits until the server holds the call; returns the call's parameters."""
        await self.until(held.reached.is_set, what)
        return dict(held.params)

    async def close(self) -> None:
        """Kills a bot still running, stops the server, closes logs and the reading engine."""
        try:
            if self.process is not None:
                await self.kill()
        finally:
            await self.server.stop()
            await self.engine.dispose()
            for log in self._logs:
                log.close()

    # --- people --------------------------------------------------------------------------

    async def register(self, hamlet: str, user_id: int, name: str) -> FakeUser:
        """Returns a hamlet leader registered earlier (invite redeemed, chat open)."""
        async with self.sessions() as session:
            unit = await find_unit_path(session, hamlet)
            now = datetime.now(ZONE)
            [invite] = await create_invites(session, Role.HAMLET, [unit], 1, now, 14)
            await redeem_invite(
                session,
                invite.code,
                channel="telegram",
                external_id=str(user_id),
                chat_id=str(user_id),
                display_name=name,
                now=now,
            )
        return self.server.open_chat(user_id, name)

    # --- the database --------------------------------------------------------------------

    async def rows(self, model: type[Any], *where: Any) -> list[Any]:
        """Returns a table's rows (filtered), in id order, read through the test's own engine."""
        async with self.sessions() as session:
            query = select(model).where(*where).order_by(*inspect(model).primary_key)
            return list(await session.scalars(query))

    async def processed(self, update_id: int) -> int:
        """Returns how many times an update is recorded as processed."""
        async with self.sessions() as session:
            query = select(ProcessedUpdate).where(ProcessedUpdate.update_id == str(update_id))
            return len(list(await session.scalars(query)))

    async def outbox_states(self, chat_id: int) -> list[str]:
        """Returns the states of a chat's outbox rows, oldest first."""
        rows = await self.rows(OutboxMessage, OutboxMessage.chat_id == str(chat_id))
        return [row.state for row in rows]

    async def settled(self, chat_ids: list[int]) -> None:
        """Waits until these chats have outbox rows and none of them is pending any more."""

        async def done() -> bool:
            rows = await self.rows(OutboxMessage, OutboxMessage.chat_id.in_(map(str, chat_ids)))
            return bool(rows) and all(row.state != "pending" for row in rows)

        await self.until(done, "the outbox to settle")


async def _holds(answer: bool | Awaitable[bool]) -> bool:
    return await answer if isinstance(answer, Awaitable) else answer

"""Crash safety (SPEC §5): `tallybot run` killed with SIGKILL at chosen points loses nothing.

Each test runs the real bot as a child process (`tallybot run`, real system clock, a database
of its own, SQLite or PostgreSQL) against the local Bot API server in this process. The server
holds one call unanswered — before it takes effect ("committed, not yet sent") or after ("sent,
not yet marked sent") — and the test kills the bot while it waits, starts a new `tallybot run`
on the same database and reads what every person received and what the database holds.

The campaign is written for today's real date: collection open, quiet hours never, reminders
due from midnight (the bot's first alert check comes 5 s after it starts).
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import signal
import subprocess
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import IO, Any
from zoneinfo import ZoneInfo

import pytest
from backends import Database, Databases
from sqlalchemy import select

from bot.localapi import FakeUser, Hold, LocalBotApi
from reporting.campaign import reference_source
from reporting.people import create_invites, redeem_invite
from reporting.storage.db import create_engine, sessions
from reporting.storage.models import (
    AlertLog,
    OutboxMessage,
    ProcessedUpdate,
    Role,
    Tally,
    TallyRevision,
)
from reporting.units import find_unit_path

TOKEN = "7000002:CRASH-tallybot-token"

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
HAMLET = "Định Biên/Xóm Nà Mỏ"
LEADERS = ["Xóm Nà Mỏ", "Xóm Tân Vàng", "Xóm Đồng Chú", "Xóm Thẩm Kè", "Xóm Nà Què"]
ONE_LINE = "/baocao 45 44 43 45 45 42 44 45 44 45 45"
SAVED = "✅ Đã lưu báo cáo ngày "
MINE = "🏠 Xóm Nà Mỏ (xã Định Biên)"
ALERT_CHECK = 6.0  # seconds after its start by which a bot checked alerts (ALERT_TICK first=5)
WAIT = 20.0  # seconds any one step may take, even on a slow machine


def campaign_source(today: date) -> str:
    """Returns the reference campaign moved to today: collecting, never quiet, reminders due."""
    day = timedelta(days=1)
    phases = (
        f"[phases]\nconference = {today - 2 * day}\n"
        f"collection = [{today - day}, {today + day}]\n"
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
        env["TELEGRAM_API_BASE_URL"] = server.base_url
    return env


@pytest.fixture(scope="module")
def live_template(module_database: Database, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The module's loaded database with today's campaign put in force by the real `tallybot
    init`; returns the folder of the campaign file."""
    folder = tmp_path_factory.mktemp("crash-template")
    today = datetime.now(ZONE).date()
    (folder / "campaign.toml").write_text(campaign_source(today), encoding="utf-8")
    command = [*tallybot(), "init"]
    env = environment(folder, module_database.url)
    done = subprocess.run(command, env=env, cwd=folder, capture_output=True)
    assert done.returncode == 0, done.stderr.decode()
    return folder


class Crashes:
    """The local server, the bot's child processes on one database, and reads of its state."""

    def __init__(self, folder: Path, url: str) -> None:
        self.folder = folder
        self.url = url
        self.server = LocalBotApi(token=TOKEN)
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

    def kill(self) -> None:
        """Kills the bot with SIGKILL, as a power cut or the OOM killer would."""
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=WAIT)
        assert self.process.returncode == -signal.SIGKILL
        self.process = None

    def output(self) -> str:
        """Returns what every bot process logged, for failure messages."""
        logs = sorted(self.folder.glob("bot-*.log"))
        return "\n".join(f"--- {p.name}\n{p.read_text(errors='replace')}" for p in logs)

    async def until(self, condition: Callable[[], bool | Awaitable[bool]], what: str) -> None:
        """Waits until the condition holds; fails at once if the bot process died."""
        deadline = asyncio.get_running_loop().time() + WAIT
        while not await _holds(condition()):
            if self.process is not None and self.process.poll() is not None:
                pytest.fail(f"the bot exited while waiting for {what}\n{self.output()}")
            if asyncio.get_running_loop().time() > deadline:
                pytest.fail(f"waited {WAIT:g} s for {what}\n{self.output()}")
            await asyncio.sleep(0.02)

    async def hold(self, held: Hold, what: str) -> dict[str, Any]:
        """Waits until the server holds the call; returns the call's parameters."""
        await self.until(held.reached.is_set, what)
        return dict(held.params)

    async def close(self) -> None:
        """Kills a bot still running, stops the server, closes logs and the reading engine."""
        try:
            if self.process is not None:
                self.kill()
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
            query = select(model).where(*where).order_by(model.id)
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


@pytest.fixture
async def crashes(
    live_template: Path, module_database: Database, databases: Databases, tmp_path: Path
) -> AsyncIterator[Crashes]:
    """A copy of the live database, the local server running, no bot yet; all killed after."""
    shutil.copyfile(live_template / "campaign.toml", tmp_path / "campaign.toml")
    database = databases.copy(module_database, tmp_path)
    harness = Crashes(tmp_path, database.url)
    await harness.server.start()
    try:
        yield harness
    finally:
        try:
            await harness.close()
        finally:
            databases.drop(database)


async def _holds(answer: bool | Awaitable[bool]) -> bool:
    return await answer if isinstance(answer, Awaitable) else answer


def texts(person: FakeUser) -> list[str]:
    """Returns the first line of every message the person received, in order."""
    return [message.text.splitlines()[0] for message in person.inbox]


async def one_line_tally_crash(crashes: Crashes, effect: bool) -> tuple[FakeUser, int]:
    """Sends the leader's one-line tally, kills the bot at the held confirmation, restarts it.

    The update is never confirmed to the server before the kill (its confirming getUpdates is
    held too), so the new process is handed the same update again.
    """
    leader = await crashes.register(HAMLET, 91_001, "Hoàng Văn Bình")
    await leader.send(ONE_LINE)  # waiting for the bot, as Telegram keeps it
    update_id = 1  # the server's first update
    polled = crashes.server.hold_next("getUpdates", skip=1)  # the poll that would confirm it
    sent = crashes.server.hold_next("sendMessage", effect=effect)
    crashes.start()
    assert (await crashes.hold(polled, "the confirming poll"))["offset"] == str(update_id + 1)
    assert (await crashes.hold(sent, "the confirmation"))["chat_id"] == str(leader.user_id)
    [tally] = await crashes.rows(Tally)  # committed before the send began
    assert await crashes.outbox_states(leader.user_id) == ["pending"]

    crashes.kill()
    await sent.wait_dropped()
    assert len(crashes.server.store.updates) == 1  # not confirmed: it will come again
    crashes.start()
    await mine(crashes, leader)
    return leader, update_id


async def mine(crashes: Crashes, leader: FakeUser) -> str:
    """Asks `/xomtoi` and returns the answer: the chat's earlier updates are all handled then."""
    mark = len(leader.inbox)
    await leader.send("/xomtoi")

    def answered() -> bool:  # a message resent after the restart may come first
        return any(shown.text.startswith(MINE) for shown in leader.inbox[mark:])

    await crashes.until(answered, "the answer to /xomtoi")
    await crashes.settled([leader.user_id])
    return leader.inbox[-1].text


async def test_tally_committed_before_its_confirmation_is_confirmed_once_after_a_crash(
    crashes: Crashes,
) -> None:
    leader, update_id = await one_line_tally_crash(crashes, effect=False)

    assert texts(leader) == [f"{SAVED}{today()} của Xóm Nà Mỏ.", MINE]
    assert "Cộng dồn: 45/60 hộ đã góp ý (75,00 %)." in leader.inbox[-1].text
    [tally] = await crashes.rows(Tally)
    assert (tally.collected, tally.revision) == (45, 1)
    assert len(await crashes.rows(TallyRevision)) == 1
    assert await crashes.processed(update_id) == 1
    assert await crashes.outbox_states(leader.user_id) == ["sent", "sent"]


async def test_confirmation_shown_but_not_marked_sent_comes_again_and_counts_once(
    crashes: Crashes,
) -> None:
    leader, update_id = await one_line_tally_crash(crashes, effect=True)

    # At least once: the bot could not learn that the first went through.
    saved = f"{SAVED}{today()} của Xóm Nà Mỏ."
    assert texts(leader) == [saved, saved, MINE]
    assert "Cộng dồn: 45/60 hộ đã góp ý (75,00 %)." in leader.inbox[-1].text
    [tally] = await crashes.rows(Tally)
    assert (tally.collected, tally.revision) == (45, 1)
    assert len(await crashes.rows(TallyRevision)) == 1
    assert await crashes.processed(update_id) == 1
    assert await crashes.outbox_states(leader.user_id) == ["sent", "sent"]


async def test_reminders_cut_off_mid_batch_reach_everyone_once_after_a_crash(
    crashes: Crashes,
) -> None:
    leaders = [
        await crashes.register(f"Định Biên/{hamlet}", 92_001 + i, f"Trưởng {hamlet}")
        for i, hamlet in enumerate(LEADERS)
    ]
    chats = [leader.user_id for leader in leaders]
    sent = crashes.server.hold_next("sendMessage", skip=2, effect=True)
    crashes.start()
    in_flight = int((await crashes.hold(sent, "the third reminder"))["chat_id"])
    assert len(await crashes.rows(AlertLog)) == len(LEADERS)

    crashes.kill()
    await sent.wait_dropped()
    crashes.start()
    restarted = asyncio.get_running_loop().time()
    await crashes.settled(chats)
    # Past the new process's first alert check (5 s after it starts): nothing is claimed again.
    await asyncio.sleep(max(0.0, restarted + ALERT_CHECK - asyncio.get_running_loop().time()))
    await crashes.settled(chats)

    reminder = f"🔔 Nhắc việc: hôm nay ({today()[:5]}) xóm chưa gửi báo cáo. Gõ /baocao để gửi."
    received = {leader.user_id: texts(leader) for leader in leaders}
    assert received == {chat: [reminder] * (2 if chat == in_flight else 1) for chat in chats}, (
        "only the reminder in flight at the crash may come twice"
    )
    claims = await crashes.rows(AlertLog)
    assert sorted(claim.user_id for claim in claims) == sorted({c.user_id for c in claims})
    assert len(claims) == len(LEADERS)
    rows = await crashes.rows(OutboxMessage)
    assert [row.state for row in rows] == ["sent"] * len(LEADERS)


async def test_button_pressed_while_the_bot_is_down_is_handled_after_the_restart(
    crashes: Crashes,
) -> None:
    leader = await crashes.register(HAMLET, 93_001, "Hoàng Văn Bình")
    crashes.start()
    for answer in ["/baocao", "45", "0", *["44"] * 10, "Bỏ qua"]:
        mark = len(leader.inbox)
        await leader.send(answer)
        await crashes.until(lambda m=mark: len(leader.inbox) > m, f"the answer to {answer}")
    # (The bot's first alert check may slip a reminder in: the summary need not come last.)
    await crashes.until(lambda: any("Gửi" in m.buttons for m in leader.inbox), "the summary")
    crashes.kill()

    await leader.press("Gửi")  # Telegram keeps the press until a bot asks for it
    crashes.start()
    await mine(crashes, leader)

    saved = [text for text in texts(leader) if text.startswith(SAVED)]
    assert saved == [f"{SAVED}{today()} của Xóm Nà Mỏ."]
    [tally] = await crashes.rows(Tally)
    assert (tally.collected, tally.revision, list(tally.satisfied)) == (45, 1, [44] * 10)
    assert len(await crashes.rows(TallyRevision)) == 1


async def test_button_press_being_handled_at_the_crash_is_handled_after_the_restart(
    crashes: Crashes,
) -> None:
    leader = await crashes.register(HAMLET, 94_001, "Hoàng Văn Bình")
    crashes.start()
    for answer in ["/baocao", "45", "0", *["44"] * 10, "Bỏ qua"]:
        mark = len(leader.inbox)
        await leader.send(answer)
        await crashes.until(lambda m=mark: len(leader.inbox) > m, f"the answer to {answer}")
    await crashes.until(lambda: any("Gửi" in m.buttons for m in leader.inbox), "the summary")
    answered = crashes.server.hold_next("answerCallbackQuery")  # the handler's first call
    await leader.press("Gửi")
    await crashes.hold(answered, "the press being handled")
    assert await crashes.rows(Tally) == []  # not committed yet
    crashes.kill()
    crashes.start()
    await mine(crashes, leader)

    [tally] = await crashes.rows(Tally)
    assert tally.revision == 1


def today() -> str:
    """Returns today's date in campaign time as the bot writes it."""
    return datetime.now(ZONE).strftime("%d/%m/%Y")

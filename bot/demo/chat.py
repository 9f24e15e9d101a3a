"""The simulated people's side of the demo: they register, report and ask, through real chat."""

from __future__ import annotations

import asyncio
import re
import socket
from collections.abc import Awaitable, Sequence
from contextlib import AsyncExitStack
from dataclasses import replace
from datetime import date, datetime, time, timedelta

from bot.alerts import check_alerts
from bot.localapi import FakeUser, LocalBotApi, LocalZaloApi, ZaloFakeUser
from bot.runtime import Runtime, running
from reporting.campaign import Campaign
from reporting.clock import SimulatedClock
from reporting.settings import Settings
from reporting.tallies import Figures

TOKEN = "123456:demo-token"
ZALO_TOKEN = "4200000000:demo-zalo-token"
BATCH = 40
# The local servers have no flood limits; Telegram's 30 messages/s would make the demo slow.
LOCAL_MAX_RATE = 10_000
Person = FakeUser | ZaloFakeUser
NUMBERED = re.compile(r"(\d+)\. (.+)")


def free_port() -> int:
    """Returns a loopback port nobody listens on now (the bot's HTTP server takes it next)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class LiveBot:
    """The real bot on the local servers, Telegram's and Zalo's, in one process; it can be
    stopped and started again mid-campaign.

    Zalo fetches the charts the bot sends from the bot's own HTTP server, at PUBLIC_URL on a
    free loopback port.
    """

    def __init__(
        self,
        database_url: str,
        clock: SimulatedClock,
        telegram: LocalBotApi | None = None,
        zalo: LocalZaloApi | None = None,
    ) -> None:
        settings = Settings(DATABASE_URL=database_url)
        if telegram is not None:
            settings = replace(
                settings,
                TELEGRAM_BOT_TOKEN=TOKEN,
                TELEGRAM_API_BASE_URL=telegram.base_url,
                TELEGRAM_MAX_RATE=LOCAL_MAX_RATE,
            )
        if zalo is not None:
            port = free_port()
            settings = replace(
                settings,
                ZALO_BOT_TOKEN=ZALO_TOKEN,
                ZALO_API_BASE_URL=zalo.base_url,
                ZALO_MAX_RATE=LOCAL_MAX_RATE,
                PUBLIC_URL=f"http://127.0.0.1:{port}",
                HTTP_PORT=port,
            )
        self.settings = settings
        self.clock = clock
        self.restarts = 0
        self.runtime: Runtime | None = None
        self._stack = AsyncExitStack()

    async def start(self) -> None:
        """Starts a fresh bot runtime, polling both local servers."""
        self.runtime = await self._stack.enter_async_context(
            running(self.settings, self.clock, alerts=False)
        )
        for sender in self.runtime.core.senders.values():
            sender.per_chat_gap = 0  # no flood limits on the local server

    async def send_alerts(self) -> int:
        """Runs, at the simulated moment, the alert check the JobQueue runs each minute.

        Returns how many alert messages it queued, once the outbox has delivered what is due.
        """
        assert self.runtime is not None, "the bot is not running"
        core = self.runtime.core
        queued = await check_alerts(core, scheduled_too=True)
        await core.deliver_now()
        return queued

    async def restart(self) -> None:
        """Stops the running bot and starts a new one, as after a crash or an upgrade."""
        await self.stop()
        self._stack = AsyncExitStack()
        await self.start()
        self.restarts += 1

    async def stop(self) -> None:
        """Stops the bot."""
        await self._stack.aclose()


async def say(user: Person, words: str, replies: int = 1) -> None:
    """Sends a message and waits for the bot's answers."""
    await user.send(words)
    await user.wait_for_reply(replies, timeout=20)


async def press(user: Person, label: str, replies: int = 1) -> None:
    """Chooses `label` on the user's last message and waits for the answers.

    On Telegram the user presses its button; on Zalo, which has no buttons, they type it.
    """
    if isinstance(user, ZaloFakeUser):
        await user.send(typed_choice(user.inbox[-1].text, label))
    else:
        await user.press(label)
    await user.wait_for_reply(replies, timeout=20)


def typed_choice(shown: str, label: str) -> str:
    """Returns what a Zalo user types to choose `label` under a message: its number in the
    list ("1. Gửi   2. Sửa   3. Hủy"), or the label itself when it stands alone ("» Bỏ qua").
    """
    for line in shown.splitlines():
        if line == f"» {label}":
            return label
        for item in re.split(r"\s{2,}", line.strip()):
            numbered = NUMBERED.fullmatch(item)
            if numbered and numbered[2] == label:
                return numbered[1]
    raise LookupError(f"no choice {label!r} under {shown!r}")


async def in_batches(jobs: Sequence[Awaitable[None]]) -> None:
    """Runs many people's actions at once, a batch at a time, as a busy evening would."""
    for start in range(0, len(jobs), BATCH):
        await asyncio.gather(*jobs[start : start + BATCH])


def one_line(figures: Figures, day: date | None = None) -> str:
    """Returns `/baocao` with 11 numbers, or 12 when some forms are invalid, maybe dated."""
    numbers = [figures.collected]
    numbers += [figures.invalid] if figures.invalid else []
    numbers += list(figures.satisfied)
    prefix = f"{day:%d/%m} " if day else ""
    return f"/baocao {prefix}" + " ".join(str(n) for n in numbers)


async def guided(user: Person, figures: Figures, stumble: bool, bot: LiveBot | None) -> None:
    """Walks through the guided tally; a stumbling leader mistypes, and the bot may restart."""
    await say(user, "/baocao")
    if stumble:
        await say(user, "bốn mươi", replies=2)
    await say(user, str(figures.collected))
    await (press(user, "0") if figures.invalid == 0 else say(user, str(figures.invalid)))
    valid = figures.valid
    for question, satisfied in enumerate(figures.satisfied, start=1):
        if bot is not None and question == 5:
            await bot.restart()
        if stumble and question == 3:
            await say(user, f"{valid + 5}", replies=2)
        if valid and satisfied == valid:
            await press(user, f"Tất cả ({valid})")
        elif valid:
            await say(user, str(satisfied))
    await say(user, "Bà con đề nghị sửa đường bê tông liên xóm" if stumble else "bo qua")
    await press(user, "Gửi")


def moment(campaign: Campaign, day: date, at: time, minutes: int = 0) -> datetime:
    """Returns a campaign-local moment, `minutes` after the given time."""
    return campaign.at(day, at) + timedelta(minutes=minutes)

"""The several-processes benchmark: one-line tallies through 1, 2 and 4 `tallybot run
--webhook` processes on one PostgreSQL database, as a province would run them behind a proxy,
against a bare python-telegram-bot echo bot (1 and 4 processes) behind the same proxy, in the
same run.

Everything but the bots runs here, in one event loop: the local Bot API server, a round-robin
proxy standing in for nginx (the one the tests of several processes use), and the simulated
hamlet leaders. The bots are processes of their own, as deployed.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import Select, func, select
from sqlalchemy.orm import aliased

from benchmarks import postgres
from benchmarks.common import ROOT, Timing, machine, write_section
from bot.demo.chat import LOCAL_MAX_RATE
from bot.demo.plan import HamletPlan
from bot.demo.seeded import sample_roster_path
from bot.localapi import FakeUser
from reporting.campaign import reference_source
from reporting.campaign_store import store_campaign
from reporting.imports.roster_file import parse_roster
from reporting.imports.roster_store import import_roster
from reporting.people import create_invites, redeem_invite
from reporting.storage.db import create_engine, sessions
from reporting.storage.models import Level, Role, Tally, Unit
from reporting.storage.schema import upgrade
from tests.backends import Server
from tests.e2e.child_bot import ZONE
from tests.e2e.processes import SECRET, Bots, init

PROCESS_COUNTS = (1, 2, 4)
ECHO_COUNTS = (1, 4)
LEADERS = 200
WARMUP_DAYS = 1  # each leader's first tally warms the processes up and is not timed
TIMED_DAYS = 3  # then one tally for each of three more days, one after the other
DAYS_BACK = WARMUP_DAYS + TIMED_DAYS
FIRST_USER = 700_000
WAIT = 120.0  # seconds one answer may take before the run is called failed

Script = Callable[[FakeUser], Awaitable[list[int]]]  # a leader's turn: each update's latency


@dataclass(frozen=True, slots=True)
class Window:
    """One case's timed stretch: updates answered, wall time, latencies, the bots' CPU."""

    processes: int
    updates: int
    seconds: float
    latency: Timing
    bot_cpu_seconds: float

    @property
    def rate(self) -> float:
        """Returns updates answered per second."""
        return self.updates / self.seconds

    @property
    def cpu_ms(self) -> float:
        """Returns the bot processes' CPU time per update, in milliseconds, all together."""
        return self.bot_cpu_seconds * 1e3 / self.updates


def main() -> None:
    """Measures the echo bot and the bot on 1, 2 and 4 processes; prints and records it."""
    missing = postgres.unavailable()
    if missing is not None:
        report = f"Not measured: {missing}."
    else:
        # the local server has no flood limit: neither bot waits for Telegram's 30 a second
        os.environ["TELEGRAM_MAX_RATE"] = str(LOCAL_MAX_RATE)
        with (
            tempfile.TemporaryDirectory(prefix="tallybot-processes-") as folder,
            postgres.throwaway_server() as server,
        ):
            report = _benchmark(Path(folder), server)
    print("## several-processes benchmark\n")
    print(report)
    write_section("processes", report)


def _benchmark(folder: Path, server: Server) -> str:
    started = time.perf_counter()
    template = server.create()
    url = server.url(template)
    prepare(folder, url)
    windows: dict[str, Window] = {}
    for count in ECHO_COUNTS:
        echo = EchoBots(case_folder(folder, "echo", count), url, count)
        windows[f"echo {count}"] = asyncio.run(run(echo, *one_line_days(tally_text)))
    for count in PROCESS_COUNTS:
        database = server.url(server.create(template))
        bots = Bots(case_folder(folder, "bot", count), database, count)
        windows[f"bot {count}"] = asyncio.run(_bot_case(bots))
    return render(windows, postgres.server_version(url), time.perf_counter() - started)


def case_folder(folder: Path, name: str, count: int = 1) -> Path:
    """Returns a folder of its own for a case, holding the campaign file."""
    case = folder / f"{name}-{count}"
    case.mkdir()
    shutil.copyfile(folder / "campaign.toml", case / "campaign.toml")
    return case


# --- set-up: the sample roster, today's campaign, leaders registered ---------------------------


def prepare(folder: Path, url: str) -> list[HamletPlan]:
    """Migrates an empty database, loads the sample roster, puts today's campaign (its file in
    `folder`) in force with the real `tallybot init`, and registers LEADERS hamlet leaders;
    returns their hamlets, in the order of their chat ids."""
    upgrade(url)  # Alembic's env.py runs its own event loop: migrate before ours starts
    asyncio.run(_load(url))
    init(folder, url, collecting_since=DAYS_BACK, reminders=False)
    return asyncio.run(register(url))


async def _load(url: str) -> None:
    engine = create_engine(url)
    try:
        async with sessions(engine)() as session:
            now = datetime.now(UTC)
            campaign = await store_campaign(session, reference_source(), "campaign.toml", now)
            await session.commit()
            await import_roster(
                session, parse_roster(sample_roster_path()), campaign.district, now
            )
    finally:
        await engine.dispose()


async def register(url: str, leaders: int = LEADERS) -> list[HamletPlan]:
    """Registers hamlet leaders of the first surveyed hamlets, as invites redeemed earlier
    (chat ids from FIRST_USER on); returns their hamlets in that order."""
    engine = create_engine(url)
    try:
        factory = sessions(engine)
        async with factory() as session:
            found = list(await session.execute(leaders_hamlets(leaders)))
        now = datetime.now(ZONE)
        for number, (hamlet, _) in enumerate(found):
            user_id = str(FIRST_USER + number)
            async with factory() as session:
                [invite] = await create_invites(session, Role.HAMLET, [hamlet], 1, now, 14)
                await redeem_invite(
                    session,
                    invite.code,
                    channel="telegram",
                    external_id=user_id,
                    chat_id=user_id,
                    display_name=f"Trưởng xóm {number}",
                    now=now,
                )
    finally:
        await engine.dispose()
    return [HamletPlan(name, hamlet.name, hamlet.households) for hamlet, name in found]


def leaders_hamlets(leaders: int) -> Select[Unit, str]:
    """Returns the query of the hamlets `register` gives leaders, with their communes' names:
    the first surveyed hamlets, in id order."""
    commune = aliased(Unit)
    return (
        select(Unit, commune.name)
        .join(commune, Unit.parent_id == commune.id)
        .where(Unit.level == Level.HAMLET, commune.surveyed)
        .order_by(Unit.id)
        .limit(leaders)
    )


# --- the cases -------------------------------------------------------------------------------


class EchoBots(Bots):
    """`count` bare echo bot processes behind the proxy, in place of tallybot's."""

    def spawn(self, number: int, port: int) -> None:
        """Starts echo process `number` on `port`, logging to a file."""
        env = dict(os.environ) | {
            "TELEGRAM_BOT_TOKEN": self.server.token,
            "TELEGRAM_API_BASE_URL": self.server.base_url,
            "WEBHOOK_SECRET": SECRET,
        }
        proxy = f"http://127.0.0.1:{self.proxy.port}"
        self.logs.append((self.folder / f"bot-{number}.log").open("wb"))
        self.processes.append(
            subprocess.Popen(
                [sys.executable, "-m", "benchmarks.echo_bot", str(port), proxy],
                env=env,
                cwd=ROOT,
                stdout=self.logs[-1],
                stderr=subprocess.STDOUT,
            )
        )


async def _bot_case(bots: Bots) -> Window:
    window = await run(bots, *one_line_days(tally_text))
    await check_stored(bots.url, LEADERS * DAYS_BACK)
    return window


def tally_text(day: date) -> str:
    """Returns a one-line tally for a day: the bot stores it, the echo bot says it back."""
    return f"/report {day:%d/%m} 9 9 9 9 9 9 9 9 9 9 9"


def one_line_days(words: Callable[[date], str]) -> tuple[Script, Script]:
    """Returns a leader's warm-up (the first of the DAYS_BACK days) and timed turn (a tally
    for each of the other days, one after the other), each message worded by `words`."""
    today = datetime.now(ZONE).date()
    days = [today - timedelta(days=back) for back in range(DAYS_BACK, 0, -1)]

    def turn(days: Sequence[date]) -> Script:
        return lambda user: _days(user, days, words)

    return turn(days[:WARMUP_DAYS]), turn(days[WARMUP_DAYS:])


async def run(bots: Bots, warm_up: Script, timed: Script, leaders: int = LEADERS) -> Window:
    """Starts the processes, lets `leaders` leaders (all at once) take their untimed warm-up
    turn, then times their turns; stops the processes. Refuses a run in which a bot logged an
    error."""
    try:
        await bots.start()
        users = [
            bots.server.open_chat(FIRST_USER + number, f"Trưởng xóm {number}")
            for number in range(leaders)
        ]
        await asyncio.gather(*(warm_up(user) for user in users))
        cpu_before = cpu_seconds(bots)
        start = time.perf_counter_ns()
        latencies = await asyncio.gather(*(timed(user) for user in users))
        elapsed = time.perf_counter_ns() - start
        cpu = cpu_seconds(bots) - cpu_before
        check_logs(bots)
    finally:
        await bots.stop()
    samples = tuple(sample for each in latencies for sample in each)
    return Window(bots.count, len(samples), elapsed / 1e9, Timing(samples), cpu)


async def _days(user: FakeUser, days: Sequence[date], words: Callable[[date], str]) -> list[int]:
    timings = []
    for day in days:
        start = time.perf_counter_ns()
        await say(user, words(day))
        timings.append(time.perf_counter_ns() - start)
    return timings


async def say(user: FakeUser, words: str, replies: int = 1) -> None:
    """Sends the words and waits for the answer (`replies` messages)."""
    mark = len(user.inbox)
    await user.send(words)
    await user.wait_until(lambda: len(user.inbox) >= mark + replies, timeout=WAIT, what="answers")


def cpu_seconds(bots: Bots) -> float:
    """Returns the CPU time the bot processes have used so far (user and system)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for process in bots.processes:
        fields = Path(f"/proc/{process.pid}/stat").read_text().rpartition(")")[2].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


def check_logs(bots: Bots) -> None:
    """Refuses a run in which a process logged an error."""
    if "ERROR" in bots.output() or "Traceback" in bots.output():
        raise AssertionError(f"a bot process logged an error:\n{bots.output()[-4000:]}")


async def check_stored(url: str, expected: int) -> None:
    """Refuses a run that did not store every tally exactly once: `expected` in all, and not
    one of them replaced (one revision each)."""
    engine = create_engine(url)
    try:
        async with sessions(engine)() as session:
            stored = await session.scalar(select(func.count()).select_from(Tally))
            replaced = await session.scalar(select(func.count()).where(Tally.revision != 1))
    finally:
        await engine.dispose()
    if stored != expected or replaced:
        raise AssertionError(f"{stored} tallies stored, not {expected}; {replaced} replaced")


# --- the figures -----------------------------------------------------------------------------


def render(windows: dict[str, Window], server: str, seconds: float) -> str:
    """Returns the Markdown figures: the machine, the table, the scaling ratios."""
    echo = {window.processes: window for name, window in windows.items() if "echo" in name}
    bot = {window.processes: window for name, window in windows.items() if "bot" in name}
    lines = [
        f"Measured {datetime.now(UTC):%Y-%m-%d} on {machine()} · {server}; "
        f"the run took {seconds:.0f} s.",
        "",
        f"{LEADERS} hamlet leaders at once, each sending {TIMED_DAYS} one-line tallies one after "
        f"the other (after one untimed warm-up tally), through webhook calls the local server "
        "makes up to 40 at a time, to a round-robin proxy in front of the processes.",
        "",
        "| bot | processes | updates/s | p50 | p90 | bot CPU per update | ÷ echo, 1 process |",
        "|---|---:|---:|---:|---:|---:|---:|",
        *(_row(name, window, echo[1]) for name, window in windows.items()),
        "",
        f"Scaling, {max(bot)} processes ÷ 1: tallybot {bot[max(bot)].rate / bot[1].rate:.2f}×, "
        f"echo {echo[max(echo)].rate / echo[1].rate:.2f}×.",
    ]
    return "\n".join(lines)


def _row(name: str, window: Window, echo: Window) -> str:
    label = "bare echo bot" if "echo" in name else "tallybot (one-line tally)"
    return (
        f"| {label} | {window.processes} | {window.rate:.0f} | "
        f"{window.latency.p50_ms:.0f} ms | {window.latency.p90_ms:.0f} ms | "
        f"{window.cpu_ms:.1f} ms | {window.rate / echo.rate:.2f}× |"
    )


if __name__ == "__main__":
    main()

"""The memory benchmark: the resident memory of one `tallybot run` process on a SQLite file
holding the province (`benchmarks/summary.py`'s `build_province`), after 1,000 updates, a
`/chart` and an `/export` by district staff; the bare echo bot's after as many echoes is the
baseline, measured in the same run."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select

from benchmarks.common import ROOT, machine, write_section
from benchmarks.one_process import PolledBot, PolledEcho
from benchmarks.processes import (
    FIRST_USER,
    case_folder,
    check_logs,
    cpu_seconds,
    leaders_hamlets,
    register,
    say,
)
from benchmarks.summary import Scale, build_province
from bot.demo.chat import LOCAL_MAX_RATE, one_line
from bot.localapi import FakeUser
from reporting.i18n import text
from reporting.people import create_invites, redeem_invite
from reporting.storage.db import create_engine, sessions
from reporting.storage.models import Role, Tally
from reporting.tallies import Figures
from tests.backends import sqlite_url
from tests.e2e.child_bot import ZONE
from tests.e2e.processes import Bots, init

LEADERS = 200
DAYS = 5  # each leader sends again the stored tallies of the last five days: 1,000 updates
COLLECTING_SINCE = 7  # the province's 8 days of tallies end today
STAFF = 800_000  # the district staff member's chat id
CHARTS = 4  # `/chart` for district staff: participation, questions, pace, heat map
GOAL_MB = 200
REPLACED = text("chat.tally_replaced", day="\0", hamlet="\0").partition("\0")[0]
# What a fresh Python imports, layer on layer: what the bot imports as it starts, then what its
# first `/chart` and `/export` import.
LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Python alone", ()),
    (
        "+ python-telegram-bot, aiohttp, httpx, SQLAlchemy, aiosqlite",
        ("telegram.ext", "aiohttp", "httpx", "sqlalchemy.ext.asyncio", "aiosqlite"),
    ),
    ("+ the bot's own modules: all that `tallybot run` imports", ("bot.cli", "bot.cli.live")),
    ("+ matplotlib, at the first `/chart`", ("reporting.charts",)),
    ("+ openpyxl, at the first `/export`", ("reporting.exports.workbook",)),
)


@dataclass(frozen=True, slots=True)
class Memory:
    """A process's resident memory at one moment, from /proc/<pid>/status, in kB."""

    resident: int  # VmRSS
    peak: int  # VmHWM: the most it was resident so far

    @classmethod
    def of(cls, bots: Bots) -> Memory:
        """Returns the memory of the bots' one process now."""
        [process] = bots.processes
        status = Path(f"/proc/{process.pid}/status").read_text(encoding="ascii")
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        return cls(int(fields["VmRSS"].split()[0]), int(fields["VmHWM"].split()[0]))


@dataclass(frozen=True, slots=True)
class Updates:
    """How fast the 1,000 updates went, for the record."""

    count: int
    seconds: float
    cpu_seconds: float


def main() -> None:
    """Builds the province, runs the bot and the echo bot on it; prints and records memory."""
    os.environ["TELEGRAM_MAX_RATE"] = str(LOCAL_MAX_RATE)
    with tempfile.TemporaryDirectory(prefix="tallybot-memory-") as folder:
        report = _benchmark(Path(folder))
    print("## memory benchmark\n")
    print(report)
    write_section("memory", report)


def _benchmark(folder: Path) -> str:
    started = time.perf_counter()
    url = sqlite_url(folder / "tallybot.db")
    init(folder, url, collecting_since=COLLECTING_SINCE, reminders=False)  # migrates it too
    source = (folder / "campaign.toml").read_text(encoding="utf-8")
    today = datetime.now(ZONE).date()
    scale = asyncio.run(_province(url, source, today))
    asyncio.run(register(url, LEADERS))
    corrections = asyncio.run(_corrections(url, today))
    bot = PolledBot(case_folder(folder, "bot"), url)
    readings, updates = asyncio.run(_bot_case(bot, corrections))
    asyncio.run(_check_replaced(url, scale, LEADERS * DAYS))
    echo = PolledEcho(case_folder(folder, "echo"), url)
    readings["echo"] = asyncio.run(_echo_case(echo, corrections))
    layers = imported_layers()
    return render(scale, readings, updates, layers, time.perf_counter() - started)


# --- set-up: the province, its leaders, a district staff member ------------------------------


async def _province(url: str, source: str, today: date) -> Scale:
    """Builds the province under today's campaign, and registers a district staff member."""
    engine = create_engine(url)
    try:
        factory = sessions(engine)
        scale = await build_province(factory, source, until=today)
        async with factory() as session:
            now = datetime.now(ZONE)
            [invite] = await create_invites(session, Role.DISTRICT, [], 1, now, 14)
            account = {"channel": "telegram", "external_id": str(STAFF), "chat_id": str(STAFF)}
            await redeem_invite(session, invite.code, **account, display_name="Huyện", now=now)
    finally:
        await engine.dispose()
    return scale


async def _corrections(url: str, today: date) -> list[list[str]]:
    """Returns each leader's stored tallies of the last DAYS days, as the one-line messages
    that send them again (a correction that changes nothing, so the figures stay true)."""
    first = today - timedelta(days=DAYS - 1)
    engine = create_engine(url)
    try:
        async with sessions(engine)() as session:
            hamlets = [hamlet.id for hamlet, _ in await session.execute(leaders_hamlets(LEADERS))]
            query = select(Tally).where(Tally.hamlet_id.in_(hamlets), Tally.day >= first)
            stored = list(await session.scalars(query.order_by(Tally.day)))
    finally:
        await engine.dispose()
    return [
        [_one_line(tally) for tally in stored if tally.hamlet_id == hamlet] for hamlet in hamlets
    ]


def _one_line(tally: Tally) -> str:
    return one_line(Figures(tally.collected, tally.invalid, tuple(tally.satisfied)), tally.day)


# --- what is measured ------------------------------------------------------------------------


async def _bot_case(
    bot: PolledBot, corrections: Sequence[Sequence[str]]
) -> tuple[dict[str, Memory], Updates]:
    """Returns the bot's memory when started, after the updates, the charts and the export."""
    readings: dict[str, Memory] = {}
    try:
        await bot.start()
        readings["started"] = Memory.of(bot)
        staff = bot.server.open_chat(STAFF, "Cán bộ huyện")
        cpu, start = cpu_seconds(bot), time.perf_counter()
        await _send_all(bot, corrections, echoed=False)
        updates = Updates(
            sum(map(len, corrections)), time.perf_counter() - start, cpu_seconds(bot) - cpu
        )
        readings["updates"] = Memory.of(bot)
        await say(staff, "/chart", replies=CHARTS)
        _check_files(staff, CHARTS, "photo")
        readings["chart"] = Memory.of(bot)
        await say(staff, "/export")
        _check_files(staff, 1, "document")
        readings["export"] = Memory.of(bot)
        check_logs(bot)
    finally:
        await bot.stop()
    return readings, updates


async def _send_all(bots: Bots, texts: Sequence[Sequence[str]], echoed: bool) -> None:
    """Has each leader send their texts, each after the answer to the last, all leaders at once;
    refuses an answer that is not the echo or, from the bot, "replaced"."""

    async def send(user: FakeUser, texts: Sequence[str]) -> None:
        for words in texts:
            await say(user, words)
            if not user.inbox[-1].text.startswith(words if echoed else REPLACED):
                raise AssertionError(f"{user.first_name} was told {user.inbox[-1].text!r}")

    users = [bots.server.open_chat(FIRST_USER + n, f"Trưởng xóm {n}") for n in range(LEADERS)]
    await asyncio.gather(*(send(user, each) for user, each in zip(users, texts, strict=True)))


def _check_files(user: FakeUser, count: int, kind: str) -> None:
    """Refuses a run in which the last `count` answers are not files of that kind."""
    kinds = [message.kind for message in user.inbox[-count:]]
    if kinds != [kind] * count:
        raise AssertionError(f"{user.first_name} got {kinds}, not {count} × {kind}")


async def _check_replaced(url: str, scale: Scale, replaced: int) -> None:
    """Refuses a run that lost or doubled a tally: the province's count unchanged, exactly
    `replaced` of them at their second revision, none further."""
    engine = create_engine(url)
    try:
        async with sessions(engine)() as session:
            query = select(Tally.revision, func.count()).group_by(Tally.revision)
            revisions: dict[int, int] = dict((await session.execute(query)).all())
    finally:
        await engine.dispose()
    expected = {1: scale.tallies - replaced, 2: replaced}
    if revisions != expected:
        raise AssertionError(f"tallies by revision {revisions}, not {expected}")


async def _echo_case(echo: PolledEcho, texts: Sequence[Sequence[str]]) -> Memory:
    """Returns the echo bot's memory after it echoed the same texts."""
    try:
        await echo.start()
        await _send_all(echo, texts, echoed=True)
        memory = Memory.of(echo)
        check_logs(echo)
    finally:
        await echo.stop()
    return memory


def imported_layers() -> list[tuple[str, int]]:
    """Returns the resident memory (kB) of a fresh Python after importing each of LAYERS on
    top of the ones before."""
    found: list[tuple[str, int]] = []
    modules: list[str] = []
    for label, layer in LAYERS:
        modules += layer
        code = "".join(f"import {module}\n" for module in modules)
        code += "print(open('/proc/self/status').read())"
        done = subprocess.run(
            [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
        )
        [resident] = [line for line in done.stdout.splitlines() if line.startswith("VmRSS:")]
        found.append((label, int(resident.split()[1])))
    return found


# --- the figures -----------------------------------------------------------------------------

MOMENTS = {
    "started": "started, first poll made",
    "updates": f"after {LEADERS * DAYS:,} one-line tallies sent again "
    f"({LEADERS} leaders × {DAYS} days)",
    "chart": f"after `/chart` by district staff ({CHARTS} province charts)",
    "export": "after `/export` by district staff (the province workbook)",
    "echo": f"baseline: bare echo bot after {LEADERS * DAYS:,} echoes",
}


def render(
    scale: Scale,
    readings: dict[str, Memory],
    updates: Updates,
    layers: Sequence[tuple[str, int]],
    seconds: float,
) -> str:
    """Returns the Markdown figures: the machine, the scale, the table and the goal."""
    peak = readings["export"].peak / 1024
    met = "met" if peak < GOAL_MB else "**missed**"
    lines = [
        f"Measured {datetime.now(UTC):%Y-%m-%d} on {machine()}; the run took {seconds:.0f} s.",
        "",
        f"Province: {scale.communes} communes, {scale.hamlets:,} hamlets, {scale.tallies:,} "
        f"tallies over {scale.days} days (built in {scale.seconds:.1f} s). The "
        f"{updates.count:,} updates took {updates.seconds:.1f} s "
        f"({updates.count / updates.seconds:.0f} a second, "
        f"{updates.cpu_seconds * 1e3 / updates.count:.1f} ms of bot CPU each).",
        "",
        "| moment | resident (VmRSS) | peak so far (VmHWM) |",
        "|---|---:|---:|",
        *(
            f"| {MOMENTS[name]} | {memory.resident / 1024:.0f} MB | {memory.peak / 1024:.0f} MB |"
            for name, memory in readings.items()
        ),
        "",
        f"Goal: peak resident memory < {GOAL_MB} MB — {met} ({peak:.0f} MB).",
        "",
        "What the imports alone take: a fresh Python importing, layer on layer, what the bot "
        "imports as it starts, then what its first `/chart` and `/export` import.",
        "",
        "| imported | resident (VmRSS) | added |",
        "|---|---:|---:|",
        *(_layer(label, resident, before) for (label, resident), before in _after(layers)),
    ]
    return "\n".join(lines)


def _after(layers: Sequence[tuple[str, int]]) -> list[tuple[tuple[str, int], int | None]]:
    """Returns each layer beside the memory of the one before it (None for the first)."""
    return list(zip(layers, [None, *(resident for _, resident in layers)], strict=False))


def _layer(label: str, resident: int, before: int | None) -> str:
    added = "—" if before is None else f"+{(resident - before) / 1024:.0f} MB"
    return f"| {label} | {resident / 1024:.0f} MB | {added} |"


if __name__ == "__main__":
    main()

"""The one-process benchmark: one `tallybot run` process (long polling, as a district deploys
it) on a SQLite file and on PostgreSQL, for one-line tallies and for guided-flow steps, against
the bare echo bot (`benchmarks/echo_bot.py --poll`) run as a process the same way, in the same
run.

The local Bot API server and the simulated hamlet leaders share the benchmark's event loop; the
bots are processes of their own. The harness is the several-processes benchmark's
(`benchmarks/processes.py`), with the proxy left out: one process polls the server itself.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from contextlib import ExitStack, closing
from datetime import UTC, datetime
from pathlib import Path

from benchmarks import postgres
from benchmarks.common import ROOT, machine, write_section
from benchmarks.processes import (
    DAYS_BACK,
    FIRST_USER,
    LEADERS,
    TIMED_DAYS,
    Script,
    Window,
    case_folder,
    check_stored,
    one_line_days,
    prepare,
    run,
    tally_text,
)
from benchmarks.throughput import SAVED, conversation, guided_steps
from bot.demo.chat import LOCAL_MAX_RATE
from bot.demo.plan import HamletPlan, plan_reports
from bot.localapi import FakeUser
from tests.backends import Server, sqlite_url
from tests.e2e.child_bot import ZONE, environment, tallybot
from tests.e2e.processes import Bots

GUIDED_LEADERS = 50  # each walks one whole guided tally, as in benchmarks/throughput.py
GOAL = 0.5  # the goal: at least half the echo bot's rate


class PolledBot(Bots):
    """One `tallybot run` process polling the local server itself, as a district runs it (the
    proxy of `Bots` stays unused)."""

    def __init__(self, folder: Path, url: str) -> None:
        super().__init__(folder, url, 1)

    async def start(self) -> None:
        """Starts the server and the process; returns once the process polls."""
        await self.server.start()
        self.spawn(1, 0)
        await self.until(lambda: self.server.requests["getUpdates"] >= 1, "the first poll")

    def spawn(self, number: int, port: int) -> None:
        """Starts `tallybot run` on the database, logging to a file."""
        env = environment(self.folder, self.url, self.server)
        self.launch([*tallybot(), "run"], env, self.folder)

    def launch(self, command: Sequence[str], env: Mapping[str, str], cwd: Path) -> None:
        """Starts the process in `cwd`, its output in the folder's `bot-1.log`."""
        self.logs.append((self.folder / "bot-1.log").open("wb"))
        self.processes.append(
            subprocess.Popen(
                command, env=env, cwd=cwd, stdout=self.logs[-1], stderr=subprocess.STDOUT
            )
        )


class PolledEcho(PolledBot):
    """The bare echo bot, one process polling the local server, in place of tallybot's."""

    def spawn(self, number: int, port: int) -> None:
        """Starts the echo bot with long polling, logging to a file."""
        env = dict(os.environ) | {
            "TELEGRAM_BOT_TOKEN": self.server.token,
            "TELEGRAM_API_BASE_URL": self.server.base_url,
        }
        self.launch([sys.executable, "-m", "benchmarks.echo_bot", "--poll"], env, ROOT)


def main() -> None:
    """Measures the echo bot and one bot process on each backend; prints and records it."""
    # the local server has no flood limit: neither bot waits for Telegram's 30 a second
    os.environ["TELEGRAM_MAX_RATE"] = str(LOCAL_MAX_RATE)
    missing = postgres.unavailable()
    with ExitStack() as stack:
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="tallybot-one-")))
        server = None if missing else stack.enter_context(postgres.throwaway_server())
        started = time.perf_counter()
        windows: dict[str, Window] = {"echo first": echo_case(folder, "echo-first")}
        windows |= _backend_cases(folder / "sqlite", "SQLite", None)
        if server is not None:
            windows |= _backend_cases(folder / "postgresql", "PostgreSQL", server)
        windows["echo last"] = echo_case(folder, "echo-last")
        report = render(windows, _versions(server), missing, time.perf_counter() - started)
    print("## one-process benchmark\n")
    print(report)
    write_section("one-process", report)


def echo_case(folder: Path, name: str) -> Window:
    """Returns the echo bot's window: LEADERS users each echoing the one-line case's texts."""
    case = folder / name
    case.mkdir(parents=True)
    echo = PolledEcho(case, sqlite_url(case / "unused.db"))
    return asyncio.run(run(echo, *one_line_days(tally_text)))


def _backend_cases(folder: Path, backend: str, server: Server | None) -> dict[str, Window]:
    """Returns the one-line and guided windows of one bot process on a backend; each case
    starts from a copy of one prepared database."""
    folder.mkdir()
    template = "template" if server is None else server.create()
    url = sqlite_url(folder / "template.db") if server is None else server.url(template)
    hamlets = prepare(folder, url)

    def copy(case: str) -> str:
        if server is None:
            return _copy_sqlite(folder / "template.db", folder / f"{case}.db")
        return server.url(server.create(template))

    one_line = PolledBot(case_folder(folder, "one-line"), copy("one-line"))
    guided = PolledBot(case_folder(folder, "guided"), copy("guided"))
    return {
        f"{backend} one-line": asyncio.run(_one_line_case(one_line)),
        f"{backend} guided": asyncio.run(_guided_case(guided, hamlets[:GUIDED_LEADERS])),
    }


def _versions(server: Server | None) -> str:
    """Returns " · PostgreSQL 15.x" when PostgreSQL was measured."""
    if server is None:
        return ""
    return f" · {postgres.server_version(server.url(server.created[0]))}"


def _copy_sqlite(source: Path, target: Path) -> str:
    """Returns the URL of a consistent copy of a SQLite file (its WAL included)."""
    with closing(sqlite3.connect(source)) as original, closing(sqlite3.connect(target)) as copy:
        original.backup(copy)
    return sqlite_url(target)


async def _one_line_case(bot: PolledBot) -> Window:
    warm_up, timed = one_line_days(tally_text)
    window = await run(bot, warm_up, confirmed(timed))
    await check_stored(bot.url, LEADERS * DAYS_BACK)
    return window


async def _guided_case(bot: PolledBot, hamlets: Sequence[HamletPlan]) -> Window:
    """Returns the window of each leader (after a one-line warm-up tally for an earlier day)
    walking today's guided tally with the figures of the demo's plan."""
    warm_up, _ = one_line_days(tally_text)
    window = await run(bot, warm_up, confirmed(guided_turn(hamlets)), leaders=len(hamlets))
    await check_stored(bot.url, len(hamlets) * 2)
    return window


def guided_turn(hamlets: Sequence[HamletPlan]) -> Script:
    """Returns a leader's walk through today's guided tally, each step timed; the leader with
    chat id FIRST_USER + n reports for hamlets[n]."""
    today = datetime.now(ZONE).date()
    reports = plan_reports(hamlets, [today])
    figures = {FIRST_USER + n: report.figures for n, report in enumerate(reports)}

    async def turn(user: FakeUser) -> list[int]:
        return await conversation(user, guided_steps(figures[user.user_id]))()

    return turn


def confirmed(script: Script) -> Script:
    """Returns the script, refusing a turn that does not end with the bot's "saved"."""

    async def turn(user: FakeUser) -> list[int]:
        latencies = await script(user)
        if not user.inbox[-1].text.startswith(SAVED):
            raise AssertionError(f"{user.first_name} was told {user.inbox[-1].text!r}")
        return latencies

    return turn


# --- the figures -----------------------------------------------------------------------------

LABELS = {
    "one-line": f"one-line tallies, {LEADERS} leaders × {TIMED_DAYS}",
    "guided": f"guided-flow steps, {GUIDED_LEADERS} leaders × one whole tally",
}


def render(windows: dict[str, Window], server: str, missing: str | None, seconds: float) -> str:
    """Returns the Markdown figures: the machine, the table, the ratios to the goal."""
    echo = (windows["echo first"].rate + windows["echo last"].rate) / 2
    lines = [
        f"Measured {datetime.now(UTC):%Y-%m-%d} on {machine()}{server}; "
        f"the run took {seconds:.0f} s.",
        "",
        "| bot | database | updates | updates/s | p50 | p90 | bot CPU per update | ÷ echo |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
        *(_row(name, window, echo) for name, window in windows.items()),
        "",
        f"Echo rate: {echo:.0f} updates/s (mean of the two echo runs).",
        "",
        *(_goal(name, window, echo) for name, window in windows.items() if "echo" not in name),
    ]
    if missing is not None:
        lines += [f"- PostgreSQL not measured: {missing}."]
    return "\n".join(lines)


def _label(name: str) -> tuple[str, str]:
    """Returns a case's bot (what it does) and database."""
    if name.startswith("echo"):
        run = "run first" if name == "echo first" else "run last"
        return f"bare echo bot, {run}: {LEADERS} users × {TIMED_DAYS} tally texts", "—"
    backend, _, case = name.partition(" ")
    return f"tallybot, {LABELS[case]}", backend


def _row(name: str, window: Window, echo: float) -> str:
    label, database = _label(name)
    return (
        f"| {label} | {database} | {window.updates:,} | {window.rate:.0f} | "
        f"{window.latency.p50_ms:.0f} ms | {window.latency.p90_ms:.0f} ms | "
        f"{window.cpu_ms:.1f} ms | {window.rate / echo:.2f}× |"
    )


def _goal(name: str, window: Window, echo: float) -> str:
    database, case = name.split(" ", 1)
    ratio = window.rate / echo
    met = "met" if ratio >= GOAL else "**missed**"
    return f"- Goal ≥ {GOAL}× echo, {database}, {LABELS[case]}: {met} ({ratio:.2f}×)."


if __name__ == "__main__":
    main()

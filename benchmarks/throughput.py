"""The throughput benchmark: one-line tallies and guided-flow steps through the whole bot, on
Telegram and (one-line) on Zalo, against a bare python-telegram-bot echo bot on the same local
Bot API server, in the same run."""

from __future__ import annotations

import asyncio
import gc
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import AbstractContextManager, AsyncExitStack, asynccontextmanager, nullcontext
from dataclasses import dataclass
from datetime import UTC, datetime
from datetime import time as clock_time
from functools import partial
from importlib.metadata import version
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from benchmarks.common import Timing, machine, write_section
from benchmarks.echo_bot import echo_application, polled
from benchmarks.hot_spots import HotSpots
from bot.demo.chat import (
    LOCAL_MAX_RATE,
    TOKEN,
    ZALO_TOKEN,
    LiveBot,
    Person,
    moment,
    one_line,
    press,
    say,
)
from bot.demo.plan import HamletPlan, plan_reports
from bot.demo.seeded import fresh_database, load_sample, sample_roster_path
from bot.localapi import FakeUser, LocalBotApi, LocalZaloApi, ZaloFakeUser
from bot.localapi.zalo_users import zalo_id
from reporting.campaign import load_campaign
from reporting.clock import SimulatedClock
from reporting.i18n import text
from reporting.imports.roster_file import parse_roster
from reporting.people import create_invites
from reporting.storage.db import create_engine, sessions
from reporting.storage.models import Role, Tally
from reporting.tallies import Figures
from reporting.units import find_unit_path

ONE_LINE_LEADERS = 200
GUIDED_LEADERS = 50
IN_FLIGHT = 50  # users waiting for an answer at any moment
ECHO_ROUNDS = 4  # each echo user sends this many messages, one after the other
MAX_RATE = LOCAL_MAX_RATE  # both bots; the local server has no flood limit
GOAL = 0.5
PROFILE_LEADERS = 100
SAVED = text("chat.tally_saved", day="\0", hamlet="\0").partition("\0")[0]  # "✅ Đã lưu …"

SessionFactory = async_sessionmaker[AsyncSession]
Conversation = Callable[[], Awaitable[list[int]]]
Step = tuple[Callable[[Person, str], Awaitable[None]], str]  # `say` or `press`, and the words
Server = LocalBotApi | LocalZaloApi


@dataclass(frozen=True, slots=True)
class Window:
    """A measured stretch: updates answered, wall time, and each update's latency."""

    updates: int
    seconds: float
    latency: Timing
    api_calls: int
    polls: int  # getUpdates calls (Telegram's may bring several updates, Zalo's one)
    main_cpu_seconds: float  # CPU time of the one thread running the event loop

    @property
    def busy(self) -> float:
        """Returns the share of the window the event loop's thread spent on the CPU."""
        return self.main_cpu_seconds / self.seconds

    @property
    def cpu_ms(self) -> float:
        """Returns the event loop thread's CPU time per update, in milliseconds."""
        return self.main_cpu_seconds * 1e3 / self.updates

    @property
    def rate(self) -> float:
        """Returns updates answered per second."""
        return self.updates / self.seconds


@dataclass(frozen=True, slots=True)
class Leader:
    """A hamlet leader to play: a chat account, an invite code, and the day's figures."""

    user_id: int
    code: str
    figures: Figures


@dataclass(frozen=True, slots=True)
class World:
    """A fresh database with the campaign, the sample roster and invites, in campaign time."""

    url: str
    clock: SimulatedClock
    leaders: tuple[Leader, ...]


def main() -> None:
    """Measures the echo bot and the bot's two paths, prints the figures and records them."""
    with tempfile.TemporaryDirectory(prefix="tallybot-throughput-") as folder:
        report = asyncio.run(_benchmark(Path(folder)))
    print("## throughput benchmark\n")
    print(report)
    write_section("throughput", report)


async def _benchmark(folder: Path) -> str:
    started = time.perf_counter()
    windows = {
        "echo_before": await echo_case(),
        "one_line": await bot_case(folder / "one-line", ONE_LINE_LEADERS, one_line_steps),
        "zalo_one_line": await bot_case(
            folder / "zalo-one-line", ONE_LINE_LEADERS, one_line_steps, channel="zalo"
        ),
        "guided": await bot_case(folder / "guided", GUIDED_LEADERS, guided_steps),
        "echo_after": await echo_case(),
    }
    echo = (windows["echo_before"].rate + windows["echo_after"].rate) / 2
    hot_spots = None
    if min(windows[name].rate for name in GOALS) < GOAL * echo:
        hot_spots = await profile_one_line(folder / "profile")
    return render(windows, echo, time.perf_counter() - started, hot_spots)


# --- driving users --------------------------------------------------------------------------


async def drive(
    server: Server,
    conversations: Sequence[Conversation],
    watch: AbstractContextManager[object] | None = None,
) -> Window:
    """Runs the conversations, IN_FLIGHT at a time, inside `watch`; returns the measured window."""
    gate = asyncio.Semaphore(IN_FLIGHT)

    async def one(talk: Conversation) -> list[int]:
        async with gate:
            return await talk()

    calls_before, polls_before = _api_calls(server), _polls(server)
    gc.collect()
    start, cpu_start = time.perf_counter_ns(), time.thread_time_ns()
    with watch or nullcontext():
        latencies = await asyncio.gather(*(one(c) for c in conversations))
    elapsed, cpu = time.perf_counter_ns() - start, time.thread_time_ns() - cpu_start
    samples = tuple(sample for each in latencies for sample in each)
    calls, polls = _api_calls(server) - calls_before, _polls(server) - polls_before
    return Window(len(samples), elapsed / 1e9, Timing(samples), calls, polls, cpu / 1e9)


def _api_calls(server: Server) -> int:
    """Returns the Bot API calls so far, long polls left out (on Zalo, one per update)."""
    return sum(count for name, count in server.requests.items() if name != "getUpdates")


def _polls(server: Server) -> int:
    """Returns the long polls (getUpdates) so far, answered or not."""
    return server.requests.get("getUpdates", 0)


def conversation(user: Person, steps: Sequence[Step]) -> Conversation:
    """Returns a user's conversation: each step typed or pressed, its answer awaited, timed."""

    async def run() -> list[int]:
        return [await timed(act(user, words)) for act, words in steps]

    return run


async def timed(step: Awaitable[None]) -> int:
    """Returns how long one step (an input and its answer) took, in nanoseconds."""
    start = time.perf_counter_ns()
    await step
    return time.perf_counter_ns() - start


# --- the baseline: a bare echo bot ----------------------------------------------------------


async def echo_case() -> Window:
    """Returns the echo bot's window: ONE_LINE_LEADERS users echoing ECHO_ROUNDS tallies each."""
    texts = await asyncio.to_thread(sample_texts, ONE_LINE_LEADERS)
    async with LocalBotApi(token=TOKEN) as server:
        # one update at a time (PTB's default), as this benchmark has always measured the echo
        application = echo_application(
            TOKEN, server.base_url, MAX_RATE, concurrent=False, polling=True
        )
        async with polled(application):
            users = [server.user(90_000 + n, first_name=f"Echo {n}") for n in range(len(texts))]
            pairs = list(zip(users, texts, strict=True))
            await drive(server, [conversation(u, [(say, t)]) for u, t in pairs])  # warm-up
            window = await drive(
                server, [conversation(u, [(say, t)] * ECHO_ROUNDS) for u, t in pairs]
            )
        _check_echoes(users, ECHO_ROUNDS + 1)
    return window


def sample_texts(count: int) -> list[str]:
    """Returns the one-line tallies the bot's case sends, for the echo bot to echo."""
    rows = parse_roster(sample_roster_path())
    hamlets = [HamletPlan(r.commune, r.hamlet, r.households) for r in rows if r.surveyed]
    reports = plan_reports(hamlets[:count], [load_campaign().collection_days[1]])
    return [one_line(report.figures) for report in reports]


def _check_echoes(users: Sequence[FakeUser], expected: int) -> None:
    """Refuses a run in which any echo went missing."""
    missing = [u.first_name for u in users if len(u.inbox) != expected]
    if missing:
        raise AssertionError(f"echo replies missing for {missing[:5]}")


# --- the bot: set-up ------------------------------------------------------------------------


async def prepare(folder: Path, count: int) -> World:
    """Returns a fresh migrated database with the sample loaded and `count` leaders invited."""
    await asyncio.to_thread(folder.mkdir, parents=True)
    url = await asyncio.to_thread(fresh_database, folder)
    campaign = load_campaign()
    day = campaign.collection_days[1]
    clock = SimulatedClock(moment(campaign, day, clock_time(16, 0)))
    engine = create_engine(url)
    try:
        factory = sessions(engine)
        hamlets = (await load_sample(factory, clock.now()))[:count]
        codes = [await _invite(factory, hamlet, clock) for hamlet in hamlets]
    finally:
        await engine.dispose()
    reports = plan_reports(hamlets, [day])
    leaders = tuple(
        Leader(10_000 + n, code, report.figures)
        for n, (code, report) in enumerate(zip(codes, reports, strict=True))
    )
    return World(url, clock, leaders)


async def _invite(factory: SessionFactory, hamlet: HamletPlan, clock: SimulatedClock) -> str:
    async with factory() as session:
        unit = await find_unit_path(session, f"{hamlet.commune}/{hamlet.hamlet}")
        [invite] = await create_invites(session, Role.HAMLET, [unit], 1, clock.now(), 30)
        return str(invite.code)


@asynccontextmanager
async def running_bot(
    world: World, channel: str = "telegram"
) -> AsyncIterator[tuple[Server, list[Person]]]:
    """Runs the real bot on a fresh server of the channel; yields it and the registered leaders.

    On Zalo the bot polls the local Zalo server alone (no Telegram), as `tallybot run` does with
    only ZALO_BOT_TOKEN set; ZALO_MAX_RATE = MAX_RATE.
    """
    server: Server
    async with AsyncExitStack() as stack:
        if channel == "zalo":
            server = await stack.enter_async_context(
                LocalZaloApi(token=ZALO_TOKEN, clock=world.clock.now)
            )
            bot = LiveBot(world.url, world.clock, zalo=server)
        else:
            server = await stack.enter_async_context(
                LocalBotApi(token=TOKEN, clock=world.clock.now)
            )
            bot = LiveBot(world.url, world.clock, telegram=server)  # TELEGRAM_MAX_RATE = MAX_RATE
        await bot.start()
        try:
            users = [_leader(server, one.user_id) for one in world.leaders]
            pairs = zip(users, (leader.code for leader in world.leaders), strict=True)
            start = partial(say, replies=2)  # the welcome, then the help
            await drive(server, [conversation(u, [(start, f"/start {c}")]) for u, c in pairs])
            yield server, users
        finally:
            await bot.stop()
        _check_no_errors(server)


def _leader(server: Server, user_id: int) -> Person:
    """Returns a new chat account on the server for the leader with this number."""
    name = f"Trưởng xóm {user_id}"
    if isinstance(server, LocalZaloApi):
        return server.user(zalo_id(user_id), name)
    return server.user(user_id, first_name=name)


def _name(user: Person) -> str:
    return user.display_name if isinstance(user, ZaloFakeUser) else user.first_name


def _check_no_errors(server: Server) -> None:
    """Refuses a run in which the bot told anyone that something went wrong."""
    failed = [
        e for e in server.transcript if e.direction == "out" and e.text == text("chat.error")
    ]
    if failed:
        raise AssertionError(f"the bot answered {len(failed)} updates with its error message")


async def _check_committed(world: World, users: Sequence[Person]) -> None:
    """Refuses a run that lost a tally: every leader confirmed, every tally stored.

    The tallies are counted through an engine of our own, not the bot's.
    """
    unconfirmed = [_name(u) for u in users if not u.inbox[-1].text.startswith(SAVED)]
    engine = create_engine(world.url)
    try:
        async with sessions(engine)() as session:
            stored = await session.scalar(select(func.count()).select_from(Tally))
    finally:
        await engine.dispose()
    if unconfirmed or stored != len(users):
        raise AssertionError(f"{stored}/{len(users)} tallies stored; unconfirmed: {unconfirmed}")


# --- the bot: what is measured --------------------------------------------------------------


async def bot_case(
    folder: Path,
    count: int,
    steps_of: Callable[[Figures], list[Step]],
    watch: AbstractContextManager[object] | None = None,
    channel: str = "telegram",
) -> Window:
    """Returns the window of `count` leaders each taking the steps of their day's tally."""
    world = await prepare(folder, count)
    async with running_bot(world, channel) as (server, users):
        talks = [
            conversation(user, steps_of(leader.figures))
            for user, leader in zip(users, world.leaders, strict=True)
        ]
        window = await drive(server, talks, watch)
    await _check_committed(world, users)
    return window


def one_line_steps(figures: Figures) -> list[Step]:
    """Returns the one step of a one-line tally: `/baocao` and its 11 or 12 numbers."""
    return [(say, one_line(figures))]


def guided_steps(figures: Figures) -> list[Step]:
    """Returns the steps of `bot.demo.chat.guided`, with `Bỏ qua` pressed instead of typed."""
    valid = figures.valid
    steps: list[Step] = [(say, "/baocao"), (say, str(figures.collected))]
    steps.append((press, "0") if figures.invalid == 0 else (say, str(figures.invalid)))
    for satisfied in figures.satisfied if valid else ():
        steps.append((press, f"Tất cả ({valid})") if satisfied == valid else (say, str(satisfied)))
    return [*steps, (press, "Bỏ qua"), (press, "Gửi")]


# --- where the time goes --------------------------------------------------------------------


async def profile_one_line(folder: Path) -> str:
    """Returns the SQL a one-line tally costs and where the event loop's thread spends it."""
    spots = HotSpots()
    window = await bot_case(folder, PROFILE_LEADERS, one_line_steps, spots)
    return spots.report(window.updates, "one-line tally")


# --- the figures ----------------------------------------------------------------------------

LABELS = {
    "echo_before": f"echo bot, run first: {ONE_LINE_LEADERS} users × {ECHO_ROUNDS} tally texts",
    "one_line": f"one-line `/baocao` tallies, {ONE_LINE_LEADERS} leaders × 1",
    "zalo_one_line": f"the same on Zalo: one-line tallies, {ONE_LINE_LEADERS} leaders × 1",
    "guided": f"guided-flow steps, {GUIDED_LEADERS} leaders × one whole tally",
    "echo_after": "echo bot, run last: the same again",
}


GOALS = ("one_line", "zalo_one_line", "guided")


def render(windows: dict[str, Window], echo: float, seconds: float, hot_spots: str | None) -> str:
    """Returns the Markdown figures: the machine, the table, the goal and, if missed, the why."""
    lines = [
        f"Measured {datetime.now(UTC):%Y-%m-%d} on {machine()} · "
        f"python-telegram-bot {version('python-telegram-bot')} · aiohttp {version('aiohttp')}.",
        "",
        f"{IN_FLIGHT} users waiting for an answer at any moment; "
        f"`AIORateLimiter(overall_max_rate={MAX_RATE})` for both bots; whole run {seconds:.0f} s.",
        "",
        "| measured | updates | seconds | updates/s | p50 latency | p90 latency "
        "| API calls / update | polls / update | loop CPU / update | loop busy | ÷ echo |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        *(_row(LABELS[name], window, echo) for name, window in windows.items()),
        "",
        f"Echo rate: {echo:.0f} updates/s (mean of the two echo runs).",
        "",
        *(_goal(LABELS[name], windows[name], echo) for name in GOALS),
    ]
    if hot_spots:
        lines += ["", f"Where a one-line tally's time goes ({PROFILE_LEADERS} more tallies):"]
        lines += ["", "```", hot_spots, "```"]
    return "\n".join(lines)


def _row(label: str, window: Window, echo: float) -> str:
    latency = window.latency
    return (
        f"| {label} | {window.updates:,} | {window.seconds:.2f} | {window.rate:.0f} "
        f"| {latency.p50_ms:.0f} ms | {latency.p90_ms:.0f} ms "
        f"| {window.api_calls / window.updates:.1f} | {window.polls / window.updates:.2f} "
        f"| {window.cpu_ms:.1f} ms "
        f"| {window.busy:.0%} | {window.rate / echo:.2f}× |"
    )


def _goal(label: str, window: Window, echo: float) -> str:
    ratio = window.rate / echo
    met = "met" if ratio >= GOAL else "**missed**"
    return f"- Goal ≥ {GOAL}× echo, {label}: {met} ({ratio:.2f}×)."


if __name__ == "__main__":
    main()

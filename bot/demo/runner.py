"""Plays the reference campaign through the real bot; writes what it produced to demo-output/."""

from __future__ import annotations

import asyncio
import heapq
from collections import Counter, defaultdict
from datetime import date, time, timedelta
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.cli.context import Context
from bot.demo.cast import CHAT_COMMUNES, ON_BEHALF_COMMUNE, Actor, leaders, overseers
from bot.demo.chat import (
    TOKEN,
    ZALO_TOKEN,
    LiveBot,
    Person,
    guided,
    in_batches,
    moment,
    one_line,
    press,
    say,
)
from bot.demo.conference import TELEGRAM_USERNAME, ZALO_NAME, hold_conference
from bot.demo.outputs import write_outputs, write_report
from bot.demo.paper import import_sheet
from bot.demo.plan import HamletPlan, Report, plan_reports
from bot.demo.seeded import fresh_database, load_sample
from bot.localapi import LocalBotApi, LocalZaloApi
from bot.localapi.zalo_users import zalo_id
from bot.views.table import district_table
from reporting.campaign import Campaign, parse_campaign, read_campaign_source
from reporting.clock import SimulatedClock
from reporting.i18n import fmt_count, text
from reporting.invite_slips import spaced
from reporting.settings import Settings
from reporting.storage.db import create_engine, sessions
from reporting.storage.models import Confirmation, OutboxMessage, OutboxState, Tally
from reporting.summaries import CampaignSummary, summarize

MORNING = time(8, 0)
EVENING = time(16, 30)
PAPER = time(19, 0)
REVIEW = time(20, 0)
RESTART_DAY = 2
STUMBLE_DAYS = (0, 3)


class Demo:
    """One play of the campaign: the cast, their chats (Telegram, Zalo), the bot, the clock."""

    def __init__(
        self,
        campaign: Campaign,
        servers: tuple[LocalBotApi, LocalZaloApi],
        bot: LiveBot,
        out: Path,
        sessions: async_sessionmaker[AsyncSession],
    ) -> None:
        self.campaign, self.bot, self.out = campaign, bot, out
        self.server, self.zalo = servers
        self.sessions = sessions
        self.clock = bot.clock
        self.users: dict[int, Person] = {}
        self.actors: dict[int, Actor] = {}
        self.imported = 0
        self.alerts_sent = 0

    def user(self, actor: Actor) -> Person:
        """Returns the chat of an actor, on the actor's channel."""
        if actor.user_id not in self.users:
            if actor.channel == "zalo":
                chat: Person = self.zalo.user(zalo_id(actor.user_id), actor.name)
            else:
                chat = self.server.user(actor.user_id, first_name=actor.name)
            self.users[actor.user_id], self.actors[actor.user_id] = chat, actor
        return self.users[actor.user_id]

    def chats(self) -> list[tuple[Actor, Person]]:
        """Returns every actor who spoke, with their chat as it is now."""
        return [(self.actors[user_id], chat) for user_id, chat in self.users.items()]

    def transcript(self) -> list[str]:
        """Returns every message on both channels in campaign-time order, each marked with its
        channel."""
        marked = [
            [(event, "Telegram") for event in self.server.transcript],
            [(event, "Zalo") for event in self.zalo.transcript],
        ]
        merged = heapq.merge(*marked, key=lambda pair: pair[0].logged)
        return [event.line(self.campaign.timezone, channel) for event, channel in merged]

    async def register(self, actors: list[Actor], codes: dict[int, str]) -> None:
        """Everyone opens the bot with the code on their slip: on Telegram its QR code sends
        `/start CODE`; on Zalo they type the code as the slip prints it."""
        self.clock.set(moment(self.campaign, self.campaign.phases.conference, MORNING))
        await in_batches([say(self.user(a), _first_words(a, codes[a.user_id]), 2) for a in actors])

    async def collection_day(
        self, index: int, day: date, reports: list[Report], cast: dict[HamletPlan, Actor]
    ) -> None:
        """Hamlet leaders report in the afternoon; the late ones are reminded at 17:00."""
        await self.alerts_at(day, MORNING)
        self.clock.set(moment(self.campaign, day, EVENING))
        jobs, restarting = [], None
        for report in reports:
            actor = cast.get(report.plan)
            if actor is None:
                continue
            if actor.guided and index == RESTART_DAY and restarting is None:
                restarting = guided(self.user(actor), report.figures, False, self.bot)
            elif actor.guided:
                jobs.append(guided(self.user(actor), report.figures, index in STUMBLE_DAYS, None))
            else:
                jobs.append(self._one_line(actor, report))
        if restarting is not None:
            await restarting
        await in_batches(jobs)
        await self.alerts_at(day, self.campaign.alerts.reminder)

    def messages(self) -> int:
        """Returns how many messages went between the people and the bot so far."""
        return len(self.server.transcript) + len(self.zalo.transcript)

    async def show_day(self, number: int, day: date) -> None:
        """Prints how far the play has come after a collection day: messages, tallies, alerts."""
        async with self.sessions() as session:
            tallies = await session.scalar(select(func.count()).select_from(Tally))
        line = text(
            "demo.day",
            number=number,
            days=len(self.campaign.collection_days),
            day=f"{day:%d/%m}",
            messages=fmt_count(self.messages()),
            tallies=fmt_count(tallies or 0),
            alerts=fmt_count(self.alerts_sent),
        )
        print(line, flush=True)

    async def show_confirmations(self, day: date) -> None:
        """Prints how many communes have confirmed (locked) their figures, after aggregation."""
        async with self.sessions() as session:
            query = select(func.count()).where(Confirmation.unlocked_at.is_(None))
            confirmed = await session.scalar(query)
        line = text(
            "demo.confirmed",
            day=f"{day:%d/%m}",
            confirmed=confirmed or 0,
            level=self.campaign.levels.commune,
            messages=fmt_count(self.messages()),
            alerts=fmt_count(self.alerts_sent),
        )
        print(line, flush=True)

    async def alerts_at(self, day: date, at: time) -> int:
        """Moves the clock and runs the alert check the bot's JobQueue runs every minute."""
        self.clock.set(moment(self.campaign, day, at))
        sent = await self.bot.send_alerts()
        self.alerts_sent += sent
        return sent

    async def _one_line(self, actor: Actor, report: Report) -> None:
        user = self.user(actor)
        if report.mistake is not None:
            await say(user, one_line(report.mistake))
        await say(user, one_line(report.figures))

    async def paper(self, day: date, reports: list[Report]) -> None:
        """The district imports the evening's spreadsheet of the communes still on paper."""
        self.clock.set(moment(self.campaign, day, PAPER))
        sheet = self.out / "paper" / f"phieu-giay-{day:%Y-%m-%d}.xlsx"
        self.imported += await import_sheet(
            self.sessions, self.campaign, sheet, reports, self.clock.now()
        )

    async def on_behalf(self, commune_user: Actor, hamlet: str, figures_of: list[Report]) -> None:
        """The commune user keys in the report of a hamlet whose leader has no smartphone."""
        user = self.user(commune_user)
        for report in figures_of:
            self.clock.set(moment(self.campaign, report.day, REVIEW, minutes=-30))
            await say(user, "/baocao")
            await press(user, hamlet)
            await say(user, str(report.figures.collected))
            await say(user, str(report.figures.invalid))
            for satisfied in report.figures.satisfied[: 10 if report.figures.valid else 0]:
                await say(user, str(satisfied))
            await press(user, "Bỏ qua")
            await press(user, "Gửi")

    async def evening_review(
        self, day: date, staff: list[Actor], full: bool, last: bool = False
    ) -> None:
        """Missing lists go out, then commune users, officials and the district ask."""
        await self.alerts_at(day, self.campaign.alerts.missing)
        for actor in staff:
            command = "/chuabaocao" if actor.role == "commune" else "/tinhhinh"
            if full or actor.role == "commune":
                await self._ask(actor, command)
        if last:
            for official in (a for a in staff if a.role == "official"):
                await self._ask(official, f"/bieudo {official.units[0]}", replies=2)
            district = next(a for a in staff if a.role == "district")
            await self._ask(district, "/xuatfile")
            await self._ask(district, "/phancong")  # who of the table never opened the bot

    async def digest(self, day: date) -> None:
        """The district's evening digest."""
        await self.alerts_at(day, self.campaign.alerts.digest)

    async def _ask(self, actor: Actor, command: str, replies: int = 1) -> None:
        user = self.user(actor)
        before = len(user.inbox)
        await user.send(command)
        await user.wait_until(lambda: len(user.inbox) >= before + replies, timeout=30)
        await asyncio.sleep(0.2)  # long answers arrive in several parts

    async def aggregation(self, staff: list[Actor]) -> None:
        """On the first aggregation day every commune user confirms the commune's figures."""
        # The reference campaign starts aggregating on the last collection day; communes confirm
        # the morning after, once every hamlet has sent its last tally.
        after_collection = self.campaign.phases.collection[1] + timedelta(days=1)
        day = max(self.campaign.phases.aggregation[0], after_collection)
        await self.alerts_at(day, MORNING)  # communes not yet confirmed are told
        self.clock.set(moment(self.campaign, day, time(9, 0)))
        for actor in (a for a in staff if a.role == "commune"):
            await self._ask(actor, "/xacnhan")
            await press(self.user(actor), "Xác nhận")
        await self.digest(day)
        await self.show_confirmations(day)
        await self.alerts_at(self.campaign.phases.report_due - timedelta(days=1), MORNING)


async def play_demo(out: Path, campaign_file: Path | None = None) -> Demo:
    """Plays the campaign from nothing and writes the database, transcript and exports to `out`:
    the reference campaign, or the one in `campaign_file` on the same sample district.

    Returns the play, with the chats of its people as they ended.
    """
    url = await asyncio.to_thread(fresh_database, out)
    source, file = read_campaign_source(campaign_file)
    campaign = parse_campaign(source, file)
    _announce(campaign, out)
    clock = SimulatedClock(moment(campaign, campaign.phases.conference, MORNING))
    engine = create_engine(url)
    factory = sessions(engine)
    hamlets = await load_sample(factory, clock.now(), source, file)
    cast, staff = leaders(hamlets), overseers()
    settings = Settings(
        DATABASE_URL=url, TELEGRAM_BOT_USERNAME=TELEGRAM_USERNAME, ZALO_BOT_NAME=ZALO_NAME
    )
    office = Context(settings, engine, factory, campaign, clock)
    codes = await hold_conference(office, list(cast.values()), staff, out)
    reports = plan_reports(hamlets, campaign.collection_days, campaign.form)
    async with (
        LocalBotApi(token=TOKEN, clock=clock.now) as server,
        LocalZaloApi(token=ZALO_TOKEN, clock=clock.now) as zalo,
    ):
        bot = LiveBot(url, clock, telegram=server, zalo=zalo)
        await bot.start()
        try:
            demo = Demo(campaign, (server, zalo), bot, out, factory)
            await _play(demo, cast, staff, codes, reports)
        finally:
            await bot.stop()
        transcript = demo.transcript()
    print(text("demo.writing", out=out) + "\n", flush=True)
    async with factory() as session:
        summary = await summarize(session, campaign, clock.now())
        await write_outputs(session, summary, transcript, out)
        report = await write_report(session, summary, out)
        outbox = await outbox_states(session)
    print(text("demo.report", path=report), flush=True)
    await engine.dispose()
    _print(summary, bot.restarts, demo, outbox, out)
    return demo


async def _play(
    demo: Demo,
    cast: dict[HamletPlan, Actor],
    staff: list[Actor],
    codes: dict[int, str],
    reports: list[Report],
) -> None:
    await demo.register([*cast.values(), *staff], codes)
    by_day: dict[date, list[Report]] = defaultdict(list)
    for report in reports:
        by_day[report.day].append(report)
    behalf = [r for r in reports if r.plan.commune == ON_BEHALF_COMMUNE and r.plan not in cast]
    commune_user = next(a for a in staff if a.units == (ON_BEHALF_COMMUNE,))
    for index, day in enumerate(demo.campaign.collection_days):
        await demo.collection_day(index, day, by_day[day], cast)
        await demo.paper(day, [r for r in by_day[day] if r.plan.commune not in CHAT_COMMUNES])
        await demo.on_behalf(
            commune_user, behalf[0].plan.hamlet, [r for r in behalf if r.day == day]
        )
        last = index == len(by_day) - 1
        await demo.evening_review(day, staff, full=index == 3 or last, last=last)
        await demo.digest(day)
        await demo.show_day(index + 1, day)
    await demo.aggregation(staff)


async def outbox_states(session: AsyncSession) -> Counter[str]:
    """Returns how many outbox rows ended in each state (or still wait)."""
    query = select(OutboxMessage.state, func.count()).group_by(OutboxMessage.state)
    return Counter({state: count for state, count in (await session.execute(query)).all()})


def _first_words(actor: Actor, code: str) -> str:
    return spaced(code) if actor.channel == "zalo" else f"/start {code}"


def _announce(campaign: Campaign, out: Path) -> None:
    """Prints what is about to be played and where its outputs go, before the first day."""
    days = campaign.collection_days
    line = text(
        "demo.starting",
        days=len(days),
        start=f"{days[0]:%d/%m/%Y}",
        end=f"{days[-1]:%d/%m/%Y}",
        out=out,
    )
    print(line, flush=True)


def _print(
    summary: CampaignSummary,
    restarts: int,
    demo: Demo,
    outbox: Counter[str],
    out: Path,
) -> None:
    print(summary.campaign.name)
    telegram, zalo = len(demo.server.transcript), len(demo.zalo.transcript)
    print(
        text(
            "demo.played",
            messages=fmt_count(telegram + zalo),
            telegram=fmt_count(telegram),
            zalo=fmt_count(zalo),
            restarts=restarts,
        )
    )
    print(text("demo.imported", rows=fmt_count(demo.imported)))
    print(text("demo.alerts", alerts=demo.alerts_sent))
    sent, waiting = outbox[OutboxState.SENT], outbox[OutboxState.PENDING]
    failed = outbox.total() - sent - waiting
    print(text("demo.outbox", sent=fmt_count(sent), waiting=waiting, failed=failed))
    print(f"\n{district_table(summary)}\n")
    print(text("demo.written", files=", ".join(sorted(p.name for p in out.iterdir())), out=out))

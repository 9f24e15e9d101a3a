"""Two writers at the same moment: one winner, a clear answer for the other, nothing half-stored.

Each test runs its two sides on two engines (two connections) released together by a barrier,
with a pause injected between the side's read and its write, the widest window the race can
have. On PostgreSQL the two transactions truly overlap, so only the database's locks,
conditional updates and constraints keep the state right; on SQLite the one writer already
makes them take turns, and the same assertions hold.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any, TypeVar

import pytest
from backends import Database
from sqlalchemy import Delete, func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from reporting import confirmations, people, summaries, tallies
from reporting.campaign import Campaign
from reporting.clock import SimulatedClock
from reporting.errors import Problem
from reporting.imports import roster_store
from reporting.imports.roster_file import parse_roster
from reporting.imports.roster_store import import_roster
from reporting.imports.tally_file import TallyFileError, TallyRow
from reporting.imports.tally_store import import_tallies
from reporting.people import InviteRefused, cancel_invite, create_invites, redeem_invite
from reporting.running_totals import rebuild_totals, running_totals
from reporting.storage.db import TakingTurns, create_engine, sessions
from reporting.storage.models import (
    Confirmation,
    HamletTotal,
    Identity,
    Invite,
    Role,
    Tally,
    TallyRevision,
    Unit,
    User,
)
from reporting.summaries import CampaignSummary, summarize
from reporting.tallies import Entry, Figures, TallyRejected, submit_tally
from reporting.units import find_hamlet

Sessions = async_sessionmaker[AsyncSession]
T = TypeVar("T")

DONG_CHUA = "Bảo Cường/Xóm Đồng Chùa"  # 80 households
TRUNG_TAM = "Phú Đình/Xóm Trung Tâm"
FIRST_DAY, SECOND_DAY = date(2024, 1, 27), date(2024, 1, 28)
PAUSE = 0.3  # between a side's read and its write: the other side reads meanwhile


@pytest.fixture
async def other_sessions(database_url: str) -> AsyncIterator[Sessions]:
    """Sessions on a second engine of the test's database: the other side's connections."""
    engine: AsyncEngine = create_engine(database_url)
    yield sessions(engine)
    await engine.dispose()


async def together(*sides: Callable[[], Awaitable[T]]) -> list[T | BaseException]:
    """Runs the sides at once, released by one barrier; returns results or what each raised."""
    barrier = asyncio.Barrier(len(sides))

    async def run(side: Callable[[], Awaitable[T]]) -> T:
        await barrier.wait()
        return await side()

    return await asyncio.gather(*(run(side) for side in sides), return_exceptions=True)


def pause_after(monkeypatch: pytest.MonkeyPatch, module: Any, name: str) -> None:
    """Makes `module.name` (a read) wait PAUSE after it returns, before the caller writes."""
    real = getattr(module, name)

    async def paused(*args: Any, **kwargs: Any) -> Any:
        result = await real(*args, **kwargs)
        await asyncio.sleep(PAUSE)
        return result

    monkeypatch.setattr(module, name, paused)


def pause_before(monkeypatch: pytest.MonkeyPatch, module: Any, name: str) -> None:
    """Makes `module.name` (a write) wait PAUSE before it starts, after the caller's reads."""
    real = getattr(module, name)

    async def paused(*args: Any, **kwargs: Any) -> Any:
        await asyncio.sleep(PAUSE)
        return await real(*args, **kwargs)

    monkeypatch.setattr(module, name, paused)


def split(results: list[T | BaseException]) -> tuple[list[T], list[BaseException]]:
    """Returns the results and the exceptions of `together`, apart."""
    done = [r for r in results if not isinstance(r, BaseException)]
    failed = [r for r in results if isinstance(r, BaseException)]
    return done, failed


def figures(collected: int) -> Figures:
    """Returns figures with every form valid and satisfied."""
    return Figures(collected, 0, (collected,) * 10)


def entry(hamlet: Unit, day: date, collected: int, now: datetime, **options: Any) -> Entry:
    """Returns a hamlet-day sent by chat."""
    return Entry(hamlet, day, figures(collected), None, "telegram", now, **options)


async def stored_collected(factory: Sessions, hamlet: Unit) -> tuple[list[int], int]:
    """Returns the hamlet's collected forms per stored day, and its running total."""
    async with factory() as session:
        days = await session.scalars(
            select(Tally.collected).where(Tally.hamlet_id == hamlet.id).order_by(Tally.day)
        )
        total = await session.scalar(
            select(HamletTotal.collected).where(HamletTotal.hamlet_id == hamlet.id)
        )
        return list(days), int(total or 0)


async def totals_match_tallies(factory: Sessions) -> None:
    """Asserts every hamlet's running totals are exactly the sums of its tallies."""
    per_hamlet = select(Tally.hamlet_id, func.sum(Tally.collected)).group_by(Tally.hamlet_id)
    kept = select(HamletTotal.hamlet_id, HamletTotal.collected)
    async with factory() as session:
        sums = {hamlet: int(total) for hamlet, total in await session.execute(per_hamlet)}
        totals = {hamlet: total for hamlet, total in await session.execute(kept)}
    assert {hamlet: total for hamlet, total in totals.items() if total} == sums


async def test_one_invite_code_typed_by_two_people_at_once_lets_one_in(
    database: Database,
    session_factory: Sessions,
    other_sessions: Sessions,
    loaded: Campaign,
    clock: SimulatedClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async with session_factory() as session:
        hamlet = await find_hamlet(session, DONG_CHUA)
        (invite,) = await create_invites(session, Role.HAMLET, [hamlet], 1, clock.now(), 14)
    pause_before(monkeypatch, people, "claim_invite")  # both read the code as unused first

    def redeem(factory: Sessions, person: str) -> Callable[[], Awaitable[User]]:
        async def side() -> User:
            async with factory() as session:
                return await redeem_invite(
                    session,
                    invite.code,
                    channel="telegram",
                    external_id=person,
                    chat_id=person,
                    display_name=f"Người {person}",
                    now=clock.now(),
                )

        return side

    sides = redeem(session_factory, "501"), redeem(other_sessions, "502")
    winners, losers = split(await together(*sides))

    assert (len(winners), len(losers)) == (1, 1), losers
    (loser,) = losers
    assert isinstance(loser, InviteRefused)
    print(f"\n[{database.backend}] loser told: {loser.message()}")
    # On PostgreSQL the loser read the code unused and lost at the conditional UPDATE; on
    # SQLite it waited for the write lock and then read it used.
    assert loser.key in {"invite.just_used", "invite.used"}
    if database.backend == "postgresql":
        assert loser.message() == (
            "Mã mời này vừa có người khác dùng trước bạn. Mỗi mã chỉ dùng được một lần. "
            "Xin liên hệ cán bộ huyện để lấy mã mới."
        )
    async with session_factory() as session:
        users = list(await session.scalars(select(User)))
        accounts = list(await session.scalars(select(Identity.external_id)))
        used = await session.get(Invite, invite.code)
    assert [user.id for user in users] == [winners[0].id]
    assert accounts == [winners[0].name.removeprefix("Người ")]
    assert used is not None
    assert used.used_by == winners[0].id


async def test_a_code_cancelled_as_it_is_typed_is_either_cancelled_or_used_never_both(
    database: Database,
    session_factory: Sessions,
    other_sessions: Sessions,
    loaded: Campaign,
    clock: SimulatedClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async with session_factory() as session:
        hamlet = await find_hamlet(session, DONG_CHUA)
        (invite,) = await create_invites(session, Role.HAMLET, [hamlet], 1, clock.now(), 14)
    pause_before(monkeypatch, people, "claim_invite")  # the leader's code read as usable
    cancelled_at = clock.now()

    async def leader() -> User:
        async with session_factory() as session:
            return await redeem_invite(
                session,
                invite.code,
                channel="telegram",
                external_id="501",
                chat_id="501",
                display_name="Hoàng Văn Bình",
                now=cancelled_at + timedelta(seconds=1),
            )

    async def admin() -> Invite:
        await asyncio.sleep(PAUSE / 3)  # `tallybot invite --cancel` while the leader types
        async with other_sessions() as session:
            return await cancel_invite(session, invite.code, cancelled_at)

    registered, cancelled = await together(leader, admin)

    print(f"\n[{database.backend}] leader: {registered!r}; admin: {cancelled!r}")
    assert isinstance(registered, User) != isinstance(cancelled, Invite)
    async with session_factory() as session:
        stored = await _fresh_invite(session, invite.code)
        users = await session.scalar(select(func.count(User.id)))
    if isinstance(registered, User):
        assert isinstance(cancelled, InviteRefused)
        assert cancelled.key == "invite.cancel_used"
        assert (users, stored.used_by) == (1, registered.id)
    else:
        assert isinstance(registered, InviteRefused)
        assert registered.key == "invite.expired"
        assert (users, stored.used_at, stored.expires_at) == (0, None, cancelled_at)


async def _fresh_invite(session: AsyncSession, code: str) -> Invite:
    invite = await session.get(Invite, code)
    assert invite is not None
    return invite


@pytest.mark.parametrize("second", ["chat", "import"])
async def test_two_days_of_one_hamlet_sent_at_once_never_exceed_its_households(
    second: str,
    database: Database,
    session_factory: Sessions,
    other_sessions: Sessions,
    loaded: Campaign,
    clock: SimulatedClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async with session_factory() as session:
        hamlet = await find_hamlet(session, DONG_CHUA)
    pause_after(monkeypatch, tallies, "collected_elsewhere")  # both read the cap as free

    async def leader() -> object:
        async with session_factory() as session:
            return await submit_tally(session, loaded, entry(hamlet, FIRST_DAY, 50, clock.now()))

    async def commune() -> object:  # the same hamlet, another day: 50 + 40 > 80 households
        if second == "import":
            row = TallyRow(2, "Bảo Cường", "Xóm Đồng Chùa", SECOND_DAY, 40, 0, (40,) * 10, None)
            return await import_tallies(
                other_sessions, loaded, [row], channel="cli", now=clock.now()
            )
        async with other_sessions() as session:
            return await submit_tally(session, loaded, entry(hamlet, SECOND_DAY, 40, clock.now()))

    stored, refused = split(await together(leader, commune))

    assert (len(stored), len(refused)) == (1, 1), refused
    (refusal,) = refused
    assert isinstance(refusal, Problem | TallyFileError)
    print(f"\n[{database.backend}] refused: {refusal}")
    assert "nhiều hơn số hộ" in str(refusal)
    days, total = await stored_collected(session_factory, hamlet)
    assert days in ([50], [40])
    assert total == sum(days) <= 80
    async with session_factory() as session:
        assert await session.scalar(select(func.count(TallyRevision.id))) == 1


@pytest.mark.parametrize("earlier", [None, 25], ids=["first", "replacement"])
async def test_one_hamlet_day_sent_twice_at_once_is_stored_in_turn_with_both_revisions(
    earlier: int | None,
    database: Database,
    session_factory: Sessions,
    other_sessions: Sessions,
    loaded: Campaign,
    clock: SimulatedClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async with session_factory() as session:
        hamlet = await find_hamlet(session, DONG_CHUA)
        if earlier is not None:
            await submit_tally(session, loaded, entry(hamlet, FIRST_DAY, earlier, clock.now()))
    pause_after(monkeypatch, tallies, "tally_on")  # both read the day (and its totals) first

    def send(factory: Sessions, collected: int) -> Callable[[], Awaitable[bool]]:
        async def side() -> bool:
            async with factory() as session:
                made = entry(hamlet, FIRST_DAY, collected, clock.now())
                return (await submit_tally(session, loaded, made)).replaced

        return side

    replaced, failed = split(await together(send(session_factory, 30), send(other_sessions, 40)))

    assert failed == []
    assert sorted(replaced) == ([False, True] if earlier is None else [True, True])
    async with session_factory() as session:
        tally = await session.scalar(select(Tally).where(Tally.hamlet_id == hamlet.id))
        revisions = list(
            await session.scalars(select(TallyRevision).order_by(TallyRevision.revision))
        )
    assert tally is not None
    assert tally.revision == len(revisions) == (2 if earlier is None else 3)
    for before, after in zip(revisions, revisions[1:], strict=False):
        assert after.old == before.new  # each replaced what the other had stored
    assert tally.collected == revisions[-1].new["collected"]
    assert await stored_collected(session_factory, hamlet) == ([tally.collected], tally.collected)


async def test_a_tally_racing_the_communes_confirmation_never_lands_in_a_confirmed_commune(
    database: Database,
    session_factory: Sessions,
    other_sessions: Sessions,
    loaded: Campaign,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    clock = SimulatedClock(loaded.at(date(2024, 2, 3), time(17)))
    async with session_factory() as session:  # 03/02: last collection day, first of aggregation
        hamlet = await find_hamlet(session, DONG_CHUA)
    assert hamlet.parent_id is not None
    commune_id = hamlet.parent_id
    pause_after(monkeypatch, tallies, "is_locked")  # the tally reads the commune as open
    committed: list[str] = []

    async def leader() -> None:
        async with session_factory() as session:
            await submit_tally(session, loaded, entry(hamlet, date(2024, 2, 3), 30, clock.now()))
        committed.append("tally")

    async def chairman() -> bool:
        async with other_sessions() as session:
            done = await confirmations.confirm(session, commune_id, None, clock.now())
            await session.commit()
        committed.append("confirmation")
        return done

    results = await together(leader, chairman)

    print(f"\n[{database.backend}] outcome: {results}, order {committed}")
    assert results[1] is True
    async with session_factory() as session:
        stored = await session.scalar(select(func.count(Tally.id)))
        open_locks = await session.scalar(
            select(func.count(Confirmation.id)).where(Confirmation.unlocked_at.is_(None))
        )
    assert open_locks == 1
    if results[0] is None:  # the tally went first: the confirmation waited for it
        assert (stored, committed) == (1, ["tally", "confirmation"])
    else:  # the confirmation went first: the tally was refused, nothing of it stored
        assert isinstance(results[0], TallyRejected)
        assert results[0].key == "tally.locked"
        assert stored == 0


async def test_two_confirmations_of_one_commune_at_once_store_one(
    database: Database,
    session_factory: Sessions,
    other_sessions: Sessions,
    loaded: Campaign,
    clock: SimulatedClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async with session_factory() as session:
        hamlet = await find_hamlet(session, DONG_CHUA)
    assert hamlet.parent_id is not None
    commune_id = hamlet.parent_id
    pause_after(monkeypatch, confirmations, "is_locked")  # both would read it open

    def confirm(factory: Sessions) -> Callable[[], Awaitable[bool]]:
        async def side() -> bool:
            async with factory() as session:
                done = await confirmations.confirm(session, commune_id, None, clock.now())
                await session.commit()
                return done

        return side

    results = await together(confirm(session_factory), confirm(other_sessions))

    assert sorted(results, key=repr) == [False, True]
    async with session_factory() as session:
        rows = await session.scalar(select(func.count(Confirmation.id)))
    assert rows == 1


async def test_rebuilding_the_totals_while_a_tally_arrives_keeps_them_exact(
    database: Database,
    session_factory: Sessions,
    other_sessions: Sessions,
    loaded: Campaign,
    clock: SimulatedClock,
) -> None:
    async with session_factory() as session:
        hamlet = await find_hamlet(session, DONG_CHUA)
        other = await find_hamlet(session, "Bảo Cường/Xóm Trung Tâm")
        await submit_tally(session, loaded, entry(hamlet, FIRST_DAY, 20, clock.now()))
        await submit_tally(session, loaded, entry(other, FIRST_DAY, 10, clock.now()))

    async def rebuild() -> None:
        async with session_factory() as session:
            execute = session.execute

            async def paused(statement: Any, *args: Any, **kwargs: Any) -> Any:
                result = await execute(statement, *args, **kwargs)
                if isinstance(statement, Delete):  # the totals are gone, not yet summed again
                    await asyncio.sleep(PAUSE)
                return result

            session.execute = paused  # type: ignore[method-assign]
            await rebuild_totals(session)
            await session.commit()

    async def leader() -> None:
        await asyncio.sleep(PAUSE / 3)  # arrives while the totals are being rebuilt
        async with other_sessions() as session:
            await submit_tally(session, loaded, entry(hamlet, SECOND_DAY, 15, clock.now()))

    assert await together(rebuild, leader) == [None, None]
    await totals_match_tallies(session_factory)
    assert await stored_collected(session_factory, hamlet) == ([20, 15], 35)


def _mixed_moments(summary: CampaignSummary) -> list[str]:
    """Returns the hamlets said to have reported today whose figures hold nothing collected:
    their report was seen by one query of the summary and not by the other."""
    return [
        hamlet.name
        for commune in summary.communes
        for hamlet in commune.children
        if hamlet.reported_today and hamlet.measures.counts.collected == 0
    ]


async def test_a_summary_taken_while_a_tally_commits_sees_all_of_it_or_none(
    database: Database,
    engine: AsyncEngine,
    other_sessions: Sessions,
    loaded: Campaign,
    clock: SimulatedClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real = summaries._hamlet_counts
    committing: list[Unit] = []  # the hamlet whose tally commits in the middle of a summary

    async def counts_then_a_tally(session: AsyncSession, *asked: Any) -> Any:
        # between the summary's read of the hamlets' figures and of who reported today, a
        # leader's tally commits
        counts = await real(session, *asked)
        async with other_sessions() as writer:
            made = entry(committing.pop(), FIRST_DAY, 30, clock.now())
            await submit_tally(writer, loaded, made)
        return counts

    monkeypatch.setattr(summaries, "_hamlet_counts", counts_then_a_tally)
    async with other_sessions() as session:
        hamlet = await find_hamlet(session, DONG_CHUA)
        other = await find_hamlet(session, TRUNG_TAM)
    committing.append(hamlet)
    async with TakingTurns(engine).reading() as session:  # what /status, /chart, /export use
        summary = await summarize(session, loaded, clock.now(), {hamlet.parent_id})

    assert _mixed_moments(summary) == []
    commune = next(c for c in summary.communes if c.unit_id == hamlet.parent_id)
    assert commune.measures.counts.collected == 0  # the summary began before the tally
    assert commune.reported_today == 0
    async with other_sessions() as session:
        assert (await running_totals(session, hamlet, 10)).collected == 30
    if database.backend == "postgresql":  # the same moment read without one snapshot mixes
        committing.append(other)
        async with sessions(engine)() as session:
            mixed = await summarize(session, loaded, clock.now(), {other.parent_id})
        assert _mixed_moments(mixed) == [other.name]


async def test_households_lowered_while_a_tally_arrives_never_fall_below_the_forms(
    database: Database,
    session_factory: Sessions,
    other_sessions: Sessions,
    loaded: Campaign,
    clock: SimulatedClock,
    sample_roster: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async with session_factory() as session:
        hamlet = await find_hamlet(session, DONG_CHUA)
        await submit_tally(session, loaded, entry(hamlet, FIRST_DAY, 20, clock.now()))
    rows = [  # the district re-imports its roster: Đồng Chùa has 50 households, not 80
        replace(row, households=50) if row.hamlet == "Xóm Đồng Chùa" else row
        for row in parse_roster(sample_roster)
    ]
    pause_after(monkeypatch, roster_store, "_collected")  # the import read 20 forms: 50 is fine
    pause_after(monkeypatch, tallies, "collected_elsewhere")  # 20 + 40 <= 80 is fine

    async def district_staff() -> object:
        async with session_factory() as session:
            return await import_roster(session, rows, loaded.district, clock.now())

    async def leader() -> object:
        async with other_sessions() as session:
            return await submit_tally(session, loaded, entry(hamlet, SECOND_DAY, 40, clock.now()))

    done, refused = split(await together(district_staff, leader))

    print(f"\n[{database.backend}] refused: {refused}")
    assert (len(done), len(refused)) == (1, 1)
    async with session_factory() as session:
        households = await session.scalar(select(Unit.households).where(Unit.id == hamlet.id))
    days, total = await stored_collected(session_factory, hamlet)
    assert total == sum(days) <= (households or 0)


async def test_two_imports_naming_the_same_hamlets_in_opposite_orders_both_go_in(
    database: Database,
    session_factory: Sessions,
    other_sessions: Sessions,
    loaded: Campaign,
    clock: SimulatedClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async with session_factory() as session:
        first = await find_hamlet(session, DONG_CHUA)
        second = await find_hamlet(session, "Định Biên/Xóm Nà Mỏ")  # another commune
    pause_after(monkeypatch, tallies, "collected_elsewhere")  # each row holds its locks a while

    def row(line: int, hamlet: Unit, commune: str, day: date) -> TallyRow:
        return TallyRow(line, commune, hamlet.name, day, 10, 0, (10,) * 10, None)

    def file(factory: Sessions, rows: list[TallyRow]) -> Callable[[], Awaitable[int]]:
        async def side() -> int:
            now = clock.now()
            return await import_tallies(factory, loaded, rows, channel="cli", now=now)

        return side

    forwards = [row(2, first, "Bảo Cường", FIRST_DAY), row(3, second, "Định Biên", FIRST_DAY)]
    backwards = [row(2, second, "Định Biên", SECOND_DAY), row(3, first, "Bảo Cường", SECOND_DAY)]

    imported = await together(file(session_factory, forwards), file(other_sessions, backwards))

    print(f"\n[{database.backend}] imported: {imported}")
    assert imported == [2, 2]  # neither was stopped by a deadlock
    for hamlet in (first, second):
        assert await stored_collected(session_factory, hamlet) == ([10, 10], 20)

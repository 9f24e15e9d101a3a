"""The running totals per hamlet always equal the sum of its current tallies."""

from __future__ import annotations

import contextlib
import random
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from reporting.campaign import Campaign
from reporting.clock import SimulatedClock
from reporting.exports.json_csv import summary_json
from reporting.running_totals import rebuild_totals
from reporting.storage.models import HamletTotal, Tally
from reporting.summaries import summarize
from reporting.tallies import Entry, Figures, TallyRejected, submit_tally
from reporting.units import find_hamlet

Sessions = async_sessionmaker[AsyncSession]
HAMLETS = ("Định Biên/Xóm Nà Mỏ", "Định Biên/Xóm Tân Vàng", "Bảo Linh/Xóm Nà Mò")


def _random_figures(rng: random.Random) -> Figures:
    collected = rng.randint(0, 12)
    invalid = rng.randint(0, min(2, collected))
    valid = collected - invalid
    return Figures(collected, invalid, tuple(rng.randint(0, valid) for _ in range(10)))


async def _play(
    sessions: Sessions, campaign: Campaign, clock: SimulatedClock, rounds: int
) -> None:
    rng = random.Random(7)
    days = campaign.collection_days[:4]
    for _ in range(rounds):
        async with sessions() as session:
            hamlet = await find_hamlet(session, rng.choice(HAMLETS))
            entry = Entry(
                hamlet, rng.choice(days), _random_figures(rng), None, "test", clock.now()
            )
            # Now and then over the households: refused, and the totals must not move.
            with contextlib.suppress(TallyRejected):
                await submit_tally(session, campaign, entry)


async def test_totals_equal_the_sum_of_current_tallies_after_replacements(
    session_factory: Sessions, loaded: Campaign, clock: SimulatedClock
) -> None:
    await _play(session_factory, loaded, clock, rounds=60)
    async with session_factory() as session:
        expected: dict[int, tuple[int, ...]] = {}
        for tally in await session.scalars(select(Tally)):  # summed here, apart from the product
            figures = (tally.collected, tally.invalid, *tally.satisfied)
            before = expected.get(tally.hamlet_id, (0,) * len(figures))
            expected[tally.hamlet_id] = tuple(a + b for a, b in zip(before, figures, strict=True))
        stored = {
            total.hamlet_id: (total.collected, total.invalid, *total.satisfied)
            for total in await session.scalars(select(HamletTotal))
        }
    assert stored == expected
    assert len(stored) == len(HAMLETS)


async def test_summary_of_an_earlier_day_sums_the_tallies_up_to_that_day(
    session_factory: Sessions, loaded: Campaign, clock: SimulatedClock
) -> None:
    first: date = loaded.phases.collection[0]
    async with session_factory() as session:
        hamlet = await find_hamlet(session, HAMLETS[0])
        for offset, collected in enumerate((5, 7)):
            day = first + timedelta(days=offset)
            figures = Figures(collected, 0, (collected,) * 10)
            await submit_tally(
                session, loaded, Entry(hamlet, day, figures, None, "test", clock.now())
            )
    async with session_factory() as session:
        earlier = await summarize(session, loaded, loaded.end_of_day(first))
        now = await summarize(session, loaded, loaded.end_of_day(first + timedelta(days=1)))
    assert summary_json(earlier)["district"]["collected"] == 5
    assert summary_json(now)["district"]["collected"] == 12
    assert earlier.district.reported_today == 1


async def test_rebuilding_the_totals_after_a_bulk_load_gives_the_same_sums(
    session_factory: Sessions, loaded: Campaign, clock: SimulatedClock
) -> None:
    await _play(session_factory, loaded, clock, rounds=20)
    async with session_factory() as session:
        before = sorted(tuple(row) for row in await session.execute(select(HamletTotal.__table__)))
        await rebuild_totals(session)
        await session.commit()
        after = sorted(tuple(row) for row in await session.execute(select(HamletTotal.__table__)))
    assert after == before

"""`tally import` in chunks (SPEC §6.2, all rows or none): checked whole, then stored in chunks."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from reporting.campaign import Campaign
from reporting.clock import SimulatedClock
from reporting.imports import tally_store
from reporting.imports.tally_file import TallyFileError, TallyRow
from reporting.imports.tally_store import import_tallies
from reporting.storage.models import Confirmation, Tally
from reporting.units import find_commune

TEN = (8,) * 10
ROWS = [  # three hamlets of Bảo Cường, then one of Phú Đình
    TallyRow(2, "Bảo Cường", "Xóm Trung Tâm", date(2024, 1, 27), 10, 0, TEN, None),
    TallyRow(3, "Bảo Cường", "Xóm Đồng Chùa", date(2024, 1, 27), 10, 0, TEN, None),
    TallyRow(4, "Bảo Cường", "Xóm Trung Tâm", date(2024, 1, 28), 12, 1, TEN, None),
    TallyRow(5, "Bảo Cường", "Xóm Hợp Thành", date(2024, 1, 27), 10, 0, TEN, None),
    TallyRow(6, "Phú Đình", "Xóm Trung Tâm", date(2024, 1, 27), 9, 1, TEN, None),
]


@pytest.fixture(autouse=True)
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two rows a chunk and no pause, so that five rows make several transactions."""
    monkeypatch.setattr(tally_store, "CHUNK_ROWS", 2)
    monkeypatch.setattr(tally_store, "PAUSE", 0)


async def _tallies(factory: async_sessionmaker[AsyncSession]) -> int:
    async with factory() as session:
        return int(await session.scalar(select(func.count()).select_from(Tally)) or 0)


async def test_rows_of_a_hamlet_share_a_chunk_and_every_row_is_stored(
    session_factory: async_sessionmaker[AsyncSession], loaded: Campaign, clock: SimulatedClock
) -> None:
    seen: list[tuple[int, int]] = []
    count = await import_tallies(
        session_factory, loaded, ROWS, channel="cli", now=clock.now(), progress=_record(seen)
    )
    assert count == 5
    assert await _tallies(session_factory) == 5
    # checked, then stored: Trung Tâm's two rows together, then Đồng Chùa and Hợp Thành, …
    assert [done for done, _total in seen] == [2, 4, 5, 7, 9, 10]
    assert {total for _done, total in seen} == {10}


async def test_a_refused_row_in_the_last_chunk_stores_nothing_of_the_earlier_chunks(
    session_factory: async_sessionmaker[AsyncSession], loaded: Campaign, clock: SimulatedClock
) -> None:
    bad = TallyRow(7, "Phú Đình", "Xóm Không Có", date(2024, 1, 27), 9, 1, TEN, None)
    with pytest.raises(TallyFileError) as refused:
        await import_tallies(session_factory, loaded, [*ROWS, bad], channel="cli", now=clock.now())
    assert refused.value.heading is None  # the usual "nothing was written"
    assert [problem.split(":")[0] for problem in refused.value.problems] == ["Dòng 7"]
    assert await _tallies(session_factory) == 0


async def test_a_commune_confirmed_between_check_and_store_stops_the_import_and_says_so(
    session_factory: async_sessionmaker[AsyncSession], loaded: Campaign, clock: SimulatedClock
) -> None:
    opened = 0

    @asynccontextmanager
    async def confirming_midway() -> AsyncIterator[AsyncSession]:
        """Sessions as usual; before the last chunk is stored, Phú Đình is confirmed."""
        nonlocal opened
        opened += 1
        if opened == 7:  # 1 to find the hamlets, 3 chunks checked, then stored: the last
            async with session_factory() as session:
                commune = await find_commune(session, "Phú Đình")
                session.add(Confirmation(commune_id=commune.id, confirmed_at=clock.now()))
                await session.commit()
        async with session_factory() as session:
            yield session

    with pytest.raises(TallyFileError) as stopped:
        await import_tallies(confirming_midway, loaded, ROWS, channel="cli", now=clock.now())
    assert stopped.value.heading is not None
    assert "4/5" in stopped.value.heading
    assert [problem.split(":")[0] for problem in stopped.value.problems] == ["Dòng 6"]
    assert await _tallies(session_factory) == 4


def _record(seen: list[tuple[int, int]]) -> tally_store.Progress:
    return lambda done, total: seen.append((done, total))

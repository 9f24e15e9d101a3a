"""Loading the roster into units: the sample Định Hóa roster, and re-imports without duplicates."""

from __future__ import annotations

import csv
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from reporting.campaign import Campaign
from reporting.clock import SimulatedClock
from reporting.imports.roster_file import RosterFileError, RosterRow, parse_roster
from reporting.imports.roster_store import import_roster
from reporting.storage.models import Level, Unit
from reporting.tallies import Entry, Figures, submit_tally
from reporting.units import communes, district, find_commune, find_hamlet, hamlets

Sessions = async_sessionmaker[AsyncSession]

# The sample file's own figures (reporting/data/README.md): 22 surveyed xã and thị trấn Chợ Chu.
COMMUNES = 23
HAMLETS = 311
HOUSEHOLDS = 27_529
SURVEYED_HAMLETS = 303
SURVEYED_HOUSEHOLDS = 25_978
DAY = date(2024, 1, 27)


def _file_rows(path: Path) -> dict[tuple[str, str], tuple[int, bool]]:
    """Returns {(commune, hamlet): (households, surveyed)} read straight from the CSV."""
    with path.open(encoding="utf-8") as file:
        return {
            (row["commune"], row["hamlet"]): (int(row["households"]), row["surveyed"] == "1")
            for row in csv.DictReader(file)
        }


async def _unit_count(session: AsyncSession, level: Level) -> int:
    count = await session.scalar(select(func.count()).select_from(Unit).where(Unit.level == level))
    return int(count or 0)


async def test_importing_the_sample_file_stores_each_of_its_rows(
    session_factory: Sessions, clock: SimulatedClock, sample_roster: Path
) -> None:
    async with session_factory() as session:  # a migrated database with no units yet
        changes = await import_roster(
            session, parse_roster(sample_roster), "Định Hóa", clock.now()
        )
    assert (changes.communes_added, changes.hamlets_added, changes.hamlets_updated) == (
        COMMUNES,
        HAMLETS,
        0,
    )
    assert changes.unchanged == 0
    async with session_factory() as session:
        units = {unit.id: unit for unit in await session.scalars(select(Unit))}
    [root] = [unit for unit in units.values() if unit.level == Level.DISTRICT]
    assert root.name == "Định Hóa"
    stored = {
        (units[hamlet.parent_id].name, hamlet.name): (
            hamlet.households,
            units[hamlet.parent_id].surveyed,
        )
        for hamlet in units.values()
        if hamlet.level == Level.HAMLET
    }
    assert stored == _file_rows(sample_roster)
    communes = [unit for unit in units.values() if unit.level == Level.COMMUNE]
    assert {commune.parent_id for commune in communes} == {root.id}
    assert sum(commune.households for commune in communes) == HOUSEHOLDS


async def test_sample_roster_loads_every_commune_and_hamlet(
    session_factory: Sessions, loaded: Campaign
) -> None:
    async with session_factory() as session:
        assert await _unit_count(session, Level.DISTRICT) == 1
        assert await _unit_count(session, Level.COMMUNE) == COMMUNES
        assert await _unit_count(session, Level.HAMLET) == HAMLETS
        root = await district(session)
        assert root is not None
        assert root.name == "Định Hóa"
        everything = await communes(session)
        assert sum(c.households for c in everything) == HOUSEHOLDS
        assert all(c.parent_id == root.id for c in everything)
        surveyed = await communes(session, surveyed_only=True)
        assert len(surveyed) == COMMUNES - 1
        assert sum(c.households for c in surveyed) == SURVEYED_HOUSEHOLDS
        assert len(await hamlets(session, [c.id for c in surveyed])) == SURVEYED_HAMLETS


async def test_cho_chu_is_listed_but_not_surveyed(
    session_factory: Sessions, loaded: Campaign
) -> None:
    async with session_factory() as session:
        cho_chu = await find_commune(session, "cho chu")
        assert (cho_chu.name, cho_chu.surveyed) == ("Chợ Chu", False)
        assert len(await hamlets(session, [cho_chu.id])) == 8
        assert cho_chu.households == 1_551


async def test_commune_households_are_the_sum_of_their_hamlets(
    session_factory: Sessions, loaded: Campaign
) -> None:
    async with session_factory() as session:
        all_hamlets = await hamlets(session)
        for commune in await communes(session):
            own = [h.households for h in all_hamlets if h.parent_id == commune.id]
            assert commune.households == sum(own), commune.name


async def test_names_keep_their_diacritics_and_are_found_without_them(
    session_factory: Sessions, loaded: Campaign
) -> None:
    async with session_factory() as session:
        assert (await find_commune(session, "dinh bien")).name == "Định Biên"
        hamlet = await find_hamlet(session, "dinh bien/na mo")
        assert (hamlet.name, hamlet.households) == ("Xóm Nà Mỏ", hamlet.households)
        assert hamlet.name_key == "xom na mo"


async def test_reimport_of_the_same_file_changes_nothing(
    session_factory: Sessions, loaded: Campaign, clock: SimulatedClock, sample_roster: Path
) -> None:
    async with session_factory() as session:
        changes = await import_roster(
            session, parse_roster(sample_roster), loaded.district, clock.now()
        )
        assert (changes.communes_added, changes.hamlets_added, changes.hamlets_updated) == (
            0,
            0,
            0,
        )
        assert changes.unchanged == HAMLETS
        assert len(changes.communes) == COMMUNES
        assert await _unit_count(session, Level.HAMLET) == HAMLETS


async def test_reimport_updates_households_and_adds_new_units_without_duplicating(
    session_factory: Sessions, loaded: Campaign, clock: SimulatedClock, tmp_path: Path
) -> None:
    changed = tmp_path / "roster.csv"
    changed.write_text(
        "xã,xóm,số hộ\n"
        "bảo cường,Xóm Trung Tâm,70\n"  # was 67; the commune typed in lower case
        "bảo cường,Xóm Đồng Chùa,80\n"  # unchanged
        "bảo cường,xóm hợp thành,72\n"  # same figures, written in lower case
        "bảo cường,Xóm Mới Lập,45\n"  # new hamlet
        "Xã Mới,Xóm Một,30\n",  # new commune
        encoding="utf-8",
    )
    async with session_factory() as session:
        changes = await import_roster(session, parse_roster(changed), loaded.district, clock.now())
    assert (changes.communes_added, changes.hamlets_added, changes.hamlets_updated) == (1, 2, 2)
    assert changes.unchanged == 1

    async with session_factory() as session:
        assert await _unit_count(session, Level.COMMUNE) == COMMUNES + 1
        assert await _unit_count(session, Level.HAMLET) == HAMLETS + 2
        bao_cuong = await find_commune(session, "Bảo Cường")
        trung_tam = await find_hamlet(session, "Bảo Cường/Xóm Trung Tâm")
        hop_thanh = await find_hamlet(session, "Bảo Cường/Xóm Hợp Thành")
        assert trung_tam.households == 70
        assert bao_cuong.name == "Bảo Cường"
        assert hop_thanh.name == "xóm hợp thành"  # written as the newest roster writes it
        assert trung_tam.updated_at == clock.now()
        assert bao_cuong.households == sum(
            h.households for h in await hamlets(session, [bao_cuong.id])
        )
        new_commune = await find_commune(session, "Xã Mới")
        assert (new_commune.households, new_commune.surveyed) == (30, True)
        names = Counter((h.parent_id, h.name_key) for h in await hamlets(session))
        assert max(names.values()) == 1


async def test_reimport_matches_names_with_or_without_their_level_word(
    session_factory: Sessions, loaded: Campaign, clock: SimulatedClock, tmp_path: Path
) -> None:
    changed = tmp_path / "roster.csv"
    changed.write_text(
        "xã,xóm,số hộ\n"
        "Xã Bảo Cường,Trung Tâm,71\n"  # "Xóm Trung Tâm" of commune "Bảo Cường"
        "Xã Bảo Cường,Thôn Đồng Chùa,80\n",  # "Xóm Đồng Chùa", now written as a thôn
        encoding="utf-8",
    )
    async with session_factory() as session:
        changes = await import_roster(session, parse_roster(changed), loaded.district, clock.now())
    assert (changes.communes_added, changes.hamlets_added, changes.hamlets_updated) == (0, 0, 2)
    async with session_factory() as session:
        assert await _unit_count(session, Level.COMMUNE) == COMMUNES
        assert await _unit_count(session, Level.HAMLET) == HAMLETS
        trung_tam = await find_hamlet(session, "Bảo Cường/trung tam")
        assert (trung_tam.name, trung_tam.households) == ("Trung Tâm", 71)
        dong_chua = await find_hamlet(session, "Bảo Cường/thon dong chua")
        assert dong_chua.name_key == "thon dong chua"  # the look-up key follows the new name


async def test_reimport_can_exclude_a_commune_from_the_survey(
    session_factory: Sessions, loaded: Campaign, clock: SimulatedClock
) -> None:
    rows = [RosterRow(2, "Bảo Linh", "Xóm Nà Mò", 90, surveyed=False)]
    async with session_factory() as session:
        await import_roster(session, rows, loaded.district, clock.now())
    async with session_factory() as session:
        bao_linh = await find_commune(session, "Bảo Linh")
        assert not bao_linh.surveyed
        assert len(await communes(session, surveyed_only=True)) == COMMUNES - 2


async def test_reimport_cannot_lower_households_below_what_was_already_collected(
    session_factory: Sessions, loaded: Campaign, clock: SimulatedClock, tmp_path: Path
) -> None:
    async with session_factory() as session:
        trung_tam = await find_hamlet(session, "Bảo Cường/Xóm Trung Tâm")
        figures = Figures(60, 0, (50,) * 10)
        await submit_tally(
            session, loaded, Entry(trung_tam, DAY, figures, None, "cli", clock.now())
        )
    lowered = tmp_path / "roster.csv"
    lowered.write_text(
        "xã,xóm,số hộ\n"
        "Bảo Cường,Xóm Đồng Chùa,81\n"  # a fine change, refused with the file
        "Bảo Cường,Xóm Trung Tâm,59\n"  # 60 forms already collected
        "Bảo Cường,Xóm Hợp Thành,72\n",
        encoding="utf-8",
    )
    async with session_factory() as session:
        with pytest.raises(RosterFileError) as refused:
            await import_roster(session, parse_roster(lowered), loaded.district, clock.now())
    assert refused.value.problems == [
        "Dòng 3: Xóm Trung Tâm đã thu 60 phiếu, không thể ghi số hộ 59 nhỏ hơn. "
        "Số hộ cần từ 60 trở lên."
    ]
    async with session_factory() as session:
        assert (await find_hamlet(session, "Bảo Cường/Xóm Trung Tâm")).households == 67
        assert (await find_hamlet(session, "Bảo Cường/Xóm Đồng Chùa")).households == 80

    lowered.write_text("xã,xóm,số hộ\nBảo Cường,Xóm Trung Tâm,60\n", encoding="utf-8")
    async with session_factory() as session:
        await import_roster(session, parse_roster(lowered), loaded.district, clock.now())
        assert (await find_hamlet(session, "Bảo Cường/Xóm Trung Tâm")).households == 60

"""Charts drawn from a real migrated database: phone-sized PNGs, every Vietnamese letter drawn,
pages for a large district, and the pace data read back from the tallies."""

from __future__ import annotations

import asyncio
import struct
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time
from fractions import Fraction
from zoneinfo import ZoneInfo

import pytest
from backends import Database
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from reporting.campaign import Campaign, load_campaign
from reporting.campaign_store import current_campaign
from reporting.charts import (
    daily_collected,
    render_heatmap,
    render_pace,
    render_participation,
    render_questions,
)
from reporting.charts.data import heatmap_cells, paginate, participation_bars
from reporting.charts.pace import pace_series
from reporting.measures import Counts, measure, measure_district
from reporting.storage.db import create_engine, sessions
from reporting.storage.models import Level, Unit
from reporting.summaries import CampaignSummary, UnitSummary, summarize
from reporting.tallies import Entry, Figures, submit_tally

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
# every Vietnamese letter that carries a mark, lower and upper case, and đ/Đ
VIETNAMESE = (
    "àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ"
    "ÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬÈÉẺẼẸÊỀẾỂỄỆÌÍỈĨỊÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢÙÚỦŨỤƯỪỨỬỮỰỲÝỶỸỴĐ"
)
FIRST_DAYS = (date(2024, 1, 27), date(2024, 1, 28))
NOW = datetime(2024, 1, 28, 19, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))


def png_size(png: bytes) -> tuple[int, int]:
    """Returns (width, height) from a PNG's IHDR header."""
    assert png.startswith(PNG_MAGIC)
    width, height = struct.unpack(">II", png[16:24])
    return width, height


@contextmanager
def missing_glyphs() -> Iterator[list[str]]:
    """Collects matplotlib's "Glyph … missing from font" warnings raised inside the block."""
    found: list[str] = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield found
    found.extend(str(w.message) for w in caught if "missing from font" in str(w.message))


@dataclass(frozen=True)
class Seeded:
    """A summary read from the database and the per-day collected forms read beside it."""

    summary: CampaignSummary
    everywhere: dict[date, int]
    busy_commune: dict[date, int]
    first_day: dict[date, int]


@pytest.fixture(scope="module")
def seeded(module_database: Database) -> Seeded:
    """Built once for the module on a loaded database of its own."""
    return asyncio.run(build(module_database.url))


@pytest.fixture
def summary(seeded: Seeded) -> CampaignSummary:
    """The summary as of 20:00 on the second collection day."""
    return seeded.summary


async def build(url: str) -> Seeded:
    """The sample roster; two days for every hamlet of the 2nd commune, one day for one hamlet
    of the 3rd; the 1st commune (Bảo Cường) sends nothing."""
    engine = create_engine(url)
    try:
        async with sessions(engine)() as session:
            campaign = await current_campaign(session)
            busy = await _tally(session, campaign)
            day = FIRST_DAYS[1]
            return Seeded(
                await summarize(session, campaign, campaign.at(day, time(20))),
                await daily_collected(session, None, day),
                await daily_collected(session, [busy], day),
                await daily_collected(session, None, FIRST_DAYS[0]),
            )
    finally:
        await engine.dispose()


async def _tally(session: AsyncSession, campaign: Campaign) -> int:
    communes = list(
        await session.scalars(
            select(Unit)
            .where(Unit.level == Level.COMMUNE, Unit.surveyed.is_(True))
            .order_by(Unit.name_key)
        )
    )
    hamlets = list(await session.scalars(select(Unit).where(Unit.level == Level.HAMLET)))
    busy = [h for h in hamlets if h.parent_id == communes[1].id]
    late = next(h for h in hamlets if h.parent_id == communes[2].id)
    for day in FIRST_DAYS:
        for number, hamlet in enumerate(busy):
            figures = _figures(hamlet.households // 3, number % 3)
            await submit_tally(session, campaign, Entry(hamlet, day, figures, None, "t", NOW))
    figures = _figures(late.households // 2, 2)
    await submit_tally(session, campaign, Entry(late, FIRST_DAYS[0], figures, None, "t", NOW))
    return communes[1].id


def _figures(collected: int, unhappy: int) -> Figures:
    valid = collected - 1
    return Figures(
        collected, 1, tuple(valid - (unhappy if q < 9 else 2 * unhappy) for q in range(10))
    )


def synthetic(names: list[str]) -> CampaignSummary:
    """A summary without a database: one commune per name, participation rising by name."""
    campaign = load_campaign()
    as_of = campaign.at(date(2024, 1, 30), time(20))
    progress = campaign.progress(as_of)
    communes = tuple(
        UnitSummary(
            unit_id=number,
            name=name,
            level=Level.COMMUNE,
            measures=measure(
                Counts(200, number % 150, 0, (number % 150,) * 10), campaign.thresholds, progress
            ),
            hamlets=1,
            reported_today=0,
            confirmed=False,
        )
        for number, name in enumerate(names, start=1)
    )
    district_measures = measure_district(
        [c.measures for c in communes], campaign.thresholds, progress
    )
    district = UnitSummary(
        0, "Định Hóa", Level.DISTRICT, district_measures, len(names), 0, False, communes
    )
    return CampaignSummary(campaign, as_of, campaign.local_date(as_of), progress, district)


def vietnamese_names(count: int) -> list[str]:
    """Returns `count` distinct names that together use every Vietnamese letter with a mark."""
    return [
        f"{VIETNAMESE[(n * 7) % len(VIETNAMESE)]}{VIETNAMESE[n % len(VIETNAMESE) :][:9]} {n}"
        for n in range(count)
    ]


def test_every_chart_is_a_phone_sized_png_without_missing_glyphs(seeded: Seeded) -> None:
    summary = seeded.summary
    with missing_glyphs() as missing:
        images = [
            *render_participation(summary),
            render_questions(summary),
            render_questions(summary, summary.communes[1], "en"),
            render_pace(summary, seeded.everywhere),
            *render_heatmap(summary),
        ]
    assert missing == []
    for image in images:
        width, height = png_size(image)
        assert 800 <= width <= 1280
        assert height > 400


def test_a_commune_without_tallies_draws_dashes_not_an_error(summary: CampaignSummary) -> None:
    silent = summary.communes[0]
    assert silent.measures.counts.collected == 0
    assert silent.measures.rates == (None,) * 10
    with missing_glyphs() as missing:
        png = render_questions(summary, silent)
    assert missing == []
    assert png_size(png)[0] <= 1280


def test_daily_collected_adds_up_to_the_summary(seeded: Seeded) -> None:
    summary = seeded.summary
    busy = summary.communes[1]
    assert sum(seeded.everywhere.values()) == summary.district.measures.counts.collected
    assert sum(seeded.busy_commune.values()) == busy.measures.counts.collected
    assert set(seeded.busy_commune) == set(FIRST_DAYS)
    assert set(seeded.first_day) == {FIRST_DAYS[0]}
    pace = pace_series(summary, seeded.busy_commune, busy)
    assert pace.actual[-1] == busy.measures.participation
    assert len(pace.actual) == 2


def test_participation_chart_data_matches_the_summary(summary: CampaignSummary) -> None:
    bars = participation_bars(summary)
    by_name = {commune.name: commune for commune in summary.communes}
    assert [bar.value for bar in bars] == [
        by_name[bar.label].measures.participation for bar in bars
    ]
    assert bars[0].highlight
    assert bars[0].value == Fraction(0)


def test_a_large_district_is_split_into_legible_pages() -> None:
    large = synthetic(vietnamese_names(180))
    assert set(VIETNAMESE) <= set("".join(c.name for c in large.communes))
    assert [len(page) for page in paginate(participation_bars(large))] == [30] * 6
    assert [len(page) for page in paginate(heatmap_cells(large))] == [30] * 6
    # two of the six pages are drawn, the first and the last: each takes half a second
    with missing_glyphs() as missing:
        participation = render_participation(large, pages={1, 6})
    assert missing == []
    assert len(participation) == 2
    assert all(png_size(png)[0] <= 1280 for png in participation)
    assert png_size(participation[0]) == png_size(participation[1])


def test_a_page_outside_the_range_draws_nothing() -> None:
    assert render_heatmap(synthetic(vietnamese_names(5)), pages={2}) == []


def test_the_glyph_check_would_catch_a_letter_the_font_lacks() -> None:
    emoji = synthetic(["Xã 📊"])
    with missing_glyphs() as missing:
        render_participation(emoji)
    assert missing


@pytest.mark.parametrize("render", [render_participation, render_heatmap])
def test_a_district_without_communes_still_draws_one_image(
    render: Callable[[CampaignSummary], list[bytes]],
) -> None:
    assert len(render(synthetic([]))) == 1

"""Summaries over stored tallies, and their JSON (SPEC §4.1) and CSV forms."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime, timedelta
from fractions import Fraction
from types import NoneType
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from reporting.campaign import Campaign, load_campaign
from reporting.clock import SimulatedClock
from reporting.exports.json_csv import summary_csv, summary_json
from reporting.measures import Counts, sum_counts
from reporting.storage.models import Confirmation, Level
from reporting.summaries import CampaignSummary, UnitSummary, summarize
from reporting.tallies import Entry, Figures, record_tally
from reporting.thresholds import MEASURES
from reporting.units import find_commune, find_hamlet
from reporting.verdicts import Verdict

Sessions = async_sessionmaker[AsyncSession]
ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
DAY_1, DAY_2 = date(2024, 1, 27), date(2024, 1, 28)
SURVEYED_HOUSEHOLDS = 25_978

# (hamlet, day, collected, invalid, satisfied Q1..Q10)
TALLIES = [
    ("Bảo Cường/Xóm Trung Tâm", DAY_1, 40, 2, (38,) * 9 + (37,)),
    ("Bảo Cường/Xóm Trung Tâm", DAY_2, 10, 0, (10,) * 10),
    ("Bảo Cường/Xóm Đồng Chùa", DAY_2, 50, 0, (45, 46, 47, 48, 49, 50, 45, 46, 47, 50)),
    ("Phú Đình/Xóm Trung Tâm", DAY_1, 30, 0, (20,) * 10),
    ("Chợ Chu/Tổ dân phố Hòa Bình", DAY_1, 100, 0, (100,) * 10),  # not surveyed
]


@pytest.fixture
async def tallied(session_factory: Sessions, loaded: Campaign, clock: SimulatedClock) -> Campaign:
    """The loaded campaign with the TALLIES stored."""
    async with session_factory() as session:
        for path, day, collected, invalid, satisfied in TALLIES:
            hamlet = await find_hamlet(session, path)
            figures = Figures(collected, invalid, satisfied)
            await record_tally(
                session, loaded, Entry(hamlet, day, figures, None, "cli", clock.now())
            )
        await session.commit()
    return loaded


async def _summary(
    sessions: Sessions, campaign: Campaign, as_of: datetime, **options: Any
) -> CampaignSummary:
    async with sessions() as session:
        return await summarize(session, campaign, as_of, **options)


def _end_of(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 23, 59, tzinfo=ZONE)


def _by_name(units: tuple[UnitSummary, ...], name: str) -> UnitSummary:
    return next(unit for unit in units if unit.name == name)


async def test_hamlets_add_up_to_their_commune(
    session_factory: Sessions, tallied: Campaign
) -> None:
    summary = await _summary(session_factory, tallied, _end_of(DAY_2))
    for commune in summary.communes:
        assert commune.measures.counts == sum_counts(h.measures.counts for h in commune.children)
        assert commune.hamlets == len(commune.children)
    bao_cuong = _by_name(summary.communes, "Bảo Cường").measures.counts
    assert (bao_cuong.collected, bao_cuong.invalid, bao_cuong.valid) == (100, 2, 98)
    assert bao_cuong.satisfied[0] == 38 + 10 + 45
    assert bao_cuong.satisfied[9] == 37 + 10 + 50


async def test_surveyed_communes_add_up_to_the_district_without_cho_chu(
    session_factory: Sessions, tallied: Campaign
) -> None:
    summary = await _summary(session_factory, tallied, _end_of(DAY_2))
    assert len(summary.communes) == 22
    assert "Chợ Chu" not in {c.name for c in summary.communes}
    district = summary.district.measures.counts
    assert district == sum_counts(c.measures.counts for c in summary.communes)
    assert district.households == SURVEYED_HOUSEHOLDS
    assert (district.collected, district.invalid) == (130, 2)  # Chợ Chu's 100 forms left out
    assert summary.district.level is Level.DISTRICT
    assert summary.district.name == "Định Hóa"
    assert summary.district.hamlets == 303
    assert summary.district.measures.participation == Fraction(130, SURVEYED_HOUSEHOLDS)


async def test_as_of_leaves_out_later_days(session_factory: Sessions, tallied: Campaign) -> None:
    summary = await _summary(session_factory, tallied, _end_of(DAY_1))
    assert summary.day == DAY_1
    bao_cuong = _by_name(summary.communes, "Bảo Cường")
    assert bao_cuong.measures.counts.collected == 40
    assert _by_name(bao_cuong.children, "Xóm Đồng Chùa").measures.counts.collected == 0
    assert summary.district.measures.counts.collected == 70
    assert summary.progress.elapsed_days == 1


async def test_as_of_follows_the_campaign_day_not_the_utc_day(
    session_factory: Sessions, tallied: Campaign
) -> None:
    # 20:00 UTC on 27/01 is already 03:00 on 28/01 in Hồ Chí Minh City
    as_of = datetime(2024, 1, 27, 20, 0, tzinfo=ZoneInfo("UTC"))
    summary = await _summary(session_factory, tallied, as_of)
    assert summary.day == DAY_2
    assert summary.district.measures.counts.collected == 130


async def test_before_any_tally_everything_is_zero(
    session_factory: Sessions, tallied: Campaign
) -> None:
    summary = await _summary(session_factory, tallied, _end_of(date(2024, 1, 26)))
    district = summary.district.measures
    assert district.counts == Counts(households=SURVEYED_HOUSEHOLDS)
    assert district.rates == (None,) * 10
    assert district.verdicts == dict.fromkeys(district.verdicts)


async def test_reported_today_counts_hamlets_with_a_tally_that_day(
    session_factory: Sessions, tallied: Campaign
) -> None:
    summary = await _summary(session_factory, tallied, _end_of(DAY_2))
    bao_cuong = _by_name(summary.communes, "Bảo Cường")
    assert bao_cuong.reported_today == 2
    assert _by_name(summary.communes, "Phú Đình").reported_today == 0
    assert summary.district.reported_today == 2


async def test_verdicts_follow_the_window(session_factory: Sessions, tallied: Campaign) -> None:
    open_window = await _summary(session_factory, tallied, _end_of(DAY_2))
    phu_dinh = _by_name(open_window.communes, "Phú Đình").measures
    assert phu_dinh.rates[0] == Fraction(2, 3)
    assert phu_dinh.verdicts["question_min"] is Verdict.AT_RISK
    assert open_window.district.measures.verdicts["question_min"] is Verdict.AT_RISK

    closed = await _summary(session_factory, tallied, _end_of(date(2024, 2, 10)))
    assert _by_name(closed.communes, "Phú Đình").measures.verdicts["question_min"] is (
        Verdict.NOT_MET
    )
    assert closed.district.measures.verdicts["participation"] is Verdict.NOT_MET
    assert closed.progress.closed


async def test_confirmed_communes_are_marked(
    session_factory: Sessions, tallied: Campaign, clock: SimulatedClock
) -> None:
    async with session_factory() as session:
        bao_cuong = await find_commune(session, "Bảo Cường")
        phu_dinh = await find_commune(session, "Phú Đình")
        session.add(Confirmation(commune_id=bao_cuong.id, confirmed_at=clock.now()))
        session.add(
            Confirmation(commune_id=phu_dinh.id, confirmed_at=clock.now(), unlocked_at=clock.now())
        )
        await session.commit()
    summary = await _summary(session_factory, tallied, _end_of(DAY_2))
    assert {c.name for c in summary.communes if c.confirmed} == {"Bảo Cường"}
    assert all(h.confirmed for h in summary.commune(bao_cuong.id).children)
    assert not summary.district.confirmed


async def test_hamlet_rows_only_for_the_communes_asked(
    session_factory: Sessions, tallied: Campaign
) -> None:
    async with session_factory() as session:
        bao_cuong = await find_commune(session, "Bảo Cường")
    summary = await _summary(session_factory, tallied, _end_of(DAY_2), hamlets_of={bao_cuong.id})
    with_rows = [c.name for c in summary.communes if c.children]
    assert with_rows == ["Bảo Cường"]
    assert _by_name(summary.communes, "Phú Đình").measures.counts.collected == 30


@pytest.mark.parametrize("day", [DAY_1, DAY_2], ids=["earlier-day", "today"])
async def test_communes_summed_by_the_database_equal_their_hamlets_summed_here(
    session_factory: Sessions, tallied: Campaign, day: date
) -> None:
    # /status's communes (the database adds them up, over the running totals for today and
    # over the tallies for an earlier day) and the export's (each adds its hamlets up)
    status = await _summary(session_factory, tallied, _end_of(day), hamlets_of=())
    export = await _summary(session_factory, tallied, _end_of(day))
    assert [c.measures.counts for c in status.communes] == [
        c.measures.counts for c in export.communes
    ]
    assert [c.reported_today for c in status.communes] == [
        c.reported_today for c in export.communes
    ]
    assert status.district.measures == export.district.measures
    assert any(c.measures.counts.collected for c in status.communes)


# --- the JSON shape of SPEC §4.1 ----------------------------------------------------------

VERDICTS = frozenset({"met", "on_track", "at_risk", "not_met", None})
QUESTIONS = [str(q) for q in range(1, 11)]
M: dict[str, Any] = {
    "households": int,
    "collected": int,
    "invalid": int,
    "valid": int,
    "participation": float,
    "satisfied": dict.fromkeys(QUESTIONS, int),
    "rates": dict.fromkeys(QUESTIONS, (float, NoneType)),
    "average": (float, NoneType),
    "verdicts": dict.fromkeys(MEASURES, VERDICTS),
}
HAMLET = M | {"name": str}
COMMUNE = M | {"name": str, "confirmed": bool, "hamlets": [HAMLET]}
DOCUMENT = {
    "campaign": {"name": str, "district": str},
    "as_of": str,
    "district": M,
    "communes": [COMMUNE],
}


def shape_errors(value: Any, shape: Any, where: str = "$") -> list[str]:
    """Returns where `value` departs from `shape`: dicts need exactly their keys, lists hold
    items of one shape, frozensets list the allowed values, and types must match exactly."""
    if isinstance(shape, dict):
        if not isinstance(value, dict):
            return [f"{where}: not an object"]
        if set(value) != set(shape):
            return [f"{where}: keys {sorted(value)} instead of {sorted(shape)}"]
        return [e for key in shape for e in shape_errors(value[key], shape[key], f"{where}.{key}")]
    if isinstance(shape, list):
        if not isinstance(value, list):
            return [f"{where}: not a list"]
        return [
            e
            for n, item in enumerate(value)
            for e in shape_errors(item, shape[0], f"{where}[{n}]")
        ]
    if isinstance(shape, frozenset):
        return (
            [] if value in shape else [f"{where}: {value!r} not one of {sorted(map(str, shape))}"]
        )
    kinds = shape if isinstance(shape, tuple) else (shape,)
    return [] if type(value) in kinds else [f"{where}: {type(value).__name__} {value!r}"]


def test_shape_check_notices_extra_missing_and_mistyped_keys() -> None:
    good = {"name": "x", "confirmed": True}
    shape = {"name": str, "confirmed": bool}
    assert shape_errors(good, shape) == []
    assert shape_errors(good | {"extra": 1}, shape)
    assert shape_errors({"name": "x"}, shape)
    assert shape_errors({"name": "x", "confirmed": 1}, shape)
    assert shape_errors({"v": True}, {"v": int})
    assert shape_errors({"v": "good"}, {"v": VERDICTS})


async def test_summary_json_has_exactly_the_spec_keys_at_every_level(
    session_factory: Sessions, tallied: Campaign
) -> None:
    document = summary_json(await _summary(session_factory, tallied, _end_of(DAY_2)))
    assert shape_errors(document, DOCUMENT) == []
    assert len(document["communes"]) == 22
    assert sum(len(c["hamlets"]) for c in document["communes"]) == 303
    assert json.loads(json.dumps(document, ensure_ascii=False)) == document


async def test_summary_json_figures(session_factory: Sessions, tallied: Campaign) -> None:
    document = summary_json(await _summary(session_factory, tallied, _end_of(DAY_2)))
    assert document["as_of"] == "2024-01-28"
    assert document["campaign"]["district"] == "Định Hóa"
    district = document["district"]
    assert (district["households"], district["collected"], district["valid"]) == (
        SURVEYED_HOUSEHOLDS,
        130,
        128,
    )
    assert district["participation"] == pytest.approx(130 / SURVEYED_HOUSEHOLDS)
    phu_dinh = next(c for c in document["communes"] if c["name"] == "Phú Đình")
    assert phu_dinh["rates"]["1"] == pytest.approx(2 / 3)
    assert phu_dinh["verdicts"]["question_min"] == "at_risk"
    assert phu_dinh["confirmed"] is False
    for level in [district, *document["communes"]]:
        assert 0 <= level["participation"] <= 1
        assert all(r is None or 0 <= r <= 1 for r in level["rates"].values())


async def test_rates_are_null_without_valid_forms(
    session_factory: Sessions, tallied: Campaign
) -> None:
    document = summary_json(await _summary(session_factory, tallied, _end_of(DAY_2)))
    quiet = next(c for c in document["communes"] if c["name"] == "Định Biên")
    for unit in [quiet, *quiet["hamlets"]]:
        assert unit["valid"] == 0
        assert unit["rates"] == dict.fromkeys(QUESTIONS)
        assert unit["average"] is None
        assert unit["participation"] == 0.0
        assert unit["verdicts"]["question_min"] is None


async def test_summary_csv_has_a_header_and_one_row_per_unit(
    session_factory: Sessions, tallied: Campaign
) -> None:
    content = summary_csv(await _summary(session_factory, tallied, _end_of(DAY_2)))
    rows = list(csv.reader(io.StringIO(content)))
    header, body = rows[0], rows[1:]
    assert header[:7] == [
        "level",
        "commune",
        "hamlet",
        "households",
        "collected",
        "invalid",
        "valid",
    ]
    assert len(body) == 1 + 22 + 303
    assert all(len(row) == len(header) for row in body)
    levels = [row[0] for row in body]
    assert (levels.count("district"), levels.count("commune"), levels.count("hamlet")) == (
        1,
        22,
        303,
    )
    records = [dict(zip(header, row, strict=True)) for row in body]
    district = records[0]
    assert (district["households"], district["collected"]) == (str(SURVEYED_HOUSEHOLDS), "130")
    assert not any(r["commune"] == "Chợ Chu" for r in records)
    trung_tam = next(
        r for r in records if r["commune"] == "Phú Đình" and r["hamlet"] == "Xóm Trung Tâm"
    )
    assert (trung_tam["collected"], trung_tam["rate_q1"]) == ("30", str(2 / 3))
    quiet = next(r for r in records if r["commune"] == "Định Biên" and r["level"] == "commune")
    assert quiet["rate_q1"] == ""
    assert quiet["verdict_question_min"] == ""


async def test_roster_without_tallies_summarizes_to_zeros(
    session_factory: Sessions, loaded: Campaign, clock: SimulatedClock
) -> None:
    async with session_factory() as session:
        summary = await summarize(session, loaded, clock.now() + timedelta(days=1))
    assert summary.district.measures.counts == Counts(households=SURVEYED_HOUSEHOLDS)
    assert shape_errors(summary_json(summary), DOCUMENT) == []


async def test_database_without_roster_summarizes_to_an_empty_district(
    session_factory: Sessions, clock: SimulatedClock
) -> None:
    async with session_factory() as session:
        summary = await summarize(session, load_campaign(), clock.now())
    document = summary_json(summary)
    assert document["communes"] == []
    assert document["district"]["households"] == 0
    assert shape_errors(document, DOCUMENT) == []
    assert summary_csv(summary).count("\n") == 2  # the header and the district

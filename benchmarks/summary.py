"""The summary benchmark: district, commune and full summaries of a province-scale campaign,
against reading the tallies they are built on, measured in the same run; then the district
summary again for a campaign of 19 questions."""

from __future__ import annotations

import asyncio
import random
import tempfile
import time
from collections.abc import Collection
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from datetime import time as clock
from importlib import resources
from pathlib import Path
from typing import cast

from sqlalchemy import Date, bindparam, insert, select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import aliased

from benchmarks import postgres
from benchmarks.common import Case, Timing, machine, measure, profile, write_section
from reporting.campaign import Campaign, reference_source
from reporting.campaign_store import current_campaign, store_campaign
from reporting.imports.roster_file import RosterRow
from reporting.imports.roster_store import import_roster
from reporting.names import fold
from reporting.running_totals import rebuild_totals
from reporting.storage.db import create_engine, sessions
from reporting.storage.models import Level, Tally, Unit
from reporting.storage.schema import upgrade
from reporting.summaries import CampaignSummary, summarize

COMMUNES = 180
HAMLETS_PER_COMMUNE = (12, 22)  # uniform, so ≈ 17 a commune and ≈ 3,000 in all
HOUSEHOLDS = (60, 400)
UNSURVEYED_EVERY = 60  # every 60th commune is a thị trấn left out of the survey, as in Định Hóa
SEED = 20240127
SETUP_TIME = datetime(2024, 1, 26, 1, 0, tzinfo=UTC)
RUNS = 30
WARMUP = 3
PROFILE_RUNS = 5
TARGET_MS = 50.0
SYLLABLES = (
    "Bảo", "Bình", "Bộc", "Cường", "Chu", "Điềm", "Định", "Đồng", "Hợp", "Kim", "Kỳ",
    "Lam", "Linh", "Lương", "Mặc", "Minh", "Nhiêu", "Phú", "Phúc", "Phượng", "Quy",
    "Sơn", "Tân", "Thanh", "Thành", "Thịnh", "Tiến", "Trung", "Vĩnh", "Xuân", "Yên",
)  # fmt: skip
SessionFactory = async_sessionmaker[AsyncSession]

# what every summary rests on: each tally up to the day, read once (the answers are one JSON
# array a tally, which SQL on both backends cannot add up column by column)
BASELINE = text(
    "SELECT hamlet_id, collected, invalid, satisfied FROM tallies WHERE day <= :day"
).bindparams(bindparam("day", type_=Date))
NINETEEN = "campaign_xa_19_cau.toml"  # the bundled commune campaign of 19 questions

LABELS = {
    "district": "district summary, no hamlet rows (`/status` for district staff)",
    "commune": "one commune's summary with its {hamlets} hamlets",
    "full": "full summary with every hamlet (the export)",
    "baseline": "baseline: reading every tally up to the day, nothing added up",
}


@dataclass(frozen=True, slots=True)
class Scale:
    """How big the generated province is."""

    communes: int
    surveyed: int
    hamlets: int
    surveyed_hamlets: int
    tallies: int
    days: int
    collected: int
    seconds: float


def main() -> None:
    """Builds the province on SQLite and on PostgreSQL, measures the summaries on each, prints
    the figures and records them. Without PostgreSQL's server binaries, SQLite alone."""
    results: dict[str, Result] = {}
    with tempfile.TemporaryDirectory(prefix="tallybot-bench-") as folder:
        results["SQLite"] = _on(f"sqlite+aiosqlite:///{Path(folder) / 'province.db'}")
    missing = postgres.unavailable()
    if missing is None:
        with postgres.throwaway_database() as url:
            results[postgres.server_version(url)] = _on(url)
    report = render(results, missing)
    print("## summary benchmark\n")
    print(report)
    for backend, result in results.items():
        if result.hot_spots:
            print(f"\n{backend}: district summary over target; cProfile, {PROFILE_RUNS} runs:")
            print(result.hot_spots)
    write_section("summary", report)


@dataclass(frozen=True, slots=True)
class Result:
    """One backend's figures."""

    scale: Scale
    timings: dict[str, Timing]
    commune_hamlets: int
    hot_spots: str | None
    nineteen: Timing | None = None  # the district summary under the 19-question campaign


def _on(url: str) -> Result:
    upgrade(url)  # Alembic's env.py runs its own event loop: migrate before ours starts
    result = asyncio.run(_benchmark(url))
    return replace(result, nineteen=_nineteen_questions(url))


def _nineteen_questions(url: str) -> Timing:
    """Returns the district summary's timing on a fresh province of the 19-question campaign,
    in a database of its own on the same backend as `url`."""
    source = resources.files("reporting").joinpath("data", NINETEEN).read_text(encoding="utf-8")
    if url.startswith("sqlite"):
        with tempfile.TemporaryDirectory(prefix="tallybot-bench-19-") as folder:
            other = f"sqlite+aiosqlite:///{Path(folder) / 'province19.db'}"
            upgrade(other)
            return asyncio.run(_district_only(other, source))
    with postgres.throwaway_database() as other:
        upgrade(other)
        return asyncio.run(_district_only(other, source))


async def _district_only(url: str, source: str) -> Timing:
    engine = create_engine(url)
    try:
        factory = sessions(engine)
        scale = await build_province(factory, source)
        cases, _ = await summary_cases(factory, scale)
        timings = await measure({"district": cases["district"]}, RUNS, WARMUP)
    finally:
        await engine.dispose()
    return timings["district"]


async def _benchmark(url: str) -> Result:
    engine = create_engine(url)
    try:
        factory = sessions(engine)
        scale = await build_province(factory)
        cases, commune_hamlets = await summary_cases(factory, scale)
        timings = await measure(cases, RUNS, WARMUP)
        hot_spots = None
        if timings["district"].p50_ms >= TARGET_MS:
            hot_spots = await profile(cases["district"], PROFILE_RUNS)
    finally:
        await engine.dispose()
    return Result(scale, timings, commune_hamlets, hot_spots)


# --- the province ---------------------------------------------------------------------------


async def build_province(
    factory: SessionFactory, source: str | None = None, until: date | None = None
) -> Scale:
    """Loads a campaign (the reference one unless `source` is given), a generated roster and a
    tally for every collection day (up to `until`, when given); returns its size."""
    started = time.perf_counter()
    rng = random.Random(SEED)
    rows = roster_rows(rng)
    source = reference_source() if source is None else source
    async with factory() as session:
        campaign = await store_campaign(session, source, "campaign.toml", SETUP_TIME)
        await session.commit()
        await import_roster(session, rows, campaign.district, SETUP_TIME)
        days = [day for day in campaign.collection_days if until is None or day <= until]
        tallies = [
            tally
            for hamlet_id, households in await _surveyed_hamlets(session)
            for tally in hamlet_tallies(rng, hamlet_id, households, days, len(campaign.questions))
        ]
        tallies.sort(key=lambda tally: str(tally["day"]))  # stored day by day, as they arrive
        # Setup only: one bulk INSERT instead of the validated submit path, which is not measured.
        await session.execute(insert(Tally), tallies)
        await rebuild_totals(session)  # the bulk insert bypassed the tally service
        await session.commit()
    return Scale(
        communes=len({row.commune for row in rows}),
        surveyed=len({row.commune for row in rows if row.surveyed}),
        hamlets=len(rows),
        surveyed_hamlets=sum(row.surveyed for row in rows),
        tallies=len(tallies),
        days=len(days),
        collected=sum(cast(int, tally["collected"]) for tally in tallies),
        seconds=time.perf_counter() - started,
    )


def roster_rows(rng: random.Random) -> list[RosterRow]:
    """Returns a generated roster: COMMUNES communes of 12–22 hamlets each."""
    rows: list[RosterRow] = []
    used: set[str] = set()
    for number in range(1, COMMUNES + 1):
        commune = _commune_name(rng, used)
        surveyed = number % UNSURVEYED_EVERY != 0
        for hamlet in range(1, rng.randint(*HAMLETS_PER_COMMUNE) + 1):
            households = rng.randint(*HOUSEHOLDS)
            rows.append(RosterRow(len(rows) + 2, commune, f"Xóm {hamlet}", households, surveyed))
    return rows


def _commune_name(rng: random.Random, used: set[str]) -> str:
    while True:
        name = " ".join(rng.sample(SYLLABLES, 2))
        if fold(name) not in used:
            used.add(fold(name))
            return name


async def _surveyed_hamlets(session: AsyncSession) -> list[tuple[int, int]]:
    commune = aliased(Unit)
    query = (
        select(Unit.id, Unit.households)
        .join(commune, Unit.parent_id == commune.id)
        .where(Unit.level == Level.HAMLET, commune.surveyed.is_(True))
        .order_by(Unit.id)
    )
    return [(hamlet_id, households) for hamlet_id, households in await session.execute(query)]


def hamlet_tallies(
    rng: random.Random, hamlet_id: int, households: int, days: list[date], questions: int = 10
) -> list[dict[str, object]]:
    """Returns one tally a day for a hamlet, reaching 55–98 % of its households in all."""
    total = int(households * rng.uniform(0.55, 0.98))
    cuts = sorted(rng.randint(0, total) for _ in range(len(days) - 1))
    daily = [high - low for low, high in zip([0, *cuts], [*cuts, total], strict=True)]
    return [
        _tally(rng, hamlet_id, day, collected, questions)
        for day, collected in zip(days, daily, strict=True)
    ]


def _tally(
    rng: random.Random, hamlet_id: int, day: date, collected: int, questions: int
) -> dict[str, object]:
    invalid = rng.randint(0, min(2, collected))
    valid = collected - invalid
    row: dict[str, object] = {
        "hamlet_id": hamlet_id,
        "day": day,
        "collected": collected,
        "invalid": invalid,
        "note": "Đề nghị sửa đường vào xóm" if rng.random() < 0.05 else None,
        "revision": 1,
        "entered_by": None,
        "channel": "bench",
        "updated_at": datetime.combine(day, clock(12), UTC),
    }
    row["satisfied"] = [valid - rng.randint(0, valid // 8) for _ in range(questions)]
    return row


# --- what is measured -----------------------------------------------------------------------


async def summary_cases(factory: SessionFactory, scale: Scale) -> tuple[dict[str, Case], int]:
    """Returns the measured cases, and how many hamlets the chosen commune has."""
    async with factory() as session:
        campaign = await current_campaign(session)
    as_of = campaign.end_of_day(campaign.collection_days[-1])
    summaries = Summaries(factory, campaign, as_of)
    full = await summaries.once(None)
    _check(full, scale)
    commune = full.communes[len(full.communes) // 2]
    cases = {
        "district": summaries.case(()),
        "commune": summaries.case({commune.unit_id}),
        "full": summaries.case(None),
        "baseline": _baseline_case(factory, campaign.local_date(as_of)),
    }
    return cases, commune.hamlets


@dataclass(frozen=True, slots=True)
class Summaries:
    """Summaries of one campaign as of one moment, each on a fresh session."""

    factory: SessionFactory
    campaign: Campaign
    as_of: datetime

    async def once(self, hamlets_of: Collection[int] | None) -> CampaignSummary:
        """Returns the summary with hamlet rows for `hamlets_of` (all when None)."""
        async with self.factory() as session:
            return await summarize(session, self.campaign, self.as_of, hamlets_of)

    def case(self, hamlets_of: Collection[int] | None) -> Case:
        """Returns a case that builds the summary with hamlet rows for `hamlets_of`."""

        async def run() -> CampaignSummary:
            return await self.once(hamlets_of)

        return run


def _baseline_case(factory: SessionFactory, day: date) -> Case:
    async def run() -> list[object]:
        async with factory() as session:
            return list((await session.execute(BASELINE, {"day": day})).all())

    return run


def _check(summary: CampaignSummary, scale: Scale) -> None:
    """Refuses to time a summary that does not add up to the generated figures."""
    district = summary.district
    if district.hamlets != scale.surveyed_hamlets or len(summary.communes) != scale.surveyed:
        raise AssertionError(f"summary covers {district.hamlets} hamlets, not {scale.hamlets}")
    if district.measures.counts.collected != scale.collected:
        collected = district.measures.counts.collected
        raise AssertionError(f"summary counts {collected} forms collected, not {scale.collected}")


# --- the figures ----------------------------------------------------------------------------


def render(results: dict[str, Result], missing: str | None) -> str:
    """Returns the Markdown figures: the machine, the scale, one table with a column group per
    backend, and the target on each."""
    first = next(iter(results.values()))
    scale = first.scale
    backends = list(results)
    nineteen = " · ".join(
        f"{backend} p50 {result.nineteen.p50_ms:.1f} ms, p90 {result.nineteen.p90_ms:.1f} ms"
        for backend, result in results.items()
        if result.nineteen is not None
    )
    head = " | ".join(f"{backend} p50 | p90 | ÷ baseline" for backend in backends)
    lines = [
        f"Measured {datetime.now(UTC):%Y-%m-%d} on {machine()}.",
        "",
        f"Scale: {scale.communes} communes ({scale.surveyed} surveyed), "
        f"{scale.hamlets:,} hamlets ({scale.surveyed_hamlets:,} surveyed), "
        f"{scale.tallies:,} tallies over {scale.days} days, the same on each backend. "
        f"{RUNS} runs of each after {WARMUP} warm-up rounds, taking turns, "
        "each on a fresh session.",
        "",
        f"| measured | {head} |",
        "|---|" + "---:|---:|---:|" * len(backends),
        *(_row(name, results) for name in first.timings),
        "",
    ]
    for backend, result in results.items():
        district = result.timings["district"].p50_ms
        met = "met" if district < TARGET_MS else "**missed**"
        lines.append(
            f"- {backend}: built in {result.scale.seconds:.1f} s; target district summary "
            f"p50 < {TARGET_MS:.0f} ms — {met} ({district:.1f} ms)."
        )
    if nineteen:
        lines.append(
            f"- The same province under a campaign of 19 questions ({NINETEEN}), district "
            f"summary: {nineteen} (target p50 < {TARGET_MS:.0f} ms)."
        )
    if missing:
        lines.append(f"- PostgreSQL not measured: {missing}.")
    return "\n".join(lines)


def _row(name: str, results: dict[str, Result]) -> str:
    first = next(iter(results.values()))
    cells = [LABELS[name].format(hamlets=first.commune_hamlets)]
    for result in results.values():
        timing, baseline = result.timings[name], result.timings["baseline"]
        ratio = timing.p50_ms / baseline.p50_ms
        cells += [f"{timing.p50_ms:.1f} ms", f"{timing.p90_ms:.1f} ms", f"{ratio:.1f}×"]
    return "| " + " | ".join(cells) + " |"


if __name__ == "__main__":
    main()

"""Hamlet, commune and district summaries as of a campaign moment: counts, measures, verdicts."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from reporting.campaign import Campaign
from reporting.measures import (
    QUESTIONS,
    Counts,
    Measures,
    Progress,
    measure,
    measure_district,
)
from reporting.storage.models import Confirmation, Level, Tally, Unit

COUNT_COLUMNS = ["collected", "invalid", *(f"q{q}" for q in range(1, QUESTIONS + 1))]


@dataclass(frozen=True, slots=True)
class UnitSummary:
    """One unit's figures: its measures, how many hamlets reported on the day, and its children."""

    unit_id: int
    name: str
    level: Level
    measures: Measures
    hamlets: int
    reported_today: int
    confirmed: bool
    children: tuple[UnitSummary, ...] = ()


@dataclass(frozen=True, slots=True)
class CampaignSummary:
    """The whole picture as of a moment: the district over its surveyed communes."""

    campaign: Campaign
    as_of: datetime
    day: date
    progress: Progress
    district: UnitSummary

    @property
    def communes(self) -> tuple[UnitSummary, ...]:
        """Returns the surveyed communes, in name order."""
        return self.district.children

    def commune(self, unit_id: int) -> UnitSummary:
        """Returns one commune's summary by unit id (KeyError when it is not surveyed)."""
        for commune in self.communes:
            if commune.unit_id == unit_id:
                return commune
        raise KeyError(unit_id)


async def hamlet_frame(session: AsyncSession, day: date) -> pd.DataFrame:
    """Returns one row per hamlet of a surveyed commune with its counts summed up to `day`."""
    totals = (
        select(
            Tally.hamlet_id,
            *(func.sum(getattr(Tally, column)).label(column) for column in COUNT_COLUMNS),
            func.max(Tally.day).label("last_day"),
        )
        .where(Tally.day <= day)
        .group_by(Tally.hamlet_id)
        .subquery()
    )
    commune = select(Unit).where(Unit.level == Level.COMMUNE).subquery("commune")
    query = (
        select(
            commune.c.id.label("commune_id"),
            commune.c.name.label("commune"),
            Unit.id.label("hamlet_id"),
            Unit.name.label("hamlet"),
            Unit.households,
            *(totals.c[column] for column in COUNT_COLUMNS),
            totals.c.last_day,
        )
        .join(commune, Unit.parent_id == commune.c.id)
        .outerjoin(totals, totals.c.hamlet_id == Unit.id)
        .where(Unit.level == Level.HAMLET, commune.c.surveyed.is_(True))
        .order_by(commune.c.name_key, Unit.name_key)
    )
    rows = (await session.execute(query)).all()
    frame = pd.DataFrame(rows, columns=list(query.selected_columns.keys()))
    frame[COUNT_COLUMNS] = frame[COUNT_COLUMNS].fillna(0).astype("int64")
    frame["reported_today"] = frame["last_day"] == day
    return frame.drop(columns="last_day")


async def confirmed_communes(session: AsyncSession) -> set[int]:
    """Returns the ids of communes whose figures are confirmed (locked) now."""
    query = select(Confirmation.commune_id).where(Confirmation.unlocked_at.is_(None))
    return set(await session.scalars(query))


async def summarize(
    session: AsyncSession,
    campaign: Campaign,
    as_of: datetime,
    hamlets_of: Collection[int] | None = None,
) -> CampaignSummary:
    """Returns the summary as of a moment; hamlet rows only for `hamlets_of` (all when None)."""
    day = campaign.local_date(as_of)
    frame = await hamlet_frame(session, day)
    confirmed = await confirmed_communes(session)
    district_unit = await session.scalar(select(Unit).where(Unit.level == Level.DISTRICT))
    progress = campaign.progress(as_of)
    communes = tuple(
        _commune_summary(group, campaign, progress, confirmed, hamlets_of)
        for _, group in frame.groupby("commune_id", sort=False)
    )
    district = UnitSummary(
        unit_id=district_unit.id if district_unit else 0,
        name=district_unit.name if district_unit else campaign.district,
        level=Level.DISTRICT,
        measures=measure_district([c.measures for c in communes], campaign.thresholds, progress),
        hamlets=sum(c.hamlets for c in communes),
        reported_today=sum(c.reported_today for c in communes),
        confirmed=bool(communes) and all(c.confirmed for c in communes),
        children=communes,
    )
    return CampaignSummary(campaign, as_of, day, progress, district)


def _commune_summary(
    group: pd.DataFrame,
    campaign: Campaign,
    progress: Progress,
    confirmed: set[int],
    hamlets_of: Collection[int] | None,
) -> UnitSummary:
    commune_id = int(group["commune_id"].iloc[0])
    sums = group[["households", *COUNT_COLUMNS]].sum()
    children: tuple[UnitSummary, ...] = ()
    if hamlets_of is None or commune_id in hamlets_of:
        children = tuple(
            _hamlet_summary(row, campaign, progress, commune_id in confirmed)
            for row in group.itertuples(index=False)
        )
    return UnitSummary(
        unit_id=commune_id,
        name=str(group["commune"].iloc[0]),
        level=Level.COMMUNE,
        measures=measure(_counts(sums), campaign.thresholds, progress),
        hamlets=len(group),
        reported_today=int(group["reported_today"].sum()),
        confirmed=commune_id in confirmed,
        children=children,
    )


def _hamlet_summary(
    row: object, campaign: Campaign, progress: Progress, confirmed: bool
) -> UnitSummary:
    values = row._asdict()  # type: ignore[attr-defined]
    return UnitSummary(
        unit_id=int(values["hamlet_id"]),
        name=str(values["hamlet"]),
        level=Level.HAMLET,
        measures=measure(_counts(values), campaign.thresholds, progress),
        hamlets=1,
        reported_today=int(bool(values["reported_today"])),
        confirmed=confirmed,
    )


def _counts(values: pd.Series | dict[str, object]) -> Counts:
    return Counts(
        households=int(values["households"]),  # type: ignore[arg-type]
        collected=int(values["collected"]),  # type: ignore[arg-type]
        invalid=int(values["invalid"]),  # type: ignore[arg-type]
        satisfied=tuple(int(values[f"q{q}"]) for q in range(1, QUESTIONS + 1)),  # type: ignore[arg-type]
    )

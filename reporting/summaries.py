"""Hamlet, commune and district summaries as of a campaign moment: counts, measures, verdicts."""

from __future__ import annotations

import asyncio
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, Subquery, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from reporting.campaign import Campaign
from reporting.measures import (
    Counts,
    Measures,
    Progress,
    Thresholds,
    measure,
    measure_district,
)
from reporting.storage.models import Confirmation, HamletTotal, Level, Tally, Unit

Record = Sequence[Any]  # one row as the database returned it
# From this many hamlet rows on, a summary is shaped in a worker thread so that the event loop
# keeps answering other chats meanwhile; below it the hand-off costs more than it saves.
OFF_LOOP_ROWS = 500


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


async def hamlet_rows(
    session: AsyncSession, day: date, questions: int, commune_ids: Collection[int] | None = None
) -> list[Record]:
    """Returns one row per hamlet of a surveyed commune (of `commune_ids`, or all) as of `day`.

    Each row: commune id and name, hamlet id and name, households, collected, invalid, the
    satisfied answers of questions 1..`questions`, and whether the hamlet reported on `day`;
    communes in name order, and hamlets within each.
    """
    counts = await _hamlet_counts(session, day)
    today = _reported_on(day)
    commune = select(Unit).where(Unit.level == Level.COMMUNE).subquery("commune")
    query = (
        select(
            commune.c.id.label("commune_id"),
            commune.c.name.label("commune"),
            Unit.id.label("hamlet_id"),
            Unit.name.label("hamlet"),
            Unit.households,
            (today.c.hamlet_id.is_not(None)).label("reported_today"),
        )
        .join(commune, Unit.parent_id == commune.c.id)
        .outerjoin(today, today.c.hamlet_id == Unit.id)
        .where(Unit.level == Level.HAMLET, commune.c.surveyed.is_(True))
        .order_by(commune.c.name_key, Unit.name_key)
    )
    if commune_ids is not None:
        query = query.where(commune.c.id.in_(commune_ids))
    nothing = (0, 0, *(0,) * questions)
    return [
        (*row[:5], *counts.get(row[2], nothing), row[5]) for row in await _rows(session, query)
    ]


async def confirmed_communes(session: AsyncSession, as_of: datetime) -> set[int]:
    """Returns the ids of communes whose figures were confirmed (locked) at a moment."""
    query = select(Confirmation.commune_id).where(
        Confirmation.confirmed_at <= as_of,
        or_(Confirmation.unlocked_at.is_(None), Confirmation.unlocked_at > as_of),
    )
    return {commune_id for (commune_id,) in await _rows(session, query)}


async def summarize(
    session: AsyncSession,
    campaign: Campaign,
    as_of: datetime,
    hamlets_of: Collection[int] | None = None,
) -> CampaignSummary:
    """Returns the summary as of a moment, with hamlet rows for the communes `hamlets_of`.

    `hamlets_of` holds commune ids; None means every commune's hamlets (what exports need),
    an empty collection none (what /status needs, and faster). Every hamlet is read, in one
    query, and each commune's figures are its hamlets' sums.
    """
    day = campaign.local_date(as_of)
    confirmed = await confirmed_communes(session, as_of)
    every = await hamlet_rows(session, day, campaign.form.questions)
    hamlets, communes = every, None
    if hamlets_of is not None:  # every commune adds its hamlets up; only some are shown
        by_commune: dict[int, list[Record]] = {}
        for row in every:
            by_commune.setdefault(row[0], []).append(row)
        communes = [_added_up(rows) for rows in by_commune.values()]
        hamlets = [row for row in every if row[0] in hamlets_of]
    query = select(Unit.id, Unit.name).where(Unit.level == Level.DISTRICT)
    district = (await session.execute(query)).first()
    district_id, district_name = (
        (district.id, district.name) if district else (0, campaign.district)
    )
    if len(hamlets) < OFF_LOOP_ROWS:
        return _shaped(campaign, as_of, confirmed, hamlets, communes, district_id, district_name)
    return await asyncio.to_thread(
        _shaped, campaign, as_of, confirmed, hamlets, communes, district_id, district_name
    )


def _shaped(
    campaign: Campaign,
    as_of: datetime,
    confirmed: set[int],
    hamlets: Sequence[Record],
    communes: Sequence[Record] | None,
    district_id: int,
    district_name: str,
) -> CampaignSummary:
    """Returns the summary shaped from the rows read: measures and verdicts (no I/O).

    `communes` None means every hamlet was read, and each commune adds its hamlets up.
    """
    shape = _Shape(campaign.thresholds, campaign.progress(as_of), confirmed)
    by_commune: dict[int, list[Record]] = {}
    for row in hamlets:
        by_commune.setdefault(row[0], []).append(row)
    if communes is None:
        communes = [_added_up(rows) for rows in by_commune.values()]
    children = tuple(shape.commune(row, by_commune.get(row[0], [])) for row in communes)
    district = UnitSummary(
        unit_id=district_id,
        name=district_name,
        level=Level.DISTRICT,
        measures=measure_district(
            [c.measures for c in children], shape.thresholds, shape.progress
        ),
        hamlets=sum(c.hamlets for c in children),
        reported_today=sum(c.reported_today for c in children),
        confirmed=bool(children) and all(c.confirmed for c in children),
        children=children,
    )
    return CampaignSummary(campaign, as_of, campaign.local_date(as_of), shape.progress, district)


def _added_up(hamlets: list[Record]) -> tuple[Any, ...]:
    """Returns a commune row (as `commune_rows` gives it) summed from its hamlet rows."""
    commune_id, name = hamlets[0][0], hamlets[0][1]
    columns = list(zip(*hamlets, strict=True))[4:]  # households, the counts, reported today
    return (commune_id, name, len(hamlets), *(sum(column) for column in columns))


@dataclass(frozen=True, slots=True)
class _Shape:
    """What turns rows into unit summaries: the thresholds, the window, the confirmed communes."""

    thresholds: Thresholds
    progress: Progress
    confirmed: set[int]

    @property
    def rules(self) -> tuple[Thresholds, Progress]:
        """Returns what every measure is judged by: the thresholds and the window."""
        return self.thresholds, self.progress

    def commune(self, row: Record, hamlets: list[Record]) -> UnitSummary:
        """Returns a commune's summary from its row and its hamlets' rows (maybe none)."""
        commune_id, name, count, *figures, today = row
        locked = commune_id in self.confirmed
        # PostgreSQL sums bigint sums into numeric: back to int, as Counts holds
        households, collected, invalid, *satisfied = map(int, figures)
        counts = Counts(households, collected, invalid, tuple(satisfied))
        return UnitSummary(
            unit_id=commune_id,
            name=name,
            level=Level.COMMUNE,
            measures=measure(counts, *self.rules),
            hamlets=count,
            reported_today=int(today),
            confirmed=locked,
            children=tuple(self.hamlet(h, locked) for h in hamlets),
        )

    def hamlet(self, row: Record, confirmed: bool) -> UnitSummary:
        """Returns a hamlet's summary from its row."""
        _, _, hamlet_id, name, households, collected, invalid, *satisfied, today = row
        counts = Counts(households, collected, invalid, tuple(satisfied))
        return UnitSummary(
            unit_id=hamlet_id,
            name=name,
            level=Level.HAMLET,
            measures=measure(counts, *self.rules),
            hamlets=1,
            reported_today=int(bool(today)),
            confirmed=confirmed,
        )


async def _hamlet_counts(session: AsyncSession, day: date) -> dict[int, tuple[int, ...]]:
    """Returns each hamlet's (collected, invalid, satisfied…) up to `day`: the running totals
    when no tally is later, else the tallies' sums."""
    ((latest,),) = await _rows(session, select(func.max(Tally.day)))
    if latest is None or latest <= day:
        query = select(
            HamletTotal.hamlet_id,
            HamletTotal.collected,
            HamletTotal.invalid,
            HamletTotal.satisfied,
        )
        return {
            hamlet: (collected, invalid, *satisfied)
            for hamlet, collected, invalid, satisfied in await _rows(session, query)
        }
    sums: dict[int, list[int]] = {}
    query = select(Tally.hamlet_id, Tally.collected, Tally.invalid, Tally.satisfied)
    for hamlet, collected, invalid, satisfied in await _rows(
        session, query.where(Tally.day <= day)
    ):
        figures = (collected, invalid, *satisfied)
        if hamlet in sums:
            sums[hamlet] = [
                total + figure for total, figure in zip(sums[hamlet], figures, strict=True)
            ]
        else:
            sums[hamlet] = list(figures)
    return {hamlet: tuple(figures) for hamlet, figures in sums.items()}


async def _rows(session: AsyncSession, query: Select[*tuple[Any, ...]]) -> Sequence[Record]:
    """Returns a query's rows read on the session's connection (in its transaction) as plain
    rows: the queries here name columns, never entities, and the ORM's handling of each row
    cost as much as the query at 3,000 hamlets."""
    connection = await session.connection()
    return (await connection.execute(query)).all()


def _reported_on(day: date) -> Subquery:
    return select(Tally.hamlet_id).where(Tally.day == day).subquery("today")

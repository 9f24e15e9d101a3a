"""Hamlet, commune and district summaries as of a campaign moment: counts, measures, verdicts."""

from __future__ import annotations

import asyncio
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, ColumnElement, Select, Subquery, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from reporting.campaign import Campaign
from reporting.measures import Counts, Measures, Progress, measure, measure_district
from reporting.storage.models import Confirmation, HamletTotal, Level, Tally, Unit
from reporting.thresholds import Thresholds

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
    counts = await _hamlet_counts(session, day, commune_ids)
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


async def commune_rows(session: AsyncSession, day: date, questions: int) -> list[Record]:
    """Returns one row per surveyed commune as of `day`, in name order, as `_added_up` makes
    them: commune id and name, its hamlets, households, collected, invalid, the satisfied
    answers of questions 1..`questions`, and how many hamlets reported on `day`.

    The database adds up the counts, over the running totals when they are current, and
    gathers each commune's answer arrays into one JSON array, added up here: 180 rows for
    `/status` instead of every hamlet's.
    """
    figures = await _figures_source(session, day)
    hamlet = aliased(Unit)
    sums = (
        select(
            hamlet.parent_id,
            func.sum(figures.c.collected),
            func.sum(figures.c.invalid),
            _arrays(session, figures.c.satisfied),
        )
        .join(hamlet, hamlet.id == figures.c.hamlet_id)
        .group_by(hamlet.parent_id)
    )
    added = {row[0]: row[1:] for row in await _rows(session, sums)}
    today = _reported_on(day)
    surveyed = Unit.level == Level.COMMUNE, Unit.surveyed.is_(True)
    commune = select(Unit).where(*surveyed).subquery("commune")
    units = (
        select(
            commune.c.id,
            commune.c.name,
            func.count(Unit.id),
            func.sum(Unit.households),
            func.count(today.c.hamlet_id),
        )
        .join(commune, Unit.parent_id == commune.c.id)
        .outerjoin(today, today.c.hamlet_id == Unit.id)
        .where(Unit.level == Level.HAMLET)
        .group_by(commune.c.id, commune.c.name, commune.c.name_key)
        .order_by(commune.c.name_key)
    )
    rows: list[Record] = []
    for commune_id, name, hamlets, households, reported in await _rows(session, units):
        collected, invalid, arrays = added.get(commune_id, (0, 0, []))
        # column by column: zip and sum loop in C over the ~17 arrays of a commune
        satisfied = [sum(answers) for answers in zip(*arrays, strict=True)] or [0] * questions
        rows.append(
            (commune_id, name, hamlets, households, collected, invalid, *satisfied, reported)
        )
    return rows


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
    an empty collection none (what /status needs, and much faster). With every hamlet read,
    each commune's figures are its hamlets' sums; otherwise the database sums them.
    """
    day, questions = campaign.local_date(as_of), campaign.form.questions
    confirmed = await confirmed_communes(session, as_of)
    wanted = hamlets_of is None or bool(hamlets_of)
    hamlets = await hamlet_rows(session, day, questions, hamlets_of) if wanted else []
    communes = None if hamlets_of is None else await commune_rows(session, day, questions)
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


async def _figures_source(session: AsyncSession, day: date) -> Subquery:
    """Returns the rows (hamlet_id, collected, invalid, satisfied) that add up to the hamlets'
    figures as of `day`: the running totals when no tally is later, else the tallies."""
    ((latest,),) = await _rows(session, select(func.max(Tally.day)))
    if latest is None or latest <= day:
        columns = (HamletTotal.collected, HamletTotal.invalid, HamletTotal.satisfied)
        return select(HamletTotal.hamlet_id, *columns).subquery("figures")
    columns = (Tally.collected, Tally.invalid, Tally.satisfied)
    return select(Tally.hamlet_id, *columns).where(Tally.day <= day).subquery("figures")


def _arrays(session: AsyncSession, satisfied: ColumnElement[Any]) -> ColumnElement[Any]:
    """Returns the aggregate gathering a group's answer arrays into one JSON array."""
    if session.get_bind().dialect.name == "sqlite":
        return func.json_group_array(func.json(satisfied), type_=JSON)
    return func.json_agg(satisfied, type_=JSON)


async def _hamlet_counts(
    session: AsyncSession, day: date, commune_ids: Collection[int] | None
) -> dict[int, tuple[int, ...]]:
    """Returns each hamlet's (collected, invalid, satisfied…) as of `day`, of the communes
    `commune_ids` (all when None)."""
    figures = await _figures_source(session, day)
    query = select(figures)
    if commune_ids is not None:
        hamlet = aliased(Unit)
        query = query.join(hamlet, hamlet.id == figures.c.hamlet_id).where(
            hamlet.parent_id.in_(commune_ids)
        )
    sums: dict[int, list[int]] = {}
    for hamlet_id, collected, invalid, satisfied in await _rows(session, query):
        row = (collected, invalid, *satisfied)
        total = sums.get(hamlet_id)
        sums[hamlet_id] = (
            list(row) if total is None else [a + b for a, b in zip(total, row, strict=True)]
        )
    return {hamlet_id: tuple(figures) for hamlet_id, figures in sums.items()}


async def _rows(session: AsyncSession, query: Select[*tuple[Any, ...]]) -> Sequence[Record]:
    """Returns a query's rows read on the session's connection (in its transaction) as plain
    rows: the queries here name columns, never entities, and the ORM's handling of each row
    cost as much as the query at 3,000 hamlets."""
    connection = await session.connection()
    return (await connection.execute(query)).all()


def _reported_on(day: date) -> Subquery:
    return select(Tally.hamlet_id).where(Tally.day == day).subquery("today")

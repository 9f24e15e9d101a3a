"""The one way a tally enters the database: validated, replacing same-day figures, audited."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Row, Select, case, delete, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from reporting.campaign import Campaign
from reporting.confirmations import is_locked
from reporting.errors import Problem
from reporting.i18n import fmt_count, fmt_day
from reporting.measures import Counts
from reporting.storage.locks import has_row_locks, lock_rows
from reporting.storage.models import HamletTotal, Level, Tally, TallyRevision, Unit

NOTE_LIMIT = 1000  # characters of a note, on every path: chat, tally add, tally import


class TallyRejected(Problem):
    """A tally that breaks a rule of SPEC §2.3; the message says what and what is expected."""


@dataclass(frozen=True, slots=True)
class Figures:
    """What a hamlet reports for one day."""

    collected: int
    invalid: int
    satisfied: tuple[int, ...]
    note: str | None = None

    @property
    def valid(self) -> int:
        """Returns the number of valid forms."""
        return self.collected - self.invalid


@dataclass(frozen=True, slots=True)
class Submission:
    """A stored tally, whether it replaced that day's figures, and the hamlet's running totals."""

    tally: Tally
    replaced: bool
    totals: Counts


def check_figures(figures: Figures, campaign: Campaign) -> None:
    """Raises TallyRejected for figures that contradict each other (SPEC §2.3) or a long note."""
    if figures.note is not None and len(figures.note) > NOTE_LIMIT:
        length = fmt_count(len(figures.note))
        raise TallyRejected("tally.note_too_long", length=length, limit=fmt_count(NOTE_LIMIT))
    if len(figures.satisfied) != len(campaign.questions):
        found, expected = len(figures.satisfied), len(campaign.questions)
        raise TallyRejected("tally.question_count", expected=expected, found=found)
    for name, value in (("collected", figures.collected), ("invalid", figures.invalid)):
        if value < 0:
            raise TallyRejected(f"tally.negative_{name}", value=value)
    if figures.invalid > figures.collected:
        raise TallyRejected(
            "tally.invalid_over_collected", invalid=figures.invalid, collected=figures.collected
        )
    for number, value in enumerate(figures.satisfied, start=1):
        if not 0 <= value <= figures.valid:
            raise TallyRejected(
                "tally.satisfied_over_valid",
                question=number,
                label=campaign.questions[number - 1],
                value=value,
                valid=figures.valid,
            )


@dataclass(frozen=True, slots=True)
class Entry:
    """One hamlet-day to store: the figures, who sends them, through which channel, and when."""

    hamlet: Unit
    day: date
    figures: Figures
    user_id: int | None
    channel: str
    now: datetime
    reason: str | None = None
    allow_late: bool = False


async def record_tally(session: AsyncSession, campaign: Campaign, entry: Entry) -> Submission:
    """Validates and stores one hamlet-day inside the caller's transaction (no commit).

    The rules that depend on stored rows (the commune's lock, the household cap, the day's
    earlier figures) are read only once the hamlet's row is locked (see lock_hamlet). Every
    refusal comes before the first write, so a refused tally leaves the transaction as it was.
    """
    check_figures(entry.figures, campaign)
    _refuse_outside_window(campaign, entry)
    hamlet = await lock_hamlet(session, entry.hamlet)
    await _refuse_if_locked(session, hamlet)
    await _refuse_over_households(session, hamlet, entry)
    current = await tally_on(session, entry.hamlet.id, entry.day)
    before = _figures_of(current) if current is not None else None
    old = _snapshot(before) if before is not None else None
    totals = await _add_to_totals(session, hamlet, before, entry.figures)
    tally = current or Tally(hamlet_id=entry.hamlet.id, day=entry.day, revision=0)
    _write(tally, entry)
    session.add(tally)
    await session.flush()
    session.add(
        TallyRevision(
            tally_id=tally.id,
            revision=tally.revision,
            changed_at=entry.now,
            user_id=entry.user_id,
            channel=entry.channel,
            old=old,
            new=_snapshot(entry.figures),
            reason=entry.reason or ("replace" if old else "new"),
        )
    )
    await session.flush()
    return Submission(tally, replaced=old is not None, totals=totals)


async def submit_tally(session: AsyncSession, campaign: Campaign, entry: Entry) -> Submission:
    """Records a tally (see record_tally) and commits it before anyone is told it is stored."""
    submission = await stage_tally(session, campaign, entry)
    await session.commit()
    return submission


async def stage_tally(session: AsyncSession, campaign: Campaign, entry: Entry) -> Submission:
    """Records a tally with its running totals in the caller's transaction; the caller commits.

    For callers that commit the tally together with other work (a chat update) and only
    then tell the user. A refused tally writes nothing (see record_tally).
    """
    return await record_tally(session, campaign, entry)


async def running_totals(session: AsyncSession, hamlet: Unit, questions: int) -> Counts:
    """Returns a hamlet's figures over all its tallies, from the running totals; `questions`
    is how many the campaign asks, for a hamlet that has sent nothing yet."""
    row = (
        await session.execute(
            select(HamletTotal.collected, HamletTotal.invalid, HamletTotal.satisfied).where(
                HamletTotal.hamlet_id == hamlet.id
            )
        )
    ).one_or_none()
    if row is None:
        return Counts(hamlet.households, satisfied=(0,) * questions)
    return Counts(hamlet.households, row.collected, row.invalid, tuple(row.satisfied))


async def hamlet_totals(
    session: AsyncSession, hamlet: Unit, up_to: date | None, questions: int
) -> Counts:
    """Returns a hamlet's summed figures over its tallies (up to and including a day)."""
    query = select(Tally.collected, Tally.invalid, Tally.satisfied).where(
        Tally.hamlet_id == hamlet.id
    )
    if up_to is not None:
        query = query.where(Tally.day <= up_to)
    return add_up(hamlet.households, questions, await session.execute(query))


def add_up(households: int, questions: int, rows: Iterable[Row[Any]]) -> Counts:
    """Returns the sum of (collected, invalid, satisfied) rows as one unit's Counts."""
    collected = invalid = 0
    satisfied = [0] * questions
    for row in rows:
        collected += row.collected
        invalid += row.invalid
        for place, answers in enumerate(row.satisfied):
            satisfied[place] += answers
    return Counts(households, collected, invalid, tuple(satisfied))


async def rebuild_totals(session: AsyncSession) -> None:
    """Recomputes every hamlet's running totals from its tallies (after a bulk load); no commit.

    The totals are derived from the tallies, so replacing them loses nothing. Tallies wait
    meanwhile, so that none is counted twice or lost.
    """
    await lock_every_commune(session)
    await session.execute(delete(HamletTotal))
    by_hamlet: dict[int, list[Any]] = {}
    query = select(Tally.hamlet_id, Tally.collected, Tally.invalid, Tally.satisfied)
    for row in await session.execute(query):
        by_hamlet.setdefault(row.hamlet_id, []).append(row)
    totals = [
        {
            "hamlet_id": hamlet_id,
            "collected": counts.collected,
            "invalid": counts.invalid,
            "satisfied": list(counts.satisfied),
        }
        for hamlet_id, rows in by_hamlet.items()
        for counts in [add_up(0, len(rows[0].satisfied), rows)]
    ]
    if totals:
        await session.execute(insert(HamletTotal), totals)


async def tally_on(session: AsyncSession, hamlet_id: int, day: date) -> Tally | None:
    """Returns the current tally of a hamlet for a day, if one was sent, as stored now."""
    return await session.scalar(
        select(Tally)
        .where(Tally.hamlet_id == hamlet_id, Tally.day == day)
        .execution_options(populate_existing=True)
    )


async def lock_hamlet(session: AsyncSession, hamlet: Unit) -> Unit:
    """Locks a hamlet's row (and shares its commune's) for a tally; returns it as stored now.

    Every writer of a hamlet's tallies takes this lock first, so that on PostgreSQL two of
    them (a leader and the commune on their behalf, a chat and an import) check the household
    cap and replace a day one after the other, and none lands in a commune confirmed meanwhile
    (confirming takes the commune's row alone).
    """
    return (await lock_hamlets(session, [hamlet]))[hamlet.id]


async def lock_hamlets(session: AsyncSession, hamlets: Collection[Unit]) -> dict[int, Unit]:
    """Locks hamlets' rows, sharing their communes' rows; returns them by id, as stored now.

    Always in one order, communes before hamlets and each by id, as every other locker of
    units does (confirming, a roster import, rebuilding the totals): two transactions never
    wait for each other in a circle.
    """
    communes = {hamlet.parent_id for hamlet in hamlets if hamlet.parent_id is not None}
    if communes and has_row_locks(session):  # only the lock matters: nothing to read
        await lock_rows(session, _by_id(communes), shared=True)
    locked = await lock_rows(session, _by_id({hamlet.id for hamlet in hamlets}))
    return {unit.id: unit for unit in locked}


def _by_id(unit_ids: Collection[int]) -> Select[Unit]:
    return select(Unit).where(Unit.id.in_(unit_ids)).order_by(Unit.id)


async def lock_every_commune(session: AsyncSession) -> None:
    """Locks every commune's row, in id order, for work on many hamlets at once (no commit).

    Tallies wait meanwhile (they share their commune's row), and this waits for those under way.
    """
    await lock_rows(session, select(Unit).where(Unit.level == Level.COMMUNE).order_by(Unit.id))


async def _refuse_if_locked(session: AsyncSession, hamlet: Unit) -> None:
    if hamlet.parent_id is not None and await is_locked(session, hamlet.parent_id):
        commune = await session.get(Unit, hamlet.parent_id)
        raise TallyRejected("tally.locked", commune=commune.name if commune else "")


@dataclass(frozen=True, slots=True)
class Standing:
    """Where a hamlet stands on a day: forms it collected on other days; whether it reported."""

    elsewhere: int
    reported: bool


async def standings(
    session: AsyncSession, hamlet_ids: Collection[int], day: date
) -> dict[int, Standing]:
    """Returns each hamlet's standing on a day, all in one query."""
    other_days = case((Tally.day != day, Tally.collected), else_=0)
    that_day = case((Tally.day == day, 1), else_=0)
    query = (
        select(Tally.hamlet_id, func.sum(other_days), func.max(that_day))
        .where(Tally.hamlet_id.in_(hamlet_ids))
        .group_by(Tally.hamlet_id)
    )
    found = {
        row[0]: Standing(int(row[1] or 0), bool(row[2])) for row in await session.execute(query)
    }
    return {hamlet: found.get(hamlet, Standing(0, False)) for hamlet in hamlet_ids}


async def collected_elsewhere(session: AsyncSession, hamlet_id: int, day: date) -> int:
    """Returns the forms a hamlet collected on every day but `day`."""
    total = await session.scalar(
        select(func.coalesce(func.sum(Tally.collected), 0)).where(
            Tally.hamlet_id == hamlet_id, Tally.day != day
        )
    )
    return int(total or 0)


async def _refuse_over_households(session: AsyncSession, hamlet: Unit, entry: Entry) -> None:
    earlier = await collected_elsewhere(session, hamlet.id, entry.day)
    total = earlier + entry.figures.collected
    if total > hamlet.households:
        raise TallyRejected(
            "tally.over_households",
            hamlet=hamlet.name,
            households=fmt_count(hamlet.households),
            earlier=fmt_count(earlier),
            collected=fmt_count(entry.figures.collected),
            total=fmt_count(total),
        )


def _write(tally: Tally, entry: Entry) -> None:
    figures = entry.figures
    tally.collected = figures.collected
    tally.invalid = figures.invalid
    tally.satisfied = list(figures.satisfied)
    tally.note = figures.note
    tally.revision = (tally.revision or 0) + 1
    tally.entered_by = entry.user_id
    tally.channel = entry.channel
    tally.updated_at = entry.now


def _snapshot(figures: Figures) -> dict[str, object]:
    snapshot = asdict(figures)
    snapshot["satisfied"] = list(figures.satisfied)
    return snapshot


def _figures_of(tally: Tally) -> Figures:
    return Figures(tally.collected, tally.invalid, tuple(tally.satisfied), tally.note)


async def _add_to_totals(
    session: AsyncSession, hamlet: Unit, before: Figures | None, after: Figures
) -> Counts:
    """Moves the hamlet's running totals from the replaced figures to the new ones; returns
    them.

    The caller holds the hamlet's lock (lock_hamlet; on SQLite the database's), so reading
    the totals and writing them back cannot lose another writer's change.
    """
    stored = await session.get(HamletTotal, hamlet.id, populate_existing=True)
    old = before or Figures(0, 0, (0,) * len(after.satisfied))
    if stored is None:  # the hamlet's first tally
        stored = HamletTotal(
            hamlet_id=hamlet.id, collected=0, invalid=0, satisfied=[0] * len(after.satisfied)
        )
        session.add(stored)
    stored.collected += after.collected - old.collected
    stored.invalid += after.invalid - old.invalid
    stored.satisfied = [
        total + new - was
        for total, new, was in zip(stored.satisfied, after.satisfied, old.satisfied, strict=True)
    ]
    return Counts(hamlet.households, stored.collected, stored.invalid, tuple(stored.satisfied))


def _refuse_outside_window(campaign: Campaign, entry: Entry) -> None:
    """Refuses a day outside collection; a late entry still lies within the campaign.

    Late entry (the admin's --late) takes any day from the first collection day to today or
    the report due date, whichever comes first: nothing is collected before the forms go out,
    nothing on a day still to come, and nothing changes once the report has gone up.
    """
    start, end = campaign.phases.collection
    if not entry.allow_late:
        if not campaign.in_collection(entry.day):
            raise TallyRejected(
                "tally.outside_window",
                day=fmt_day(entry.day),
                start=fmt_day(start),
                end=fmt_day(end),
            )
        return
    last = min(campaign.local_date(entry.now), campaign.phases.report_due)
    if not start <= entry.day <= last:
        raise TallyRejected(
            "tally.late_outside_campaign",
            day=fmt_day(entry.day),
            start=fmt_day(start),
            last=fmt_day(last),
        )

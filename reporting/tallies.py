"""The one way a tally enters the database: validated, replacing same-day figures, audited."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from reporting.campaign import Campaign
from reporting.confirmations import is_locked
from reporting.errors import Problem
from reporting.i18n import fmt_count, fmt_day
from reporting.measures import Counts
from reporting.storage.locks import lock_hamlet
from reporting.storage.models import HamletTotal, Tally, TallyRevision, Unit
from reporting.tally_reads import collected_elsewhere, tally_on
from reporting.wording import level_words

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
    await _refuse_if_locked(session, campaign, hamlet)
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
    submission = await record_tally(session, campaign, entry)
    await session.commit()
    return submission


async def _refuse_if_locked(session: AsyncSession, campaign: Campaign, hamlet: Unit) -> None:
    if hamlet.parent_id is not None and await is_locked(session, hamlet.parent_id):
        commune = await session.get(Unit, hamlet.parent_id)
        name = commune.name if commune else ""
        raise TallyRejected("tally.locked", commune=name, **level_words(campaign.levels))


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
            day=fmt_day(entry.day, year=False),
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

"""Loading a roster into the units table: re-import updates and adds, never duplicates."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from reporting.i18n import fmt_count, text
from reporting.imports.roster_file import RosterFileError, RosterRow
from reporting.names import clean, fold, match_key
from reporting.storage.locks import lock_every_commune
from reporting.storage.models import HamletTotal, Level, Unit
from reporting.units import ensure_district


@dataclass
class RosterChanges:
    """What an import changed, for the admin to read."""

    communes_added: int = 0
    hamlets_added: int = 0
    hamlets_updated: int = 0
    unchanged: int = 0
    communes: set[str] = field(default_factory=set)


async def import_roster(
    session: AsyncSession, rows: list[RosterRow], district_name: str, now: datetime
) -> RosterChanges:
    """Adds or updates the communes and hamlets of a parsed roster, then commits.

    Raises RosterFileError, changing nothing, for rows that would give a hamlet fewer households
    than it has already collected forms from.
    """
    district = await ensure_district(session, district_name, now)
    # Tallies wait while households change: one landing between the check below and the
    # new households could leave a hamlet with more forms than households.
    await lock_every_commune(session)
    existing = list(await session.scalars(select(Unit).where(Unit.level != Level.DISTRICT)))
    # Units are matched as people look them up: "Bảo Cường" is "Xã Bảo Cường" re-imported.
    by_key = {(unit.parent_id, match_key(unit.name)): unit for unit in existing}
    _refuse_below_collected(rows, by_key, district.id, await _collected(session))
    changes = RosterChanges()
    for row in rows:
        commune = by_key.get((district.id, match_key(row.commune)))
        if commune is None:
            commune = _new_unit(Level.COMMUNE, district.id, row.commune, 0, now)
            session.add(commune)
            await session.flush()
            by_key[(district.id, match_key(commune.name))] = commune
            changes.communes_added += 1
        if commune.surveyed != row.surveyed:
            commune.surveyed, commune.updated_at = row.surveyed, now
        changes.communes.add(commune.name)
        _apply_hamlet(session, by_key, commune, row, now, changes)
    await session.flush()
    await _total_commune_households(session, district.id, now)
    await session.commit()
    return changes


async def _collected(session: AsyncSession) -> dict[int, int]:
    """Returns the forms each hamlet has collected so far, by hamlet id."""
    totals = await session.execute(select(HamletTotal.hamlet_id, HamletTotal.collected))
    return {hamlet_id: collected for hamlet_id, collected in totals}


def _refuse_below_collected(
    rows: list[RosterRow],
    by_key: dict[tuple[int | None, str], Unit],
    district_id: int,
    collected: dict[int, int],
) -> None:
    """Raises RosterFileError naming each row that lowers households below the forms collected.

    Participation over 100 % would follow, and the hamlet could report nothing more.
    """
    problems = []
    for row in rows:
        commune = by_key.get((district_id, match_key(row.commune)))
        hamlet = by_key.get((commune.id, match_key(row.hamlet))) if commune else None
        already = collected.get(hamlet.id, 0) if hamlet else 0
        if hamlet is not None and row.households < already:
            problem = text(
                "roster.below_collected",
                hamlet=hamlet.name,
                collected=fmt_count(already),
                households=fmt_count(row.households),
            )
            problems.append(text("import.row", line=row.line, problem=problem))
    if problems:
        raise RosterFileError(problems)


def _apply_hamlet(
    session: AsyncSession,
    by_key: dict[tuple[int | None, str], Unit],
    commune: Unit,
    row: RosterRow,
    now: datetime,
    changes: RosterChanges,
) -> None:
    hamlet = by_key.get((commune.id, match_key(row.hamlet)))
    if hamlet is None:
        hamlet = _new_unit(Level.HAMLET, commune.id, row.hamlet, row.households, now)
        session.add(hamlet)
        by_key[(commune.id, match_key(hamlet.name))] = hamlet
        changes.hamlets_added += 1
    elif hamlet.households != row.households or hamlet.name != clean(row.hamlet):
        _rename(hamlet, row.hamlet, now)
        hamlet.households, hamlet.updated_at = row.households, now
        changes.hamlets_updated += 1
    else:
        changes.unchanged += 1


def _rename(unit: Unit, written: str, now: datetime) -> None:
    """Takes the roster's spelling of a unit's name (and its look-up key)."""
    if unit.name != clean(written):
        unit.name, unit.name_key, unit.updated_at = clean(written), fold(written), now


async def _total_commune_households(
    session: AsyncSession, district_id: int, now: datetime
) -> None:
    communes = list(await session.scalars(select(Unit).where(Unit.parent_id == district_id)))
    hamlets = list(await session.scalars(select(Unit).where(Unit.level == Level.HAMLET)))
    for commune in communes:
        total = sum(h.households for h in hamlets if h.parent_id == commune.id)
        if commune.households != total:
            commune.households, commune.updated_at = total, now


def _new_unit(level: Level, parent_id: int, name: str, households: int, now: datetime) -> Unit:
    return Unit(
        level=level,
        parent_id=parent_id,
        name=clean(name),
        name_key=fold(name),
        households=households,
        surveyed=True,
        created_at=now,
        updated_at=now,
    )

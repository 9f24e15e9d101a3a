"""Invite codes for many units at once (`tallybot invite --file` or `--all-hamlets`): the units a
file names, every surveyed hamlet, and the CSV a mail merge reads.

The file has one unit per line, written as `invite --unit` takes it ("Commune/Hamlet",
"Commune", or a hamlet's own name when it is unique), or in two cells: commune and hamlet. A
first line of column names (unit, đơn vị, xã, xóm, …) is skipped. A file with any line that names
no unit, names one twice or does not fit the role is refused as a whole, every such line listed.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import tzinfo
from pathlib import Path
from typing import Final

from sqlalchemy.ext.asyncio import AsyncSession

from reporting.errors import ImportFileError, TabularError
from reporting.i18n import DEFAULT_LANGUAGE, text
from reporting.imports.roster_file import COMMUNE_HEADERS, HAMLET_HEADERS
from reporting.imports.tables import Problems, header_key, read_lines
from reporting.names import inert
from reporting.roles import Role
from reporting.storage.models import Invite, Level, Unit
from reporting.units import UnitFinder, UnitNotFound, communes, hamlets, unit_path

CSV_COLUMNS: Final = ("unit", "commune", "role", "code", "expires")
_HEADER_WORDS: Final = COMMUNE_HEADERS | HAMLET_HEADERS | {"unit", "units", "don vi"}
# Without --role, a line's code is for its unit's own leader.
_ROLE_OF_LEVEL: Final = {Level.HAMLET: Role.HAMLET, Level.COMMUNE: Role.COMMUNE}


class InviteFileError(ImportFileError):
    """A file of units refused as a whole; `problems` lists every problem, with its line."""


@dataclass(frozen=True, slots=True)
class Grant:
    """One code to make: for which role and unit, and that unit's commune (for the letter)."""

    role: Role
    unit: Unit
    commune: Unit


def read_unit_lines(path: str | Path, lang: str = DEFAULT_LANGUAGE) -> list[tuple[int, list[str]]]:
    """Returns (line, filled cells) for each line of a file of units, a header line left out,
    or raises InviteFileError when the file cannot be read or names nothing."""
    try:
        lines = read_lines(path)
    except TabularError as error:
        raise InviteFileError([error.message(lang)]) from None
    filled = [(line, cells) for line, all_cells in lines if (cells := [c for c in all_cells if c])]
    if filled and all(header_key(cell) in _HEADER_WORDS for cell in filled[0][1]):
        filled = filled[1:]
    if not filled:
        raise InviteFileError([text("invite.file_no_units", lang, path=str(path))])
    return filled


async def grants_for_lines(
    session: AsyncSession,
    lines: Sequence[tuple[int, list[str]]],
    role: Role | None,
    lang: str = DEFAULT_LANGUAGE,
) -> list[Grant]:
    """Returns one grant per line, in file order, or raises InviteFileError listing every line
    that is not one unit, or whose unit is unknown, ambiguous, listed before, or not the level
    `role` needs."""
    finder = UnitFinder(session)
    problems = Problems(lang)
    grants: list[Grant] = []
    first_line: dict[int, int] = {}
    for line, cells in lines:
        if len(cells) > 2:
            problems.add_row(line, "invite.line_cells", cells=len(cells))
            continue
        try:
            unit = await finder.path("/".join(cells))
        except UnitNotFound as unknown:
            problems.add_row(line, unknown.key, **unknown.params)
            continue
        label = await unit_path(session, unit)
        wanted = role or _ROLE_OF_LEVEL[Level(unit.level)]
        needs = Level.HAMLET if wanted is Role.HAMLET else Level.COMMUNE
        if (first := first_line.setdefault(unit.id, line)) != line:
            problems.add_row(line, "invite.line_repeated", unit=label, first=first)
        elif unit.level != needs:
            problems.add_row(line, f"invite.line_needs_{needs}", unit=label, role=wanted.value)
        else:
            grants.append(Grant(wanted, unit, await _commune_of(session, unit)))
    if problems:
        raise InviteFileError(problems.messages())
    return grants


async def surveyed_hamlet_grants(session: AsyncSession) -> list[Grant]:
    """Returns a hamlet leader's grant for every hamlet of a surveyed commune, by commune."""
    surveyed = await communes(session, surveyed_only=True)
    hamlets_of: dict[int | None, list[Unit]] = {}
    for hamlet in await hamlets(session, [commune.id for commune in surveyed]):
        hamlets_of.setdefault(hamlet.parent_id, []).append(hamlet)
    return [
        Grant(Role.HAMLET, hamlet, commune)
        for commune in surveyed
        for hamlet in hamlets_of.get(commune.id, [])
    ]


def invites_csv(made: Iterable[tuple[Grant, Invite]], zone: tzinfo) -> str:
    """Returns the codes as CSV for a mail merge: unit, commune, role, code, expires (campaign
    time, dd/mm/yyyy hh:mm); names that a spreadsheet would run as formulas are made inert."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for grant, invite in made:
        expires = invite.expires_at.astimezone(zone).strftime("%d/%m/%Y %H:%M")
        names = (inert(grant.unit.name), inert(grant.commune.name))
        writer.writerow([*names, grant.role.value, invite.code, expires])
    return buffer.getvalue()


async def _commune_of(session: AsyncSession, unit: Unit) -> Unit:
    if unit.level == Level.COMMUNE or unit.parent_id is None:
        return unit
    commune = await session.get(Unit, unit.parent_id)
    return commune or unit

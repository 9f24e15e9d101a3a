"""Parses the district's assignment table (SPEC §2.2): who answers for which communes.

Columns, in any order, headers in any case, diacritics and punctuation optional:
- person:   person, name, họ tên, họ và tên, tên, người phụ trách, cán bộ phụ trách
- position: position, chức vụ, chức danh
- role:     role, vai trò — official, commune or district, or in Vietnamese: lãnh đạo phụ
            trách / phụ trách (official), cán bộ xã / xã (commune), cán bộ huyện / huyện
            (district)
- communes: communes, commune, xã, các xã, xã phụ trách, địa bàn, địa bàn phụ trách — one
            or several names separated by ";" or "," (or lines in one Excel cell)
A person is known by name and position: the rows naming the same person (one row per commune,
as the plan's appendix lists them) are put together; they must agree on the role. An official
answers for one or more communes, a commune user for exactly one, district staff for none
(they see the whole district: an empty cell, or "toàn huyện"). The communes must be in the
roster, which `parse_assignments` is given, so that one reading of the file lists every problem.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from reporting.errors import ImportFileError
from reporting.i18n import DEFAULT_LANGUAGE
from reporting.imports.tables import (
    Problems,
    Table,
    open_table,
)
from reporting.names import NAME_LIMIT, clean, find_units, fold
from reporting.roles import Role
from reporting.storage.models import Unit

_HEADERS: Final = {
    "person": frozenset(
        {"person", "name", "full name", "ho ten", "ho va ten", "ten", "nguoi phu trach"}
        | {"can bo phu trach", "dong chi"}
    ),
    "position": frozenset({"position", "title", "chuc vu", "chuc danh"}),
    "role": frozenset({"role", "vai tro", "vai tro tren bot"}),
    "communes": frozenset(
        {"communes", "commune", "xa", "cac xa", "xa phu trach", "dia ban", "dia ban phu trach"}
        | {"xa duoc phan cong", "phu trach xa"}
    ),
}
_REQUIRED: Final = {"person": "họ tên", "position": "chức vụ", "role": "vai trò", "communes": "xã"}
_ROLES: Final = {
    Role.OFFICIAL: frozenset({"official", "lanh dao", "lanh dao phu trach", "phu trach"}),
    Role.COMMUNE: frozenset({"commune", "xa", "can bo xa", "cap xa"}),
    Role.DISTRICT: frozenset({"district", "huyen", "can bo huyen", "cap huyen"}),
}
_SEPARATORS: Final = re.compile(r"[;,\n]")
# What the appendix writes for district staff instead of leaving the cell empty.
_WHOLE_DISTRICT: Final = frozenset({"toan huyen", "ca huyen", "whole district", "all"})


class AssignmentFileError(ImportFileError):
    """An assignment table refused as a whole; `problems` lists every problem, with its line."""


@dataclass(slots=True)
class Assignment:
    """One person of the table: name and position as written, role, and communes (by id)."""

    line: int  # the first line naming them
    name: str
    position: str
    role: Role
    communes: list[Unit] = field(default_factory=list)

    @property
    def key(self) -> tuple[str, str]:
        """Returns what tells two people apart: name and position, folded."""
        return person_key(self.name, self.position)


def person_key(name: str, position: str) -> tuple[str, str]:
    """Returns the key a person is matched by, on re-import too: name and position, folded."""
    return fold(name), fold(position)


def parse_assignments(
    path: str | Path, communes: Sequence[Unit], lang: str = DEFAULT_LANGUAGE
) -> list[Assignment]:
    """Returns the people of an assignment table, or raises AssignmentFileError listing every
    problem; `communes` are the roster's communes the table may name."""
    problems = Problems(lang)
    table, columns = open_table(path, _field_of, _REQUIRED, problems, AssignmentFileError)
    people: dict[tuple[str, str], Assignment] = {}
    unresolved: set[tuple[str, str]] = set()  # people with a commune already refused
    for line, cells in table.rows:
        _read_row(table, line, cells, columns, communes, people, unresolved, problems)
    for person in people.values():
        if person.key not in unresolved:
            _check_communes(person, problems)
    if problems:
        raise AssignmentFileError(problems.messages())
    return list(people.values())


def _field_of(header: str) -> str | None:
    """Returns the field a header names, or None for a column we ignore (STT, ghi chú, …)."""
    return next((name for name, aliases in _HEADERS.items() if header in aliases), None)


def _read_row(
    table: Table,
    line: int,
    cells: dict[str, str],
    columns: dict[str, str],
    communes: Sequence[Unit],
    people: dict[tuple[str, str], Assignment],
    unresolved: set[tuple[str, str]],
    problems: Problems,
) -> None:
    """Adds a row's person (or their further communes), recording each problem of the row."""
    name = _text(table, line, cells, columns["person"], problems, "assign.empty_person")
    position = _text(table, line, cells, columns["position"], problems, "assign.empty_position")
    role = _role(table, line, cells[columns["role"]], columns["role"], problems)
    found, known = _communes(line, cells[columns["communes"]], communes, problems)
    if not name or not position or role is None:
        return
    if not known:
        unresolved.add(person_key(name, position))
    person = people.setdefault(person_key(name, position), Assignment(line, name, position, role))
    if person.role is not role:
        problems.add_row(
            line,
            "assign.two_roles",
            name=name,
            role=role.value,
            first=person.line,
            first_role=person.role.value,
        )
        return
    person.communes.extend(unit for unit in found if unit not in person.communes)


def _text(
    table: Table, line: int, cells: dict[str, str], column: str, problems: Problems, empty: str
) -> str:
    """Returns a cell's text, cleaned; an empty or too long one is recorded (and comes back
    empty)."""
    value = clean(cells[column])
    if not value:
        problems.add_cell(line, table.headers[column], empty)
    elif len(value) > NAME_LIMIT:
        problems.add_cell(
            line,
            table.headers[column],
            "import.name_too_long",
            length=len(value),
            limit=NAME_LIMIT,
        )
        return ""
    return value


def _role(table: Table, line: int, value: str, column: str, problems: Problems) -> Role | None:
    """Returns the role a cell names in English or Vietnamese, or None after recording why not."""
    key = " ".join(fold(value).replace("-", " ").split())
    role = next((role for role, words in _ROLES.items() if key in words), None)
    if role is None:
        problem = "assign.empty_role" if not key else "assign.unknown_role"
        problems.add_cell(line, table.headers[column], problem, value=clean(value))
    return role


def _communes(
    line: int, value: str, communes: Sequence[Unit], problems: Problems
) -> tuple[list[Unit], bool]:
    """Returns the communes a cell names, and whether all were found; records each name the
    roster lacks or that fits several communes."""
    found: list[Unit] = []
    known = True
    if fold(value) in _WHOLE_DISTRICT:
        return found, known
    for written in filter(None, (clean(part) for part in _SEPARATORS.split(value))):
        matches = find_units(written, communes, name_of=_name)
        known = known and len(matches) == 1
        if not matches:
            problems.add_row(line, "assign.unknown_commune", commune=written)
        elif len(matches) > 1:
            names = ", ".join(unit.name for unit in matches)
            problems.add_row(line, "assign.ambiguous_commune", commune=written, candidates=names)
        elif not matches[0].surveyed:
            known = False  # a commune outside the survey has nothing to answer for
            problems.add_row(line, "assign.commune_not_surveyed", commune=matches[0].name)
        elif matches[0] not in found:
            found.append(matches[0])
    return found, known


def _check_communes(person: Assignment, problems: Problems) -> None:
    """Records a person whose number of communes does not fit their role (SPEC §2.2)."""
    count = len(person.communes)
    if person.role is Role.OFFICIAL and count == 0:
        problems.add_row(person.line, "assign.official_needs_communes", name=person.name)
    if person.role is Role.COMMUNE and count != 1:
        names = ", ".join(unit.name for unit in person.communes)
        key = "assign.commune_needs_one" if count else "assign.commune_needs_commune"
        problems.add_row(person.line, key, name=person.name, communes=names)
    if person.role is Role.DISTRICT and count:
        problems.add_row(person.line, "assign.district_takes_none", name=person.name)


def _name(unit: Unit) -> str:
    return unit.name

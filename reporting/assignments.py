"""The assignment table in the database: its people as users, and who answers for a commune.

Each person of the table is a user with a position (users who came in by an invite code alone
have none) and, until they redeem a code made with `tallybot invite --user`, no chat account.
A re-import finds a person again by name and position (diacritics and case aside): it updates
their spelling, role and communes, and adds whoever is new. People of an earlier table missing
from the new one are left as they are and named, for the admin to revoke if they are no longer
assigned: a person is never disabled by a file. A revoked person is not found again: named by a
later table, they come back as a new user, with a new code to redeem.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from reporting.imports.assignment_file import Assignment, person_key
from reporting.storage.models import Role, User, UserUnit


@dataclass
class AssignmentChanges:
    """What an import changed, for the admin to read."""

    added: list[User] = field(default_factory=list)
    updated: list[User] = field(default_factory=list)
    unchanged: int = 0
    absent: list[User] = field(default_factory=list)  # earlier people not in this file


@dataclass(frozen=True, slots=True)
class AssignedPerson:
    """One person of the table as /phancong shows them."""

    user_id: int
    name: str
    position: str
    role: Role
    commune_ids: tuple[int, ...]
    has_account: bool  # has opened the bot (redeemed a code) on some channel


async def import_assignments(
    session: AsyncSession, people: Sequence[Assignment], now: datetime
) -> AssignmentChanges:
    """Adds or updates the people of a parsed assignment table, then commits."""
    earlier = await _table_people(session)
    by_key = {person_key(user.name, user.position or ""): user for user in earlier}
    changes = AssignmentChanges()
    seen: set[int] = set()
    for person in people:
        user = by_key.get(person.key)
        if user is None:
            changes.added.append(await _add(session, person, now))
            continue
        seen.add(user.id)
        if await _update(session, user, person):
            changes.updated.append(user)
        else:
            changes.unchanged += 1
    changes.absent = [user for user in earlier if user.id not in seen]
    await session.commit()
    return changes


async def assigned_people(session: AsyncSession) -> list[AssignedPerson]:
    """Returns the active people of the assignment table, in the order they were added."""
    query = (
        select(User)
        .where(User.position.is_not(None), User.revoked_at.is_(None))
        .options(selectinload(User.identities))
        .order_by(User.id)
    )
    return [
        AssignedPerson(
            user.id,
            user.name,
            user.position or "",
            Role(user.role),
            tuple(unit.id for unit in user.units),
            bool(user.identities),
        )
        for user in await session.scalars(query)
    ]


async def responsible_officials(session: AsyncSession) -> dict[int, tuple[str, ...]]:
    """Returns, by commune id, the officials the table names for it: "Name (position)".

    Only the table's people: an official who came in by an invite code alone is known by the
    name their chat account shows, which is no name to print in an alert.
    """
    query = (
        select(UserUnit.unit_id, User.name, User.position)
        .join(User, User.id == UserUnit.user_id)
        .where(
            User.role == Role.OFFICIAL,
            User.position.is_not(None),
            User.revoked_at.is_(None),
        )
        .order_by(User.id)
    )
    found: dict[int, tuple[str, ...]] = {}
    for commune_id, name, position in await session.execute(query):
        found[commune_id] = (*found.get(commune_id, ()), f"{name} ({position})")
    return found


async def _table_people(session: AsyncSession) -> list[User]:
    """Returns the active users an earlier table named (those with a position), oldest first."""
    query = (
        select(User).where(User.position.is_not(None), User.revoked_at.is_(None)).order_by(User.id)
    )
    return list(await session.scalars(query))


async def _add(session: AsyncSession, person: Assignment, now: datetime) -> User:
    user = User(
        name=person.name,
        position=person.position,
        role=person.role.value,
        language="vi",
        created_at=now,
    )
    session.add(user)
    await session.flush()
    session.add_all(UserUnit(user_id=user.id, unit_id=unit.id) for unit in person.communes)
    return user


async def _update(session: AsyncSession, user: User, person: Assignment) -> bool:
    """Gives a user the table's spelling, role and communes; returns whether anything changed."""
    wanted = {unit.id for unit in person.communes}
    held = {unit.id for unit in user.units}
    same = (user.name, user.position, user.role) == (person.name, person.position, person.role)
    if same and wanted == held:
        return False
    user.name, user.position, user.role = person.name, person.position, person.role.value
    if wanted != held:
        await session.execute(
            delete(UserUnit).where(UserUnit.user_id == user.id, UserUnit.unit_id.not_in(wanted))
        )
        session.add_all(UserUnit(user_id=user.id, unit_id=uid) for uid in wanted - held)
        await session.flush()
        await session.refresh(user, ["units"])
    return True

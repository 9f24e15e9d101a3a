"""The district's units: look-ups by name as people type them, and the lists users pick from."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from reporting.errors import Problem
from reporting.names import clean, find_units, fold
from reporting.storage.models import Level, Unit


class UnitNotFound(Problem):
    """No unit, or more than one, answers to a name; the message lists the candidates."""


async def district(session: AsyncSession) -> Unit | None:
    """Returns the district unit (the root), if the roster has been loaded."""
    return await session.scalar(select(Unit).where(Unit.level == Level.DISTRICT))


async def ensure_district(session: AsyncSession, name: str, now: datetime) -> Unit:
    """Returns the district unit, creating or renaming it to match the campaign."""
    unit = await district(session)
    if unit is None:
        unit = Unit(level=Level.DISTRICT, parent_id=None, created_at=now, households=0)
        session.add(unit)
    if unit.name != clean(name):
        unit.name, unit.name_key, unit.updated_at = clean(name), fold(name), now
    await session.flush()
    return unit


async def communes(session: AsyncSession, *, surveyed_only: bool = False) -> list[Unit]:
    """Returns the communes in name order (only surveyed ones when asked)."""
    query = select(Unit).where(Unit.level == Level.COMMUNE).order_by(Unit.name_key, Unit.id)
    if surveyed_only:
        query = query.where(Unit.surveyed.is_(True))
    return list(await session.scalars(query))


async def hamlets(session: AsyncSession, commune_ids: Sequence[int] | None = None) -> list[Unit]:
    """Returns the hamlets (of some communes, or all) in name order."""
    query = select(Unit).where(Unit.level == Level.HAMLET).order_by(Unit.name_key, Unit.id)
    if commune_ids is not None:
        query = query.where(Unit.parent_id.in_(commune_ids))
    return list(await session.scalars(query))


async def find_commune(
    session: AsyncSession, query: str, within: Sequence[Unit] | None = None
) -> Unit:
    """Returns the one commune a typed name means, or raises UnitNotFound saying why."""
    if within is not None:
        return _one(find_units(query, within, name_of=_name), query, "commune")
    return await UnitFinder(session).commune(query)


async def find_hamlet(session: AsyncSession, query: str) -> Unit:
    """Returns the hamlet meant by "Hamlet" or "Commune/Hamlet", or raises UnitNotFound."""
    return await UnitFinder(session).hamlet(query)


async def find_unit_path(session: AsyncSession, path: str) -> Unit:
    """Returns the unit named by "Commune" or "Commune/Hamlet" (as in `invite --unit`).

    A bare name that no commune has is looked up among the hamlets, so that a hamlet's name
    finds it when it is unique and lists the "Commune/Hamlet" candidates when it is not.
    """
    return await UnitFinder(session).path(path)


class UnitFinder:
    """Finds units by the names people write, reading each list of units once.

    One look-up costs what it always did; a file naming many units (`invite --file`) reads the
    communes once, and each commune's hamlets once, instead of once per line.
    """

    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        self._communes: list[Unit] | None = None
        self._hamlets: dict[int | None, list[Unit]] = {}  # by commune id; None: every hamlet

    async def commune(self, query: str) -> Unit:
        """Returns the one commune a typed name means, or raises UnitNotFound saying why."""
        if self._communes is None:
            self._communes = await communes(self._session)
        return _one(find_units(query, self._communes, name_of=_name), query, "commune")

    async def hamlet(self, query: str) -> Unit:
        """Returns the hamlet meant by "Hamlet" or "Commune/Hamlet", or raises UnitNotFound."""
        commune_part, _, hamlet_part = query.rpartition("/")
        commune_id = (await self.commune(commune_part)).id if commune_part else None
        if commune_id not in self._hamlets:
            within = None if commune_id is None else [commune_id]
            self._hamlets[commune_id] = await hamlets(self._session, within)
        found = find_units(hamlet_part, self._hamlets[commune_id], name_of=_name)
        if len(found) > 1 and not commune_part:
            labels = await _paths(self._session, found)
            raise UnitNotFound("unit.ambiguous", query=query, candidates=labels)
        return _one(found, hamlet_part, "hamlet")

    async def path(self, path: str) -> Unit:
        """Returns the unit named by "Commune" or "Commune/Hamlet" (as in `invite --unit`)."""
        if "/" in path:
            return await self.hamlet(path)
        try:
            return await self.commune(path)
        except UnitNotFound as no_commune:
            if no_commune.key != "unit.unknown_commune":
                raise
            try:
                return await self.hamlet(path)
            except UnitNotFound as no_hamlet:
                if no_hamlet.key == "unit.unknown_hamlet":
                    raise no_commune from None
                raise


class HamletFinder:
    """Finds "Commune/Hamlet" in the units loaded once: an import of many rows asks many times."""

    def __init__(self, commune_units: Sequence[Unit], hamlet_units: Sequence[Unit]) -> None:
        self._communes = list(commune_units)
        self._hamlets_of: dict[int | None, list[Unit]] = {}
        for hamlet in hamlet_units:
            self._hamlets_of.setdefault(hamlet.parent_id, []).append(hamlet)
        # A file names the same commune on many rows: looking it up among all communes each time
        # cost most of a province import's time.
        self._found: dict[str, Unit | UnitNotFound] = {}

    @classmethod
    async def load(cls, session: AsyncSession) -> HamletFinder:
        """Returns a finder over every commune and hamlet now in the database."""
        return cls(await communes(session), await hamlets(session))

    def find(self, commune: str, hamlet: str) -> Unit:
        """Returns the hamlet of that commune, or raises UnitNotFound saying which is unknown."""
        parent = self._commune(commune)
        found = find_units(hamlet, self._hamlets_of.get(parent.id, []), name_of=_name)
        return _one(found, hamlet, "hamlet")

    def _commune(self, query: str) -> Unit:
        """Returns the commune named, as found the first time it was asked for."""
        if query not in self._found:
            try:
                self._found[query] = _one(
                    find_units(query, self._communes, name_of=_name), query, "commune"
                )
            except UnitNotFound as unknown:
                self._found[query] = unknown
        found = self._found[query]
        if isinstance(found, UnitNotFound):
            raise found
        return found


async def unit_path(session: AsyncSession, unit: Unit) -> str:
    """Returns "Commune/Hamlet" for a hamlet and the name for anything else."""
    if unit.level != Level.HAMLET or unit.parent_id is None:
        return unit.name
    commune = await session.get(Unit, unit.parent_id)
    return f"{commune.name}/{unit.name}" if commune else unit.name


def _one(found: list[Unit], query: str, kind: str) -> Unit:
    if not found:
        raise UnitNotFound(f"unit.unknown_{kind}", query=query)
    if len(found) > 1:
        raise UnitNotFound(
            "unit.ambiguous", query=query, candidates=", ".join(u.name for u in found)
        )
    return found[0]


async def _paths(session: AsyncSession, units: Sequence[Unit]) -> str:
    return ", ".join([await unit_path(session, unit) for unit in units])


def _name(unit: Unit) -> str:
    return unit.name

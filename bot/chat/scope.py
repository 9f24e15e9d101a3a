"""Which units a user may see, and refusing the ones outside."""

from __future__ import annotations

from bot.chat.turn import Turn
from reporting.errors import Problem
from reporting.storage.models import Role, Unit
from reporting.units import UnitNotFound, communes, find_commune


class OutOfScope(Problem):
    """A commune the user is not assigned to, or one the district does not have."""


async def scope_communes(turn: Turn) -> list[Unit]:
    """Returns the surveyed communes the user answers for (all of them for district staff)."""
    assert turn.user is not None
    if turn.user.role == Role.DISTRICT:
        return await communes(turn.session, surveyed_only=True)
    if turn.user.role == Role.HAMLET:
        return []
    return [unit for unit in turn.user.units if unit.surveyed]


async def commune_in_scope(turn: Turn, query: str) -> Unit:
    """Returns the commune a user typed, if it is theirs; raises OutOfScope or UnitNotFound."""
    mine = await scope_communes(turn)
    try:
        return await find_commune(turn.session, query, within=mine)
    except UnitNotFound:
        pass
    try:
        other = await find_commune(turn.session, query)
    except UnitNotFound as unknown:
        if unknown.key != "unit.unknown_commune":
            raise
        # said with the campaign's word for a commune ("cụm"), which the finder does not know
        raise OutOfScope("chat.unknown_commune", query=query, **turn.levels) from None
    raise OutOfScope("chat.out_of_scope", commune=other.name, **turn.levels)

"""Who receives an alert: the users behind an alert's audience, and the state of alerts sent."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from reporting.alerts import Alert, Audience, VerdictMemory
from reporting.measures import Verdict
from reporting.storage.models import Identity, Role, User, UserUnit, VerdictState


async def recipients(session: AsyncSession, alert: Alert) -> list[User]:
    """Returns the active users an alert is meant for, in id order."""
    roles: set[Role] = set()
    units: set[int] = set()
    if alert.audience is Audience.LEADERS:
        roles, units = {Role.HAMLET}, set(alert.hamlet_ids)
    if alert.audience in (Audience.COMMUNE, Audience.DISTRICT_AND_COMMUNE):
        roles, units = {Role.COMMUNE, Role.OFFICIAL}, {alert.commune_id or 0}
    found = await _bound_to(session, roles, units) if roles else []
    if alert.audience in (Audience.DISTRICT, Audience.DISTRICT_AND_COMMUNE):
        found += await _with_role(session, Role.DISTRICT)
    return sorted({user.id: user for user in found}.values(), key=lambda user: user.id)


async def remembered_verdicts(session: AsyncSession) -> dict[tuple[int, str], Verdict | None]:
    """Returns the last verdict alerted on, per unit and measure."""
    rows = await session.scalars(select(VerdictState))
    return {(r.unit_id, r.measure): Verdict(r.verdict) if r.verdict else None for r in rows}


async def remember_verdicts(session: AsyncSession, memory: VerdictMemory, now: datetime) -> None:
    """Stores the verdicts just evaluated (no commit), so a restart does not alert again."""
    states = {(s.unit_id, s.measure): s for s in await session.scalars(select(VerdictState))}
    for (unit_id, measure), verdict in memory.items():
        value = verdict.value if verdict else None
        state = states.get((unit_id, measure))
        if state is None:
            session.add(
                VerdictState(unit_id=unit_id, measure=measure, verdict=value, updated_at=now)
            )
        elif state.verdict != value:
            state.verdict, state.updated_at = value, now


async def _bound_to(session: AsyncSession, roles: Iterable[Role], units: set[int]) -> list[User]:
    query = (
        select(User)
        .join(UserUnit, UserUnit.user_id == User.id)
        .where(User.role.in_(list(roles)), User.revoked_at.is_(None), UserUnit.unit_id.in_(units))
    )
    return list(await session.scalars(query))


async def _with_role(session: AsyncSession, role: Role) -> list[User]:
    query = select(User).where(User.role == role, User.revoked_at.is_(None))
    return list(await session.scalars(query))


@dataclass(frozen=True, slots=True)
class ChatAccount:
    """Where a person can be written to: a channel, a chat, and whether they blocked the bot."""

    channel: str
    chat_id: str
    blocked_at: datetime | None


async def chat_accounts(
    session: AsyncSession, user_ids: list[int]
) -> dict[int, list[ChatAccount]]:
    """Returns each person's chat accounts on every channel, by user id."""
    if not user_ids:
        return {}
    query = (
        select(Identity)
        .where(Identity.user_id.in_(user_ids), Identity.chat_id.is_not(None))
        .order_by(Identity.id)
    )
    found: dict[int, list[ChatAccount]] = {}
    for identity in await session.scalars(query):
        account = ChatAccount(identity.channel, identity.chat_id or "", identity.blocked_at)
        found.setdefault(identity.user_id, []).append(account)
    return found

"""Alerts in storage: who receives one, the chat account it goes to, and the verdicts
already alerted on (so that a restart does not alert again)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from operator import attrgetter

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from reporting.alerts import Alert, Audience
from reporting.storage.models import Identity, Role, User, UserUnit, VerdictState
from reporting.verdict_alerts import VerdictMemory
from reporting.verdicts import Verdict


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


async def remembered_verdicts(
    session: AsyncSession,
) -> tuple[dict[tuple[int, str], Verdict | None], dict[tuple[int, str], int]]:
    """Returns the last verdict alerted on, and how many times it changed, per unit and measure."""
    rows = list(await session.scalars(select(VerdictState)))
    verdicts = {(r.unit_id, r.measure): Verdict(r.verdict) if r.verdict else None for r in rows}
    return verdicts, {(r.unit_id, r.measure): r.changes for r in rows}


async def remember_verdicts(session: AsyncSession, memory: VerdictMemory, now: datetime) -> None:
    """Stores the verdicts just evaluated, counting each change (no commit), so that a
    restart does not alert again and the next change is told apart from this one."""
    states = {(s.unit_id, s.measure): s for s in await session.scalars(select(VerdictState))}
    for (unit_id, measure), verdict in sorted(memory.items()):
        value = verdict.value if verdict else None
        state = states.get((unit_id, measure))
        if state is None:
            session.add(
                VerdictState(
                    unit_id=unit_id, measure=measure, verdict=value, updated_at=now, changes=0
                )
            )
        elif state.verdict != value:
            state.verdict, state.updated_at = value, now
            state.changes += 1


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
    """A chat a person can be written to, when they blocked the bot and when they last wrote."""

    channel: str
    chat_id: str
    blocked_at: datetime | None
    last_seen_at: datetime | None


def addressee(accounts: Sequence[ChatAccount]) -> ChatAccount:
    """Returns the one account a person's alert goes to, of their accounts (oldest first).

    The account they last wrote from; if they blocked the bot there, the newest one they did
    not block; if they blocked it everywhere, the last one still, to record the alert blocked.
    """
    seen = [account for account in reversed(accounts) if account.last_seen_at is not None]
    last = max(seen, key=attrgetter("last_seen_at")) if seen else None  # a tie: the newest
    if last is not None and last.blocked_at is None:
        return last
    reachable = [account for account in accounts if account.blocked_at is None]
    if reachable:
        return reachable[-1]
    return last or accounts[-1]


async def alert_accounts(session: AsyncSession, user_ids: list[int]) -> dict[int, ChatAccount]:
    """Returns, by user id, the one chat account each person's alerts go to (see `addressee`)."""
    if not user_ids:
        return {}
    query = (
        select(Identity)
        .where(Identity.user_id.in_(user_ids), Identity.chat_id.is_not(None))
        .order_by(Identity.id)
    )
    found: dict[int, list[ChatAccount]] = {}
    for identity in await session.scalars(query):
        account = ChatAccount(
            identity.channel, identity.chat_id or "", identity.blocked_at, identity.last_seen_at
        )
        found.setdefault(identity.user_id, []).append(account)
    return {user_id: addressee(accounts) for user_id, accounts in found.items()}

"""Limits for chat accounts without an active user: how many messages, how many wrong codes.

Every message from a stranger costs a write and a reply against the bot's sending rate, so one
account flooding it would slow everyone; wrong invite codes typed again and again are someone
guessing. Both are counted per chat account in fixed windows, in the database, so that every
bot process serving the campaign sees the same count. Registered users are never counted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, case, literal, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from reporting.storage.models import ChatLimit, UtcDateTime


@dataclass(frozen=True, slots=True)
class Limit:
    """At most `most` attempts of one kind per chat account in a window of `window`."""

    kind: str
    most: int
    window: timedelta


# A stranger needs a handful of messages to register; 20 in 10 minutes is far beyond that.
STRANGER_MESSAGES = Limit("message", 20, timedelta(minutes=10))
# A leader may mistype a code a few times; the fifth wrong one in half an hour is guessing.
WRONG_CODES = Limit("invite", 5, timedelta(minutes=30))


@dataclass(frozen=True, slots=True)
class Count:
    """Attempts counted in an account's current window, and when that window ends."""

    count: int
    until: datetime


async def count_attempt(
    session: AsyncSession, limit: Limit, channel: str, external_id: str, now: datetime
) -> Count:
    """Counts one more attempt (in a new window once the last one ended); returns the count.

    One atomic UPDATE (an INSERT for the first attempt), so that two processes counting at
    once both count. No commit: the count is written with the rest of the input's effects.
    """
    expired = ChatLimit.window_start <= now - limit.window
    moment = literal(now, UtcDateTime())
    bump = (
        update(ChatLimit)
        .where(_account(limit, channel, external_id))
        .values(
            count=case((expired, 1), else_=ChatLimit.count + 1),
            window_start=case((expired, moment), else_=ChatLimit.window_start),
        )
        .returning(ChatLimit.count, ChatLimit.window_start)
        .execution_options(synchronize_session=False)
    )
    row = (await session.execute(bump)).one_or_none()
    if row is None:
        try:
            async with session.begin_nested():
                first = ChatLimit(
                    channel=channel, external_id=external_id, kind=limit.kind, count=1
                )
                first.window_start = now
                session.add(first)
            return Count(1, now + limit.window)
        except IntegrityError:  # another process counted the first one at the same moment
            row = (await session.execute(bump)).one()
    count, started = row
    return Count(count, started + limit.window)


async def current_count(
    session: AsyncSession, limit: Limit, channel: str, external_id: str, now: datetime
) -> Count:
    """Returns the attempts counted in the account's window (0 when it has passed)."""
    query = select(ChatLimit).where(_account(limit, channel, external_id))
    found = await session.scalar(query.execution_options(populate_existing=True))
    if found is None or found.window_start + limit.window <= now:
        return Count(0, now + limit.window)
    return Count(found.count, found.window_start + limit.window)


def _account(limit: Limit, channel: str, external_id: str) -> ColumnElement[bool]:
    return and_(
        ChatLimit.channel == channel,
        ChatLimit.external_id == external_id,
        ChatLimit.kind == limit.kind,
    )

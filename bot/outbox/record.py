"""Storing how outbox rows ended: each before its chat's next send, many in one transaction.

A chat's next message may go only once the previous one's ending is stored (a crash then
repeats at most the message on its way). Chats are written to side by side, so their endings
arrive close together; whoever arrives while a write is under way joins the next one (group
commit), and a broadcast costs one transaction per handful of messages, not one per message.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from reporting.clock import Clock
from reporting.storage.db import TakingTurns, retry_locked
from reporting.storage.models import Identity, OutboxMessage, OutboxState

BLOCKED = "blocked the bot"


@dataclass(frozen=True, slots=True)
class Outcome:
    """How one attempt at a row ended, or when the row is tried next (state pending)."""

    row_id: int
    chat_id: str
    state: OutboxState
    attempts: int
    next_attempt_at: datetime
    reason: str | None = None
    sent_at: datetime | None = None
    parts_sent: int = 0  # of a message sent in parts, those delivered so far


class Recorder:
    """Stores outcomes of one channel's rows, joining those that arrive together."""

    def __init__(self, channel: str, sessions: TakingTurns, clock: Clock) -> None:
        self.channel = channel
        self.sessions = sessions
        self.clock = clock
        self._waiting: list[tuple[Sequence[Outcome], asyncio.Future[None]]] = []
        self._writing = False

    async def store(self, outcomes: Sequence[Outcome]) -> None:
        """Returns once these outcomes are committed (perhaps with others)."""
        stored = asyncio.get_running_loop().create_future()
        self._waiting.append((outcomes, stored))
        if not self._writing:
            await self._write_while_waiting()
        await stored

    async def _write_while_waiting(self) -> None:
        self._writing = True
        try:
            while self._waiting:
                batch, self._waiting = self._waiting, []
                try:
                    await self._write([outcome for outcomes, _ in batch for outcome in outcomes])
                except Exception as error:
                    for _, stored in batch:
                        stored.set_exception(error)
                else:
                    for _, stored in batch:
                        stored.set_result(None)
        finally:
            self._writing = False

    async def _write(self, outcomes: Sequence[Outcome]) -> None:
        """Stores the outcomes in one transaction; a block also marks the chat account."""
        changes = [
            {
                "id": o.row_id,
                "state": o.state,
                "attempts": o.attempts,
                "next_attempt_at": o.next_attempt_at,
                "reason": o.reason,
                "sent_at": o.sent_at,
                "parts_sent": o.parts_sent,
                "claimed_by": None,  # the row's ending is known: its claim ends with it
                "claimed_until": None,
            }
            for o in outcomes
        ]
        blocked = {o.chat_id for o in outcomes if o.state is OutboxState.BLOCKED}

        async def write() -> None:
            async with self.sessions() as session:
                await session.execute(update(OutboxMessage), changes)
                if blocked:
                    await self._mark_blocked(session, blocked)
                await session.commit()

        await retry_locked(write)  # a sent message left unrecorded would be sent again

    async def _mark_blocked(self, session: AsyncSession, chats: set[str]) -> None:
        """Marks the chat accounts blocked, and ends their waiting alerts the same way.

        Their waiting replies are still tried: a person unblocks the bot by writing to it,
        and the reply to that message must not be lost.
        """
        await session.execute(
            update(Identity)
            .where(Identity.channel == self.channel, Identity.chat_id.in_(chats))
            .values(blocked_at=self.clock.now())
        )
        await session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.channel == self.channel,
                OutboxMessage.chat_id.in_(chats),
                OutboxMessage.state == OutboxState.PENDING,
                OutboxMessage.alert_id.is_not(None),
            )
            .values(state=OutboxState.BLOCKED, reason=BLOCKED)
        )

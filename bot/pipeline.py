"""The one way in: an input is recorded once, answered, and its replies queued, in one commit.

Every channel adapter turns its updates into `Incoming` and calls `converse`; nothing is sent
from here. The replies are outbox rows written in the transaction that records the update as
processed and stores what the replies announce, so a crash at any point loses no reply and
a redelivered update changes nothing twice.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, time, timedelta

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot import alerts
from bot.chat.router import RefusedAfterWrite, handle, rehearse
from bot.chat.turn import Event, Incoming, Rehearsal, Reply, Sender, TallyStored, Turn
from bot.core import Core
from bot.outbox import enqueue
from reporting.campaign import Campaign
from reporting.i18n import text
from reporting.storage.db import lock_for_transaction, retry_locked
from reporting.storage.models import ProcessedUpdate

log = logging.getLogger(__name__)
REPLY_GRACE = timedelta(days=1)  # a reply written after the campaign still gets a day


async def converse(core: Core, sender: Sender, incoming: Incoming, delivery_key: str) -> bool:
    """Answers one delivered input; returns False when that delivery was handled before.

    A read-only command is answered first in a read session, without waiting for the turn
    of the writers (its drawing runs in a worker thread); the turn then only stores the
    answer. A turn that finds the database locked by another process is tried again.
    """
    rehearsal = None
    if sender.private:
        async with core.sessions.reading() as session:
            rehearsal = await rehearse(Turn(session, core.campaign, core.clock, sender), incoming)
    return await retry_locked(lambda: _converse(core, sender, incoming, delivery_key, rehearsal))


async def _converse(
    core: Core, sender: Sender, incoming: Incoming, delivery_key: str, rehearsal: Rehearsal | None
) -> bool:
    try:
        return await _answer(core, sender, incoming, delivery_key, rehearsal)
    except RefusedAfterWrite as refusal:  # rolled back whole: answered again, with the refusal
        return await _answer(core, sender, incoming, delivery_key, None, refused=refusal.said)


async def _answer(
    core: Core,
    sender: Sender,
    incoming: Incoming,
    delivery_key: str,
    rehearsal: Rehearsal | None,
    *,
    refused: str | None = None,
) -> bool:
    now = core.clock.now()
    async with core.sessions() as session:
        # One input of a chat at a time across processes (several behind a proxy on
        # PostgreSQL): its dialog state is read and written by one transaction at a time.
        await lock_for_transaction(session, "chat", sender.channel, sender.chat_id)
        if not await _first_delivery(session, sender.channel, delivery_key, now):
            return False
        turn = Turn(session, core.campaign, core.clock, sender, rehearsal=rehearsal)
        if sender.private:
            await handle(turn, incoming, refused=refused)
        else:  # SPEC §2.2: registration and answers only in a private chat
            turn.say(text("chat.private_only"))
        alerted = await alerts.claim_event_alerts(session, core.campaign, turn.events, now)
        user_id = turn.user.id if turn.user is not None else None
        _queue(session, core.campaign, sender.channel, sender.chat_id, user_id, turn.replies, now)
        await session.commit()
    if alerted:
        core.deliver_all_soon()  # an alert may go to another channel than the input came on
    else:
        core.deliver_soon(sender.channel)
    react(core, turn.events)
    return True


async def apologise(core: Core, channel: str, chat_id: str) -> None:
    """Tells a chat, kindly, that its last message failed and nothing was changed.

    Called only when the input's transaction was rolled back, so the words are true.
    """
    sorry = [Reply(text("chat.error"))]

    async def queue() -> None:
        async with core.sessions() as session:
            _queue(session, core.campaign, channel, chat_id, None, sorry, core.clock.now())
            await session.commit()

    await retry_locked(queue)
    core.deliver_soon(channel)


def react(core: Core, events: Sequence[Event]) -> None:
    """Turns what a dialog reported into follow-up work: a stored tally may change a verdict.

    Unless an evaluation already waits to begin: it will read this tally too.
    """
    stored = any(isinstance(event, TallyStored) for event in events)
    if core.alerts and stored and not core.evaluation_asked:
        core.evaluation_asked = True
        core.soon(lambda: alerts.check_alerts(core, scheduled_too=False))


def reply_deadline(campaign: Campaign, now: datetime) -> datetime:
    """Returns when a reply stops being worth sending: not within the campaign."""
    after_campaign = campaign.at(campaign.phases.report_due + timedelta(days=1), time())
    return max(after_campaign, now + REPLY_GRACE)


def _queue(
    session: AsyncSession,
    campaign: Campaign,
    channel: str,
    chat_id: str,
    user_id: int | None,
    replies: Sequence[Reply],
    now: datetime,
) -> None:
    enqueue(
        session,
        replies,
        channel=channel,
        chat_id=chat_id,
        user_id=user_id,
        now=now,
        expires_at=reply_deadline(campaign, now),
    )


async def _first_delivery(
    session: AsyncSession, channel: str, delivery_key: str, now: datetime
) -> bool:
    """Records the delivery as processed, in the same transaction as its effects.

    A channel may deliver an update twice (after a restart, say); the second time the insert
    conflicts and the update is ignored: its replies were queued the first time.
    """
    session.add(ProcessedUpdate(channel=channel, update_id=delivery_key, processed_at=now))
    try:
        await session.flush()
    except IntegrityError:
        await session.rollback()
        log.info("%s update %s was already processed", channel, delivery_key)
        return False
    return True

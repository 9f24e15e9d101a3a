"""Alerts on every channel: evaluate, claim each (alert, person) once, queue its message.

The claim (alert_log) and the message (outbox, to the one chat account the person last wrote
from, see `reporting.alert_store.addressee`) are written in one transaction, so a crash
either leaves the alert unclaimed (the next check claims it) or claimed with its message
waiting to be sent: never sent twice, never lost.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.chat.turn import Event, Reply, WrongCodes
from bot.core import Core
from bot.outbox import enqueue
from bot.outbox.record import BLOCKED
from reporting.alert_store import (
    alert_accounts,
    recipients,
    remember_verdicts,
    remembered_verdicts,
)
from reporting.alerts import Alert, deadline, in_quiet_hours, quiet_ends, wrong_codes
from reporting.assignments import responsible_officials
from reporting.campaign import Campaign
from reporting.limits import WRONG_CODES
from reporting.scheduled_alerts import scheduled
from reporting.storage.db import lock_for_transaction
from reporting.storage.models import AlertLog, OutboxState
from reporting.summaries import summarize
from reporting.verdict_alerts import verdict_changes


async def check_alerts(core: Core, scheduled_too: bool) -> int:
    """Queues alerts for verdicts that got worse (and timed ones when asked); returns messages.

    Nothing is evaluated in the quiet hours: what changed at night is alerted in the morning.
    """
    now = core.clock.now()
    if in_quiet_hours(core.campaign, now):
        core.evaluation_asked = False
        return 0
    try:
        return await _evaluate(core, scheduled_too, now)
    except BaseException:
        core.evaluation_asked = False  # failed before it read: the next tally asks again
        raise


async def _evaluate(core: Core, scheduled_too: bool, now: datetime) -> int:
    async with core.evaluating, core.sessions() as session:
        # One evaluation at a time across processes too (PostgreSQL): the second one sees
        # the verdicts the first remembered, and finds no change the first already alerted.
        await lock_for_transaction(session, "alerts", "evaluate")
        core.evaluation_asked = False  # from here on it reads every tally stored before
        # Hamlet rows only for the timed alerts (reminders and missing lists need them).
        summary = await summarize(session, core.campaign, now, None if scheduled_too else ())
        previous, changes = await remembered_verdicts(session)
        responsible = await responsible_officials(session)
        due, memory = verdict_changes(summary, previous, now, changes, responsible)
        await remember_verdicts(session, memory, now)
        if scheduled_too:
            due += scheduled(core.campaign, summary, now, responsible)
        queued = 0
        for alert in due:
            queued += await _claim(session, core.campaign, alert, now)
        await session.commit()
    core.deliver_all_soon()
    return queued


async def claim_event_alerts(
    session: AsyncSession, campaign: Campaign, events: Sequence[Event], now: datetime
) -> int:
    """Claims and queues, in the input's own transaction, the alerts its events call for.

    Returns how many messages were queued (no commit: they go with the input's effects).
    """
    queued = 0
    for event in events:
        if isinstance(event, WrongCodes):
            alert = wrong_codes(
                campaign, event.account, event.name, event.count, WRONG_CODES.window, event.until
            )
            queued += await _claim(session, campaign, alert, now)
    return queued


async def _claim(session: AsyncSession, campaign: Campaign, alert: Alert, now: datetime) -> int:
    """Claims the alert for each person not yet given it and queues it to their chat."""
    people = await recipients(session, alert)
    accounts = await alert_accounts(session, [person.id for person in people])
    queued = 0
    for person in people:
        entry = AlertLog(
            key=alert.key,
            kind=alert.kind,
            user_id=person.id,
            text=alert.render(person.language),
            created_at=now,
        )
        try:
            async with session.begin_nested():
                session.add(entry)
        except IntegrityError:
            continue  # this person already has this alert
        account = accounts.get(person.id)
        if account is None:
            continue  # no chat to write to: the claim alone records the alert
        blocked = account.blocked_at is not None
        enqueue(
            session,
            [Reply(entry.text)],
            channel=account.channel,
            chat_id=account.chat_id,
            user_id=person.id,
            now=now,
            # `now` as long as alerts are only claimed outside the quiet hours; the row
            # still says when it may go, as the sender will not send it earlier either
            not_before=quiet_ends(campaign, now),
            expires_at=deadline(campaign, alert.kind, now),
            alert_id=entry.id,
            state=OutboxState.BLOCKED if blocked else OutboxState.PENDING,
            reason=BLOCKED if blocked else None,
        )
        queued += not blocked
    return queued

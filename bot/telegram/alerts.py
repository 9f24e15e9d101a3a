"""Sending alerts on Telegram: evaluate, claim each (alert, person) once, then deliver politely.

Claims are committed before anything is sent, and a claim that was never delivered (the bot
stopped midway) is sent by the next run: nobody gets an alert twice, and nobody is skipped.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Bot
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter
from telegram.ext import ContextTypes

from bot.chat.audience import recipients, remember_verdicts, remembered_verdicts
from bot.telegram.services import Outbox, Ready, ready
from reporting.alerts import Alert, in_quiet_hours, scheduled, verdict_changes
from reporting.storage.models import AlertLog, Identity
from reporting.summaries import summarize

log = logging.getLogger(__name__)
CHANNEL = "telegram"
BLOCKED = "blocked the bot"
ATTEMPTS = 4


async def check_alerts(services: Ready, bot: Bot, outbox: Outbox, scheduled_too: bool) -> int:
    """Evaluates verdict changes (and timed alerts when asked), claims and sends; returns sends."""
    now = services.clock.now()
    if in_quiet_hours(services.campaign, now):
        return 0  # nothing goes out at night, not even claims left over: they wait for morning
    async with outbox.evaluating, services.sessions() as session:
        # Hamlet rows only for the timed alerts (reminders and missing lists need them).
        summary = await summarize(session, services.campaign, now, None if scheduled_too else ())
        previous = await remembered_verdicts(session)
        alerts, memory = verdict_changes(summary, previous, now)
        await remember_verdicts(session, memory, now)
        if scheduled_too:
            alerts += scheduled(services.campaign, summary, now)
        for alert in alerts:
            await _claim(session, alert, now)
        await session.commit()
    return await deliver_pending(services, bot, outbox)


async def deliver_pending(services: Ready, bot: Bot, outbox: Outbox) -> int:
    """Sends every claimed alert not yet delivered, oldest first; returns how many arrived.

    No database session is open while a message is on its way: a slow send or a flood wait
    must not hold up the chats.
    """
    async with outbox.lock:
        async with services.sessions() as session:
            pending = await _pending(session)
        delivered = 0
        for entry_id, chat_id, skip, text in pending:
            status, reason = (
                ("skipped", skip) if skip else await _deliver(outbox, bot, chat_id, text)
            )
            async with services.sessions() as session:
                await _record(session, entry_id, status, reason, services.clock.now())
            delivered += status == "sent"
    return delivered


async def _pending(session: AsyncSession) -> list[tuple[int, str, str | None, str]]:
    """Returns (alert id, chat, why it must be skipped or None, text), oldest first."""
    query = (
        select(AlertLog.id, Identity.chat_id, Identity.blocked_at, AlertLog.text)
        .outerjoin(
            Identity, (Identity.user_id == AlertLog.user_id) & (Identity.channel == CHANNEL)
        )
        .where(AlertLog.status == "pending")
        .order_by(AlertLog.id)
    )
    rows = (await session.execute(query)).all()
    return [
        (row.id, row.chat_id or "", _unreachable(row.chat_id, row.blocked_at), row.text)
        for row in rows
    ]


def _unreachable(chat_id: str | None, blocked_at: datetime | None) -> str | None:
    if chat_id is None:
        return "no chat yet"
    return "blocked the bot" if blocked_at is not None else None


async def _record(
    session: AsyncSession, entry_id: int, status: str, reason: str | None, now: datetime
) -> None:
    entry = await session.get(AlertLog, entry_id)
    assert entry is not None
    entry.status, entry.reason = status, reason
    entry.delivered_at = now if status == "sent" else None
    if reason == BLOCKED:
        identity = await session.scalar(
            select(Identity).where(Identity.user_id == entry.user_id, Identity.channel == CHANNEL)
        )
        if identity is not None:
            identity.blocked_at = now
    await session.commit()


async def _claim(session: AsyncSession, alert: Alert, now: datetime) -> None:
    for user in await recipients(session, alert):
        entry = AlertLog(
            key=alert.key,
            kind=alert.kind,
            user_id=user.id,
            text=alert.render(user.language),
            created_at=now,
            status="pending",
        )
        try:
            async with session.begin_nested():
                session.add(entry)
        except IntegrityError:
            continue  # this person already has this alert


async def _deliver(outbox: Outbox, bot: Bot, chat_id: str, text: str) -> tuple[str, str | None]:
    await _space_out(outbox, chat_id)
    return await _send(bot, chat_id, text)


async def _send(bot: Bot, chat_id: str, text: str) -> tuple[str, str | None]:
    """Sends one message, retrying on flood limits and network errors with backoff."""
    for attempt in range(ATTEMPTS):
        try:
            await bot.send_message(chat_id, text)
            return "sent", None
        except Forbidden:
            return "failed", BLOCKED
        except BadRequest as refused:
            return "failed", refused.message[:200]
        except (RetryAfter, NetworkError) as error:  # NetworkError includes TimedOut
            log.warning("sending to %s failed (%s), attempt %d", chat_id, error, attempt + 1)
            if attempt + 1 < ATTEMPTS:
                await asyncio.sleep(_wait(error, attempt))
    return "failed", f"gave up after {ATTEMPTS} attempts"


def _wait(error: Exception, attempt: int) -> float:
    """Seconds before the next attempt: what Telegram asked for, else 1, 2, 4 … (backoff)."""
    if isinstance(error, RetryAfter):
        return _seconds(error.retry_after)
    return float(2**attempt)


async def _space_out(outbox: Outbox, chat_id: str) -> None:
    loop = asyncio.get_running_loop()
    gap = outbox.per_chat_gap
    wait = outbox.last_sent.get(chat_id, -gap) + gap - loop.time()
    if wait > 0:
        await asyncio.sleep(wait)
    outbox.last_sent[chat_id] = loop.time()


def _seconds(retry_after: int | timedelta) -> float:
    return retry_after.total_seconds() if isinstance(retry_after, timedelta) else retry_after


async def alert_tick(context: ContextTypes.DEFAULT_TYPE) -> None:
    """The JobQueue's minute tick: timed alerts and verdict changes, then delivery."""
    services = ready(context)
    await check_alerts(services, context.bot, services.outbox, scheduled_too=True)


async def verdict_check(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Run right after a tally is stored: alerts for verdicts that got worse."""
    services = ready(context)
    await check_alerts(services, context.bot, services.outbox, scheduled_too=False)

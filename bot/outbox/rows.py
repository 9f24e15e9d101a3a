"""Writing messages to the outbox, in the caller's transaction; nothing is sent from here."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.chat.turn import Reply
from reporting.storage.models import Media, OutboxKind, OutboxMessage, OutboxState


def enqueue(
    session: AsyncSession,
    replies: Sequence[Reply],
    *,
    channel: str,
    chat_id: str,
    user_id: int | None,
    now: datetime,
    expires_at: datetime,
    not_before: datetime | None = None,
    alert_id: int | None = None,
    state: OutboxState = OutboxState.PENDING,
    reason: str | None = None,
) -> None:
    """Adds one outbox row per reply to the session (no flush, no commit: the caller's).

    Attachments are stored once, as media rows beside their messages.
    """
    for reply in replies:
        row = OutboxMessage(
            channel=channel,
            chat_id=chat_id,
            user_id=user_id,
            alert_id=alert_id,
            kind=_kind(reply),
            text=reply.text,
            choices=[{"label": c.label, "value": c.value} for c in reply.choices] or None,
            token=reply.token,
            columns=reply.columns,
            created_at=now,
            not_before=not_before or now,
            expires_at=expires_at,
            next_attempt_at=not_before or now,
            attempts=0,
            state=state,
            reason=reason,
            parts_sent=0,
        )
        if reply.attachment is not None:
            row.media = Media(
                name=reply.attachment.name, data=reply.attachment.data, created_at=now
            )
        session.add(row)


def _kind(reply: Reply) -> OutboxKind:
    if reply.attachment is None:
        return OutboxKind.TEXT
    return OutboxKind.PHOTO if reply.attachment.is_photo else OutboxKind.DOCUMENT

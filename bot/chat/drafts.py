"""Half-finished conversations, kept in the database so that a restart loses nothing."""

from __future__ import annotations

import secrets
from datetime import date, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.chat.turn import Turn
from reporting.i18n import fmt_day, text
from reporting.storage.models import Dialog


async def load(session: AsyncSession, user_id: int) -> Dialog | None:
    """Returns the user's open dialog, if any."""
    return await session.get(Dialog, user_id)


async def expired(turn: Turn, dialog: Dialog) -> bool:
    """Drops a dialog left from an earlier day and tells the user; says whether it did.

    A draft expires at the end of its day: yesterday's half-finished tally must not be sent
    as today's, nor stored under yesterday's date without the user noticing.
    """
    if dialog.day >= turn.campaign.local_date(turn.now):
        return False
    await drop(turn.session, dialog.user_id)
    turn.say(text("chat.draft_expired", turn.lang, day=fmt_day(dialog.day, year=False)))
    return True


async def begin(
    session: AsyncSession,
    user_id: int,
    kind: str,
    state: str,
    day: date,
    now: datetime,
    token: str | None = None,
) -> Dialog:
    """Starts a new dialog for the user, replacing any earlier one; buttons get a fresh token."""
    await drop(session, user_id)
    dialog = Dialog(
        user_id=user_id,
        kind=kind,
        state=state,
        data={},
        day=day,
        token=token or new_token(),
        updated_at=now,
    )
    session.add(dialog)
    return dialog


def new_token() -> str:
    """Returns a fresh token for a dialog's buttons."""
    return secrets.token_hex(4)


def save(dialog: Dialog, state: str, now: datetime, data: dict[str, Any]) -> None:
    """Moves a dialog to a new state with `data` as its whole data."""
    dialog.state, dialog.data, dialog.updated_at = state, data, now


async def drop(session: AsyncSession, user_id: int) -> None:
    """Ends the user's dialog (a draft is dropped, nothing else is touched)."""
    dialog = await session.get(Dialog, user_id)
    if dialog is not None:
        await session.delete(dialog)
        await session.flush()


def stamp(dialog: Dialog) -> str:
    """Returns the mark of the dialog's current question, carried by the buttons that answer it.

    A button pressed on an older message (another question, or a dropped draft) carries another
    mark and is refused, so "Tất cả" under question 1 can never answer question 5.
    """
    detail = dialog.data.get("question") or dialog.data.get("editing") or ""
    return mark(dialog.token, dialog.state, detail)


def mark(token: str, state: str, detail: object = "") -> str:
    """Returns the mark of one question: the dialog's token, its state and what is asked."""
    return f"{token}:{state}:{detail}"

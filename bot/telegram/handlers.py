"""Thin handlers: an update becomes an Incoming, the conversation answers, replies are sent."""

from __future__ import annotations

import logging
import re
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest, Forbidden, NetworkError
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.chat.router import handle
from bot.chat.types import Incoming, Kind, Reply, Sender, Turn
from bot.telegram.alerts import verdict_check
from bot.telegram.services import ready
from bot.views.status import split_message
from reporting.i18n import text
from reporting.storage.models import ProcessedUpdate

CHANNEL = "telegram"
_COMMAND = re.compile(r"^/([A-Za-z0-9_]+)(?:@\w+)?(?:\s+(.*))?$", re.DOTALL)
log = logging.getLogger(__name__)
Context = ContextTypes.DEFAULT_TYPE


def register(application: Application) -> None:
    """Adds the handlers and the error handler to the application."""
    application.add_handler(MessageHandler(filters.COMMAND, _on_command))
    application.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, _on_text))
    application.add_handler(CallbackQueryHandler(_on_button))
    application.add_handler(MessageHandler(~filters.TEXT & ~filters.StatusUpdate.ALL, _on_other))
    application.add_error_handler(_on_error)


async def _on_command(update: Update, context: Context) -> None:
    """Passes `/command args` to the conversation."""
    assert update.message
    assert update.message.text
    found = _COMMAND.match(update.message.text.strip())
    name, args = (found[1], found[2] or "") if found else (update.message.text[1:], "")
    await _converse(update, context, Incoming(Kind.COMMAND, command=name, args=args))


async def _on_text(update: Update, context: Context) -> None:
    """Passes typed text to the conversation."""
    assert update.message
    assert update.message.text is not None
    await _converse(update, context, Incoming(Kind.TEXT, text=update.message.text[:2000]))


async def _on_button(update: Update, context: Context) -> None:
    """Passes a button press to the conversation and takes the buttons off the pressed message."""
    query = update.callback_query
    assert query is not None
    await query.answer()
    token, _, value = (query.data or "").partition("|")
    try:
        await query.edit_message_reply_markup(reply_markup=None)
    except BadRequest:
        log.debug("buttons already gone from message %s", query.message)
    await _converse(update, context, Incoming(Kind.BUTTON, value=value, token=token))


async def _on_other(update: Update, context: Context) -> None:
    """Answers stickers, photos and the like: what the bot understands (strangers: refusal)."""
    await _converse(update, context, Incoming(Kind.OTHER))


async def _converse(update: Update, context: Context, incoming: Incoming) -> None:
    services = ready(context)
    chat, user = update.effective_chat, update.effective_user
    assert chat is not None
    assert user is not None
    sender = Sender(CHANNEL, str(user.id), str(chat.id), user.full_name, user.language_code)
    async with services.sessions() as session:
        if not await _first_delivery(session, update, services.clock.now()):
            return
        turn = Turn(session, services.campaign, services.clock, sender)
        await handle(turn, incoming)
        await session.commit()  # what the replies announce is stored before they are sent
    for reply in turn.replies:
        await _send(context, chat.id, reply)
    if turn.tally_stored and services.alerts and context.job_queue is not None:
        context.job_queue.run_once(verdict_check, when=0)


async def _first_delivery(session: AsyncSession, update: Update, now: datetime) -> bool:
    """Records the update as processed, in the same transaction as its effects.

    Telegram may deliver an update twice (after a restart, say); the second time the insert
    conflicts and the update is ignored, so nothing is counted twice.
    """
    session.add(
        ProcessedUpdate(channel=CHANNEL, update_id=str(update.update_id), processed_at=now)
    )
    try:
        await session.flush()
    except IntegrityError:
        await session.rollback()
        log.info("update %s was already processed", update.update_id)
        return False
    return True


async def _send(context: Context, chat_id: int, reply: Reply) -> None:
    markup = _keyboard(reply)
    if reply.attachment is not None:
        kind = context.bot.send_photo if reply.attachment.is_photo else context.bot.send_document
        await kind(
            chat_id,
            reply.attachment.data,
            caption=reply.text[:1024] or None,
            filename=reply.attachment.name,
        )
        return
    parts = split_message(reply.text)
    for index, part in enumerate(parts):
        last = index == len(parts) - 1
        await context.bot.send_message(chat_id, part, reply_markup=markup if last else None)


def _keyboard(reply: Reply) -> InlineKeyboardMarkup | None:
    if not reply.choices:
        return None
    buttons = [
        InlineKeyboardButton(c.label, callback_data=f"{reply.token}|{c.value}")
        for c in reply.choices
    ]
    rows = [buttons[i : i + reply.columns] for i in range(0, len(buttons), reply.columns)]
    return InlineKeyboardMarkup(rows)


async def _on_error(update: object, context: Context) -> None:
    """Logs the failure with its update and tells the user, kindly, that nothing was changed."""
    if update is None and isinstance(context.error, NetworkError):
        # Polling could not reach Telegram; python-telegram-bot retries on its own.
        log.warning("Telegram could not be reached: %s", context.error)
        return
    log.error("update %s failed", update, exc_info=context.error)
    if isinstance(context.error, Forbidden):
        return
    if isinstance(update, Update) and update.effective_chat is not None:
        try:
            await context.bot.send_message(update.effective_chat.id, text("chat.error"))
        except Exception:  # the error handler must never raise
            log.exception("could not tell chat %s about the error", update.effective_chat.id)

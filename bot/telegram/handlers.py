"""Telegram updates in: each becomes an Incoming for the pipeline; nothing is sent from here.

The replies go out through the outbox (bot/telegram/transport.py). Only two calls are made
here, both about the pressed button itself, and neither may lose the press when it fails:
the answer to the callback (Telegram refuses it once the press is old, say after a restart)
and taking the buttons off the pressed message.
"""

from __future__ import annotations

import logging

from telegram import Update
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import Application, CallbackQueryHandler, ContextTypes, MessageHandler, filters

from bot.chat.turn import Incoming, Kind, Sender
from bot.chat.typed import command_input, text_input
from bot.logsafe import log_failure
from bot.pipeline import apologise, converse
from bot.telegram.services import ready, redelivery
from bot.telegram.transport import CHANNEL
from reporting.storage.db import retry_reason, unreachable_database

log = logging.getLogger(__name__)
Context = ContextTypes.DEFAULT_TYPE
NEW = filters.UpdateType.MESSAGE  # not edits, not channel posts


def register(application: Application) -> None:
    """Adds the handlers and the error handler to the application."""
    application.add_handler(MessageHandler(NEW & filters.COMMAND, _on_command))
    application.add_handler(MessageHandler(NEW & filters.TEXT & ~filters.COMMAND, _on_text))
    application.add_handler(CallbackQueryHandler(_on_button))
    application.add_handler(MessageHandler(filters.UpdateType.EDITED_MESSAGE, _on_edited))
    application.add_handler(
        MessageHandler(NEW & ~filters.TEXT & ~filters.StatusUpdate.ALL, _on_other)
    )
    application.add_error_handler(_on_error)


async def _on_command(update: Update, context: Context) -> None:
    """Passes `/command args` to the conversation."""
    assert update.message is not None
    await _converse(update, context, command_input(update.message.text or ""))


async def _on_text(update: Update, context: Context) -> None:
    """Passes typed text to the conversation."""
    assert update.message is not None
    await _converse(update, context, text_input(update.message.text or ""))


async def _on_button(update: Update, context: Context) -> None:
    """Passes a button press to the conversation, after settling the pressed message."""
    query = update.callback_query
    assert query is not None
    try:
        await query.answer()
        await query.edit_message_reply_markup(reply_markup=None)
    except TelegramError as error:  # too old to answer, already edited, network: press stands
        log.debug("could not settle button press %s: %s", query.id, error)
    token, _, value = (query.data or "").partition("|")
    await _converse(update, context, Incoming(Kind.BUTTON, value=value, token=token))


async def _on_edited(update: Update, context: Context) -> None:
    """Tells the user that editing a sent message does not change their answer."""
    await _converse(update, context, Incoming(Kind.EDITED))


async def _on_other(update: Update, context: Context) -> None:
    """Answers stickers, photos and the like: what the bot understands (strangers: refusal)."""
    await _converse(update, context, Incoming(Kind.OTHER))


async def _converse(update: Update, context: Context, incoming: Incoming) -> None:
    chat, user = update.effective_chat, update.effective_user
    if chat is None or user is None:
        return  # nobody to answer (a channel post, say)
    private = chat.type == ChatType.PRIVATE
    sender = Sender(
        CHANNEL, str(user.id), str(chat.id), user.full_name, user.language_code, private=private
    )
    await converse(ready(context), sender, incoming, str(update.update_id))


async def _on_error(update: object, context: Context) -> None:
    """Logs the failure and tells the user, kindly, that nothing was changed.

    Handling an update commits once, at its end; an error means that commit never happened,
    so "nothing was changed" is true. Replies are sent by the outbox, never from a handler,
    so a failed send cannot end up here. A webhook's update that failed for a passing reason
    (the database unreachable or its connection lost), or whose apology could not be
    queued, is left to Telegram to deliver again (see `Redelivery`).
    """
    update_id = update.update_id if isinstance(update, Update) else None
    if context.error is not None:
        log_failure(log, f"Telegram update {update_id} failed", context.error)
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    again = redelivery(context)
    if again is None or update.update_id not in again.handling:
        again = None
    if again is not None and context.error is not None and _passing(context.error):
        again.failed.add(update.update_id)
        return
    chat_id = update.effective_chat.id
    try:
        await apologise(ready(context), CHANNEL, str(chat_id))
    except Exception as error:  # the error handler must never raise
        log_failure(log, f"could not tell Telegram chat {chat_id} about the error", error)
        if again is not None:
            again.failed.add(update.update_id)


def _passing(error: BaseException) -> bool:
    """Says whether the failure was the database's, not the update's: it may go next time."""
    return retry_reason(error) is not None or unreachable_database(error) is not None

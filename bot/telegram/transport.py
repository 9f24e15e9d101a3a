"""Outbox rows to Bot API calls: Telegram's limits, buttons and errors live here."""

from __future__ import annotations

from datetime import timedelta
from functools import partial

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError

from bot.outbox import Blocked, Delivery, Parts, Refused, RetryLater, Send, split_text

CHANNEL = "telegram"
SAFE_LIMIT = 4000  # characters a part is filled up to, under Telegram's 4096
CAPTION_LIMIT = 1024  # characters of a photo's or document's caption


class TelegramTransport:
    """Sends outbox rows with a python-telegram-bot Bot; maps its errors for the sender."""

    channel = CHANNEL

    def __init__(self, bot: Bot) -> None:
        self.bot = bot

    async def deliver(self, delivery: Delivery) -> None:
        """Sends one row: text split under 4096 characters, buttons under the last part."""
        parts = Parts(delivery.parts_sent)
        try:
            await parts.send(self._sends(delivery))
        except Forbidden as error:
            raise Blocked(error.message) from error
        except RetryAfter as error:
            after = _seconds(error.retry_after)
            raise RetryLater(error.message, after, parts.sent) from error
        except BadRequest as error:
            raise Refused(error.message, parts.sent) from error
        except NetworkError as error:  # also TimedOut, and PTB's answer to a 5xx
            raise RetryLater(error.message, parts_sent=parts.sent) from error
        except TelegramError as error:  # a conflict, an unknown status: maybe later
            raise RetryLater(error.message, parts_sent=parts.sent) from error

    def _sends(self, delivery: Delivery) -> list[Send]:
        """Returns the row's Bot API calls, in order."""
        chat, texts = delivery.chat_id, split_text(delivery.text, SAFE_LIMIT) or [""]
        if delivery.attachment is None:
            markups = [None] * (len(texts) - 1) + [_keyboard(delivery)]
            return [
                partial(self.bot.send_message, chat, text, reply_markup=markup)
                for text, markup in zip(texts, markups, strict=True)
            ]
        attachment = delivery.attachment
        send = self.bot.send_photo if attachment.is_photo else self.bot.send_document
        fits = len(delivery.text) <= CAPTION_LIMIT
        caption = delivery.text if fits and delivery.text else None
        sends: list[Send] = [
            partial(send, chat, attachment.data, caption=caption, filename=attachment.name)
        ]
        if not fits:  # a caption too long for Telegram follows as its own messages
            sends += [partial(self.bot.send_message, chat, text) for text in texts]
        return sends


def _keyboard(delivery: Delivery) -> InlineKeyboardMarkup | None:
    """Returns the choices as inline buttons, each carrying the mark of its question."""
    if not delivery.choices:
        return None
    buttons = [
        InlineKeyboardButton(c.label, callback_data=f"{delivery.token}|{c.value}")
        for c in delivery.choices
    ]
    columns = max(delivery.columns, 1)
    return InlineKeyboardMarkup(
        [buttons[i : i + columns] for i in range(0, len(buttons), columns)]
    )


def _seconds(retry_after: int | timedelta) -> float:
    return (
        retry_after.total_seconds() if isinstance(retry_after, timedelta) else float(retry_after)
    )

"""Outbox rows to Bot API calls: Telegram's limits, buttons and errors live here."""

from __future__ import annotations

from datetime import timedelta

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError

from bot.outbox import Blocked, Delivery, Refused, RetryLater, split_text

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
        try:
            if delivery.attachment is None:
                await self._send_text(delivery)
            else:
                await self._send_file(delivery)
        except Forbidden as error:
            raise Blocked(error.message) from error
        except RetryAfter as error:
            raise RetryLater(error.message, _seconds(error.retry_after)) from error
        except BadRequest as error:
            raise Refused(error.message) from error
        except NetworkError as error:  # also TimedOut, and PTB's answer to a 5xx
            raise RetryLater(error.message) from error
        except TelegramError as error:  # a conflict, an unknown status: maybe later
            raise RetryLater(error.message) from error

    async def _send_text(self, delivery: Delivery) -> None:
        parts = split_text(delivery.text, SAFE_LIMIT)
        for index, part in enumerate(parts):
            last = index == len(parts) - 1
            markup = _keyboard(delivery) if last else None
            await self.bot.send_message(delivery.chat_id, part, reply_markup=markup)

    async def _send_file(self, delivery: Delivery) -> None:
        attachment = delivery.attachment
        assert attachment is not None
        send = self.bot.send_photo if attachment.is_photo else self.bot.send_document
        fits = len(delivery.text) <= CAPTION_LIMIT
        caption = delivery.text if fits else None
        await send(
            delivery.chat_id, attachment.data, caption=caption or None, filename=attachment.name
        )
        if not fits:  # a caption too long for Telegram follows as its own message
            for part in split_text(delivery.text, SAFE_LIMIT):
                await self.bot.send_message(delivery.chat_id, part)


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

"""Outbox rows to Zalo Bot API calls: Zalo's 2000-character limit, numbered choices, errors.

Zalo has no buttons. A row's choices are written under its text as a numbered list, and the
dialogs take the number or the label typed back. A row offering a single choice is the
exception: it sits beside a free answer ("0" beside the count of invalid forms, "Tất cả (45)"
beside a count, "Bỏ qua" beside a note), where a typed "1" is a count or a note, never the
first choice, so that choice is shown as a label to type and gets no number.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from functools import partial

from aiolimiter import AsyncLimiter

from bot.chat.turn import Choice
from bot.outbox import Blocked, Delivery, Parts, Refused, RetryLater, Send, split_text
from bot.zalo.client import (
    TEXT_LIMIT,
    ZaloClient,
    ZaloError,
    ZaloForbidden,
    ZaloRateLimited,
    ZaloUnauthorized,
    ZaloUnavailable,
)

CHANNEL = "zalo"
ONE_LINE = 36  # characters of a choice list kept on one line: about a phone screen's width
SEPARATOR = "   "  # between choices on one line; plain spaces survive every Zalo client
MediaUrl = Callable[[Delivery], Awaitable[str]]  # a row's attachment → a public address


class ZaloTransport:
    """Sends outbox rows with a ZaloClient; pictures and files go out by public address."""

    channel = CHANNEL

    def __init__(
        self, client: ZaloClient, media_url: MediaUrl, max_rate: float | None = None
    ) -> None:
        self.client = client
        self.media_url = media_url
        # Zalo publishes no limit: at most `max_rate` calls a second, evenly spaced.
        self._pace = None if max_rate is None else AsyncLimiter(1, 1 / max_rate)

    async def deliver(self, delivery: Delivery) -> None:
        """Sends one row: text in parts of 2000 characters, the choices under the last part."""
        parts = Parts(delivery.parts_sent)
        try:
            await parts.send([self._paced(send) for send in await self._sends(delivery)])
        except ZaloForbidden as error:
            raise Blocked(error.description) from error
        except ZaloRateLimited as error:
            raise RetryLater(error.description, error.retry_after, parts.sent) from error
        except ZaloUnavailable as error:
            raise RetryLater(error.description, parts_sent=parts.sent) from error
        except ZaloUnauthorized as error:  # the operator's mistake: the rows wait for a fix
            raise RetryLater(error.description, parts_sent=parts.sent) from error
        except ZaloError as error:
            raise Refused(error.description, parts.sent) from error

    async def _sends(self, delivery: Delivery) -> list[Send]:
        """Returns the row's API calls, in order (a picture or a file first gets its address)."""
        chat = delivery.chat_id
        if delivery.attachment is None:
            return self._texts(chat, message_parts(delivery))
        url = await self.media_url(delivery)
        if not delivery.attachment.is_photo:  # a file (the XLSX export): its address as text
            linked = f"{delivery.text}\n{url}" if delivery.text else url
            return self._texts(chat, split_text(linked, TEXT_LIMIT))
        parts = message_parts(delivery)
        caption = parts[0] if len(parts) == 1 else ""  # else the text follows the picture
        photo: list[Send] = [partial(self.client.send_photo, chat, url, caption)]
        return photo + ([] if caption else self._texts(chat, parts))

    def _paced(self, send: Send) -> Send:
        """Returns the call made only when the overall rate allows it."""
        if self._pace is None:
            return send
        pace = self._pace

        async def paced() -> object:
            async with pace:
                return await send()

        return paced

    def _texts(self, chat_id: str, parts: Sequence[str]) -> list[Send]:
        return [partial(self.client.send_message, chat_id, part) for part in parts]


def message_parts(delivery: Delivery, limit: int = TEXT_LIMIT) -> list[str]:
    """Returns the row's text in parts of at most `limit` characters, the choices on the last."""
    parts = split_text(delivery.text, limit)
    if not delivery.choices:
        return parts
    offered = choice_list(delivery.choices)
    if parts and len(parts[-1]) + 2 + len(offered) <= limit:
        parts[-1] = f"{parts[-1]}\n\n{offered}"
        return parts
    return parts + split_text(offered, limit)


def choice_list(choices: Sequence[Choice]) -> str:
    """Returns the choices as the user reads them: "1. Gửi   2. Sửa   3. Hủy", or one a line.

    A single choice is a label to type, not a number (see the module's docstring).
    """
    if len(choices) == 1:
        return f"» {choices[0].label}"
    numbered = [f"{number}. {choice.label}" for number, choice in enumerate(choices, start=1)]
    one_line = SEPARATOR.join(numbered)
    return one_line if len(one_line) <= ONE_LINE else "\n".join(numbered)

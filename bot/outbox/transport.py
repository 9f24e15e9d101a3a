"""What a channel adapter must do with an outbox row, and how it says the send went wrong."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from bot.chat.turn import Attachment, Choice
from reporting.storage.models import OutboxKind


@dataclass(frozen=True, slots=True)
class Delivery:
    """One outbox row, as a channel adapter needs it to make its API calls."""

    row_id: int
    chat_id: str
    kind: OutboxKind
    text: str
    choices: tuple[Choice, ...] = ()
    token: str = ""
    columns: int = 2
    attachment: Attachment | None = None
    parts_sent: int = 0  # the row's parts (API calls) an earlier attempt already delivered
    media_id: int | None = None  # the stored attachment, for channels that link to it


Send = Callable[[], Awaitable[object]]  # one API call of a row's delivery


class RetryLater(Exception):
    """The channel could not take the message now (flood limit, 5xx, network); try again.

    `after` is the wait the channel asked for (a flood limit's retry_after), if it asked;
    `parts_sent` how many of the row's parts have now been delivered (the retry skips them).
    """

    def __init__(self, reason: str, after: float | None = None, parts_sent: int = 0) -> None:
        super().__init__(reason)
        self.reason = reason[:200]
        self.after = after
        self.parts_sent = parts_sent


class Refused(Exception):
    """The channel refused the message for good (a 400): sending it again cannot help."""

    def __init__(self, reason: str, parts_sent: int = 0) -> None:
        super().__init__(reason)
        self.reason = reason[:200]
        self.parts_sent = parts_sent


class Blocked(Exception):
    """The person blocked the bot: nothing reaches them until they write again."""


class Transport(Protocol):
    """A channel's outbound half: turns one outbox row into that channel's API calls."""

    channel: str

    async def deliver(self, delivery: Delivery) -> None:
        """Sends the row's message, or raises RetryLater, Refused or Blocked."""
        ...


class Parts:
    """A row's API calls, made in order from the first one not yet delivered.

    A message too long for one call goes out in parts; when a part fails, the adapter tells
    the sender how many got through (`sent`), so that a retry sends only the rest.
    """

    def __init__(self, already: int) -> None:
        self.sent = already

    async def send(self, sends: Sequence[Send]) -> None:
        """Makes the calls not yet made, counting each that succeeds."""
        for send in sends[self.sent :]:
            await send()
            self.sent += 1


def split_text(message: str, limit: int) -> list[str]:
    """Splits a long message at line breaks into parts of at most `limit` characters.

    A line longer than the limit is cut where it must be; the parts keep their order.
    """
    parts: list[str] = []
    current = ""
    for line in message.split("\n"):
        while len(line) > limit:
            parts.extend([current] if current else [])
            parts.append(line[:limit])
            current, line = "", line[limit:]
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            parts.append(current)
            candidate = line
        current = candidate
    if current:
        parts.append(current)
    return parts

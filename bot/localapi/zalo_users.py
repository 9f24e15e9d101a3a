"""Fake Zalo users and what the local Zalo server keeps for them: chats, inboxes, the updates."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.localapi.store import TranscriptEvent, wait_for_change

JsonDict = dict[str, Any]
TEXT_EVENT = "message.text.received"
IMAGE_EVENT = "message.image.received"
STICKER_EVENT = "message.sticker.received"
UNSUPPORTED_EVENT = "message.unsupported.received"


def zalo_id(number: int) -> str:
    """Returns a Zalo-looking id (20 hex digits) for a serial number."""
    return f"{number:020x}"


@dataclass(frozen=True)
class ZaloBotMessage:
    """A message the bot sent to a user: its text (or caption), and a photo's address and bytes."""

    message_id: str
    text: str
    photo_url: str | None = None
    photo: bytes | None = None

    @property
    def kind(self) -> str:
        """Returns "photo" or "text"."""
        return "photo" if self.photo_url is not None else "text"


@dataclass
class ZaloChat:
    """The private chat between the bot and one person."""

    user_id: str
    display_name: str
    blocked: bool = False
    inbox: list[ZaloBotMessage] = field(default_factory=list)
    actions: list[str] = field(default_factory=list)
    changed: asyncio.Event = field(default_factory=asyncio.Event)

    def notify(self) -> None:
        """Wakes everyone waiting for a change in this chat."""
        self.changed.set()
        self.changed = asyncio.Event()


class ZaloUpdateQueue:
    """Updates not yet handed out; each leaves the queue once, to one poll or the webhook."""

    def __init__(self) -> None:
        self._pending: list[JsonDict] = []
        self._arrived = asyncio.Event()
        self.closed = False

    def __len__(self) -> int:
        return len(self._pending)

    def push(self, update: JsonDict) -> None:
        """Appends an update (`{"event_name", "message"}`) and wakes whoever waits for one."""
        self._pending.append(update)
        self._wake()

    def give_back(self, update: JsonDict) -> None:
        """Puts an update taken but not handed out back at the head of the queue."""
        self._pending.insert(0, update)
        self._wake()

    def close(self) -> None:
        """Makes every waiting and future wait return at once."""
        self.closed = True
        self._wake()

    async def take(self, wait: float) -> JsonDict | None:
        """Returns the oldest update, removed, waiting up to `wait` seconds; None if none came."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(wait):
                while not (self._pending or self.closed):
                    await self._arrived.wait()
        return self._pending.pop(0) if self._pending else None

    def _wake(self) -> None:
        self._arrived.set()
        self._arrived = asyncio.Event()


@dataclass
class ZaloStore:
    """Everything the local Zalo server knows; shared by the HTTP side and the fake users."""

    clock: Callable[[], datetime]
    chats: dict[str, ZaloChat] = field(default_factory=dict)
    updates: ZaloUpdateQueue = field(default_factory=ZaloUpdateQueue)
    transcript: list[TranscriptEvent] = field(default_factory=list)
    requests: Counter[str] = field(default_factory=Counter)
    serials: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def now_ms(self) -> int:
        """Returns the current (possibly simulated) time in epoch milliseconds, as Zalo dates."""
        return int(self.clock().timestamp() * 1000)

    def next_id(self) -> str:
        """Returns a fresh message id."""
        return zalo_id(next(self.serials))

    def log(self, chat: ZaloChat, direction: str, kind: str, text: str) -> None:
        """Appends an event to the transcript."""
        event = TranscriptEvent(
            self.clock(), chat.user_id, chat.display_name, direction, kind, text
        )
        self.transcript.append(event)


class ZaloFakeUser:
    """A person writing to the bot on Zalo; replies are counted from their latest message."""

    def __init__(self, store: ZaloStore, chat: ZaloChat) -> None:
        self._store = store
        self._chat = chat
        self._mark = 0  # inbox length at the latest message

    @property
    def user_id(self) -> str:
        """Returns the person's Zalo id (also their chat's id)."""
        return self._chat.user_id

    @property
    def display_name(self) -> str:
        """Returns the name Zalo shows for the person."""
        return self._chat.display_name

    @property
    def inbox(self) -> list[ZaloBotMessage]:
        """Returns everything the bot sent to this person, in order."""
        return list(self._chat.inbox)

    @property
    def replies(self) -> list[ZaloBotMessage]:
        """Returns the messages the bot sent since the person's latest message."""
        return self._chat.inbox[self._mark :]

    @property
    def actions(self) -> list[str]:
        """Returns the chat actions ("typing") the bot showed this person, in order."""
        return list(self._chat.actions)

    async def send(self, text: str) -> JsonDict:
        """Writes a text message to the bot; returns the update as Zalo delivers it."""
        kind = "command" if text.startswith("/") else "text"
        return self._post(TEXT_EVENT, kind, text, {"text": text})

    async def send_sticker(self, sticker: str = "bfe458bf64fa8da4d4eb") -> JsonDict:
        """Sends a sticker to the bot; returns the update."""
        url = f"https://zalo-api.zadn.vn/api/emoticon/sticker/webpc?eid={sticker}"
        return self._post(STICKER_EVENT, "sticker", sticker, {"sticker": sticker, "url": url})

    async def send_image(self, photo_url: str, caption: str = "") -> JsonDict:
        """Sends a picture (by its address) to the bot; returns the update."""
        body = {"photo_url": photo_url} | ({"caption": caption} if caption else {})
        return self._post(IMAGE_EVENT, "photo", caption or photo_url, body)

    async def wait_for_reply(
        self,
        count: int = 1,
        timeout: float = 5.0,  # noqa: ASYNC109 - a plain deadline reads best in tests
    ) -> list[ZaloBotMessage]:
        """Waits until the bot sent count messages since the latest one; returns them all."""
        await self.wait_until(lambda: len(self.replies) >= count, timeout, f"{count} replies")
        return self.replies

    async def wait_until(
        self,
        predicate: Callable[[], bool],
        timeout: float = 5.0,  # noqa: ASYNC109
        what: str = "a change",
    ) -> None:
        """Waits until predicate holds, re-checking whenever the bot changes this chat."""

        def failure() -> str:
            seen = [m.text[:60] for m in self.replies]
            return f"{self.display_name} waited {timeout:g} s for {what}; got since: {seen}"

        await wait_for_change(lambda: self._chat.changed, predicate, timeout, failure)

    def _post(self, event_name: str, kind: str, shown: str, body: JsonDict) -> JsonDict:
        chat = self._chat
        chat.blocked = False  # writing to the bot again unblocks it
        self._mark = len(chat.inbox)
        sender = {"id": chat.user_id, "display_name": chat.display_name, "is_bot": False}
        message: JsonDict = {"message_id": self._store.next_id(), "date": self._store.now_ms()}
        message |= {"chat": {"id": chat.user_id, "chat_type": "PRIVATE"}, "from": sender}
        update = {"event_name": event_name, "message": message | body}
        self._store.log(chat, "in", kind, shown)
        self._store.updates.push(update)
        return update

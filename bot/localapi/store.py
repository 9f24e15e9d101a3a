"""State behind the local Bot API server: chats, files, pending updates, commands, transcript."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import mimetypes
import struct
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.localapi.users import BotMessage, CallbackAnswer

JsonDict = dict[str, Any]
CONFLICT = (
    "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running"
)


class ApiError(Exception):
    """A Bot API error reply: HTTP status, description and, for 429, retry_after."""

    def __init__(self, status: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.retry_after = retry_after

    def payload(self) -> JsonDict:
        """Returns the JSON body Telegram sends with this error."""
        body: JsonDict = {"ok": False, "error_code": self.status, "description": self.description}
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


def bad_request(reason: str) -> ApiError:
    """Returns a 400 error with Telegram's "Bad Request: " prefix."""
    return ApiError(400, f"Bad Request: {reason}")


def utf16_len(text: str) -> int:
    """Returns the length of text in UTF-16 code units, the unit of Telegram's offsets."""
    return len(text.encode("utf-16-le")) // 2


@dataclass
class StoredFile:
    """A file the bot uploaded, kept with its bytes."""

    file_id: str
    file_unique_id: str
    data: bytes
    file_name: str | None
    mime_type: str
    width: int = 0
    height: int = 0

    def document(self) -> JsonDict:
        """Returns the Document object for this file."""
        doc: JsonDict = {"file_id": self.file_id, "file_unique_id": self.file_unique_id}
        if self.file_name:
            doc["file_name"] = self.file_name
        return doc | {"mime_type": self.mime_type, "file_size": len(self.data)}

    def photo_sizes(self) -> list[JsonDict]:
        """Returns the PhotoSize list Telegram would make: thumbnails first, the largest last."""
        longest = max(self.width, self.height)
        limits = [n for n in (90, 320, 800) if n < longest] + [min(longest, 1280)]
        return [self._size(i, limit / longest) for i, limit in enumerate(limits)]

    def _size(self, index: int, scale: float) -> JsonDict:
        return {
            "file_id": f"{self.file_id}_{index}",
            "file_unique_id": f"{self.file_unique_id}{index}",
            "width": max(1, round(self.width * scale)),
            "height": max(1, round(self.height * scale)),
            "file_size": max(1, round(len(self.data) * scale * scale)),
        }


def image_size(data: bytes) -> tuple[int, int] | None:
    """Returns (width, height) of PNG or JPEG bytes, or None for anything else."""
    if data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return (width, height) if width and height else None
    return _jpeg_size(data) if data.startswith(b"\xff\xd8") else None


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    pos = 2
    while pos + 9 < len(data) and data[pos] == 0xFF:
        marker, length = data[pos + 1], struct.unpack(">H", data[pos + 2 : pos + 4])[0]
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height, width = struct.unpack(">HH", data[pos + 5 : pos + 9])
            return (width, height) if width and height else None
        pos += 2 + length
    return None


class FileStore:
    """Uploaded files by file_id."""

    def __init__(self) -> None:
        self._by_id: dict[str, StoredFile] = {}
        self._numbers = itertools.count(1)

    def add(self, data: bytes, name: str | None, mime_type: str | None, kind: str) -> StoredFile:
        """Stores bytes as a new "photo" or "document" and returns it; checks photos decode."""
        if not data:
            raise bad_request("file must be non-empty")
        size = image_size(data) if kind == "photo" else (0, 0)
        if size is None:
            raise bad_request("IMAGE_PROCESS_FAILED")
        n = next(self._numbers)
        mime = mimetypes.guess_type(name or "")[0] or mime_type or "application/octet-stream"
        stored = StoredFile(f"{kind[:3].upper()}AAQ{n:08d}", f"U{n:06d}", data, name, mime, *size)
        self._by_id[stored.file_id] = stored
        return stored

    def get(self, file_id: str) -> StoredFile | None:
        """Returns the file a file_id (or one of its photo sizes' ids) names."""
        return self._by_id.get(file_id) or self._by_id.get(file_id.rpartition("_")[0])


@dataclass(frozen=True)
class TranscriptEvent:
    """One line of the conversation log: when, who, which way, what."""

    at: datetime
    user_id: int | str  # Telegram's ids are numbers, Zalo's strings
    who: str
    direction: str  # "in": user to bot, "out": bot to user
    kind: str
    text: str
    # When it was logged, in real time: orders the events of two servers that share one clock.
    logged: int = field(default_factory=time.monotonic_ns, compare=False, repr=False)

    def line(self, tz: tzinfo | None = None, channel: str = "") -> str:
        """Returns the event as one readable transcript line, its time shown in tz if given,
        marked with its channel ("[Zalo]") if given."""
        at = self.at.astimezone(tz) if tz else self.at
        arrow = "→ bot" if self.direction == "in" else "← bot"
        mark = f" [{channel}]" if channel else ""
        return f"[{at:%Y-%m-%d %H:%M:%S}]{mark} {self.who} {arrow} ({self.kind}): {self.text}"


@dataclass
class Chat:
    """A private chat between the bot and one user, or one member's view of a group chat."""

    user: JsonDict
    group: JsonDict | None = None  # the group's Chat object, for a member writing in a group
    started: bool = False
    blocked: bool = False
    last_id: int = 0
    messages: dict[int, JsonDict] = field(default_factory=dict)
    inbox: list[BotMessage] = field(default_factory=list)
    answers: list[CallbackAnswer] = field(default_factory=list)
    actions: list[str] = field(default_factory=list)
    edited: list[int] = field(default_factory=list)
    keyboard_from: int | None = None  # the message whose reply keyboard is showing
    changed: asyncio.Event = field(default_factory=asyncio.Event)

    def next_id(self) -> int:
        """Returns the next message_id in this chat."""
        self.last_id += 1
        return self.last_id

    def as_chat(self) -> JsonDict:
        """Returns the Chat object of this chat: the group's, or the private chat's."""
        if self.group is not None:
            return self.group
        names = {
            k: self.user[k] for k in ("first_name", "last_name", "username") if k in self.user
        }
        return {"id": self.user["id"], "type": "private"} | names

    def notify(self) -> None:
        """Wakes everyone waiting for a change in this chat."""
        self.changed.set()
        self.changed = asyncio.Event()

    def bot_message(self, message_id: int) -> BotMessage | None:
        """Returns the bot's message with this id, unless deleted."""
        found = (m for m in self.inbox if m.message_id == message_id and not m.deleted)
        return next(found, None)


class UpdateQueue:
    """Pending updates, numbered, handed out by long-polling getUpdates."""

    def __init__(self) -> None:
        self._pending: list[JsonDict] = []
        self._ids = itertools.count(1)
        self._arrived = asyncio.Event()
        self._poll = 0
        self.allowed: frozenset[str] = frozenset()
        self.closed = False
        # Says whether a confirmed update is handed out once more, as after a lost confirmation.
        self.repeat: Callable[[int], bool] | None = None
        self._again: list[JsonDict] = []

    def __len__(self) -> int:
        return len(self._pending)

    def push(self, kind: str, payload: JsonDict) -> int:
        """Appends an update of this kind and wakes a waiting poll; returns its update_id."""
        update_id = next(self._ids)
        self._pending.append({"update_id": update_id, kind: payload})
        self._wake()
        return update_id

    def confirm(self, offset: int) -> None:
        """Forgets updates below offset (or all but the last -offset when negative)."""
        if offset < 0:
            self._pending = self._pending[offset:]
        elif offset:
            gone = [u for u in self._pending if u["update_id"] < offset]
            self._pending = [u for u in self._pending if u["update_id"] >= offset]
            repeat = self.repeat
            self._again += [u for u in gone if repeat is not None and repeat(u["update_id"])]

    def drop_all(self) -> None:
        """Forgets every pending update."""
        self._pending.clear()

    def remove(self, update_id: int) -> None:
        """Forgets one update: the webhook answered it."""
        self._pending = [u for u in self._pending if u["update_id"] != update_id]

    async def waiting(self, wait: float) -> list[JsonDict]:
        """Returns every pending update (of the allowed kinds), oldest first, waiting up to
        wait seconds for one to arrive when there is none; they all stay pending."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(wait):
                while not (self._ready(1) or self.closed):
                    await self._arrived.wait()
        return self._ready(len(self._pending))

    async def first(self, wait: float) -> JsonDict | None:
        """Returns the oldest pending update, waiting up to wait seconds; None if none came.

        It stays pending: the webhook removes it only once its call was answered.
        """
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(wait):
                while not (self._ready(1) or self.closed):
                    await self._arrived.wait()
        ready = self._ready(1)
        return ready[0] if ready else None

    def close(self) -> None:
        """Makes every waiting and future poll return at once."""
        self.closed = True
        self._wake()

    async def fetch(self, offset: int, limit: int, wait: float) -> list[JsonDict]:
        """Returns up to limit updates from offset on, waiting up to wait seconds for one."""
        self.confirm(offset)
        self._poll += 1
        poll = self._poll
        self._wake()  # an older poll still waiting learns that it was superseded
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(wait):
                while not (self._again or self._ready(limit) or self.closed):
                    await self._arrived.wait()
                    if poll != self._poll:
                        raise ApiError(409, CONFLICT)
        again, self._again = self._again[:limit], self._again[limit:]
        return again + self._ready(limit - len(again))

    def _ready(self, limit: int) -> list[JsonDict]:
        kinds = self.allowed
        ready = [u for u in self._pending if not kinds or kinds.intersection(u)]
        return ready[:limit]

    def _wake(self) -> None:
        self._arrived.set()
        self._arrived = asyncio.Event()


def scope_key(scope: JsonDict | None) -> str:
    """Returns a canonical key for a BotCommandScope (default when None)."""
    scope = dict(scope or {"type": "default"})
    if "chat_id" in scope:
        with contextlib.suppress(ValueError):
            scope["chat_id"] = int(scope["chat_id"])
    return json.dumps(scope, sort_keys=True)


@dataclass
class Store:
    """Everything the server knows; shared by the HTTP side and the fake users."""

    bot_user: JsonDict
    clock: Callable[[], datetime]
    chats: dict[int, Chat] = field(default_factory=dict)
    files: FileStore = field(default_factory=FileStore)
    updates: UpdateQueue = field(default_factory=UpdateQueue)
    commands: dict[tuple[str, str], list[JsonDict]] = field(default_factory=dict)
    queries: dict[str, int] = field(default_factory=dict)  # open callback query id → user id
    query_ids: Iterator[int] = field(default_factory=lambda: itertools.count(4_100_000_000_001))
    transcript: list[TranscriptEvent] = field(default_factory=list)
    requests: Counter[str] = field(default_factory=Counter)

    def now(self) -> int:
        """Returns the current (possibly simulated) time as Unix seconds."""
        return int(self.clock().timestamp())

    def log(self, chat: Chat, direction: str, kind: str, text: str) -> None:
        """Appends an event to the transcript."""
        who = str(chat.user["first_name"])
        event = TranscriptEvent(self.clock(), chat.user["id"], who, direction, kind, text)
        self.transcript.append(event)

    def commands_for(self, user_id: int, language_code: str) -> list[JsonDict]:
        """Returns the command menu of a private chat, resolved scope by scope as Telegram does."""
        scopes: list[JsonDict | None] = [{"type": "chat", "chat_id": user_id}]
        scopes += [{"type": "all_private_chats"}, None]
        for scope in scopes:
            for language in dict.fromkeys((language_code, "")):
                if found := self.commands.get((scope_key(scope), language)):
                    return found
        return []


async def wait_for_change(
    changes: Callable[[], asyncio.Event],
    predicate: Callable[[], bool],
    timeout: float,  # noqa: ASYNC109 - a plain deadline reads best in tests
    failure: Callable[[], str],
) -> None:
    """Waits until predicate holds, re-checking whenever the chat's change event fires.

    `changes` returns the chat's current event (a chat replaces it each time it changes);
    on timeout the error says `failure()`.
    """
    try:
        async with asyncio.timeout(timeout):
            while not predicate():
                await changes().wait()
    except TimeoutError:
        raise TimeoutError(failure()) from None

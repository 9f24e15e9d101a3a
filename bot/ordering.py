"""Inputs from different chats are handled at once; each chat's inputs still one by one."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import TypeVar

T = TypeVar("T")


class ChatTurns:
    """Lets work of different chats run together, and a chat's own work in arrival order.

    While one input waits for the database or the network, another chat's input goes on; a
    chat's own messages keep their order, so a tally's answers never overtake each other.
    """

    def __init__(self) -> None:
        self._locks: dict[str, asyncio.Lock] = {}
        self._waiting: dict[str, int] = {}

    async def run(self, chat: str, work: Awaitable[T]) -> T:
        """Awaits `work` once no earlier work of its chat is running; returns its result."""
        lock = self._locks.setdefault(chat, asyncio.Lock())
        self._waiting[chat] = self._waiting.get(chat, 0) + 1
        try:
            async with lock:
                return await work
        finally:
            self._waiting[chat] -= 1
            if not self._waiting[chat]:  # forget idle chats, so memory does not grow
                del self._waiting[chat], self._locks[chat]

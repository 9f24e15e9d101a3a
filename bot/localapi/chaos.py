"""Random faults for the local Bot API server: failed sends and updates delivered twice.

A test sets `LocalBotApi.chaos` to a `Chaos` with a seeded `random.Random`, so that a failing
run can be replayed; the counters say what was injected.
"""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass, field

from bot.localapi.store import ApiError

SENDS = frozenset({"sendmessage", "sendphoto", "senddocument"})
# What a faulty call meets, with its weight: an error answer, a connection dropped before the
# call takes effect, or an answer that comes only after the client gave up (the call took
# effect: the person sees the message, the bot cannot know).
KINDS = {"500": 4, "429": 2, "drop": 3, "timeout": 1}
TIMEOUT = 6.0  # seconds a "timeout" answer waits: past python-telegram-bot's 5 s read timeout


@dataclass
class Chaos:
    """Decides, call by call and update by update, what goes wrong; counts what it did."""

    rng: random.Random
    fault_rate: float = 0.10
    duplicate_rate: float = 0.05
    methods: Collection[str] = SENDS
    kinds: dict[str, int] = field(default_factory=lambda: dict(KINDS))
    late_by: float = TIMEOUT
    max_timeouts: int = 5  # each one stalls a sender run for seconds: a few are enough
    injected: Counter[str] = field(default_factory=Counter)
    duplicated: list[int] = field(default_factory=list)  # update ids delivered twice
    active: bool = True

    def fault(self, method: str) -> str | None:
        """Returns the fault this call of method meets ("500", "429", "drop", "timeout")."""
        if not self.active or method.lower() not in self.methods:
            return None
        if self.rng.random() >= self.fault_rate:
            return None
        kinds = dict(self.kinds)
        if self.injected["timeout"] >= self.max_timeouts:
            kinds.pop("timeout", None)
        kind = self.rng.choices(list(kinds), weights=list(kinds.values()))[0]
        self.injected[kind] += 1
        return kind

    def error(self, kind: str) -> ApiError:
        """Returns the error answer of an injected "500" or "429"."""
        if kind == "429":
            return ApiError(429, "Too Many Requests: retry after 1", retry_after=1)
        return ApiError(500, "Internal Server Error")

    async def stall(self) -> None:
        """Waits past the client's read timeout."""
        await asyncio.sleep(self.late_by)

    def repeat(self, update_id: int) -> bool:
        """Says whether an update just confirmed is delivered once more (a lost confirmation)."""
        if not self.active or self.rng.random() >= self.duplicate_rate:
            return False
        self.duplicated.append(update_id)
        return True

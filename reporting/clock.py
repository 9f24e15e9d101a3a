"""The one source of "now": the real clock in production, a simulated one in tests and the demo."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    """Anything that tells the current aware moment."""

    def now(self) -> datetime:
        """Returns the current moment, timezone-aware."""
        ...


class SystemClock:
    """The real time, in UTC."""

    def now(self) -> datetime:
        """Returns the real current moment in UTC."""
        return datetime.now(UTC)


class SimulatedClock:
    """A clock that stands still until moved; the demo and the tests move it."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("a simulated clock needs an aware start")
        self._now = start

    def now(self) -> datetime:
        """Returns the simulated moment."""
        return self._now

    def set(self, moment: datetime) -> None:
        """Moves the clock to a moment (forward or back)."""
        self._now = moment

    def advance(self, delta: timedelta) -> None:
        """Moves the clock forward by `delta`."""
        self._now += delta

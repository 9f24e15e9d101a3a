"""What the channel-neutral bot needs while it runs: clock, sessions, campaign and senders."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from bot.logsafe import log_failure
from bot.outbox import OutboxSender
from reporting.campaign import Campaign
from reporting.clock import Clock
from reporting.storage.db import TakingTurns

log = logging.getLogger(__name__)
Work = Callable[[], Awaitable[object]]
Schedule = Callable[[Work], None]  # runs work soon


@dataclass(slots=True)
class Core:
    """The running bot, whatever its channels: one per process, built when it starts."""

    clock: Clock
    sessions: TakingTurns
    campaign: Campaign
    # How work asked for with `soon` is run; None: as a task of its own, right away. The
    # in-process client passes its own, to run such work at moments a test chooses.
    schedule: Schedule | None = None
    alerts: bool = True  # False: alerts are checked only when the demo or a test asks
    senders: dict[str, OutboxSender] = field(default_factory=dict)
    # One evaluation at a time: two at once could both see a verdict as new.
    evaluating: asyncio.Lock = field(default_factory=asyncio.Lock)
    # An evaluation is asked for and has not begun to read: a tally stored meanwhile needs
    # no other one (a burst of tallies costs one or two evaluations, not one each).
    evaluation_asked: bool = False
    _running: set[asyncio.Future[object]] = field(default_factory=set)
    _closed: bool = False

    def soon(self, work: Work) -> None:
        """Has the runtime run work soon, unless the bot is stopping (the work would be cut)."""
        if self._closed:
            return
        if self.schedule is not None:
            self.schedule(work)
        else:
            self._start(work).add_done_callback(_log_failure)

    def deliver_soon(self, channel: str) -> None:
        """Asks the channel's sender to deliver what is due, unless a run is already asked."""
        sender = self.senders.get(channel)
        if sender is not None and not sender.scheduled and not self._closed:
            sender.scheduled = True
            self.soon(sender.deliver_due)

    def deliver_all_soon(self) -> None:
        """Asks every channel's sender to deliver what is due."""
        for channel in self.senders:
            self.deliver_soon(channel)

    async def deliver_now(self) -> int:
        """Delivers what is due on every channel and waits for it; returns how many were sent."""
        return sum([await sender.deliver_due() for sender in self.senders.values()])

    async def run(self, work: Work) -> None:
        """Runs work to its end even if the caller is cancelled, as jobs are at shutdown.

        A delivery cut off between the send and its record would be sent again, and a
        connection cut off mid-query is never closed; `settle` waits for such work instead.
        """
        await asyncio.shield(self._start(work))

    def _start(self, work: Work) -> asyncio.Future[object]:
        """Starts work as a task that `settle` waits for."""
        task = asyncio.ensure_future(work())
        self._running.add(task)
        task.add_done_callback(self._running.discard)
        return task

    async def settle(self) -> None:
        """Waits until every piece of work started with `run` has ended."""
        await asyncio.gather(*self._running, return_exceptions=True)

    async def close(self) -> None:
        """Takes no more work and waits for the work under way: the bot is stopping.

        What is not done yet stays in the database (pending outbox rows, alerts not claimed)
        for the next start.
        """
        self._closed = True
        for sender in self.senders.values():
            sender.stopping = True
        await self.settle()


def _log_failure(task: asyncio.Future[object]) -> None:
    """Logs the failure of work nobody awaits (a delivery, an alert check)."""
    if not task.cancelled() and task.exception() is not None:
        error = task.exception()
        assert error is not None
        log_failure(log, "background work failed", error)

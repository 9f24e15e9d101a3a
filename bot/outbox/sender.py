"""Delivering one channel's outbox: each chat's rows in order, retried until their deadline.

A row leaves `pending` only when the channel took it (sent), refused it for good (failed),
when its person blocked the bot (blocked) or when its deadline passed (expired). Flood
limits, 5xx answers and network errors leave it pending with a later attempt, backing off
1, 2, 4 … up to a minute, so an outage of any length is waited out until the deadline.
Each row's ending is stored as soon as it is known; nothing here holds a database session
while a message is on its way.

Several processes on PostgreSQL: a sender first claims the rows it is about to send, so one
chat's rows are delivered by one process at a time, in order, and no row by two (see
`bot.outbox.claims`). One process on SQLite claims nothing.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import BindParameter, ColumnElement, Select, bindparam, exists, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from bot.chat.turn import Attachment, Choice
from bot.logsafe import log_failure
from bot.outbox.claims import CLAIM_LEASE, claim, claimed, free_orphans, new_claimant, release
from bot.outbox.record import BLOCKED, Outcome, Recorder
from bot.outbox.transport import Blocked, Delivery, Refused, RetryLater, Transport
from reporting.alerts import in_quiet_hours
from reporting.campaign import Campaign
from reporting.clock import Clock
from reporting.storage.db import TakingTurns, lock_for_transaction, retry_locked
from reporting.storage.models import Media, OutboxKind, OutboxMessage, OutboxState

log = logging.getLogger(__name__)
BATCH = 200  # rows read at a time
# Alerts read at a time: about a second's worth at Telegram's 30 a second, so that replies
# written during a broadcast wait for at most that long.
ALERT_BATCH = 32
CONCURRENT_CHATS = 16  # chats being written to at once
SPACING_MEMORY = 10_000  # chats remembered for alert spacing before the old ones are dropped
MAX_BACKOFF = 60.0  # seconds between two attempts at most
MIN_WAIT = 1.0  # even when the channel says "retry after 0": no busy loop
ATTACHMENT_GONE = "the attachment is gone"
# Seconds one message may take to send, well past the HTTP client's own timeouts (5 s to read,
# 20 s to upload a file): a send that never ends must not hold up every other chat for good.
SEND_DEADLINE = {OutboxKind.TEXT: 30.0, OutboxKind.PHOTO: 120.0, OutboxKind.DOCUMENT: 120.0}


@dataclass(frozen=True, slots=True)
class _Due:
    row: OutboxMessage
    media: Media | None


class OutboxSender:
    """Delivers the pending rows of one channel through its transport.

    `deliver_due` is the whole job; the runtime calls it on a timer and after every commit
    that wrote rows. Runs of one sender never overlap.
    """

    def __init__(
        self,
        transport: Transport,
        sessions: TakingTurns,
        clock: Clock,
        campaign: Campaign,
        per_chat_gap: float = 1.0,
        deadlines: dict[OutboxKind, float] | None = None,
    ) -> None:
        self.transport = transport
        self.sessions = sessions
        self.clock = clock
        self.campaign = campaign
        # Seconds between two alerts to one chat (Telegram asks for about one a second).
        self.per_chat_gap = per_chat_gap
        self.deadlines = deadlines or SEND_DEADLINE
        # A run has been asked for and has not begun: asking again adds nothing.
        self.scheduled = False
        # The bot is stopping: a run ends after its batch, the rest waits for the next start.
        self.stopping = False
        self._running = asyncio.Lock()
        self._paused_until: datetime | None = None  # the channel's flood wait
        self._last_alert: dict[str, float] = {}
        self._recorder = Recorder(transport.channel, sessions, clock)
        # Several processes may deliver one outbox on PostgreSQL: rows are claimed first.
        self._claiming = sessions.dialect == "postgresql"
        self.claimant = new_claimant()
        self._lease_ends: datetime | None = None  # of the rows this run claimed
        self._orphans_freed = not self._claiming  # claims of this machine's dead processes

    @property
    def channel(self) -> str:
        """Returns the channel this sender delivers to."""
        return self.transport.channel

    async def deliver_due(self) -> int:
        """Delivers every row due now, each chat's in order; returns how many were sent.

        Rows written meanwhile are the next run's: whoever writes them asks for one.
        """
        self.scheduled = False
        sent, more = 0, True
        async with self._running:
            if not self._orphans_freed:
                await free_orphans(self.sessions, self.clock.now())
                self._orphans_freed = True
            while more and not self.stopping:
                due, more = await self._due()
                if not due:
                    break
                try:
                    sent += await self._deliver_chats(due)
                finally:
                    if self._claiming:
                        ids = [item.row.id for rows in due.values() for item in rows]
                        await release(self.sessions, ids, self.claimant)
        return sent

    async def _due(self) -> tuple[dict[str, list[_Due]], bool]:
        """Returns, per chat, its rows that may go now, in order, and whether more may be due.

        Replies come first and may overtake a chat's alerts, never each other. A row waiting
        for its next attempt holds back the rows behind it in its chat, and is not read at all,
        so waiting rows never crowd due ones out of a batch. Alerts wait for the end of the
        quiet hours and go at most one per chat and ALERT_BATCH chats a run: the spacing
        between two alerts to one chat must not hold up the replies written meanwhile.
        """
        now = self.clock.now()
        if self._paused_until is not None and now < self._paused_until:
            return {}, False
        rows_due = _rows_due(in_quiet_hours(self.campaign, now), claim=self._claiming)
        if self._claiming:
            found, rows, trimmed, media = await retry_locked(lambda: self._claim(rows_due, now))
        else:
            async with self.sessions.reading() as session:  # no turn: a read beside the writer
                found = list(await session.scalars(rows_due, self._at(now)))
                rows, trimmed = _one_alert_a_chat(found)
                media = await _media_of(session, rows)
        due: dict[str, list[_Due]] = {}
        for row in rows:
            due.setdefault(row.chat_id, []).append(_Due(row, media.get(row.media_id or 0)))
        return due, len(found) == BATCH or trimmed

    def _at(self, now: datetime) -> dict[str, object]:
        """Returns the parameters of `_rows_due` for this sender's channel at `now`."""
        return {"channel": self.channel, "now": now}

    async def _claim(
        self, rows_due: Select[OutboxMessage], now: datetime
    ) -> tuple[list[OutboxMessage], list[OutboxMessage], bool, dict[int, Media]]:
        """Claims the due rows of chats no other sender is delivering (PostgreSQL).

        Returns the rows found, those claimed (each reply, a chat's first alert), whether an
        alert was left, and the attachments. Claims of one channel are made one transaction
        at a time across processes, so each sees the claims made before it and never takes
        a later row of a chat another process is still sending to.
        """
        self._lease_ends = now + CLAIM_LEASE
        async with self.sessions() as session:
            await lock_for_transaction(session, "outbox", self.channel)
            found = list(await session.scalars(rows_due, self._at(now)))
            rows, trimmed = _one_alert_a_chat(found)
            await claim(session, rows, self.claimant, self._lease_ends)
            media = await _media_of(session, rows)
            await session.commit()
        return found, rows, trimmed, media

    async def _deliver_chats(self, due: dict[str, list[_Due]]) -> int:
        """Delivers several chats side by side; returns once every one of them is done.

        Waiting for all, even after one failed, keeps runs from overlapping: a run that
        returned early would let the next one read rows still being sent, and send them again.
        """
        gate = asyncio.Semaphore(CONCURRENT_CHATS)

        async def one_chat(rows: list[_Due]) -> int:
            """Delivers one chat's rows once a place among the concurrent chats is free."""
            async with gate:
                return await self._deliver_chat(rows)

        results = await asyncio.gather(
            *(one_chat(rows) for rows in due.values()), return_exceptions=True
        )
        failures = [result for result in results if isinstance(result, BaseException)]
        if failures:  # storing an ending failed: those rows stay pending, to be sent again
            raise failures[0]
        return sum(result for result in results if isinstance(result, int))

    async def _deliver_chat(self, rows: Sequence[_Due]) -> int:
        """Sends a chat's rows in order, recording each as it ends; returns how many were sent.

        Stops at the first row that must wait, or that found the person gone. Recording each
        row before the next send (not the batch after the last) means a crash leaves at most
        the message on its way unrecorded, the only one sent again after a restart.
        """
        sent = 0
        for due in rows:
            if not self._may_start(due.row):
                break  # the claim could run out during the send: another run sends it
            outcome = await self._deliver_one(due.row, due.media)
            await self._recorder.store([outcome])
            sent += outcome.state is OutboxState.SENT
            if outcome.state in (OutboxState.BLOCKED, OutboxState.PENDING):
                break
        return sent

    def _may_start(self, row: OutboxMessage) -> bool:
        """Says whether a send of the row would end within this run's claim (if it claims)."""
        if not self._claiming or self._lease_ends is None:
            return True
        deadline = timedelta(seconds=self.deadlines[OutboxKind(row.kind)])
        return self.clock.now() + deadline < self._lease_ends

    async def _deliver_one(self, row: OutboxMessage, media: Media | None) -> Outcome:
        """Tries one row once; returns how it ended, or when to try it again."""
        now, attempts, parts = self.clock.now(), row.attempts + 1, row.parts_sent
        if row.expires_at <= now:
            return _ended(row, OutboxState.EXPIRED, row.attempts, now)
        if row.kind != OutboxKind.TEXT and media is None:
            return _ended(row, OutboxState.FAILED, row.attempts, now, ATTACHMENT_GONE)
        if row.is_alert:
            await self._space_out(row.chat_id)
        deadline = self.deadlines[OutboxKind(row.kind)]
        try:
            async with asyncio.timeout(deadline):
                await self.transport.deliver(_delivery(row, media))
        except TimeoutError:  # it may have arrived: sent again, at least once
            return self._again(row, attempts, f"no answer within {deadline:g} s", None, parts)
        except Blocked:
            return _ended(row, OutboxState.BLOCKED, attempts, now, BLOCKED)
        except Refused as refusal:
            failed = OutboxState.FAILED
            return _ended(row, failed, attempts, now, refusal.reason, refusal.parts_sent)
        except RetryLater as problem:
            return self._again(row, attempts, problem.reason, problem.after, problem.parts_sent)
        except Exception as error:  # a bug must not stop the other chats' deliveries
            log_failure(log, f"delivering outbox row {row.id} failed", error)
            # the reason is logged too: the error's type, not its message (it may quote text)
            return self._again(row, attempts, f"{type(error).__name__} (see the log)", None, parts)
        sent = self.clock.now()
        return Outcome(row.id, row.chat_id, OutboxState.SENT, attempts, sent, None, sent, parts)

    def _again(
        self, row: OutboxMessage, attempts: int, reason: str, asked: float | None, parts: int
    ) -> Outcome:
        """Leaves the row pending for a later attempt: the wait asked for, else a backoff."""
        now = self.clock.now()
        if asked is not None:  # a flood limit holds for the whole bot, not one chat
            self._paused_until = now + timedelta(seconds=max(asked, MIN_WAIT))
        backoff = min(2.0 ** (attempts - 1), MAX_BACKOFF)
        wait = max(asked, MIN_WAIT) if asked is not None else backoff
        log.warning("outbox row %s: %s; trying again in %g s", row.id, reason, wait)
        later = now + timedelta(seconds=wait)
        return _ended(row, OutboxState.PENDING, attempts, later, reason, parts)

    async def _space_out(self, chat_id: str) -> None:
        """Waits until the chat's previous alert is `per_chat_gap` seconds old."""
        loop = asyncio.get_running_loop()
        wait = self._last_alert.get(chat_id, -self.per_chat_gap) + self.per_chat_gap - loop.time()
        if wait > 0:
            await asyncio.sleep(wait)
        now = loop.time()
        if len(self._last_alert) > SPACING_MEMORY:  # forget chats whose gap has long passed
            recent = {c: t for c, t in self._last_alert.items() if now - t < self.per_chat_gap}
            self._last_alert = recent
        self._last_alert[chat_id] = now


_NOW: BindParameter[datetime] = bindparam("now")


@functools.cache
def _rows_due(quiet_hours: bool, claim: bool) -> Select[OutboxMessage]:
    """Returns the query of a channel's due rows (parameters `channel` and `now`), built once:
    building it anew for every run cost more than running it.

    With `claim`, only chats no other sender is delivering to, and rows another transaction
    holds are skipped (PostgreSQL).
    """
    query = select(OutboxMessage).where(
        OutboxMessage.channel == bindparam("channel"),
        OutboxMessage.state == OutboxState.PENDING,
        OutboxMessage.not_before <= _NOW,
        OutboxMessage.next_attempt_at <= _NOW,
        ~_held_back(),
    )
    if quiet_hours:
        query = query.where(OutboxMessage.alert_id.is_(None))
    alerts_last = OutboxMessage.alert_id.is_not(None)
    query = query.order_by(alerts_last, OutboxMessage.chat_id, OutboxMessage.id).limit(BATCH)
    if claim:
        query = query.where(~claimed(_NOW)).with_for_update(skip_locked=True, of=OutboxMessage)
    return query


def _held_back() -> ColumnElement[bool]:
    """Says whether an earlier row of the same chat (and kind) waits for its next attempt."""
    earlier = aliased(OutboxMessage)
    return exists().where(
        earlier.channel == OutboxMessage.channel,
        earlier.chat_id == OutboxMessage.chat_id,
        earlier.state == OutboxState.PENDING,
        earlier.id < OutboxMessage.id,
        earlier.next_attempt_at > _NOW,
        earlier.alert_id.is_(None) == OutboxMessage.alert_id.is_(None),
    )


def _one_alert_a_chat(found: Sequence[OutboxMessage]) -> tuple[list[OutboxMessage], bool]:
    """Returns every reply, and each chat's first alert for up to ALERT_BATCH chats.

    Also says whether any alert was left for a later run.
    """
    replies = [row for row in found if not row.is_alert]
    alerts: dict[str, OutboxMessage] = {}
    for row in found:
        if row.is_alert and row.chat_id not in alerts:
            alerts[row.chat_id] = row
    chosen = list(alerts.values())[:ALERT_BATCH]
    return replies + chosen, len(chosen) < sum(row.is_alert for row in found)


def _ended(
    row: OutboxMessage,
    state: OutboxState,
    attempts: int,
    at: datetime,
    reason: str | None = None,
    parts: int | None = None,
) -> Outcome:
    """Returns a row's outcome (for `pending`, `at` is when it is tried next)."""
    sent_parts = row.parts_sent if parts is None else parts
    return Outcome(
        row.id, row.chat_id, state, attempts, at, reason and reason[:200], None, sent_parts
    )


async def _media_of(session: AsyncSession, rows: Sequence[OutboxMessage]) -> dict[int, Media]:
    """Returns the stored attachments of the rows, by id (a deleted one is simply missing)."""
    wanted = {row.media_id for row in rows if row.media_id is not None}
    if not wanted:
        return {}
    return {
        item.id: item for item in await session.scalars(select(Media).where(Media.id.in_(wanted)))
    }


def _delivery(row: OutboxMessage, media: Media | None) -> Delivery:
    choices = tuple(Choice(c["label"], c["value"]) for c in row.choices or ())
    attachment = None
    if media is not None:
        attachment = Attachment(media.name, media.data, is_photo=row.kind == OutboxKind.PHOTO)
    return Delivery(
        row.id,
        row.chat_id,
        OutboxKind(row.kind),
        row.text,
        choices,
        row.token,
        row.columns,
        attachment,
        row.parts_sent,
        row.media_id,
    )

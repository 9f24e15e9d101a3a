"""Outbox claims: which process delivers a row when several share one PostgreSQL database.

A sender claims the rows it is about to send (`claimed_by`, `claimed_until`: a lease of
CLAIM_LEASE), ends the claim once each row's ending is recorded or its run is over, and never
takes a chat another sender holds a running claim on. A process that died leaves its claims
to run out; a process restarted on the same machine takes its dead predecessor's back at
once. One process on SQLite claims nothing.

A claim is signed "space:pid:run:sender", at most 57 characters of the 64 the column holds:
`space` the processes a pid names (`process_space`), `run` this run of the process apart from
an earlier one with the same pid, `sender` one channel's sender apart from another's.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
from collections.abc import Collection
from datetime import datetime, timedelta

from sqlalchemy import BindParameter, ColumnElement, exists, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from bot.logsafe import log_failure
from reporting.storage.db import TakingTurns, retry_locked
from reporting.storage.models import OutboxMessage, OutboxState

log = logging.getLogger(__name__)
# How long a claim on rows lasts: a sender starts no send that could outlast its claim, and
# the rows of a process that died wait this long for another one.
CLAIM_LEASE = timedelta(minutes=5)


def process_space() -> str:
    """Names the processes that can see each other: the host and its process-id namespace
    (containers sharing a host name, as with Docker's host network, have namespaces of their
    own). At most 35 characters."""
    try:
        namespace = os.stat("/proc/self/ns/pid").st_ino
    except OSError:  # not Linux
        namespace = 0
    return f"{socket.gethostname()[:24]}~{namespace}"


_SPACE = process_space()
_RUN = secrets.token_hex(4)


def new_claimant() -> str:
    """Returns the signature of a new sender's claims in this run of this process."""
    return f"{_SPACE}:{os.getpid()}:{_RUN}:{secrets.token_hex(2)}"


def claimed(now: BindParameter[datetime]) -> ColumnElement[bool]:
    """Says whether a pending row of the same chat is claimed by a sender whose claim runs."""
    other = aliased(OutboxMessage)
    return exists().where(
        other.channel == OutboxMessage.channel,
        other.chat_id == OutboxMessage.chat_id,
        other.state == OutboxState.PENDING,
        other.claimed_until > now,
    )


async def claim(
    session: AsyncSession, rows: Collection[OutboxMessage], claimant: str, until: datetime
) -> None:
    """Signs the rows as the claimant's until the lease ends, in the caller's transaction."""
    if rows:
        await session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_([row.id for row in rows]))
            .values(claimed_by=claimant, claimed_until=until)
        )


async def release(sessions: TakingTurns, ids: Collection[int], claimant: str) -> None:
    """Ends the claimant's claims on these rows: the next run, anyone's, takes them."""

    async def unsign() -> None:
        async with sessions() as session:
            await session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id.in_(ids), OutboxMessage.claimed_by == claimant)
                .values(claimed_by=None, claimed_until=None)
            )
            await session.commit()

    try:
        await retry_locked(unsign)
    except Exception as error:  # the claims run out on their own
        log_failure(log, "ending the outbox claims failed", error)


async def free_orphans(sessions: TakingTurns, now: datetime) -> None:
    """Ends the claims of this process space's processes that are gone (once, at start).

    A bot restarted after a crash on the same machine takes its old rows back at once
    instead of waiting out their lease. Claims of other machines, of a process still
    running, or of another process namespace (a container restarted gets a new one) are
    left to their lease: a live claim is never taken.
    """

    async def free() -> None:
        async with sessions() as session:
            mine = OutboxMessage.claimed_by.startswith(f"{_SPACE}:", autoescape=True)
            live = (OutboxMessage.claimed_until > now) & mine
            claimants = select(OutboxMessage.claimed_by).distinct().where(live)
            found = await session.scalars(claimants)
            gone = [c for c in found if c is not None and _gone(c)]
            if gone:
                await session.execute(
                    update(OutboxMessage)
                    .where(OutboxMessage.claimed_by.in_(gone))
                    .values(claimed_by=None, claimed_until=None)
                )
                log.info("took back the outbox rows of %d stopped process(es)", len(gone))
            await session.commit()

    try:
        await retry_locked(free)
    except Exception as error:  # the claims run out on their own
        log_failure(log, "taking back the outbox claims of stopped processes failed", error)


def _gone(claimant: str) -> bool:
    """Says whether a claimant of this process space is a process that stopped: its process
    id is not running, or is this process's own from an earlier run (the id used again)."""
    parts = claimant.split(":")
    if len(parts) != 4 or not parts[1].isdigit():
        return False
    pid, run = parts[1], parts[2]
    if int(pid) == os.getpid():
        return run != _RUN
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False  # running, as another user
    return False

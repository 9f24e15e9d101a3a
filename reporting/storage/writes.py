"""Whether a session wrote anything since a mark: rows flushed or changed by a statement
(an INSERT, UPDATE or DELETE run through the session), or objects still waiting to be.

The chat takes a mark before a flow and asks after a refusal; a refusal that followed a write
has the whole input rolled back and answered again (bot/pipeline.py), so that a refused input
changes nothing. Taking a mark costs no statement, so the inputs that are not refused pay
nothing for it.
"""

from __future__ import annotations

from typing import NamedTuple

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction

_WRITES = "tallybot.writes"


class WriteMark(NamedTuple):
    """How many times a session had written, and which objects were waiting to be."""

    writes: int
    pending: frozenset[int]


def write_mark(session: AsyncSession) -> WriteMark:
    """Returns the session's mark now, to compare with `wrote_since` later."""
    sync = session.sync_session
    waiting = (*sync.new, *sync.dirty, *sync.deleted)
    return WriteMark(sync.info.get(_WRITES, 0), frozenset(map(id, waiting)))


def wrote_since(session: AsyncSession, mark: WriteMark) -> bool:
    """Says whether the session wrote, or has new objects waiting to, since `mark`."""
    now = write_mark(session)
    return now.writes != mark.writes or not now.pending <= mark.pending


def _count(session: Session) -> None:
    session.info[_WRITES] = session.info.get(_WRITES, 0) + 1


@event.listens_for(Session, "after_flush")
def _count_flush(session: Session, _flush: UOWTransaction) -> None:
    _count(session)


@event.listens_for(Session, "do_orm_execute")
def _count_statement(state: ORMExecuteState) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        _count(state.session)

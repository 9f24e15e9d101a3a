"""The engine and sessions: one engine per process, one session per update or job."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager, nullcontext
from typing import Any, TypeVar

from sqlalchemy import Connection, event, text
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import ConnectionPoolEntry

log = logging.getLogger(__name__)
T = TypeVar("T")
READ_ONLY = "tallybot_read_only"  # an execution option: this connection's transactions only read
# Pauses before the next try when SQLite stayed locked past its busy timeout (a long import in
# another process, a backup), or PostgreSQL ended a transaction that may simply run again (a
# deadlock, a serialization failure, a connection lost mid-transaction): short, since each
# try already waited that timeout.
LOCKED_PAUSES = (0.2, 0.5, 1.0)
# PostgreSQL's SQLSTATEs for a transaction it rolled back to let another one go on.
RETRYABLE_STATES = {"40P01": "a deadlock", "40001": "a serialization failure"}


def create_engine(url: str) -> AsyncEngine:
    """Returns an async engine; SQLite files get WAL, foreign keys and a busy timeout."""
    engine = create_async_engine(url, pool_pre_ping=not url.startswith("sqlite"))
    if engine.dialect.name == "sqlite":
        event.listen(engine.sync_engine, "connect", _tune_sqlite)
        event.listen(engine.sync_engine, "begin", _begin)
    return engine


def read_only(engine: AsyncEngine) -> AsyncEngine:
    """Returns the engine for read-only sessions: one consistent view, no write lock.

    On SQLite a plain (deferred) BEGIN: in WAL mode such readers run beside the writer and
    see the database as it was at their first read. On PostgreSQL a REPEATABLE READ READ ONLY
    transaction, so that a summary's queries all read one snapshot.
    """
    if engine.dialect.name == "sqlite":
        return engine.execution_options(**{READ_ONLY: True})
    return engine.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)


def sessions(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Returns the session factory; sessions keep objects readable after commit."""
    return async_sessionmaker(engine, expire_on_commit=False)


class TakingTurns:
    """Sessions for a process that handles many chats at once: on SQLite, one writer at a time.

    SQLite has one writer, and every writing transaction here takes the write lock up front;
    with many updates in flight, waiting in line in the event loop is fairer and cheaper than
    waiting in the database (which gives up with "database is locked" after its timeout).
    Read-only sessions (`reading`) take no turn: they run beside the writer. PostgreSQL
    sessions run side by side.
    """

    def __init__(self, engine: AsyncEngine) -> None:
        self._factory = sessions(engine)
        self._reads = sessions(read_only(engine))
        self.dialect = engine.dialect.name
        self._turn = asyncio.Lock() if engine.dialect.name == "sqlite" else None

    @asynccontextmanager
    async def __call__(self) -> AsyncIterator[AsyncSession]:
        """Opens a session once it is this caller's turn; keep it short, no network inside."""
        async with self._turn or nullcontext(), self._factory() as session:
            yield session

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[AsyncSession]:
        """Opens a read-only session at once, beside the writer; it must write nothing."""
        async with self._reads() as session:
            yield session


def database_locked(error: BaseException) -> bool:
    """Says whether an error is SQLite's "database is locked": another process held the lock."""
    return isinstance(error, OperationalError) and "database is locked" in str(error.orig)


def retry_reason(error: BaseException) -> str | None:
    """Returns why a failed transaction may simply run again, or None when it may not.

    SQLite's "database is locked"; on PostgreSQL a deadlock (40P01) or a serialization
    failure (40001), which roll back one of the transactions involved; and a connection lost
    mid-transaction (the server restarted, the network cut): nothing was kept, and the pool
    connects again.
    """
    if database_locked(error):
        return "the database is locked by another process"
    if not isinstance(error, DBAPIError):
        return None
    state = getattr(error.orig, "sqlstate", None)
    if state in RETRYABLE_STATES:
        return f"PostgreSQL ended the transaction for {RETRYABLE_STATES[state]}"
    if error.connection_invalidated:
        return "the connection to the database was lost"
    return None


async def retry_locked(work: Callable[[], Awaitable[T]]) -> T:
    """Runs a transaction, again after a short pause when it failed for a passing reason.

    The reasons are `retry_reason`'s: a lock held by another process, a deadlock or
    serialization failure, a lost connection. The work must be whole transactions that roll
    back on failure, so that a retry repeats nothing that was kept (a commit whose answer was
    lost is the one doubt: the work must then find its own traces, as the processed-once
    record does). After the last pause the error goes to the caller.
    """
    for pause in LOCKED_PAUSES:
        try:
            return await work()
        except DBAPIError as error:
            reason = retry_reason(error)
            if reason is None:
                raise
            log.warning("%s; trying again", reason)
            await asyncio.sleep(pause)
    return await work()


def lock_key(*parts: str) -> int:
    """Returns a stable signed 64-bit key for a PostgreSQL advisory lock on what `parts` name.

    From a hash every process computes alike (Python's own `hash` of a str differs between
    processes).
    """
    digest = hashlib.blake2b("\x1f".join(parts).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


async def lock_for_transaction(session: AsyncSession, *parts: str) -> None:
    """Waits for PostgreSQL's advisory lock on what `parts` name, held until the transaction
    ends: other processes' transactions taking the same lock wait. A no-op on SQLite, whose
    writers already take turns (one process, and one writer at a time)."""
    if session.get_bind().dialect.name == "postgresql":
        key = lock_key(*parts)
        await session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


def _tune_sqlite(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
    # The driver's own transaction handling breaks SAVEPOINT; SQLAlchemy issues BEGIN instead.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _begin(connection: Connection) -> None:
    # A writing transaction takes the write lock up front: a deferred transaction that reads,
    # then writes, fails at once (SQLITE_BUSY, no waiting) when another connection wrote in
    # between. A read-only one never writes, so a deferred BEGIN is safe and takes no lock.
    if connection.get_execution_options().get(READ_ONLY):
        connection.exec_driver_sql("BEGIN")
    else:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


# asyncpg's refusals of a connection: a wrong password, user or database name, a server
# starting up. Named rather than imported: asyncpg is needed only with PostgreSQL.
REFUSED_CONNECTIONS = {
    "InvalidPasswordError",
    "InvalidAuthorizationSpecificationError",
    "InvalidCatalogNameError",
    "CannotConnectNowError",
    "TooManyConnectionsError",
}


def unreachable_database(error: BaseException) -> BaseException | None:
    """Returns the cause when an error means the database server could not be connected to.

    A refused or unanswered connection, a host name that does not resolve, or a server that
    refused the login: things the operator fixes in DATABASE_URL or on the server.
    """
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, ConnectionError | socket.gaierror):
            return current
        if type(current).__module__.startswith("asyncpg") and (
            type(current).__name__ in REFUSED_CONNECTIONS
        ):
            return current
        current = current.__cause__ or current.__context__
    return None

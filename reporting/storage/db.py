"""The engine and sessions: one engine per process, one session per update or job."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, nullcontext
from typing import Any

from sqlalchemy import Connection, event
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import ConnectionPoolEntry


def create_engine(url: str) -> AsyncEngine:
    """Returns an async engine; SQLite files get WAL, foreign keys and a busy timeout."""
    engine = create_async_engine(url, pool_pre_ping=not url.startswith("sqlite"))
    if engine.dialect.name == "sqlite":
        event.listen(engine.sync_engine, "connect", _tune_sqlite)
        event.listen(engine.sync_engine, "begin", _begin_immediate)
    return engine


def sessions(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Returns the session factory; sessions keep objects readable after commit."""
    return async_sessionmaker(engine, expire_on_commit=False)


class TakingTurns:
    """Sessions for a process that handles many chats at once: on SQLite, one at a time.

    SQLite has one writer, and every transaction here takes the write lock up front; with
    many updates in flight, waiting in line in the event loop is fairer and cheaper than
    waiting in the database (which gives up with "database is locked" after its timeout).
    PostgreSQL sessions run side by side.
    """

    def __init__(self, engine: AsyncEngine) -> None:
        self._factory = sessions(engine)
        self._turn = asyncio.Lock() if engine.dialect.name == "sqlite" else None

    @asynccontextmanager
    async def __call__(self) -> AsyncIterator[AsyncSession]:
        """Opens a session once it is this caller's turn; keep it short, no network inside."""
        async with self._turn or nullcontext(), self._factory() as session:
            yield session


def _tune_sqlite(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
    # The driver's own transaction handling breaks SAVEPOINT; SQLAlchemy issues BEGIN instead.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _begin_immediate(connection: Connection) -> None:
    # Take the write lock up front: a deferred transaction that reads, then writes, fails at
    # once (SQLITE_BUSY, no waiting) when another connection wrote in between.
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

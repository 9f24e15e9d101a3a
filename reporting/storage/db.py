"""The engine and sessions: one engine per process, one session per update or job."""

from __future__ import annotations

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

"""One leader among the processes of a deployment, elected by PostgreSQL's advisory lock.

The leader holds a session-level advisory lock on a connection of its own, kept out of the
pool while it leads. When the process dies, or its connection is cut, PostgreSQL lets the
lock go and the next process that asks takes the lead. On SQLite the one process leads.
"""

from __future__ import annotations

import logging

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from reporting.storage.db import lock_key

log = logging.getLogger(__name__)


class Leadership:
    """Whether this process leads for one duty (say, the timed alerts), asked again and again."""

    def __init__(self, engine: AsyncEngine, duty: str) -> None:
        self.engine = engine
        self.duty = duty
        self._key = lock_key("leader", duty)
        self._connection: AsyncConnection | None = None

    async def leading(self) -> bool:
        """Returns whether this process leads now: it still holds the lock, or just took it."""
        if self.engine.dialect.name != "postgresql":
            return True
        if self._connection is not None:
            try:
                await self._connection.execute(text("SELECT 1"))
                return True
            except Exception as error:  # the lock went with the connection
                log.warning("lost the lead for %s: %s", self.duty, type(error).__name__)
                await self._drop()
        return await self._try_to_lead()

    async def resign(self) -> None:
        """Lets the lead go (the bot is stopping): another process may take it at once."""
        await self._drop()

    async def _try_to_lead(self) -> bool:
        # Autocommit: a session-level lock needs no transaction, and a transaction left open
        # for hours would hold back vacuum.
        connection = await self.engine.connect()
        try:
            await connection.execution_options(isolation_level="AUTOCOMMIT")
            got = await connection.scalar(
                text("SELECT pg_try_advisory_lock(:key)"), {"key": self._key}
            )
        except Exception:
            await connection.close()
            raise
        if not got:
            await connection.close()
            return False
        self._connection = connection
        log.info("leading for %s", self.duty)
        return True

    async def _drop(self) -> None:
        connection, self._connection = self._connection, None
        if connection is None:
            return
        try:
            # Closed for good rather than pooled: a pooled connection would keep the lock.
            await connection.invalidate()
            await connection.close()
        except Exception as error:  # already gone: so is the lock
            log.debug("closing the leader's connection: %s", error)

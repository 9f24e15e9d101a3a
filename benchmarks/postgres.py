"""A PostgreSQL database for a benchmark: a throw-away cluster, as the tests start one."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager

import asyncpg
from sqlalchemy import make_url

from tests.backends import Cluster, Server, server_binaries


def unavailable() -> str | None:
    """Returns why PostgreSQL cannot be measured here, or None when it can."""
    found = server_binaries() is not None
    return None if found else "PostgreSQL server binaries (initdb, pg_ctl) not found"


@contextmanager
def throwaway_server() -> Iterator[Server]:
    """Starts a cluster in a temporary folder, yields its server (to create databases on),
    and removes the cluster afterwards. Its settings trade safety for speed (fsync off), as
    the tests' do: the figures are for the queries and the processes, not for the disk."""
    binaries = server_binaries()
    assert binaries is not None, unavailable()
    cluster = Cluster(binaries)
    try:
        yield Server(cluster.start())
    finally:
        cluster.stop()


@contextmanager
def throwaway_database() -> Iterator[str]:
    """Yields the URL of an empty database on a throw-away cluster."""
    with throwaway_server() as server:
        yield server.url(server.create())


def server_version(url: str) -> str:
    """Returns the server's version, e.g. "PostgreSQL 15.8"."""

    async def ask() -> str:
        address = make_url(url)
        connection = await asyncpg.connect(
            host=address.host, port=address.port, user=address.username, database=address.database
        )
        try:
            return str(await connection.fetchval("SHOW server_version")).split()[0]
        finally:
            await connection.close()

    return f"PostgreSQL {asyncio.run(ask())}"

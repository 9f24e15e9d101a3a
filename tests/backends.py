"""The storage backends the tests run on: SQLite files, and PostgreSQL databases on a
throw-away cluster (or on the server named by TEST_DATABASE_URL).

A test gets a `Database` of its own, made from a template prepared once per run: on SQLite a
copy of the template file, on PostgreSQL `CREATE DATABASE … TEMPLATE …`, which copies files and
takes a few milliseconds.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import asyncpg
from sqlalchemy import URL, make_url

from reporting.storage.db import create_engine
from reporting.storage.schema import upgrade

REQUIRE = "TALLYBOT_REQUIRE_POSTGRES"
GIVEN = "TEST_DATABASE_URL"
_SETTINGS = ("fsync=off", "synchronous_commit=off", "full_page_writes=off", "timezone=UTC")
Load = Callable[[str], Awaitable[None]]  # fills a migrated database (the reference campaign)


@dataclass(frozen=True)
class Database:
    """One test's database: its async SQLAlchemy URL, and its file on SQLite."""

    backend: str
    url: str
    path: Path | None = None


def run_sql(url: str, statement: str) -> list[tuple[Any, ...]]:
    """Runs one statement in a transaction of its own, outside the application (call outside
    an event loop); dates and timestamps come back as the text SQLite would hold (UTC)."""

    async def run() -> list[tuple[Any, ...]]:
        engine = create_engine(url)
        try:
            async with engine.begin() as connection:
                if connection.dialect.name == "postgresql":
                    await connection.exec_driver_sql("SET LOCAL TIME ZONE 'UTC'")
                result = await connection.exec_driver_sql(statement)
                rows = result.all() if result.returns_rows else []
        finally:
            await engine.dispose()
        return [tuple(_as_text(value) for value in row) for row in rows]

    return asyncio.run(run())


def _as_text(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, date):
        return value.isoformat()
    return value


def sqlite_url(path: Path) -> str:
    """Returns the async SQLAlchemy URL of a SQLite file."""
    return f"sqlite+aiosqlite:///{path}"


def server_binaries() -> Path | None:
    """Returns the folder of initdb and pg_ctl, or None when PostgreSQL is not installed."""
    found = shutil.which("initdb")
    if found and shutil.which("pg_ctl"):
        return Path(found).resolve().parent
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), reverse=True)
    return versions[0].parent if versions else None


def postgres_available() -> str | None:
    """Returns why PostgreSQL tests cannot run here, or None when they can."""
    if os.environ.get(GIVEN) or server_binaries() is not None:
        return None
    return f"PostgreSQL server binaries (initdb, pg_ctl) not found and {GIVEN} not set"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Cluster:
    """A PostgreSQL cluster in a temporary folder, fast and unsafe (fsync off), trust auth.

    As root the server runs as the `postgres` user, who owns the folder; otherwise as the
    current user.
    """

    def __init__(self, binaries: Path) -> None:
        self.binaries = binaries
        self.folder = Path(tempfile.mkdtemp(prefix="tallybot-pg-"))
        self.data = self.folder / "data"
        self.port = _free_port()
        self.as_root = os.geteuid() == 0
        self.user = "postgres" if self.as_root else None

    def _run(self, tool: str, *args: str) -> None:
        command = [str(self.binaries / tool), *args]
        if self.as_root:
            command = ["runuser", "-u", "postgres", "--", *command]
        done = subprocess.run(command, capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            log = self.folder / "server.log"
            logged = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise RuntimeError(f"{tool} failed ({done.returncode}): {done.stderr}{logged}")

    def start(self) -> URL:
        """Creates and starts the cluster; returns the URL of its `postgres` database."""
        if self.as_root:
            shutil.chown(self.folder, "postgres", "postgres")
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "-E", "UTF8")
        self.resume()
        return make_url(f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/postgres")

    def pause(self) -> None:
        """Stops the server (fast: sessions are ended, as in a restart); `resume` starts it."""
        self._run("pg_ctl", "stop", "-w", "-m", "fast", "-D", str(self.data))

    def resume(self) -> None:
        """Starts the server on its folder and port."""
        options = " ".join(f"-c {setting}" for setting in _SETTINGS)
        options += f" -c listen_addresses=127.0.0.1 -p {self.port} -k {self.folder}"
        log = str(self.folder / "server.log")
        self._run("pg_ctl", "start", "-w", "-D", str(self.data), "-l", log, "-o", options)

    def stop(self) -> None:
        """Stops the server at once and removes the folder."""
        try:
            if (self.data / "postmaster.pid").exists():
                self._run("pg_ctl", "stop", "-m", "immediate", "-D", str(self.data))
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)


class Server:
    """Creates and drops databases on one PostgreSQL server, through its admin URL."""

    def __init__(self, admin: URL) -> None:
        self.admin = admin
        self.prefix = f"tallybot_test_{os.getpid()}_"
        self._numbers = itertools.count(1)
        self.created: list[str] = []

    def url(self, name: str) -> str:
        """Returns the async SQLAlchemy URL of a database on this server."""
        return self.admin.set(database=name).render_as_string(hide_password=False)

    def create(self, template: str | None = None) -> str:
        """Creates a new database (from a template database when given); returns its name."""
        name = f"{self.prefix}{next(self._numbers)}"
        copy = f' TEMPLATE "{template}"' if template else ""
        self._execute(f'CREATE DATABASE "{name}"{copy}')
        self.created.append(name)
        return name

    def drop(self, name: str) -> None:
        """Drops a database, cutting off anyone still connected."""
        self._execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self.created.remove(name)

    def drop_all(self) -> None:
        """Drops every database this run created (on a server the run did not start)."""
        for name in reversed(self.created):
            self.drop(name)

    def _execute(self, statement: str) -> None:
        # in a thread of its own: callers may be sync or inside a running event loop
        with ThreadPoolExecutor(1) as thread:
            thread.submit(asyncio.run, self._on_admin(statement)).result()

    async def _on_admin(self, statement: str) -> None:
        admin = self.admin
        connection = await asyncpg.connect(
            host=admin.host,
            port=admin.port,
            user=admin.username,
            password=admin.password,
            database=admin.database or "postgres",
        )
        try:
            await connection.execute(statement)
        finally:
            await connection.close()


class SqliteDatabases:
    """Fresh SQLite files: empty, migrated or loaded."""

    backend = "sqlite"

    def __init__(self, folder: Path, load: Load) -> None:
        self.templates = {"migrated": folder / "migrated.db", "loaded": folder / "loaded.db"}
        upgrade(sqlite_url(self.templates["migrated"]))
        shutil.copyfile(self.templates["migrated"], self.templates["loaded"])
        asyncio.run(load(sqlite_url(self.templates["loaded"])))

    def new(self, folder: Path, template: str | None = "loaded") -> Database:
        """Returns a database file of its own in `folder` (not yet created when empty)."""
        path = folder / "tallybot.db"
        if template is not None:
            shutil.copyfile(self.templates[template], path)
        return Database(self.backend, sqlite_url(path), path)

    def copy(self, database: Database, folder: Path) -> Database:
        """Returns a copy of a database (nobody connected) as a file of its own in `folder`."""
        assert database.path is not None
        path = folder / "tallybot.db"
        shutil.copyfile(database.path, path)
        return Database(self.backend, sqlite_url(path), path)

    def drop(self, database: Database) -> None:
        """Nothing to do: the file goes with its tmp_path."""


class PostgresDatabases:
    """Fresh databases on a PostgreSQL server: empty, migrated or loaded."""

    backend = "postgresql"

    def __init__(self, server: Server, load: Load) -> None:
        self.server = server
        self.templates = {"migrated": server.create()}
        upgrade(server.url(self.templates["migrated"]))
        self.templates["loaded"] = server.create(self.templates["migrated"])
        asyncio.run(load(server.url(self.templates["loaded"])))

    def new(self, folder: Path, template: str | None = "loaded") -> Database:
        """Returns a database of its own, copied from a template database when given."""
        name = self.server.create(None if template is None else self.templates[template])
        return Database(self.backend, self.server.url(name))

    def copy(self, database: Database, folder: Path) -> Database:
        """Returns a copy of a database nobody is connected to, made by using it as template."""
        name = self.server.create(make_url(database.url).database)
        return Database(self.backend, self.server.url(name))

    def drop(self, database: Database) -> None:
        """Drops the database, disconnecting whoever the test left connected."""
        name = make_url(database.url).database
        assert name is not None
        self.server.drop(name)


Databases = SqliteDatabases | PostgresDatabases

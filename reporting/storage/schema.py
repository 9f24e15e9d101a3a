"""Creating and upgrading the schema with Alembic, and refusing to run on an outdated one."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import URL, Connection, make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from reporting.errors import Problem

MIGRATIONS = "reporting:migrations"


class SchemaOutdated(Problem):
    """The database is missing or behind the code's migrations."""


def alembic_config(database_url: str) -> Config:
    """Returns an Alembic configuration for our migrations and this database."""
    config = Config()
    config.set_main_option("script_location", MIGRATIONS)
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade(database_url: str) -> None:
    """Creates or upgrades the database to the newest migration (call outside an event loop)."""
    command.upgrade(alembic_config(database_url), "head")


def head_revision() -> str | None:
    """Returns the newest migration's revision id."""
    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


def require_exists(database_url: str | URL) -> None:
    """Raises SchemaOutdated when the URL names a SQLite file that was never created."""
    url = make_url(database_url)
    path = url.database or ":memory:"
    on_disk = url.get_backend_name() == "sqlite" and not path.startswith((":memory:", "file:"))
    if on_disk and not Path(path).exists():
        raise SchemaOutdated("db.outdated", revision="—")


async def require_current(engine: AsyncEngine) -> None:
    """Raises SchemaOutdated unless the database is migrated to the code's newest revision."""
    # connecting would leave an empty SQLite file behind, which `backup` would then copy
    require_exists(engine.url)
    async with engine.connect() as connection:
        revision = await connection.run_sync(_current_revision)
    if revision != head_revision():
        raise SchemaOutdated("db.outdated", revision=revision or "—")


def _current_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()

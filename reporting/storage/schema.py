"""Creating and upgrading the schema with Alembic, and refusing to run on an outdated one.

Checking the schema is on every CLI command's and the bot's way in, so it reads the revisions
without Alembic: importing Alembic and its migrations cost a third of `tallybot invite`'s start.
"""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import URL, Connection, inspect, make_url, text
from sqlalchemy.ext.asyncio import AsyncEngine

from reporting.errors import Problem

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = "reporting:migrations"
VERSION_TABLE = "alembic_version"  # Alembic's default, which env.py keeps
# `revision: str = "0007"` and `down_revision: str | None = "0006"` in a migration's header
_REVISION_LINE = re.compile(r"^(down_)?revision\b[^=\n]*=\s*(?:[\"']([^\"']+)[\"']|None)", re.M)


class SchemaOutdated(Problem):
    """The database is missing or behind the code's migrations."""


def alembic_config(database_url: str) -> Config:
    """Returns an Alembic configuration for our migrations and this database."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", MIGRATIONS)
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade(database_url: str) -> None:
    """Creates or upgrades the database to the newest migration (call outside an event loop)."""
    from alembic import command

    command.upgrade(alembic_config(database_url), "head")


def head_revision() -> str | None:
    """Returns the newest migration's revision id, read from the migrations' headers.

    With anything but one plain line of migrations (a branch, a header this does not read),
    Alembic answers instead; a test checks that the two agree.
    """
    revisions: set[str] = set()
    parents: set[str] = set()
    for script in resources.files("reporting.migrations").joinpath("versions").iterdir():
        if script.name.endswith(".py"):
            for down, revision in _REVISION_LINE.findall(script.read_text(encoding="utf-8")):
                (parents if down else revisions).add(revision)
    heads = revisions - parents - {""}
    if len(heads) == 1 and parents <= revisions | {""}:
        return heads.pop()
    return alembic_head_revision()


def alembic_head_revision() -> str | None:
    """Returns the newest migration's revision id as Alembic finds it."""
    from alembic.script import ScriptDirectory

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
    """Returns the revision the database is at (what Alembic's MigrationContext would say)."""
    if not inspect(connection).has_table(VERSION_TABLE):
        return None
    revisions = connection.scalars(text(f"SELECT version_num FROM {VERSION_TABLE}")).all()
    return revisions[0] if len(revisions) == 1 else None

"""The schema: migrations and ORM models agree, migrate both ways, and SQLite is tuned."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from reporting.storage.db import create_engine
from reporting.storage.models import Base
from reporting.storage.schema import (
    SchemaOutdated,
    alembic_config,
    head_revision,
    require_current,
    upgrade,
)

TABLES = {"alembic_version", *Base.metadata.tables}


def _diff(connection: Connection) -> list[Any]:
    return compare_metadata(MigrationContext.configure(connection), Base.metadata)


def _tables(connection: Connection) -> set[str]:
    rows = connection.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'table'")
    return {name for (name,) in rows}


async def _run(url: str, work: Any) -> Any:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(work)
    finally:
        await engine.dispose()


async def test_models_match_migrations(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        assert await connection.run_sync(_diff) == []


async def test_drift_check_notices_a_missing_schema(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        await connection.exec_driver_sql("DROP TABLE tally_revisions")
        diff = await connection.run_sync(_diff)
    assert any(change[0] == "add_table" and change[1].name == "tally_revisions" for change in diff)


def test_upgrade_creates_a_fresh_file_matching_the_models(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'fresh.db'}"
    upgrade(url)
    assert asyncio.run(_run(url, _tables)) == TABLES
    assert asyncio.run(_run(url, _diff)) == []


def test_upgrade_downgrade_to_base_and_upgrade_again(database_url: str) -> None:
    config = alembic_config(database_url)
    command.downgrade(config, "base")
    assert asyncio.run(_run(database_url, _tables)) == {"alembic_version"}
    upgrade(database_url)
    assert asyncio.run(_run(database_url, _tables)) == TABLES
    assert asyncio.run(_run(database_url, _diff)) == []


def test_downgraded_database_is_refused_until_init(database_url: str) -> None:
    command.downgrade(alembic_config(database_url), "base")

    async def check() -> None:
        engine = create_engine(database_url)
        try:
            with pytest.raises(SchemaOutdated, match="tallybot init"):
                await require_current(engine)
        finally:
            await engine.dispose()

    asyncio.run(check())


def test_upgrade_twice_is_harmless(database_url: str) -> None:
    upgrade(database_url)
    assert asyncio.run(_run(database_url, _tables)) == TABLES


async def test_migrated_database_is_at_the_newest_revision(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        version = await connection.scalar(text("SELECT version_num FROM alembic_version"))
    assert version == head_revision()
    await require_current(engine)


async def test_wal_foreign_keys_and_busy_timeout_are_on(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        journal = await connection.scalar(text("PRAGMA journal_mode"))
        foreign_keys = await connection.scalar(text("PRAGMA foreign_keys"))
        busy_timeout = await connection.scalar(text("PRAGMA busy_timeout"))
    assert (journal, foreign_keys, busy_timeout) == ("wal", 1, 5000)


async def test_foreign_keys_are_enforced(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        with pytest.raises(IntegrityError, match="FOREIGN KEY"):
            await connection.exec_driver_sql(
                "INSERT INTO user_units (user_id, unit_id) VALUES (999, 999)"
            )
        await connection.rollback()

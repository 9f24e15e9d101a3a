"""Alembic environment: migrates the database named by tallybot's DATABASE_URL setting."""

from __future__ import annotations

import asyncio
import logging.config
from typing import Any

from alembic import context
from sqlalchemy.engine import Connection

from reporting.settings import load_settings
from reporting.storage.db import create_engine
from reporting.storage.models import Base

config = context.config
if config.config_file_name is not None and config.attributes.get("configure_logging", True):
    logging.config.fileConfig(config.config_file_name, disable_existing_loggers=False)


def _database_url() -> str:
    return config.get_main_option("sqlalchemy.url") or load_settings().DATABASE_URL


def _migrate(connection: Connection) -> None:
    if connection.dialect.name == "sqlite":
        _without_foreign_keys(connection)
    else:
        _run_migrations(connection)


def _without_foreign_keys(connection: Connection) -> None:
    """Migrates SQLite with foreign keys off, then checks that every reference still holds.

    Batch mode rebuilds a table (a new one, the rows copied, the old one dropped, the new one
    renamed): with foreign keys on, dropping a table other rows refer to fails. SQLite reads
    the pragma only outside a transaction, so it goes straight to the driver's connection
    before the migrations' transaction begins (SQLite's own twelve-step procedure).
    """
    driver = connection.connection.dbapi_connection
    assert driver is not None
    _pragma(driver, "PRAGMA foreign_keys=OFF")
    try:
        _run_migrations(connection)
        if broken := _pragma(driver, "PRAGMA foreign_key_check"):
            raise RuntimeError(f"the migration left broken references: {broken[:5]}")
    finally:
        _pragma(driver, "PRAGMA foreign_keys=ON")


def _pragma(driver: Any, statement: str) -> list[Any]:
    cursor = driver.cursor()
    try:
        cursor.execute(statement)
        return list(cursor.fetchall())
    finally:
        cursor.close()


def _run_migrations(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _migrate_online() -> None:
    engine = create_engine(_database_url())
    try:
        async with engine.connect() as connection:
            await connection.run_sync(_migrate)
    finally:
        await engine.dispose()


def run() -> None:
    """Runs the migrations, on a connection handed over by the caller or a fresh engine."""
    connection = config.attributes.get("connection")
    if connection is not None:
        _migrate(connection)
    elif context.is_offline_mode():
        context.configure(url=_database_url(), target_metadata=Base.metadata, literal_binds=True)
        with context.begin_transaction():
            context.run_migrations()
    else:
        asyncio.run(_migrate_online())


run()

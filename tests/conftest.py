"""Shared fixtures: a migrated database on each backend, its engine and sessions, the reference
campaign loaded with the sample Định Hóa roster, and a simulated clock in campaign time.

Storage tests run twice, on SQLite and on PostgreSQL (ids `[sqlite]`, `[postgresql]`: select
one with `-k`). Migrating and importing the roster take a few hundred milliseconds, so each is
done once per backend into a template (with the real `upgrade`, `store_campaign` and
`import_roster`), and every test gets its own copy: a copied file on SQLite, a database made
from the template on PostgreSQL. PostgreSQL is a throw-away cluster started for the run, or the
server named by TEST_DATABASE_URL.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from datetime import datetime
from importlib import resources
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from backends import (
    GIVEN,
    REQUIRE,
    Cluster,
    Database,
    Databases,
    PostgresDatabases,
    Server,
    SqliteDatabases,
    postgres_available,
    server_binaries,
)
from sqlalchemy import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from reporting.campaign import REFERENCE_CAMPAIGN, Campaign, reference_source
from reporting.campaign_store import current_campaign, store_campaign
from reporting.clock import SimulatedClock
from reporting.imports.roster_file import parse_roster
from reporting.imports.roster_store import import_roster
from reporting.storage.db import create_engine, sessions

CAMPAIGN_ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
SAMPLE_ROSTER = Path(str(resources.files("reporting").joinpath("data", "dinh_hoa_roster.csv")))
START = datetime(2024, 1, 27, 8, 0, tzinfo=CAMPAIGN_ZONE)  # 08:00 on the first collection day
BACKENDS = ["sqlite", "postgresql"]
_NO_POSTGRES = postgres_available()


def pytest_configure(config: pytest.Config) -> None:
    """Refuses to run without PostgreSQL where it is required (CI)."""
    if _NO_POSTGRES and os.environ.get(REQUIRE) == "1":
        raise pytest.UsageError(f"{_NO_POSTGRES}, but {REQUIRE}=1: PostgreSQL must be tested")


def pytest_report_header(config: pytest.Config) -> str | None:
    """Says which PostgreSQL server the storage tests use."""
    if _NO_POSTGRES:
        return None
    given = os.environ.get(GIVEN)
    server = make_url(given).render_as_string(hide_password=True) if given else "own cluster"
    return f"storage tests on sqlite and postgresql ({server})"


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Says, in one line at the end (even with -q), that PostgreSQL was not tested."""
    if _NO_POSTGRES:
        terminalreporter.write_line(f"PostgreSQL NOT tested, SQLite only: {_NO_POSTGRES}")


async def _load_reference(url: str) -> None:
    engine = create_engine(url)
    try:
        async with sessions(engine)() as session:
            campaign = await store_campaign(session, reference_source(), REFERENCE_CAMPAIGN, START)
            await session.commit()
            await import_roster(session, parse_roster(SAMPLE_ROSTER), campaign.district, START)
    finally:
        await engine.dispose()


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[Server]:
    """A PostgreSQL server for the run: TEST_DATABASE_URL's, or a throw-away cluster."""
    given = os.environ.get(GIVEN)
    if given:
        server = Server(make_url(given))
        try:
            yield server
        finally:
            server.drop_all()
        return
    binaries = server_binaries()
    assert binaries is not None, _NO_POSTGRES
    cluster = Cluster(binaries)
    try:
        yield Server(cluster.start())
    finally:
        cluster.stop()


@pytest.fixture(scope="session")
def sqlite_databases(tmp_path_factory: pytest.TempPathFactory) -> SqliteDatabases:
    """SQLite files made from templates migrated and loaded once per run."""
    return SqliteDatabases(tmp_path_factory.mktemp("templates"), _load_reference)


@pytest.fixture(scope="session")
def postgresql_databases(postgres_server: Server) -> PostgresDatabases:
    """PostgreSQL databases made from template databases migrated and loaded once per run."""
    return PostgresDatabases(postgres_server, _load_reference)


@pytest.fixture(scope="session", params=BACKENDS)
def databases(request: pytest.FixtureRequest) -> Databases:
    """Where storage tests get their databases: each storage test runs once per backend.

    The templates live in fixtures of their own, so that pytest moving between the two
    backends (it may, more than once) does not prepare them again.
    """
    backend: Databases = request.getfixturevalue(f"{request.param}_databases")
    return backend


def _backend(item: pytest.Item) -> str | None:
    callspec = getattr(item, "callspec", None)
    return None if callspec is None else callspec.params.get("databases")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skips the PostgreSQL run of SQLite-only tests, the SQLite run of PostgreSQL-only ones,
    and expects known races to fail on PostgreSQL; without PostgreSQL, deselects every
    PostgreSQL run (the report header says so, once)."""
    if _NO_POSTGRES:
        dropped = [item for item in items if _backend(item) == "postgresql"]
        config.hook.pytest_deselected(items=dropped)
        items[:] = [item for item in items if _backend(item) != "postgresql"]
    for item in items:
        only = item.get_closest_marker("postgres_only")
        if only and (_backend(item) == "sqlite" or (_NO_POSTGRES and _backend(item) is None)):
            item.add_marker(pytest.mark.skip(reason=f"PostgreSQL only: {only.args[0]}"))
        if _backend(item) != "postgresql":
            continue
        if marker := item.get_closest_marker("sqlite_only"):
            item.add_marker(pytest.mark.skip(reason=f"SQLite only: {marker.args[0]}"))
        if marker := item.get_closest_marker("postgres_race"):
            reason = f"a race SQLite's single writer hides (issue 13): {marker.args[0]}"
            item.add_marker(pytest.mark.xfail(reason=reason, strict=False))


@pytest.fixture(scope="session")
def migrated_template(sqlite_databases: SqliteDatabases) -> Path:
    """The migrated SQLite template file, for SQLite-only tests that copy the file themselves
    (child processes on a file, the backup drill, the fuzz test's fresh campaigns)."""
    return sqlite_databases.templates["migrated"]


@pytest.fixture(scope="session")
def loaded_template(sqlite_databases: SqliteDatabases) -> Path:
    """The loaded SQLite template file (reference campaign and sample roster), likewise."""
    return sqlite_databases.templates["loaded"]


@pytest.fixture
def sample_roster() -> Path:
    """The bundled sample roster of huyện Định Hóa (reporting/data/dinh_hoa_roster.csv)."""
    return SAMPLE_ROSTER


@pytest.fixture
def database(
    request: pytest.FixtureRequest, databases: Databases, tmp_path: Path
) -> Iterator[Database]:
    """This test's own migrated database; already loaded when the test uses `loaded`."""
    template = "loaded" if "loaded" in request.fixturenames else "migrated"
    database = databases.new(tmp_path, template)
    yield database
    databases.drop(database)


@pytest.fixture
def loaded_database(databases: Databases, tmp_path: Path) -> Iterator[Database]:
    """This test's own database with the reference campaign and the sample roster loaded."""
    database = databases.new(tmp_path, "loaded")
    yield database
    databases.drop(database)


@pytest.fixture(scope="module")
def module_database(
    databases: Databases, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Database]:
    """A loaded database shared by a module's tests (for what is built once per module)."""
    database = databases.new(tmp_path_factory.mktemp("module"), "loaded")
    yield database
    databases.drop(database)


@pytest.fixture
def empty_database(databases: Databases, tmp_path: Path) -> Iterator[Database]:
    """This test's own database, without any table (on SQLite: a file not created yet)."""
    database = databases.new(tmp_path, None)
    yield database
    databases.drop(database)


@pytest.fixture
def database_url(database: Database) -> str:
    """The URL of this test's own database."""
    return database.url


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    """The application's async engine on the test's database, disposed after the test."""
    engine = create_engine(database_url)
    yield engine
    await engine.dispose()


@pytest.fixture
def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """The application's session factory; tests read back through sessions of their own."""
    return sessions(engine)


@pytest.fixture
def clock() -> SimulatedClock:
    """Campaign time, standing at 08:00 on the first collection day (27/01/2024)."""
    return SimulatedClock(START)


@pytest.fixture
async def loaded(session_factory: async_sessionmaker[AsyncSession]) -> Campaign:
    """The campaign in force, once the reference campaign and the sample roster are loaded."""
    async with session_factory() as session:
        return await current_campaign(session)

"""Shared fixtures: a migrated SQLite file, its engine and sessions, the reference campaign loaded
with the sample Định Hóa roster, and a simulated clock in campaign time.

Migrating and importing the roster take a few hundred milliseconds, so each is done once per run
into a template file (with the real `upgrade`, `store_campaign` and `import_roster`), and every
test gets its own byte-for-byte copy in its tmp_path.
"""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator
from datetime import datetime
from importlib import resources
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from reporting.campaign import REFERENCE_CAMPAIGN, Campaign, reference_source
from reporting.campaign_store import current_campaign, store_campaign
from reporting.clock import SimulatedClock
from reporting.roster import import_roster
from reporting.roster_file import parse_roster
from reporting.storage.db import create_engine, sessions
from reporting.storage.schema import upgrade

CAMPAIGN_ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
SAMPLE_ROSTER = Path(str(resources.files("reporting").joinpath("data", "dinh_hoa_roster.csv")))
START = datetime(2024, 1, 27, 8, 0, tzinfo=CAMPAIGN_ZONE)  # 08:00 on the first collection day


def sqlite_url(path: Path) -> str:
    """Returns the async SQLAlchemy URL of a SQLite file."""
    return f"sqlite+aiosqlite:///{path}"


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
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated to head by Alembic (sync: env.py runs its own event loop)."""
    path = tmp_path_factory.mktemp("templates") / "migrated.db"
    upgrade(sqlite_url(path))
    return path


@pytest.fixture(scope="session")
def loaded_template(migrated_template: Path) -> Path:
    """A copy of the migrated file with the reference campaign and the sample roster loaded."""
    path = migrated_template.with_name("loaded.db")
    shutil.copyfile(migrated_template, path)
    asyncio.run(_load_reference(sqlite_url(path)))
    return path


@pytest.fixture
def sample_roster() -> Path:
    """The bundled sample roster of huyện Định Hóa (reporting/data/dinh_hoa_roster.csv)."""
    return SAMPLE_ROSTER


@pytest.fixture
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """This test's own migrated SQLite file; already loaded when the test uses `loaded`."""
    template = "loaded_template" if "loaded" in request.fixturenames else "migrated_template"
    path = tmp_path / "tallybot.db"
    shutil.copyfile(request.getfixturevalue(template), path)
    return sqlite_url(path)


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    """The application's async engine on the test's file, disposed after the test."""
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

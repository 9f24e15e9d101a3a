"""Long work off the hot path (SPEC §6.4): a province's export or heat map does not hold up a
leader's tally, and a `tally import` in another process does not lock the leaders out."""

from __future__ import annotations

import asyncio
import os
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from backends import Database, sqlite_url

from benchmarks.summary import SEED, build_province, roster_rows
from reporting.storage.db import create_engine, sessions
from reporting.storage.models import Role, Tally
from tests.e2e.conftest import NOW, in_process, running_bot

ROOT = Path(__file__).resolve().parents[2]
TALLY = "/baocao 1 1 1 1 1 1 1 1 1 1 1"  # today's tally: 1 form, every answer satisfied
LEADERS = 6
IMPORTED = 800  # rows of the imported file: tens of seconds through the tally service


@pytest.fixture(scope="module")
def province_template(migrated_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated file with the reference campaign, ~3,000 hamlets and 8 days of their tallies."""
    path = tmp_path_factory.mktemp("province") / "province.db"
    shutil.copyfile(migrated_template, path)

    async def load() -> None:
        engine = create_engine(sqlite_url(path))
        try:
            await build_province(sessions(engine))
        finally:
            await engine.dispose()

    asyncio.run(load())
    return path


def province(template: Path, folder: Path) -> Database:
    """Returns this test's own copy of the province (SQLite: another process imports into it)."""
    path = folder / "tallybot.db"
    shutil.copyfile(template, path)
    return Database("sqlite", sqlite_url(path), path)


def _hamlets(count: int) -> list[str]:
    """Returns "Commune/Hamlet" of the first surveyed hamlets of the generated province."""
    rows = [row for row in roster_rows(random.Random(SEED)) if row.surveyed]
    return [f"{row.commune}/{row.hamlet}" for row in rows[:count]]


@pytest.mark.parametrize("command", ["/xuatfile", "/bieudo"])
async def test_a_leaders_tally_is_answered_while_a_province_export_is_drawn(
    province_template: Path, tmp_path: Path, command: str
) -> None:
    async with in_process(province(province_template, tmp_path), NOW) as bot:
        staff = await bot.register(Role.DISTRICT)
        [path] = _hamlets(1)
        leader = await bot.register(Role.HAMLET, path)
        answered: dict[str, float] = {}
        started = time.perf_counter()

        async def district_asks() -> None:
            replies = await bot.say(staff, command)
            assert len(replies) == {"/xuatfile": 1, "/bieudo": 4}[command]  # workbook, charts
            answered["district"] = time.perf_counter() - started

        district = asyncio.create_task(district_asks())
        await asyncio.sleep(0.3)  # the district's command is being answered
        [saved] = await bot.say(leader, TALLY)
        answered["tally"] = time.perf_counter() - started
        await district
        print(
            f"\n{command}: the tally answered after {answered['tally']:.2f} s, "
            f"the district's answer after {answered['district']:.2f} s"
        )
        assert saved.text.startswith("✅"), saved.text
        assert answered["tally"] < answered["district"]
        today = [tally for tally in await bot.tallies(path) if tally.day == NOW.date()]
        assert [tally.collected for tally in today] == [1]


async def test_leaders_report_while_another_process_imports_a_large_file(
    province_template: Path, tmp_path: Path
) -> None:
    paths = _hamlets(LEADERS + IMPORTED)
    leaders_paths, imported = paths[:LEADERS], paths[LEADERS:]
    sheet = tmp_path / "sheet.csv"
    header = "commune,hamlet,date,collected,invalid," + ",".join(f"q{q}" for q in range(1, 11))
    lines = [f"{p.replace('/', ',')},28/01/2024,0,0,{','.join(['0'] * 10)}" for p in imported]
    sheet.write_text("\n".join([header, *lines]) + "\n", encoding="utf-8")
    async with running_bot(province(province_template, tmp_path), NOW) as bot:
        leaders = [await bot.register(Role.HAMLET, path) for path in leaders_paths]
        environment = {**os.environ, "DATABASE_URL": bot.url, "PYTHONPATH": str(ROOT)}
        importing = subprocess.Popen(  # noqa: ASYNC220 -- polled below, never waited on
            [sys.executable, "-m", "bot", "tally", "import", str(sheet)],
            env=environment,
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        reported = 0
        while importing.poll() is None or reported < 2 * LEADERS:
            leader, rounds = leaders[reported % LEADERS], reported // LEADERS
            # 0, 1 or 2 forms: a change each time, and within every hamlet's households
            [answer] = await bot.say(leader, f"/baocao {rounds % 3} 0" + " 0" * 10)
            assert answer.text.startswith("✅"), answer.text
            reported += 1
        out, err = importing.communicate()
        assert importing.returncode == 0, err.decode()
        assert f"{IMPORTED} " in out.decode()
        print(f"\n{reported} tallies answered during the import, none with the error")
        for path in leaders_paths:
            [tally] = [t for t in await bot.tallies(path) if t.day == NOW.date()]
            assert tally.revision >= 2  # every leader's reports were stored
        stored = await bot.count(Tally)
        assert stored > IMPORTED

"""The backup and restore drill (SPEC §5, README "Data safety"): `tallybot backup` while the bot
writes tallies, then a restore into a fresh directory as the README tells the IT officer to do it.

Hamlet leaders send one-line tallies (new days and replacements) through the in-process client
in a loop, while `tallybot backup` runs as a child process on the same SQLite file. The copy,
restored elsewhere and upgraded with `tallybot init` (which must change nothing), passes
`PRAGMA integrity_check`, holds every tally committed before the backup began, at that revision
or a later one, and only whole tallies: each with its revisions, figures one of them announced,
running totals equal to the sums (tests/e2e/invariants.py).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from datetime import datetime
from pathlib import Path

from invariants import broken_invariants, row_counts

from bot.inprocess import InProcessChat, Person
from reporting.campaign import reference_source
from reporting.clock import SimulatedClock
from reporting.storage.models import Role

NOW = datetime.fromisoformat("2024-01-28T16:00:00+07:00")  # the second collection day
HAMLETS = ["Xóm Nà Mỏ", "Xóm Tân Vàng", "Xóm Đồng Chú", "Xóm Thẩm Kè", "Xóm Nà Què"]
DAYS = ["27/01", "28/01"]
WAIT = 60.0  # seconds the backup may take, even on a slow machine
Key = tuple[str, str]  # hamlet, day


def tallybot() -> list[str]:
    """Returns the command that starts `tallybot`: the venv's console script if installed."""
    script = Path(sys.executable).with_name("tallybot")
    return [str(script)] if script.exists() else [sys.executable, "-m", "bot"]


def environment(folder: Path) -> dict[str, str]:
    """Returns the environment of a `tallybot` command on the database in `folder`."""
    return dict(os.environ) | {
        "DATABASE_URL": f"sqlite+aiosqlite:///{folder / 'tallybot.db'}",
        "CAMPAIGN_FILE": str(folder / "campaign.toml"),
    }


class Writer:
    """Leaders sending one-line tallies in turn; remembers what each was told is stored."""

    def __init__(self, chat: InProcessChat, leaders: dict[str, Person]) -> None:
        self.chat = chat
        self.leaders = leaders
        # every confirmed write of a hamlet-day, in order: revision n is history[key][n - 1]
        self.history: dict[Key, list[tuple[int, ...]]] = {}
        self.stop = asyncio.Event()
        self.warmed_up = asyncio.Event()  # some tallies and replacements are committed

    async def run(self) -> None:
        """Writes until told to stop: each hamlet-day again and again, figures always new."""
        turns = itertools.cycle(itertools.product(HAMLETS, DAYS))
        for count in itertools.count(1):
            if self.stop.is_set():
                return
            hamlet, day = next(turns)
            collected = 1 + count % 5
            satisfied = [collected - (count + q) % 2 for q in range(10)]
            numbers = " ".join(map(str, [collected, *satisfied]))
            [saved, *_] = await self.chat.say(self.leaders[hamlet], f"/report {day} {numbers}")
            assert saved.text.startswith("✅ Đã"), saved.text
            self.history.setdefault((hamlet, day), []).append((collected, 0, *satisfied))
            if count == 20:
                self.warmed_up.set()

    def committed(self) -> dict[Key, int]:
        """Returns how many revisions of each hamlet-day are committed so far."""
        return {key: len(figures) for key, figures in self.history.items()}


def restored_tallies(database: Path) -> dict[Key, tuple[int, tuple[int, ...]]]:
    """Returns each stored hamlet-day's revision and figures, read with sqlite3."""
    query = (
        "SELECT u.name, t.day, t.revision, t.collected, t.invalid, t.satisfied"
        " FROM tallies t JOIN units u ON u.id = t.hamlet_id"
    )
    with sqlite3.connect(database) as connection:
        rows = connection.execute(query).fetchall()
    return {
        (hamlet, f"{day[8:10]}/{day[5:7]}"): (
            revision,
            (collected, invalid, *json.loads(satisfied)),
        )
        for hamlet, day, revision, collected, invalid, satisfied in rows
    }


def restore(backup: Path, folder: Path, campaign: Path) -> None:
    """Restores the backup into the folder as README's "Data safety" says; checks the file."""
    shutil.copyfile(backup, folder / "tallybot.db")
    shutil.copyfile(campaign, folder / "campaign.toml")
    counted = row_counts(folder / "tallybot.db")
    command = [*tallybot(), "init"]
    init = subprocess.run(command, env=environment(folder), cwd=folder, capture_output=True)
    assert init.returncode == 0, init.stderr.decode()
    assert row_counts(folder / "tallybot.db") == counted, "init changed a restored database"
    with sqlite3.connect(folder / "tallybot.db") as connection:
        assert connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    assert broken_invariants(folder / "tallybot.db") == {}


async def test_backup_while_tallies_are_written_restores_every_tally_committed_before_it(
    loaded_template: Path, tmp_path: Path
) -> None:
    live, fresh = tmp_path / "live", tmp_path / "restored"
    live.mkdir()
    fresh.mkdir()
    shutil.copyfile(loaded_template, live / "tallybot.db")
    (live / "campaign.toml").write_text(reference_source(), encoding="utf-8")
    backup = live / "backup.db"
    url = f"sqlite+aiosqlite:///{live / 'tallybot.db'}"
    # A reader in the middle of a long read (an export, say) keeps SQLite from checkpointing:
    # every tally below is then only in the -wal file, which a plain copy of the file misses.
    reader = sqlite3.connect(live / "tallybot.db", isolation_level=None)
    reader.execute("BEGIN")
    reader.execute("SELECT COUNT(*) FROM units").fetchall()
    async with InProcessChat.running(url, SimulatedClock(NOW)) as chat:
        leaders = {
            hamlet: await chat.register(Role.HAMLET, f"Định Biên/{hamlet}") for hamlet in HAMLETS
        }
        writer = Writer(chat, leaders)
        writing = asyncio.create_task(writer.run())
        await asyncio.wait_for(writer.warmed_up.wait(), WAIT)
        before = writer.committed()
        process = await asyncio.create_subprocess_exec(
            *tallybot(),
            "backup",
            str(backup),
            env=environment(live),
            cwd=live,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        out, err = await asyncio.wait_for(process.communicate(), WAIT)
        during = sum(writer.committed().values()) - sum(before.values())
        writer.stop.set()
        await writing
    reader.close()
    assert process.returncode == 0, err.decode()
    assert out.decode().startswith(f"Đã sao lưu vào {backup} ("), out.decode()
    assert during > 0, "the bot wrote nothing while the backup ran"
    print(f"backup drill: {sum(before.values())} tallies committed before, {during} during")

    restore(backup, fresh, live / "campaign.toml")
    restored = restored_tallies(fresh / "tallybot.db")
    for key, revisions in before.items():
        assert key in restored, f"{key} was committed before the backup began, and is lost"
        assert restored[key][0] >= revisions, (key, restored[key], revisions)
    for key, (revision, figures) in restored.items():
        assert figures == writer.history[key][revision - 1], (key, revision, figures)

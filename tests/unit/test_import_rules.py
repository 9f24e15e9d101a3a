"""The import rules `make lint` enforces (STYLE.md): the linter refuses each forbidden import."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]


def _banned(path: str, source: str) -> list[str]:
    """Returns ruff's TID251 findings for `source` as if it were the file at `path`."""
    found = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--select", "TID251", "--output-format"]
        + ["concise", "--stdin-filename", path, "-"],
        input=source,
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    return [line for line in found.stdout.splitlines() if "TID251" in line]


@pytest.mark.parametrize("folder", ["bot/chat", "bot/views"])
@pytest.mark.parametrize(
    "source",
    [
        "import telegram\n",
        "from telegram import Update\n",
        "import httpx\n",
        "import aiohttp\n",
        "from bot.telegram.transport import TelegramTransport\n",
        "from bot import zalo\n",
        "from bot.web.links import MediaLinks\n",
        "import bot.localapi\n",
        "from bot.inprocess import ChatClient\n",
    ],
)
def test_dialogs_and_views_may_not_import_a_channel(folder: str, source: str) -> None:
    assert _banned(f"{folder}/probe.py", source)


@pytest.mark.parametrize(
    "source",
    ["import bot\n", "from bot.chat.turn import Turn\n", "import telegram\n", "import httpx\n"],
)
def test_reporting_may_not_import_the_bot(source: str) -> None:
    assert _banned("reporting/probe.py", source)


@pytest.mark.parametrize(
    ("path", "source"),
    [
        ("bot/chat/probe.py", "from bot.chat.turn import Turn\nfrom reporting import names\n"),
        ("bot/views/probe.py", "from bot.chat import turn\n"),
        ("bot/telegram/probe.py", "import telegram\nimport httpx\n"),
        ("bot/zalo/probe.py", "import aiohttp\n"),
    ],
)
def test_allowed_imports_pass(path: str, source: str) -> None:
    assert _banned(path, source) == []

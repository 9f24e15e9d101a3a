"""`tallybot run` on a server that cannot reach Telegram yet, or with a token Telegram refuses.

The bot runs as a child process (as under systemd) on a copy of the loaded database. With
nothing listening at TELEGRAM_API_BASE_URL it says so in one line and keeps trying; once a
local Bot API server starts on that port it comes up and answers. A refused token stops it at
once with exit 1 and one line.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from bot.localapi import LocalBotApi
from tests.e2e.conftest import free_port

TOKEN = "7000003:UNREACHABLE-tallybot-token"
WAIT = 30.0  # seconds any one step may take, even on a slow machine
UNREACHABLE = "Chưa kết nối được tới Telegram (127.0.0.1:{port})"


def _tallybot() -> list[str]:
    script = Path(sys.executable).with_name("tallybot")
    return [str(script)] if script.exists() else [sys.executable, "-m", "bot"]


def _start(folder: Path, base_url: str, token: str = TOKEN) -> subprocess.Popen[bytes]:
    env = dict(os.environ)
    env |= {
        "DATABASE_URL": f"sqlite+aiosqlite:///{folder / 'tallybot.db'}",
        "TELEGRAM_BOT_TOKEN": token,
        "TELEGRAM_API_BASE_URL": base_url,
        "LOG_LEVEL": "INFO",
    }
    with (folder / "bot.log").open("wb") as log:  # the child writes to its own copy
        return subprocess.Popen(
            [*_tallybot(), "run"], env=env, cwd=folder, stdout=log, stderr=subprocess.STDOUT
        )


def _output(folder: Path) -> str:
    return (folder / "bot.log").read_text(errors="replace")


async def _until(folder: Path, condition: object, what: str) -> None:
    deadline = asyncio.get_running_loop().time() + WAIT
    while not condition():  # type: ignore[operator]
        if asyncio.get_running_loop().time() > deadline:
            pytest.fail(f"waited {WAIT:g} s for {what}\n{_output(folder)}")
        await asyncio.sleep(0.05)


@pytest.fixture
def folder(loaded_template: Path, tmp_path: Path) -> Path:
    shutil.copyfile(loaded_template, tmp_path / "tallybot.db")
    return tmp_path


async def test_run_waits_for_telegram_with_one_clear_line_and_comes_up(folder: Path) -> None:
    port = free_port()
    process = _start(folder, f"http://127.0.0.1:{port}/bot")
    try:
        line = UNREACHABLE.format(port=port)
        await _until(folder, lambda: _output(folder).count(line) >= 2, "two attempts")
        assert process.poll() is None, _output(folder)  # still running, still trying
        said = [row for row in _output(folder).splitlines() if line in row]
        assert said[0].startswith("WARNING bot.reach: " + line)
        assert "TELEGRAM_API_BASE_URL" in said[0]
        assert "Traceback" not in _output(folder)
        assert TOKEN not in _output(folder)

        server = LocalBotApi(token=TOKEN, port=port)
        await server.start()
        try:
            person = server.user(80_001, first_name="Người lạ")
            await person.send("/start")
            await person.wait_until(lambda: bool(person.inbox), timeout=WAIT, what="an answer")
            assert person.inbox[0].text.startswith("Xin chào! Để bắt đầu")
        finally:
            process.send_signal(signal.SIGTERM)
            assert process.wait(timeout=WAIT) == 0, _output(folder)
            await server.stop()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


async def test_run_stops_with_one_line_when_telegram_refuses_the_token(folder: Path) -> None:
    server = LocalBotApi(token=TOKEN)
    await server.start()
    try:
        process = _start(folder, server.base_url, token="7000003:NOT-the-token")
        code = await asyncio.to_thread(process.wait, WAIT)
    finally:
        await server.stop()
    lines = _output(folder).strip().splitlines()
    assert code == 1, _output(folder)
    assert lines == [
        "Telegram từ chối TELEGRAM_BOT_TOKEN: mã bot sai hoặc đã bị thu hồi. Lấy lại mã từ "
        "@BotFather, sửa trong môi trường hoặc tệp .env rồi chạy lại."
    ]

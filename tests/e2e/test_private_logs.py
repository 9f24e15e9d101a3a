"""Logs without personal data: a short campaign on Telegram and on Zalo, every record read.

Each test captures every log record from DEBUG to CRITICAL while people register, report,
correct, ask for the status and meet a failure whose exception quotes what they wrote (as a
database error quotes its parameters). At INFO and above no record may hold a name, a typed
message (a lone figure excepted: "45" is in any log as a line number), a note, an invite
code, the bot's token or the webhook secret. DEBUG may: it is for
a developer on a test machine.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any

import pytest

from bot.chat import commands
from reporting.i18n import text
from reporting.storage.models import Role
from tests.e2e.conftest import TELEGRAM_SECRET, TOKEN, ZALO_SECRET, ZALO_TOKEN

LEADER, OFFICIAL, STRANGER = "Hoàng Thị Mơ", "Đinh Quang Vỹ", "Kẻ Lạ Mặt Tên Dài"
NOTE = "Bà con đề nghị sửa cầu treo Bản Quyễn"
ONE_LINE = "/baocao 57 56 55 54 53 52 51 50 49 48 47"
GUIDED = ["/baocao", "58", "1", *[str(n) for n in range(41, 51)], NOTE]


def _leaks(records: list[logging.LogRecord], secrets: list[str]) -> list[str]:
    """Returns each record at INFO or above that holds one of the secrets, with the secret."""
    found = []
    for record in records:
        if record.levelno < logging.INFO:
            continue
        shown = record.getMessage()
        if record.exc_info:
            shown += logging.Formatter().formatException(record.exc_info)
        found += [f"{record.levelname} {record.name}: {s!r}" for s in secrets if s in shown]
    return found


async def _campaign(chat: Any, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Plays registration, tallies, a correction, a status and a failure; returns the secrets."""
    codes = [
        await chat.invite(Role.HAMLET, chat.hamlet),
        await chat.invite(Role.OFFICIAL, "Định Biên"),
    ]
    leader, official, stranger = chat.user(LEADER), chat.user(OFFICIAL), chat.user(STRANGER)
    said: list[str] = []

    async def say(person: Any, message: str) -> list[Any]:
        said.append(message)
        return await chat.say(person, message)

    await say(stranger, "ZZZZZZZZ")
    await say(stranger, "số điện thoại của tôi là 0912 345 678")
    assert (await say(leader, f"/start {codes[0]}"))[0].text.startswith("✅")
    assert (await say(official, codes[1]))[0].text.startswith("✅")
    [stored] = await say(leader, ONE_LINE)
    assert stored.text.startswith("✅ Đã lưu")
    for message in GUIDED:
        await say(leader, message)
    await say(leader, "Gửi")
    await say(official, "/tinhhinh")

    async def broken(turn: Any, args: str) -> None:
        raise RuntimeError(f"status failed for {OFFICIAL} after {NOTE!r} and {codes[0]}")

    status = commands.BY_NAME["tinhhinh"]
    monkeypatch.setitem(commands.BY_NAME, "tinhhinh", replace(status, run=broken))
    replies = await say(official, "/tinhhinh Định Biên")
    assert [reply.text for reply in replies] == [text("chat.error")]
    monkeypatch.undo()
    # A lone figure ("45", "1") is in every log as a line number or an id: the figures are
    # looked for as typed in a line (the one-line report), beside everything else typed.
    return [LEADER, OFFICIAL, STRANGER, NOTE, *codes, *(m for m in said if len(m) >= 6)]


async def test_telegram_logs_at_info_and_above_hold_no_personal_data(
    bot, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    caplog.set_level(logging.DEBUG)
    await bot.restart()  # starting and stopping are logged too
    bot.errors_expected = True
    secrets = await _campaign(bot, monkeypatch)
    await bot.stop()
    secrets += [TOKEN, TELEGRAM_SECRET]
    assert any(r.levelno >= logging.ERROR for r in caplog.records), "the failure was logged"
    assert any(r.levelno == logging.DEBUG and NOTE in r.getMessage() for r in caplog.records)
    assert _leaks(caplog.records, secrets) == []


async def test_zalo_logs_at_info_and_above_hold_no_personal_data(
    zalo, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    caplog.set_level(logging.DEBUG)
    await zalo.stop()
    await zalo.start()
    secrets = await _campaign(zalo, monkeypatch)
    await zalo.stop()
    secrets += [ZALO_TOKEN, ZALO_SECRET]
    assert any(r.levelno >= logging.ERROR for r in caplog.records), "the failure was logged"
    assert _leaks(caplog.records, secrets) == []

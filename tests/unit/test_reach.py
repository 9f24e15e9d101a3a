"""Reaching a platform as the bot starts: wait while unreachable, stop on a refused token."""

from __future__ import annotations

import logging

import pytest

from bot.reach import TokenRefused, patiently
from bot.zalo.client import ZaloUnauthorized, ZaloUnavailable

TOKEN = "4242:zalo-secret-token"
BASE = "https://bot-api.zaloplatforms.com/bot"


async def test_an_unreachable_zalo_is_one_line_without_the_token_then_tried_again(
    caplog: pytest.LogCaptureFixture,
) -> None:
    calls: list[int] = []

    async def attempt() -> str:
        calls.append(1)
        if len(calls) == 1:
            raise ZaloUnavailable(-1, f"deleteWebhook: ConnectionError({BASE}{TOKEN})")
        return "up"

    assert await patiently("Zalo", BASE, TOKEN, attempt) == "up"
    [line] = [r for r in caplog.records if r.name == "bot.reach"]
    assert line.levelno == logging.WARNING
    assert line.getMessage().startswith(
        "Chưa kết nối được tới Zalo (bot-api.zaloplatforms.com): ZaloUnavailable"
    )
    assert "ZALO_API_BASE_URL" in line.getMessage()
    assert TOKEN not in line.getMessage()


async def test_a_token_zalo_refuses_stops_with_one_line() -> None:
    async def attempt() -> None:
        raise ZaloUnauthorized(401, "Unauthorized")

    with pytest.raises(TokenRefused) as refused:
        await patiently("Zalo", BASE, TOKEN, attempt)
    assert refused.value.message().startswith("Zalo từ chối ZALO_BOT_TOKEN")

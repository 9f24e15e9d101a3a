"""The main job: `tallybot demo` plays the whole campaign through the real bot (SPEC §6.3)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.demo.runner import play_demo
from reporting.i18n import text
from reporting.storage.db import create_engine, sessions
from reporting.storage.models import OutboxMessage, Tally


async def test_the_demo_plays_the_campaign_and_every_message_is_delivered(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    await play_demo(tmp_path)

    printed = capsys.readouterr().out
    assert "bot khởi động lại 1 lần giữa chừng" in printed
    assert "0 tin còn chờ, 0 tin không gửi được." in printed
    for name in ("transcript.txt", "status.txt", "summary.json", "tong-hop.xlsx", "niem-yet.pdf"):
        assert (tmp_path / name).stat().st_size > 0, name
    transcript = (tmp_path / "transcript.txt").read_text(encoding="utf-8")
    assert text("chat.error") not in transcript
    assert "✅ Đã lưu báo cáo" in transcript
    figures = json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))

    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'tallybot.db'}")
    try:
        async with sessions(engine)() as session:
            states = dict(
                (
                    await session.execute(
                        select(OutboxMessage.state, func.count()).group_by(OutboxMessage.state)
                    )
                ).all()
            )
            collected = await session.scalar(select(func.sum(Tally.collected)))
            alerts = await session.scalar(
                select(func.count()).where(OutboxMessage.alert_id.is_not(None))
            )
    finally:
        await engine.dispose()
    assert set(states) == {"sent"}
    assert f"Bot tự gửi {alerts} tin cảnh báo" in printed
    assert states["sent"] > 1000
    assert figures["district"]["collected"] == collected

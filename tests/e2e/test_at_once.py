"""Two people doing one thing at the same moment, as they see it in the chat (issue 13).

Each pair of messages goes in at once through the in-process client, with a pause injected
between the read that decides and the write, the widest window the race can have. On
PostgreSQL the two updates are handled side by side, so only the database keeps them apart;
on SQLite they take turns. Either way one wins and the other is told, in plain Vietnamese,
what happened; nothing of the loser's is stored.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import date
from typing import Any

import pytest
from backends import Database
from sqlalchemy import func, select

from reporting import confirmations, people, tallies
from reporting.storage.models import Confirmation, Identity, Role, User
from tests.e2e.conftest import NOW, InProcess, in_process

PAUSE = 0.3
SAVED = "✅ Đã lưu báo cáo ngày"
OVER = (
    "Xóm Nà Mỏ có 60 hộ. Các ngày khác đã thu {earlier} phiếu, thêm {collected} phiếu ngày "
    "{day} thành 70 — nhiều hơn số hộ. Xin kiểm tra lại số phiếu thu về."
)
JUST_USED = (
    "Mã mời này vừa có người khác dùng trước bạn. Mỗi mã chỉ dùng được một lần. "
    "Xin liên hệ cán bộ huyện để lấy mã mới."
)
USED = "Mã mời này đã được dùng rồi. Mỗi mã chỉ dùng được một lần."
CONFIRMED = "✅ Đã xác nhận số liệu của xã Định Biên. Số liệu đã được khóa."
ALREADY = "Số liệu của xã Định Biên đã được xác nhận rồi."
LAST_COLLECTION_DAY = date(2024, 2, 3)  # also the first day of aggregation


@pytest.fixture
async def bot(loaded_database: Database) -> AsyncIterator[InProcess]:
    """The in-process client on this test's database, clock on 28/01 at 16:00."""
    async with in_process(loaded_database, NOW) as running:
        yield running


def pause(monkeypatch: pytest.MonkeyPatch, module: Any, name: str, *, before: bool) -> None:
    """Makes `module.name` wait PAUSE before it starts (a write) or after it returns (a read)."""
    real = getattr(module, name)

    async def paused(*args: Any, **kwargs: Any) -> Any:
        if before:
            await asyncio.sleep(PAUSE)
        result = await real(*args, **kwargs)
        if not before:
            await asyncio.sleep(PAUSE)
        return result

    monkeypatch.setattr(module, name, paused)


def texts(replies: list[Any]) -> list[str]:
    """Returns the texts of the replies."""
    return [reply.text for reply in replies]


async def test_two_people_typing_one_invite_code_at_once_one_gets_in(
    bot: InProcess, loaded_database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    code = await bot.invite(Role.HAMLET, bot.hamlet)
    first, second = bot.user("Hoàng Văn Bình"), bot.user("Nông Thị Lan")
    pause(monkeypatch, people, "claim_invite", before=True)

    answers = await asyncio.gather(bot.say(first, f"/start {code}"), bot.say(second, code))

    welcomed = [replies for replies in answers if replies[0].text.startswith("✅ Đăng ký xong!")]
    refused = [replies for replies in answers if replies not in welcomed]
    assert len(welcomed) == 1
    [[refusal]] = refused
    print(f"\n[{loaded_database.backend}] the other one reads: {refusal.text}")
    assert refusal.text in {JUST_USED, USED}
    async with bot.reading() as session:
        users = list(await session.scalars(select(User)))
        accounts = await session.scalar(select(func.count(Identity.id)))
    assert (len(users), accounts) == (1, 1)


async def test_two_days_of_one_hamlet_sent_at_once_by_its_two_leaders_stay_within_its_households(
    bot: InProcess, loaded_database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    leader = await bot.register(Role.HAMLET, bot.hamlet, name="Hoàng Văn Bình")
    deputy = await bot.register(Role.HAMLET, bot.hamlet, name="Nông Văn Tư")
    pause(monkeypatch, tallies, "collected_elsewhere", before=False)

    answers = await asyncio.gather(
        bot.say(leader, "/baocao 27/01 40 40 40 40 40 40 40 40 40 40 40"),
        bot.say(deputy, "/baocao 28/01 30 30 30 30 30 30 30 30 30 30 30"),
    )

    replies = sorted(text for replies in answers for text in texts(replies))
    print(f"\n[{loaded_database.backend}] {replies}")
    saved = [text for text in replies if text.startswith(SAVED)]
    refused = [text for text in replies if not text.startswith(SAVED)]
    assert len(saved) == 1
    [refusal] = refused
    assert refusal in {
        OVER.format(earlier=40, collected=30, day="28/01"),
        OVER.format(earlier=30, collected=40, day="27/01"),  # the day it is for, not "today"
    }
    stored = await bot.tallies()
    assert len(stored) == 1
    assert stored[0].collected <= 60


async def test_two_commune_users_confirming_at_once_both_see_it_confirmed_once(
    bot: InProcess, loaded_database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    bot.clock.set(bot.campaign.at(date(2024, 2, 4), NOW.time()))
    chair = await bot.register(Role.COMMUNE, bot.commune, name="Chủ tịch UBND xã")
    front = await bot.register(Role.COMMUNE, bot.commune, name="Trưởng ban MTTQ xã")
    await bot.say(chair, "/xacnhan")
    await bot.say(front, "/xacnhan")
    pause(monkeypatch, confirmations, "is_locked", before=False)

    answers = await asyncio.gather(bot.press(chair, "Xác nhận"), bot.press(front, "Xác nhận"))

    assert sorted(texts([reply for replies in answers for reply in replies])) == sorted(
        [CONFIRMED, ALREADY]
    )
    async with bot.reading() as session:
        confirmations_stored = await session.scalar(select(func.count(Confirmation.id)))
    assert confirmations_stored == 1


async def test_a_tally_sent_while_the_commune_confirms_is_refused_and_not_stored(
    bot: InProcess, loaded_database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    bot.clock.set(bot.campaign.at(LAST_COLLECTION_DAY, NOW.time()))
    leader = await bot.register(Role.HAMLET, bot.hamlet, name="Hoàng Văn Bình")
    chair = await bot.register(Role.COMMUNE, bot.commune, name="Chủ tịch UBND xã")
    await bot.say(chair, "/xacnhan")
    # The confirmation has read the commune open and not yet written when the tally comes.
    pause(monkeypatch, confirmations, "is_locked", before=False)

    async def report_meanwhile() -> list[Any]:
        await asyncio.sleep(PAUSE / 3)
        return await bot.say(leader, "/baocao 30 30 30 30 30 30 30 30 30 30 30")

    confirmed, sent = await asyncio.gather(bot.press(chair, "Xác nhận"), report_meanwhile())

    print(f"\n[{loaded_database.backend}] leader reads: {texts(sent)}")
    assert texts(confirmed) == [CONFIRMED]
    assert texts(sent) == [
        "Số liệu của xã Định Biên đã được xác nhận nên không sửa được nữa. "
        "Muốn sửa, xin liên hệ cán bộ huyện để mở khóa."
    ]
    assert await bot.tallies() == []

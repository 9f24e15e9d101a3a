"""The Zalo channel end to end: `bot.runtime.running` with a Zalo token, over real HTTP.

The bot polls the local Zalo server (or is called by it, in webhook mode), serves its charts
at short-lived links the server fetches as Zalo does, and sends through the outbox. People
talk in Vietnamese, typing numbers where Telegram would show buttons.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import aiohttp
import pytest
from sqlalchemy import select

from reporting.storage.models import Identity, OutboxMessage, ProcessedUpdate, Role, Tally

ZaloE2E = Any  # the `zalo` fixture's harness (tests/e2e/conftest.py)
HAMLET = "Định Biên/Xóm Nà Mỏ"
COMMUNE = "Định Biên"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
ONE_LINE = "/baocao 45 44 43 45 45 42 44 45 44 45 45"


async def test_a_leader_registers_and_reports_in_one_line(zalo: ZaloE2E) -> None:
    leader = await zalo.register(Role.HAMLET, HAMLET, name="Hoàng Văn Bảy")

    [stored] = await zalo.say(leader, ONE_LINE)

    assert stored.text.startswith("✅ Đã lưu báo cáo ngày 28/01/2024 của Xóm Nà Mỏ.")
    [tally] = await zalo.tallies()
    assert (tally.collected, tally.satisfied[0], tally.satisfied[9]) == (45, 44, 45)
    user = await zalo.account(leader)
    assert user is not None
    assert user.role == Role.HAMLET


async def test_a_guided_report_is_answered_by_typing_the_numbers_shown(zalo: ZaloE2E) -> None:
    leader = await zalo.register(Role.HAMLET, HAMLET, name="Hoàng Văn Bảy")
    await zalo.say(leader, "/baocao")
    [invalid] = await zalo.say(leader, "45")
    assert invalid.text.endswith("\n\n» 0")  # one choice beside a count: typed, not numbered
    too_many, again = await zalo.say(leader, "46")
    assert too_many.text == "Số 46 lớn hơn mức cho phép. Cần một số từ 0 đến 45."
    assert again.text == invalid.text  # the same step is asked again
    for answer in ["0"] + ["44"] * 10:
        await zalo.say(leader, answer)
    [summary] = await zalo.say(leader, "Bỏ qua")
    assert summary.text.startswith("📋 Kiểm tra lại báo cáo ngày 28/01/2024 — Xóm Nà Mỏ")
    assert summary.text.endswith("1. Gửi   2. Sửa   3. Hủy")  # Zalo has no buttons
    not_a_choice, shown_again = await zalo.say(leader, "9")
    assert not_a_choice.text.startswith("Xin chọn một trong các mục dưới đây (gõ số thứ tự")
    assert shown_again.text == summary.text
    assert await zalo.tallies() == []

    replies = await zalo.say(leader, "1")

    assert replies[0].text.startswith("✅ Đã lưu báo cáo ngày 28/01/2024 của Xóm Nà Mỏ.")
    [tally] = await zalo.tallies()
    assert (tally.collected, tally.invalid, tally.satisfied[0], tally.satisfied[9]) == (
        45,
        0,
        44,
        44,
    )


async def test_an_official_gets_the_status_and_the_charts_as_pictures(zalo: ZaloE2E) -> None:
    await zalo.store(HAMLET, 50, 49)
    official = await zalo.register(Role.OFFICIAL, COMMUNE, name="Lê Thị Hoa")

    [status] = await zalo.say(official, f"/tinhhinh {COMMUNE}")
    assert "Định Biên" in status.text
    assert "hộ" in status.text

    charts = await zalo.say(official, f"/bieudo {COMMUNE}")

    pictures = [shown for shown in charts if shown.kind == "photo"]
    assert pictures, [shown.text for shown in charts]
    for picture in pictures:
        assert picture.photo is not None
        assert picture.photo.startswith(PNG_MAGIC)
        assert picture.photo_url is not None
        assert picture.photo_url.startswith(f"{zalo.public_url}/media/")


async def test_a_chart_link_works_for_a_few_minutes_then_answers_404(zalo: ZaloE2E) -> None:
    official = await zalo.register(Role.OFFICIAL, COMMUNE, name="Lê Thị Hoa")
    charts = await zalo.say(official, f"/bieudo {COMMUNE}")
    link = next(shown.photo_url for shown in charts if shown.photo_url)
    assert link is not None

    async with aiohttp.ClientSession() as http:
        async with http.get(link) as again:  # fetched a second time: still the picture
            assert again.status == 200
            assert (await again.read()).startswith(PNG_MAGIC)
        async with http.get(link.replace("?t=", "?t=1")) as forged:
            assert forged.status == 404
        zalo.clock.set(zalo.now + timedelta(minutes=11))  # MEDIA_LINK_MINUTES is 10
        async with http.get(link) as expired:
            assert expired.status == 404


async def test_the_same_zalo_message_delivered_twice_is_processed_once(zalo: ZaloE2E) -> None:
    leader = await zalo.register(Role.HAMLET, HAMLET, name="Hoàng Văn Bảy")
    update = await leader.send(ONE_LINE)
    zalo.server.store.updates.push(update)  # as Zalo might after a lost answer

    await zalo.say(leader, "/xomtoi")

    [tally] = await zalo.tallies()
    assert tally.revision == 1
    key = f"message.text.received:{update['message']['message_id']}"
    async with zalo.reading() as session:
        found = await session.scalars(
            select(ProcessedUpdate).where(ProcessedUpdate.update_id == key)
        )
        assert len(list(found)) == 1
    confirmations = [m for m in leader.inbox if m.text.startswith("✅ Đã lưu báo cáo")]
    assert len(confirmations) == 1


async def test_a_picture_or_a_sticker_gets_the_only_text_answer(zalo: ZaloE2E) -> None:
    leader = await zalo.register(Role.HAMLET, HAMLET, name="Hoàng Văn Bảy")
    await leader.send_sticker()
    await leader.send_image("https://example.invalid/phieu.jpg")

    replies = await zalo.say(leader, "/xomtoi")

    assert len(replies) == 3, [r.text for r in replies]
    assert replies[0].text == replies[1].text
    assert "chữ" in replies[0].text  # the bot only understands text
    assert await zalo.tallies() == []


async def test_a_5000_character_message_is_answered_and_changes_nothing(zalo: ZaloE2E) -> None:
    leader = await zalo.register(Role.HAMLET, HAMLET, name="Hoàng Văn Bảy")

    replies = await zalo.say(leader, "Xin chào " * 556)

    assert replies, "the long message got no answer"
    assert all(1 <= len(reply.text) <= 2000 for reply in replies)
    assert await zalo.tallies() == []


async def test_a_send_zalo_refuses_is_recorded_as_failed_with_its_reason(zalo: ZaloE2E) -> None:
    leader = await zalo.register(Role.HAMLET, HAMLET, name="Hoàng Văn Bảy")
    zalo.server.fail_next("sendMessage", 400, description="Bad request: chat is gone")

    await zalo.say(leader, ONE_LINE)  # its confirmation is refused; the fence's goes out

    [tally] = await zalo.tallies()
    assert tally.collected == 45
    async with zalo.reading() as session:
        failed = list(
            await session.scalars(select(OutboxMessage).where(OutboxMessage.state == "failed"))
        )
    assert [row.reason for row in failed] == ["Bad request: chat is gone"]
    assert failed[0].text.startswith("✅ Đã lưu báo cáo")


@pytest.mark.parametrize("secret", [None, "wrong-secret-123"])
async def test_a_webhook_call_without_the_secret_or_a_body_is_refused(
    zalo_webhook: ZaloE2E, secret: str | None
) -> None:
    hook = f"{zalo_webhook.public_url}/zalo"
    body = {
        "event_name": "message.text.received",
        "message": {
            "message_id": "forged-1",
            "date": 1706432400000,
            "text": "/start ABCDEFGH",
            "chat": {"id": "f00", "chat_type": "PRIVATE"},
            "from": {"id": "f00", "display_name": "Kẻ giả mạo", "is_bot": False},
        },
    }
    wrong = {} if secret is None else {"X-Bot-Api-Secret-Token": secret}
    right = {"X-Bot-Api-Secret-Token": zalo_webhook.secret}
    async with aiohttp.ClientSession() as http:
        async with http.post(hook, json=body, headers=wrong) as refused:
            assert refused.status == 403
        async with http.post(hook, data=b"{not json", headers=right) as garbled:
            assert garbled.status == 400
        async with http.post(hook, json={"event_name": "x"}, headers=right) as shapeless:
            assert shapeless.status == 400
    async with zalo_webhook.reading() as session:
        assert list(await session.scalars(select(ProcessedUpdate))) == []
        assert list(await session.scalars(select(Identity))) == []
        assert list(await session.scalars(select(Tally))) == []

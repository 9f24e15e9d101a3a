"""Telegram in webhook mode (`tallybot run --webhook`, SPEC §6.1), end to end.

The local Bot API server calls the bot's own HTTP server at PUBLIC_URL/telegram with each
update and keeps it until the bot answers 2xx, retrying meanwhile. The bot answers only once
the update is handled and committed, so an update that came while the bot was down is
handled once it is back, and a second delivery of the same update changes nothing.
"""

from __future__ import annotations

import json
from typing import Any

import aiohttp
import pytest

from reporting.storage.models import Identity, ProcessedUpdate, Role

E2E = Any  # the `bot_webhook` fixture's harness (tests/e2e/conftest.py)

ELEVEN = "45 44 43 45 45 42 44 45 44 45 45"
SAVED = "✅ Đã lưu báo cáo ngày 28/01/2024 của Xóm Nà Mỏ."
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


@pytest.fixture
async def leader(bot_webhook: E2E) -> Any:
    """The leader of Xóm Nà Mỏ, registered through the chat."""
    return await bot_webhook.register(Role.HAMLET, bot_webhook.hamlet, name="Hoàng Văn Bình")


def forged_start(code: str) -> dict[str, Any]:
    """Returns an update as Telegram would send for `/start CODE` from a new person."""
    person = {"id": 990_001, "is_bot": False, "first_name": "Kẻ giả mạo"}
    message = {"message_id": 1, "date": 1706432400, "from": person}
    message |= {"chat": {"id": 990_001, "type": "private", "first_name": "Kẻ giả mạo"}}
    command = {"type": "bot_command", "offset": 0, "length": 6}
    message |= {"text": f"/start {code}", "entities": [command]}
    return {"update_id": 990_001, "message": message}


async def post(bot_webhook: E2E, data: bytes, secret: str | None) -> int:
    """POSTs a body to the bot's webhook as a stranger could; returns the answer's status."""
    headers = {"Content-Type": "application/json"}
    headers |= {} if secret is None else {SECRET_HEADER: secret}
    async with (
        aiohttp.ClientSession() as http,
        http.post(f"{bot_webhook.public_url}/telegram", data=data, headers=headers) as answer,
    ):
        return answer.status


async def test_registration_and_one_line_tally_arrive_by_webhook(bot_webhook: E2E, leader) -> None:
    [saved] = await bot_webhook.say(leader, f"/report {ELEVEN}")
    assert saved.text.startswith(f"{SAVED}\nCộng dồn: 45/60 hộ đã góp ý (75,00 %).")
    [tally] = await bot_webhook.tallies()
    assert (tally.collected, tally.revision, tally.channel) == (45, 1, "telegram")
    assert bot_webhook.server.requests["getUpdates"] == 0
    assert bot_webhook.server.requests["setWebhook"] == 1
    calls = bot_webhook.server.webhook_calls
    assert calls
    assert all(call.delivered for call in calls)


async def test_guided_tally_by_buttons_arrives_by_webhook(bot_webhook: E2E, leader) -> None:
    await bot_webhook.say_all(leader, ["/report", "45"])
    [q1] = await bot_webhook.press(leader, "0")
    assert q1.buttons == ["Tất cả (45)"]
    for _ in range(10):
        await bot_webhook.press(leader, "Tất cả (45)")
    [summary] = await bot_webhook.press(leader, "Bỏ qua")
    assert summary.buttons == ["Gửi", "Sửa", "Hủy"]
    [saved] = await bot_webhook.press(leader, "Gửi")
    assert saved.text.startswith(SAVED)
    [tally] = await bot_webhook.tallies()
    assert (tally.collected, tally.invalid, list(tally.satisfied)) == (45, 0, [45] * 10)
    assert any("callback_query" in call.update for call in bot_webhook.server.webhook_calls)


@pytest.mark.parametrize("secret", [None, "", "wrong-secret-for-the-hook"])
async def test_a_call_without_the_right_secret_is_forbidden_and_changes_nothing(
    bot_webhook: E2E, secret: str | None
) -> None:
    code = await bot_webhook.invite(Role.HAMLET, bot_webhook.hamlet)
    body = json.dumps(forged_start(code)).encode()
    assert await post(bot_webhook, body, secret) == 403
    assert await bot_webhook.processed() == []
    assert await bot_webhook.count(Identity) == 0


@pytest.mark.parametrize(
    "body",
    [b"{not json", b"[1, 2]", b"null", b'"update"', b"{}", b'{"update_id": 7, "message": "x"}'],
)
async def test_a_body_that_is_not_an_update_is_a_bad_request(
    bot_webhook: E2E, body: bytes
) -> None:
    assert await post(bot_webhook, body, bot_webhook.secret) == 400
    assert await bot_webhook.count(ProcessedUpdate) == 0


async def test_the_same_update_delivered_twice_is_handled_once(bot_webhook: E2E, leader) -> None:
    await bot_webhook.say(leader, f"/report {ELEVEN}")
    [update] = [
        call.update
        for call in bot_webhook.server.webhook_calls
        if call.update.get("message", {}).get("text", "").startswith("/report")
    ]
    handled = sorted(await bot_webhook.processed())
    mark = len(leader.inbox)
    again = json.dumps(update).encode()
    assert await post(bot_webhook, again, bot_webhook.secret) == 200
    assert await bot_webhook.replies_since(leader, mark) == []  # no second confirmation
    [tally] = await bot_webhook.tallies()
    assert tally.revision == 1
    assert str(update["update_id"]) in handled
    assert len(await bot_webhook.processed()) == len(handled) + 1  # only the fence is new


async def test_an_update_sent_while_the_bot_is_down_is_handled_once_it_is_back(
    bot_webhook: E2E, leader
) -> None:
    await bot_webhook.stop()
    mark, made = len(leader.inbox), len(bot_webhook.server.webhook_calls)
    await leader.send(f"/report {ELEVEN}")
    calls = await bot_webhook.server.wait_for_webhook_calls(made + 2)  # refused, then retried
    assert [call.error for call in calls[made:]] == ["Connection refused"] * 2
    assert len(bot_webhook.server.store.updates) == 1  # kept until the bot answers
    await bot_webhook.start()
    [saved] = await bot_webhook.replies_since(leader, mark)
    assert saved.text.startswith(SAVED)
    [tally] = await bot_webhook.tallies()
    assert tally.revision == 1
    update_id = calls[made].update["update_id"]
    calls = bot_webhook.server.webhook_calls
    tries = [call for call in calls if call.update["update_id"] == update_id]
    assert [call.delivered for call in tries][-1:] == [True]
    assert sum(call.delivered for call in tries) == 1
    assert (await bot_webhook.processed()).count(str(update_id)) == 1
